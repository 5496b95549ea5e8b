//! The VeZ standard library, written in VeZ (the `.zari` files beside this crate) and
//! verified like user code. The prelude is loaded into every program automatically.

/// `Option`, `Result`, `Vec`, slices, strings, `Box`, `GpuBuffer` and the `gpu::` API.
const PRELUDE: &str = include_str!("../prelude.zari");
/// Integer methods, instantiated for each integer type.
const INTS: &str = include_str!("../ints.zari");
const INTS_SIGNED: &str = include_str!("../ints_signed.zari");

/// The name under which prelude diagnostics are shown.
pub const PRELUDE_PATH: &str = "<prelude>";

const INT_TYPES: [(&str, bool, u32); 12] = [
    ("i8", true, 8),
    ("i16", true, 16),
    ("i32", true, 32),
    ("i64", true, 64),
    ("i128", true, 128),
    ("isize", true, 64),
    ("u8", false, 8),
    ("u16", false, 16),
    ("u32", false, 32),
    ("u64", false, 64),
    ("u128", false, 128),
    ("usize", false, 64),
];

fn instantiate(template: &str, name: &str, signed: bool, bits: u32) -> String {
    let (min, max) = if signed {
        (
            format!("-{}", 1u128 << (bits - 1)),
            ((1u128 << (bits - 1)) - 1).to_string(),
        )
    } else if bits == 128 {
        ("0".to_string(), u128::MAX.to_string())
    } else {
        ("0".to_string(), ((1u128 << bits) - 1).to_string())
    };
    template
        .replace("$T", name)
        .replace("$MIN", &min)
        .replace("$MAX", &max)
        .replace("$BITS", &bits.to_string())
}

/// The whole prelude source: the fixed part and the integer methods for every type.
pub fn prelude_source() -> String {
    let mut s = String::from(PRELUDE);
    for (name, signed, bits) in INT_TYPES {
        s.push('\n');
        s.push_str(&instantiate(INTS, name, signed, bits));
        if signed {
            s.push_str(&instantiate(INTS_SIGNED, name, signed, bits));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn prelude_has_every_integer_type() {
        let s = super::prelude_source();
        for (name, _, _) in super::INT_TYPES {
            assert!(s.contains(&format!("impl {name} {{")), "{name}");
        }
        assert!(s.contains("pub const MIN: i8 = -128;"));
        assert!(s.contains("pub const MAX: u128 = 340282366920938463463374607431768211455;"));
    }
}
