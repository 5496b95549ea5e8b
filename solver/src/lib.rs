//! Solver backends: vcgen terms to Z3 in-process (the `z3` crate) or to SMT-LIB2
//! processes (rsmt2: z3, cvc5); timeouts, and models turned into counterexamples in
//! source names. Filled by issue 4.
