//! MIR: one control-flow graph per function (basic blocks, places, statements,
//! terminators), every node with its source span, and specifications as typed
//! expressions. Borrow checking, verification-condition generation and code
//! generation all read it. Filled by issue 3 (lowering from the typed HIR of `vez-typeck`).
