//! `T::from(x)` and `T::try_from(x)` between primitive types. VeZ has no user traits yet, so
//! Rust's `From`/`TryFrom` impls of the standard library are a table here: `from` is a cast
//! that cannot lose value, `try_from` between integers calls the prelude's range check.

use crate::ty::{FloatTy, IntTy, Ty};

/// Whether Rust's standard library has `impl From<src> for dst` (the lossless conversions,
/// and every type from itself).
pub(crate) fn has_from(src: &Ty, dst: &Ty) -> bool {
    use IntTy::*;
    if src == dst {
        return true;
    }
    match (src, dst) {
        (Ty::Bool, Ty::Int(_)) => true,
        (Ty::Char, Ty::Int(d)) => matches!(d, U32 | U64 | U128),
        (Ty::Int(U8), Ty::Char) => true,
        (Ty::Int(s), Ty::Int(d)) => match (s, d) {
            // Platform-width types convert only from types that fit every platform's.
            (U8 | U16, Usize) | (U8 | I8 | I16, Isize) => true,
            (Usize | Isize, _) | (_, Usize | Isize) => false,
            // Into a wider type whose sign holds the value (a signed source needs a signed one).
            _ => (d.signed() || !s.signed()) && d.bits() > s.bits(),
        },
        (Ty::Float(FloatTy::F32), Ty::Float(FloatTy::F64)) => true,
        (Ty::Int(s), Ty::Float(FloatTy::F64)) => matches!(s, I8 | I16 | I32 | U8 | U16 | U32),
        (Ty::Int(s), Ty::Float(FloatTy::F32)) => matches!(s, I8 | I16 | U8 | U16),
        _ => false,
    }
}

/// The prelude function that `dst::try_from(x)` calls for an integer `x` of type `src`, and
/// whether `x` is first cast to `i128` (every integer type but `u128` fits it).
pub(crate) fn try_from_helper(src: IntTy) -> (&'static str, bool) {
    match src {
        IntTy::U128 => ("try_from_u128", false),
        IntTy::I128 => ("try_from_i128", false),
        _ => ("try_from_i128", true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntTy::*;

    #[test]
    fn from_follows_the_standard_library() {
        let int = Ty::Int;
        assert!(has_from(&int(U8), &int(U16)));
        assert!(has_from(&int(U8), &int(I16)));
        assert!(has_from(&int(U32), &int(I64)));
        assert!(has_from(&int(I32), &int(I64)));
        assert!(has_from(&int(U64), &int(U128)));
        assert!(has_from(&int(I32), &int(I32)));
        assert!(has_from(&int(U16), &int(Usize)));
        assert!(has_from(&int(I16), &int(Isize)));
        assert!(has_from(&Ty::Bool, &int(U8)));
        assert!(has_from(&Ty::Char, &int(U32)));
        assert!(has_from(&int(U8), &Ty::Char));
        assert!(has_from(&int(I32), &Ty::Float(FloatTy::F64)));
        assert!(!has_from(&int(I32), &int(U64)));
        assert!(!has_from(&int(U16), &int(I16)));
        assert!(!has_from(&int(I64), &int(I32)));
        assert!(!has_from(&int(U32), &int(Usize)));
        assert!(!has_from(&int(Usize), &int(U64)));
        assert!(!has_from(&int(U64), &int(Usize)));
        assert!(!has_from(&int(U16), &int(Isize)));
        assert!(!has_from(&Ty::Char, &int(U8)));
        assert!(!has_from(&int(I64), &Ty::Float(FloatTy::F64)));
        assert!(!has_from(
            &Ty::Float(FloatTy::F64),
            &Ty::Float(FloatTy::F32)
        ));
    }
}
