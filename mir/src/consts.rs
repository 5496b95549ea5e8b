//! Values of `const` items, computed at compile time (Rust evaluates them at compile time
//! too, and rejects overflow there; the type checker has already rejected anything else).
//! What this evaluator computes is data that code generation writes out as a constant; the
//! MIR builder computes any other const value where it is used, as Rust inlines consts.

use vez_typeck::hir::{BinOp, ConstId, ExprKind, LitValue, Program, UnOp};
use vez_typeck::ty::{IntTy, Ty};

#[derive(Clone, Debug)]
pub enum CVal {
    /// Two's complement bits of an integer, bool (0/1) or char.
    Int(i128),
    Float(f64),
    Str(String),
    /// An array's elements, or a tuple's or struct's fields in declaration order.
    Agg(Vec<CVal>),
    /// An enum variant without fields.
    Variant(u32),
}

/// Arrays of a `const` longer than this are built where they are used, not written out.
const MAX_CONST_ELEMS: u64 = 1 << 16;

pub fn eval(p: &Program, id: ConstId) -> Result<CVal, String> {
    let c = &p.consts[id.0 as usize];
    expr(p, &c.value, 0)
}

fn expr(p: &Program, e: &vez_typeck::hir::Expr, depth: u32) -> Result<CVal, String> {
    if depth > 64 {
        return Err("constant too deeply nested".into());
    }
    let unsupported = || {
        Err(format!(
            "this constant expression is not supported: {:?}",
            e.ty
        ))
    };
    let v = match &e.kind {
        ExprKind::Lit(l) => match l {
            LitValue::Int(n) => CVal::Int(*n as i128),
            LitValue::Float(f) => CVal::Float(*f),
            LitValue::Bool(b) => CVal::Int(*b as i128),
            LitValue::Char(c) => CVal::Int(*c as i128),
            LitValue::Str(s) => CVal::Str(s.clone()),
            LitValue::ByteStr(_) => return unsupported(),
        },
        ExprKind::Const(c) => expr(p, &p.consts[c.0 as usize].value, depth + 1)?,
        ExprKind::Unary(op, a) => match (op, expr(p, a, depth + 1)?) {
            (UnOp::Neg, CVal::Int(n)) => CVal::Int(n.wrapping_neg()),
            (UnOp::Neg, CVal::Float(f)) => CVal::Float(-f),
            (UnOp::Not, CVal::Int(n)) => {
                if e.ty == Ty::Bool {
                    CVal::Int(1 - n)
                } else {
                    CVal::Int(!n)
                }
            }
            _ => return unsupported(),
        },
        ExprKind::Cast(a) => {
            let v = expr(p, a, depth + 1)?;
            match (v, &e.ty) {
                (CVal::Int(n), Ty::Float(_)) => {
                    let signed = matches!(&a.ty, Ty::Int(i) if i.signed());
                    CVal::Float(if signed { n as f64 } else { n as u128 as f64 })
                }
                (CVal::Float(f), Ty::Int(i)) => CVal::Int(if i.signed() {
                    f as i128
                } else {
                    f as u128 as i128
                }),
                (v, _) => v,
            }
        }
        ExprKind::Binary(op, a, b) => {
            let (x, y) = (expr(p, a, depth + 1)?, expr(p, b, depth + 1)?);
            match (x, y) {
                (CVal::Int(x), CVal::Int(y)) => {
                    let signed = matches!(&a.ty, Ty::Int(i) if i.signed());
                    CVal::Int(match op {
                        BinOp::Add => x.wrapping_add(y),
                        BinOp::Sub => x.wrapping_sub(y),
                        BinOp::Mul => x.wrapping_mul(y),
                        BinOp::Div if y != 0 => x / y,
                        BinOp::Rem if y != 0 => x % y,
                        BinOp::BitAnd | BinOp::And => x & y,
                        BinOp::BitOr | BinOp::Or => x | y,
                        BinOp::BitXor => x ^ y,
                        BinOp::Shl => x.wrapping_shl(y as u32),
                        BinOp::Shr => x.wrapping_shr(y as u32),
                        BinOp::Eq => (x == y) as i128,
                        BinOp::Ne => (x != y) as i128,
                        BinOp::Lt => (x < y) as i128,
                        BinOp::Le => (x <= y) as i128,
                        BinOp::Gt => (x > y) as i128,
                        BinOp::Ge => (x >= y) as i128,
                        _ => return unsupported(),
                    })
                    .normalise(&e.ty, signed)
                }
                (CVal::Float(x), CVal::Float(y)) => match op {
                    BinOp::Add => CVal::Float(x + y),
                    BinOp::Sub => CVal::Float(x - y),
                    BinOp::Mul => CVal::Float(x * y),
                    BinOp::Div => CVal::Float(x / y),
                    BinOp::Rem => CVal::Float(x % y),
                    BinOp::Eq => CVal::Int((x == y) as i128),
                    BinOp::Ne => CVal::Int((x != y) as i128),
                    BinOp::Lt => CVal::Int((x < y) as i128),
                    BinOp::Le => CVal::Int((x <= y) as i128),
                    BinOp::Gt => CVal::Int((x > y) as i128),
                    BinOp::Ge => CVal::Int((x >= y) as i128),
                    _ => return unsupported(),
                },
                _ => return unsupported(),
            }
        }
        ExprKind::Tuple(es) | ExprKind::Array(es) => CVal::Agg(
            es.iter()
                .map(|x| expr(p, x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        ExprKind::ArrayRepeat(x, n) if *n <= MAX_CONST_ELEMS => {
            CVal::Agg(vec![expr(p, x, depth + 1)?; *n as usize])
        }
        ExprKind::Ctor {
            adt,
            fields,
            base: None,
            ..
        } if !p.adt(*adt).is_enum && !p.adt(*adt).builtin => {
            let mut by_index: Vec<(u32, CVal)> = fields
                .iter()
                .map(|(i, x)| Ok((*i, expr(p, x, depth + 1)?)))
                .collect::<Result<_, String>>()?;
            by_index.sort_by_key(|(i, _)| *i);
            CVal::Agg(by_index.into_iter().map(|(_, v)| v).collect())
        }
        ExprKind::Ctor {
            adt,
            variant,
            fields,
            base: None,
        } if p.adt(*adt).is_enum && fields.is_empty() => CVal::Variant(*variant),
        ExprKind::Block(b) if b.stmts.is_empty() => match &b.tail {
            Some(x) => expr(p, x, depth + 1)?,
            None => return unsupported(),
        },
        _ => return unsupported(),
    };
    Ok(v)
}

impl CVal {
    /// Truncates an integer result to its type's width (sign- or zero-extended back).
    fn normalise(self, ty: &Ty, _signed: bool) -> CVal {
        match (self, ty) {
            (CVal::Int(n), Ty::Int(i)) => CVal::Int(truncate(n, *i)),
            (v, _) => v,
        }
    }
}

pub fn truncate(n: i128, i: IntTy) -> i128 {
    let bits = i.bits();
    if bits == 128 {
        return n;
    }
    let mask = (1i128 << bits) - 1;
    let v = n & mask;
    if i.signed() && v >> (bits - 1) & 1 == 1 {
        v - (1i128 << bits)
    } else {
        v
    }
}
