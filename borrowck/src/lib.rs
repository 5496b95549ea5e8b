//! Borrow checking (filled next).
