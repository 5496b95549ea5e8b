//! Verification-condition generation: one obligation per check site (overflow, bounds,
//! division, unwrap, assert, pre/postconditions, invariants, decreases, spec
//! well-definedness, GPU races), expressed in a small solver-agnostic term language.
//! Filled by issue 4.
