//! Borrow checking: polonius-engine facts computed from MIR, solved with datafrog,
//! reported as rustc-style errors (E0382, E0499, E0502, E0505, E0506, E0515, E0597, ...).
//! Filled by issue 3.
