//! Loads a program: the root file and every `mod name;` it reaches.
