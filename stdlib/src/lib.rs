//! The VeZ standard library, written in VeZ (`.zari` files beside this crate) and verified
//! like user code. The prelude is loaded into every program automatically.

/// The prelude: `Option`, `Result`, `Vec`, slices, strings and the `gpu::` API, with their contracts.
pub const PRELUDE: &str = include_str!("../prelude.zari");

/// The path under which prelude diagnostics are shown.
pub const PRELUDE_PATH: &str = "<prelude>/prelude.zari";
