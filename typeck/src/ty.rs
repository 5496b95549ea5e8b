//! Semantic types.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    I128,
    Isize,
    U8,
    U16,
    U32,
    U64,
    U128,
    Usize,
}

impl IntTy {
    pub const ALL: [IntTy; 12] = [
        IntTy::I8,
        IntTy::I16,
        IntTy::I32,
        IntTy::I64,
        IntTy::I128,
        IntTy::Isize,
        IntTy::U8,
        IntTy::U16,
        IntTy::U32,
        IntTy::U64,
        IntTy::U128,
        IntTy::Usize,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::I128 => "i128",
            IntTy::Isize => "isize",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
            IntTy::U128 => "u128",
            IntTy::Usize => "usize",
        }
    }
    pub fn from_name(s: &str) -> Option<IntTy> {
        IntTy::ALL.into_iter().find(|t| t.name() == s)
    }
    pub fn signed(self) -> bool {
        matches!(
            self,
            IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64 | IntTy::I128 | IntTy::Isize
        )
    }
    /// Bit width; `usize` and `isize` are 64-bit (LANGUAGE.md).
    pub fn bits(self) -> u32 {
        match self {
            IntTy::I8 | IntTy::U8 => 8,
            IntTy::I16 | IntTy::U16 => 16,
            IntTy::I32 | IntTy::U32 => 32,
            IntTy::I64 | IntTy::U64 | IntTy::Isize | IntTy::Usize => 64,
            IntTy::I128 | IntTy::U128 => 128,
        }
    }
    pub fn min_value(self) -> i128 {
        if self.signed() {
            if self.bits() == 128 {
                i128::MIN
            } else {
                -(1i128 << (self.bits() - 1))
            }
        } else {
            0
        }
    }
    /// The maximum as u128 (fits every type).
    pub fn max_value(self) -> u128 {
        if self.signed() {
            (1u128 << (self.bits() - 1)) - 1
        } else if self.bits() == 128 {
            u128::MAX
        } else {
            (1u128 << self.bits()) - 1
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    pub fn name(self) -> &'static str {
        match self {
            FloatTy::F32 => "f32",
            FloatTy::F64 => "f64",
        }
    }
}

/// Index of a struct or enum in [`crate::hir::Program::adts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AdtId(pub u32);

/// A type. Arrays carry their length as a type (`ConstVal` or a const `Param`), so that const
/// generics (`gpu::shared::<f32, 256>()`) substitute like type arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Int(IntTy),
    Float(FloatTy),
    Bool,
    Char,
    /// `str` (only behind a reference).
    Str,
    Never,
    /// `()` is the empty tuple.
    Tuple(Vec<Ty>),
    Array(Box<Ty>, Box<Ty>),
    Slice(Box<Ty>),
    Ref(bool, Box<Ty>),
    Adt(AdtId, Vec<Ty>),
    /// The i-th generic parameter of the item being checked (type or const).
    Param(u32, String),
    /// A const generic value (array lengths).
    ConstVal(u64),
    /// An inference variable (only during checking).
    Infer(u32),
    /// The type of an expression that already produced an error.
    Error,
}

impl Ty {
    pub fn unit() -> Ty {
        Ty::Tuple(Vec::new())
    }
    pub fn usize() -> Ty {
        Ty::Int(IntTy::Usize)
    }
    pub fn is_unit(&self) -> bool {
        matches!(self, Ty::Tuple(v) if v.is_empty())
    }
    pub fn is_integer(&self) -> bool {
        matches!(self, Ty::Int(_))
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Float(_))
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }
    pub fn array_len(&self) -> Option<u64> {
        match self {
            Ty::Array(_, n) => match **n {
                Ty::ConstVal(n) => Some(n),
                _ => None,
            },
            _ => None,
        }
    }
    /// Replaces `Param(i)` by `args[i]`.
    pub fn subst(&self, args: &[Ty]) -> Ty {
        if args.is_empty() {
            return self.clone();
        }
        match self {
            Ty::Param(i, _) => args
                .get(*i as usize)
                .cloned()
                .unwrap_or_else(|| self.clone()),
            Ty::Tuple(v) => Ty::Tuple(v.iter().map(|t| t.subst(args)).collect()),
            Ty::Array(t, n) => Ty::Array(Box::new(t.subst(args)), Box::new(n.subst(args))),
            Ty::Slice(t) => Ty::Slice(Box::new(t.subst(args))),
            Ty::Ref(m, t) => Ty::Ref(*m, Box::new(t.subst(args))),
            Ty::Adt(id, v) => Ty::Adt(*id, v.iter().map(|t| t.subst(args)).collect()),
            _ => self.clone(),
        }
    }
    /// Any inference variable, parameter or error inside?
    pub fn walk(&self, f: &mut impl FnMut(&Ty)) {
        f(self);
        match self {
            Ty::Tuple(v) | Ty::Adt(_, v) => v.iter().for_each(|t| t.walk(f)),
            Ty::Array(t, n) => {
                t.walk(f);
                n.walk(f);
            }
            Ty::Slice(t) | Ty::Ref(_, t) => t.walk(f),
            _ => {}
        }
    }
    pub fn has_params(&self) -> bool {
        let mut found = false;
        self.walk(&mut |t| found |= matches!(t, Ty::Param(..)));
        found
    }
    pub fn has_infer(&self) -> bool {
        let mut found = false;
        self.walk(&mut |t| found |= matches!(t, Ty::Infer(_)));
        found
    }
    pub fn references_error(&self) -> bool {
        let mut found = false;
        self.walk(&mut |t| found |= matches!(t, Ty::Error));
        found
    }
}

/// Renders types as rustc does (`Vec<u32>`, `&mut [i32]`, `[u8; 4]`), given ADT names.
pub struct TyDisplay<'a> {
    pub ty: &'a Ty,
    pub adt_name: &'a dyn Fn(AdtId) -> String,
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub = |t: &Ty| {
            TyDisplay {
                ty: t,
                adt_name: self.adt_name,
            }
            .to_string()
        };
        match self.ty {
            Ty::Int(i) => f.write_str(i.name()),
            Ty::Float(x) => f.write_str(x.name()),
            Ty::Bool => f.write_str("bool"),
            Ty::Char => f.write_str("char"),
            Ty::Str => f.write_str("str"),
            Ty::Never => f.write_str("!"),
            Ty::Tuple(v) => {
                f.write_str("(")?;
                for (i, t) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", sub(t))?;
                }
                if v.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            Ty::Array(t, n) => write!(f, "[{}; {}]", sub(t), sub(n)),
            Ty::Slice(t) => write!(f, "[{}]", sub(t)),
            Ty::Ref(m, t) => write!(f, "&{}{}", if *m { "mut " } else { "" }, sub(t)),
            Ty::Adt(id, args) => {
                f.write_str(&(self.adt_name)(*id))?;
                if !args.is_empty() {
                    f.write_str("<")?;
                    for (i, t) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{}", sub(t))?;
                    }
                    f.write_str(">")?;
                }
                Ok(())
            }
            Ty::Param(_, name) => f.write_str(name),
            Ty::ConstVal(n) => write!(f, "{n}"),
            Ty::Infer(_) => f.write_str("_"),
            Ty::Error => f.write_str("{error}"),
        }
    }
}
