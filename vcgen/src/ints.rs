//! Machine-integer operations over mathematical integers: ranges, wrapping, Rust's
//! truncating division, and exact bitwise operations and shifts (linear arithmetic where the
//! operands allow it, bit-vector conversions elsewhere).

use crate::term::{self, app, ite, num, unum, T};
use vez_typeck::hir::BinOp;
use vez_typeck::ty::IntTy;

pub fn in_range(i: IntTy, t: T) -> T {
    term::and2(
        term::le(num(i.min_value()), t.clone()),
        term::le(t, unum(i.max_value())),
    )
}

fn modulus(i: IntTy) -> T {
    if i.bits() == 128 {
        app("*", vec![unum(1u128 << 127), num(2)])
    } else {
        unum(1u128 << i.bits())
    }
}

/// The value modulo 2^bits, in the type's range (Rust's `wrapping_*` and `as`).
pub fn wrap(i: IntTy, t: T) -> T {
    if let Some(n) = term::as_num(&t) {
        if n >= i.min_value() && (n < 0 || n as u128 <= i.max_value()) {
            return t;
        }
    }
    // In range, the value itself: the solver need not reason about `mod` when it can bound
    // the operand (the common case of a cast that does not lose value).
    let wrapped = if i.signed() {
        let min = num(i.min_value());
        term::add(
            term::modulo(term::sub(t.clone(), min.clone()), modulus(i)),
            min,
        )
    } else {
        term::modulo(t.clone(), modulus(i))
    };
    ite(in_range(i, t.clone()), t, wrapped)
}

/// Rust's `/`: truncation toward zero.
pub fn trunc_div(signed: bool, a: T, b: T) -> T {
    if !signed {
        return term::div(a, b);
    }
    let z = num(0);
    let a_nn = term::le(z.clone(), a.clone());
    let b_nn = term::le(z, b.clone());
    ite(
        a_nn.clone(),
        ite(
            b_nn.clone(),
            term::div(a.clone(), b.clone()),
            term::neg(term::div(a.clone(), term::neg(b.clone()))),
        ),
        ite(
            b_nn,
            term::neg(term::div(term::neg(a.clone()), b.clone())),
            term::div(term::neg(a), term::neg(b)),
        ),
    )
}

/// Rust's `%`: the sign of the dividend.
pub fn trunc_rem(signed: bool, a: T, b: T) -> T {
    if !signed {
        return term::modulo(a, b);
    }
    let q = trunc_div(true, a.clone(), b.clone());
    term::sub(a, term::mul(b, q))
}

fn to_bv(i: IntTy, t: T) -> T {
    app(&format!("(_ int2bv {})", i.bits()), vec![t])
}

fn from_bv(i: IntTy, bv: T) -> T {
    let u = app("bv2int", vec![bv]);
    if i.signed() {
        let half = unum(1u128 << (i.bits() - 1));
        ite(
            term::le(half, u.clone()),
            term::sub(u.clone(), modulus(i)),
            u,
        )
    } else {
        u
    }
}

fn pow2(k: i128) -> Option<T> {
    (0..127).contains(&k).then(|| unum(1u128 << k))
}

pub fn bitwise(op: BinOp, i: IntTy, a: T, b: T) -> T {
    if op == BinOp::BitAnd && !i.signed() {
        // `x & (2^k - 1)` is `x mod 2^k`: stays linear.
        for (x, m) in [(&a, &b), (&b, &a)] {
            if let Some(mask) = term::as_num(m) {
                if mask >= 0 && (mask + 1) & mask == 0 {
                    return term::modulo(x.clone(), num(mask + 1));
                }
            }
        }
    }
    let f = match op {
        BinOp::BitAnd => "bvand",
        BinOp::BitOr => "bvor",
        _ => "bvxor",
    };
    from_bv(i, app(f, vec![to_bv(i, a), to_bv(i, b)]))
}

pub fn bit_not(i: IntTy, a: T) -> T {
    if i.signed() {
        term::sub(term::neg(a), num(1))
    } else {
        term::sub(unum(i.max_value()), a)
    }
}

/// `a << b` for `b` below the width (the bits shifted out are lost, as in Rust).
pub fn shl(i: IntTy, a: T, b: T) -> T {
    if let Some(p) = term::as_num(&b).and_then(pow2) {
        return wrap(i, term::mul(a, p));
    }
    from_bv(i, app("bvshl", vec![to_bv(i, a), to_bv(i, b)]))
}

/// `a >> b`: arithmetic for signed types (floor division by 2^b), logical for unsigned.
pub fn shr(i: IntTy, a: T, b: T) -> T {
    if let Some(p) = term::as_num(&b).and_then(pow2) {
        return term::div(a, p);
    }
    let f = if i.signed() { "bvashr" } else { "bvlshr" };
    from_bv(i, app(f, vec![to_bv(i, a), to_bv(i, b)]))
}
