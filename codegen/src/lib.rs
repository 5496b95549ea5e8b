//! Code generation: MIR to LLVM IR with inkwell (LLVM 19), optimisation, object files
//! and a linked executable, keeping run-time checks only for unproven obligations.
//! Filled by issue 5.
