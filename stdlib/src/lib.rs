//! The VeZ standard library, written in VeZ (the `.zari` files beside this crate) and
//! verified like user code. The prelude is loaded into every program automatically.

/// `Option`, `Result`, `Vec`, slices, strings, `Box`, `GpuBuffer` and the `gpu::` API.
const PRELUDE: &str = include_str!("../prelude.zari");
/// Integer methods, instantiated for each integer type.
const INTS: &str = include_str!("../ints.zari");
const INTS_SIGNED: &str = include_str!("../ints_signed.zari");
const INTS_UNSIGNED: &str = include_str!("../ints_unsigned.zari");
/// Multiplication: through a wider type up to 64 bits, by division for 128.
const INTS_NARROW: &str = include_str!("../ints_narrow.zari");
const INTS_128: &str = include_str!("../ints_128.zari");

/// The name under which prelude diagnostics are shown.
pub const PRELUDE_PATH: &str = "<prelude>";

/// The integer types the templates are instantiated for: (name, signed, bits), in the order
/// the library lists them.
pub const INT_TYPES: [(&str, bool, u32); 12] = [
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
    let max = max_value(signed, bits);
    let min = if signed {
        format!("-{}", max + 1)
    } else {
        "0".to_string()
    };
    // The type's MAX as an i128 (u128's does not fit: every i128 is below it).
    let ceil_i128 = if bits == 128 && !signed {
        "i128::MAX".to_string()
    } else {
        format!("{name}::MAX as i128")
    };
    template
        .replace("$CEIL_I128", &ceil_i128)
        .replace("$T", name)
        .replace("$MIN", &min)
        .replace("$MAX", &max.to_string())
        .replace("$BITS", &bits.to_string())
        .replace("$WIDE", if signed { "i128" } else { "u128" })
        .replace("$MODULUS", &(1u128 << bits.min(127)).to_string())
        .replace("$ISQRT_HI", &(isqrt(max) + 1).to_string())
}

/// The largest value of an integer type.
fn max_value(signed: bool, bits: u32) -> u128 {
    if signed {
        (1u128 << (bits - 1)) - 1
    } else if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// The integer square root of a type's largest value (at least 127).
fn isqrt(max: u128) -> u128 {
    // Newton's method from above converges to the floor of the root.
    let mut x = max.min(1u128 << 64);
    loop {
        let y = (x + max / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// The whole prelude source: the fixed part and the integer methods for every type.
pub fn prelude_source() -> String {
    let mut s = String::new();
    for (_, text) in parts(&[
        PRELUDE,
        INTS,
        INTS_SIGNED,
        INTS_UNSIGNED,
        INTS_NARROW,
        INTS_128,
    ]) {
        s.push_str(&text);
        s.push('\n');
    }
    s
}

/// The library's files, with the integer templates instantiated: (name, text) pairs, the
/// prelude first, then `ints.zari (u8)` and so on. `texts` are the files in [`FILES`] order.
fn parts(texts: &[&str; 6]) -> Vec<(String, String)> {
    let [prelude, ints, signed_only, unsigned_only, narrow, wide] = *texts;
    let mut out = vec![(FILES[0].to_string(), prelude.to_string())];
    for (name, signed, bits) in INT_TYPES {
        let mut add = |file: &str, text: &str| {
            out.push((
                format!("{file} ({name})"),
                instantiate(text, name, signed, bits),
            ))
        };
        add(FILES[1], ints);
        if signed {
            add(FILES[2], signed_only);
        } else {
            add(FILES[3], unsigned_only);
        }
        if bits < 128 {
            add(FILES[4], narrow);
        } else {
            add(FILES[5], wide);
        }
    }
    out
}

/// The library's files, in the order `parts` takes them.
const FILES: [&str; 6] = [
    "prelude.zari",
    "ints.zari",
    "ints_signed.zari",
    "ints_unsigned.zari",
    "ints_narrow.zari",
    "ints_128.zari",
];

/// Whether `dir` holds the standard library's sources (then `vez verify DIR` verifies the
/// library itself instead of loading it as the prelude of a program).
pub fn is_stdlib_dir(dir: &std::path::Path) -> bool {
    FILES.iter().all(|f| dir.join(f).is_file())
}

/// The library's files read from `dir` (as [`parts`] names them, prefixed with `dir`).
pub fn read_stdlib_dir(dir: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f))
            .map_err(|e| format!("cannot read `{}`: {e}", dir.join(f).display()))
    };
    let texts: Vec<String> = FILES.iter().map(|f| read(f)).collect::<Result<_, _>>()?;
    let texts: [&str; 6] = std::array::from_fn(|i| texts[i].as_str());
    Ok(parts(&texts)
        .into_iter()
        .map(|(name, text)| (dir.join(name).display().to_string(), text))
        .collect())
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
