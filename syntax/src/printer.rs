//! Prints an AST back as VeZ source (used by the round-trip test and by `vez check --emit ast`).
