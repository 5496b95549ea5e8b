//! The typed, resolved program that type checking produces. Every expression has its type and
//! span; implicit steps of Rust's semantics (auto-ref and auto-deref of method receivers and
//! field bases, deref coercions, default binding modes in patterns) are explicit nodes, so the
//! later stages (MIR lowering, borrow checking, verification, code generation) never redo them.

use crate::ty::{AdtId, IntTy, Ty};
pub use vez_syntax::ast::{BinOp, SelfKind, UnOp};
use vez_syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConstId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraitId(pub u32);

/// The standard traits the language knows (LANGUAGE.md section 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StdTrait {
    Copy,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    Debug,
    Display,
    Sized,
}

impl StdTrait {
    pub fn from_name(s: &str) -> Option<StdTrait> {
        Some(match s {
            "Copy" => StdTrait::Copy,
            "Clone" => StdTrait::Clone,
            "PartialEq" => StdTrait::PartialEq,
            "Eq" => StdTrait::Eq,
            "PartialOrd" => StdTrait::PartialOrd,
            "Ord" => StdTrait::Ord,
            "Default" => StdTrait::Default,
            "Debug" => StdTrait::Debug,
            "Display" => StdTrait::Display,
            "Sized" => StdTrait::Sized,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            StdTrait::Copy => "Copy",
            StdTrait::Clone => "Clone",
            StdTrait::PartialEq => "PartialEq",
            StdTrait::Eq => "Eq",
            StdTrait::PartialOrd => "PartialOrd",
            StdTrait::Ord => "Ord",
            StdTrait::Default => "Default",
            StdTrait::Debug => "Debug",
            StdTrait::Display => "Display",
            StdTrait::Sized => "Sized",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    Std(StdTrait),
    User(TraitId),
}

#[derive(Clone, Debug)]
pub struct GenericParamDef {
    pub name: String,
    /// A `const N: usize` parameter (its values are `Ty::ConstVal`).
    pub is_const: bool,
    pub bounds: Vec<Bound>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtorKind {
    Named,
    Tuple,
    Unit,
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    pub public: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    pub kind: CtorKind,
    pub fields: Vec<FieldDef>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct AdtDef {
    /// Qualified name as users write it (`Shape`, `geom::Point`).
    pub name: String,
    pub span: Span,
    pub generics: Vec<GenericParamDef>,
    pub is_enum: bool,
    /// A struct has exactly one variant, named like the struct.
    pub variants: Vec<VariantDef>,
    pub derives: Vec<StdTrait>,
    /// Declared in the prelude with `#[builtin]`: the compiler knows its representation
    /// (`Vec`, `String`, `Box`, `GpuBuffer`).
    pub builtin: bool,
    pub public: bool,
}

#[derive(Clone, Debug)]
pub struct LocalDecl {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
    pub kind: LocalKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalKind {
    Param,
    Let,
    /// Bound by a quantifier (specification only).
    Quantified,
}

#[derive(Clone, Debug, Default)]
pub struct FnAttrs {
    pub pure: bool,
    pub trusted: bool,
    pub ghost: bool,
    pub kernel: bool,
    pub device: bool,
    /// A prelude declaration whose meaning the compiler provides (no body).
    pub intrinsic: bool,
    pub public: bool,
    pub from_prelude: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Contract {
    pub requires: Vec<Expr>,
    pub ensures: Vec<Expr>,
    pub decreases: Vec<Expr>,
}

#[derive(Clone, Debug)]
pub struct FnDef {
    /// Qualified name as users write it (`Counter::bump`, `geom::manhattan`).
    pub name: String,
    pub span: Span,
    /// Impl generics first, then the function's own.
    pub generics: Vec<GenericParamDef>,
    /// For methods and associated functions: the impl's self type.
    pub self_ty: Option<Ty>,
    pub self_kind: Option<SelfKind>,
    /// Parameter locals in order (`self` first for methods).
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub ret_span: Span,
    /// The lifetime written on each reference layer (in type pre-order) of every parameter
    /// type and, last, of the return type: `Some("a")` for `&'a T`, `None` when elided. Empty
    /// when a type alias hides the layers.
    pub ref_lifetimes: Vec<Vec<Option<String>>>,
    pub locals: Vec<LocalDecl>,
    pub contract: Contract,
    pub attrs: FnAttrs,
    pub body: Option<Expr>,
    pub trait_id: Option<TraitId>,
}

impl FnDef {
    pub fn param_tys(&self) -> impl Iterator<Item = &Ty> {
        self.params.iter().map(|l| &self.locals[l.0 as usize].ty)
    }

    /// Whether this is the prelude function with this qualified name (`gpu::shared`).
    pub fn is_prelude(&self, name: &str) -> bool {
        self.attrs.from_prelude && self.name == name
    }
}

#[derive(Clone, Debug)]
pub struct ConstDef {
    pub name: String,
    pub ty: Ty,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TraitDef {
    pub name: String,
    pub span: Span,
    /// Method names with their declarations (`FnId`s of the trait's own declarations).
    pub methods: Vec<(String, FnId)>,
}

#[derive(Clone, Debug)]
pub enum LitValue {
    /// Integer literals are non-negative; `-1` is a negation of `1`.
    Int(u128),
    Float(f64),
    Bool(bool),
    Char(char),
    Str(String),
    ByteStr(Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

/// Implicit conversions that Rust inserts at coercion sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coercion {
    /// `&[T; N]` to `&[T]`, `&Vec<T>` to `&[T]`, `&String` to `&str` (and `&mut` forms).
    Unsize,
    /// `&mut T` to `&T`.
    MutToConst,
    /// `!` to any type.
    NeverToAny,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintKind {
    Print,
    Println,
    Eprint,
    Eprintln,
    /// `format!`: produces a `String`.
    Format,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FmtPiece {
    Lit(String),
    /// Argument index and how it is formatted.
    Arg {
        index: usize,
        spec: FmtSpec,
    },
}

/// The message of format pieces that are all literal text (`panic!("stack empty")`): a
/// constant, known without formatting anything. `None` when a piece is an argument.
pub fn literal_text(pieces: &[FmtPiece]) -> Option<String> {
    pieces
        .iter()
        .map(|p| match p {
            FmtPiece::Lit(s) => Some(s.as_str()),
            FmtPiece::Arg { .. } => None,
        })
        .collect()
}

/// The formatting trait a placeholder asks for: `{}`, `{:?}`, `{:x}`, `{:X}`, `{:o}`, `{:b}`,
/// `{:e}`, `{:E}`. The order is the run-time library's numbering (`K_DISPLAY` ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FmtKind {
    #[default]
    Display,
    Debug,
    LowerHex,
    UpperHex,
    Octal,
    Binary,
    LowerExp,
    UpperExp,
}

impl FmtKind {
    /// The trait's name in rustc's messages.
    pub fn trait_name(self) -> &'static str {
        match self {
            FmtKind::Display => "std::fmt::Display",
            FmtKind::Debug => "Debug",
            FmtKind::LowerHex => "LowerHex",
            FmtKind::UpperHex => "UpperHex",
            FmtKind::Octal => "Octal",
            FmtKind::Binary => "Binary",
            FmtKind::LowerExp => "LowerExp",
            FmtKind::UpperExp => "UpperExp",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmtAlign {
    Left,
    Center,
    Right,
}

/// A width or precision: written out, or taken from an argument (`{:w$}`, `{:.*}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmtCount {
    Lit(usize),
    Arg(usize),
}

/// Rust's format spec `[[fill]align][sign]['#']['0'][width]['.' precision]type`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FmtSpec {
    pub kind: FmtKind,
    /// The fill character; `None` is a space.
    pub fill: Option<char>,
    pub align: Option<FmtAlign>,
    /// `+`: a sign on non-negative numbers too.
    pub plus: bool,
    /// `#`: `0x` prefixes, pretty `{:#?}`.
    pub alternate: bool,
    /// `0`: numbers padded with zeros after the sign.
    pub zero: bool,
    pub width: Option<FmtCount>,
    pub precision: Option<FmtCount>,
}

impl FmtSpec {
    pub fn is_debug(&self) -> bool {
        self.kind == FmtKind::Debug
    }

    /// Whether anything but the trait is asked for (then the value is padded or reshaped).
    pub fn has_options(&self) -> bool {
        self.fill.is_some()
            || self.align.is_some()
            || self.plus
            || self.alternate
            || self.zero
            || self.width.is_some()
            || self.precision.is_some()
            || !matches!(self.kind, FmtKind::Display | FmtKind::Debug)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicKind {
    Panic,
    Unreachable,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Lit(LitValue),
    Local(LocalId),
    Const(ConstId),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Assign(Box<Expr>, Box<Expr>),
    AssignOp(BinOp, Box<Expr>, Box<Expr>),
    /// `e as T` (T is this node's type).
    Cast(Box<Expr>),
    /// A call of a function or method; method receivers are already adjusted. `autoref`: the
    /// first argument is an automatically borrowed receiver (Rust's two-phase borrow applies).
    Call {
        func: FnId,
        generics: Vec<Ty>,
        args: Vec<Expr>,
        autoref: bool,
    },
    /// Struct literal, tuple-struct or variant constructor; fields by index.
    Ctor {
        adt: AdtId,
        variant: u32,
        fields: Vec<(u32, Expr)>,
        base: Option<Box<Expr>>,
    },
    /// Field of a struct (index into the single variant) or of a tuple.
    Field(Box<Expr>, u32),
    /// Indexing of an array, slice, `Vec` or `GpuBuffer` by a `usize`.
    Index(Box<Expr>, Box<Expr>),
    Ref(bool, Box<Expr>),
    /// Built-in deref of a reference or `Box`; on `Vec`/`String` the deref to a slice/`str`.
    Deref(Box<Expr>),
    Coerce(Coercion, Box<Expr>),
    Tuple(Vec<Expr>),
    Array(Vec<Expr>),
    ArrayRepeat(Box<Expr>, u64),
    Block(Block),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    Match(Box<Expr>, Vec<Arm>),
    While {
        cond: Box<Expr>,
        body: Box<Expr>,
        invariants: Vec<Expr>,
        decreases: Vec<Expr>,
    },
    Loop {
        body: Box<Expr>,
        invariants: Vec<Expr>,
        decreases: Vec<Expr>,
    },
    /// `for var in lo..hi` / `lo..=hi`.
    ForRange {
        var: LocalId,
        lo: Box<Expr>,
        hi: Box<Expr>,
        inclusive: bool,
        body: Box<Expr>,
        invariants: Vec<Expr>,
        decreases: Vec<Expr>,
    },
    /// `for pat in slice.iter()` (`seq` is the slice; `mode` says what `pat` is bound to).
    ForEach {
        pat: Pat,
        index: LocalId,
        mode: ForEachMode,
        seq: Box<Expr>,
        body: Box<Expr>,
        invariants: Vec<Expr>,
    },
    /// Leaves the loop `levels` loops out from the innermost enclosing one (0: that one).
    Break(u32, Option<Box<Expr>>),
    /// Starts the next iteration of the loop `levels` out (0: the innermost).
    Continue(u32),
    Return(Option<Box<Expr>>),
    Print {
        kind: PrintKind,
        pieces: Vec<FmtPiece>,
        args: Vec<Expr>,
    },
    /// `assert!` / `assert_eq!` (as `==`): a proof obligation, and a run-time check where
    /// unproven; the optional message is a format string with its arguments.
    Assert {
        cond: Box<Expr>,
        pieces: Vec<FmtPiece>,
        args: Vec<Expr>,
    },
    /// `panic!`/`unreachable!` with an optional formatted message.
    Panic {
        kind: PanicKind,
        pieces: Vec<FmtPiece>,
        args: Vec<Expr>,
    },
    /// `x.clone()` of a non-`Copy` `Clone` value (the operand is the place cloned).
    Clone(Box<Expr>),
    VecLit(Vec<Expr>),
    VecRepeat(Box<Expr>, Box<Expr>),
    /// `e?` on `Option` or `Result`.
    Try(Box<Expr>),
    /// `forall`/`exists` (specification only); triggers are the `#[trigger]` terms.
    Quant {
        forall: bool,
        vars: Vec<LocalId>,
        triggers: Vec<Expr>,
        body: Box<Expr>,
    },
    /// `#[trigger] e` inside a quantifier body.
    Trigger(Box<Expr>),
    Old(Box<Expr>),
    /// `result` in `#[ensures]`.
    Result,
    Launch {
        kernel: FnId,
        grid: Box<Expr>,
        block: Box<Expr>,
        args: Vec<Expr>,
    },
    Error,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        pat: Pat,
        init: Option<Expr>,
        ghost: bool,
        span: Span,
    },
    Expr(Expr),
}

#[derive(Clone, Debug)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingMode {
    ByValue,
    ByRef { mutable: bool },
}

#[derive(Clone, Debug)]
pub struct Pat {
    pub kind: PatKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatConst {
    Int(i128),
    /// Unsigned values above `i128::MAX` (u128 only).
    BigUint(u128),
    Bool(bool),
    Char(char),
    Str(String),
}

#[derive(Clone, Debug)]
pub enum PatKind {
    Wild,
    Binding {
        local: LocalId,
        mode: BindingMode,
        sub: Option<Box<Pat>>,
    },
    Const(PatConst),
    Range {
        lo: PatConst,
        hi: PatConst,
        inclusive: bool,
    },
    Tuple(Vec<Pat>),
    /// A struct or enum variant, every field given (missing ones as `Wild`).
    Variant {
        adt: AdtId,
        variant: u32,
        fields: Vec<Pat>,
    },
    /// `&p`, or a reference matched through by a default binding mode.
    Deref(Box<Pat>),
    Or(Vec<Pat>),
    /// A named constant used as a pattern.
    ConstItem(ConstId),
}

/// The whole checked program.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub adts: Vec<AdtDef>,
    pub fns: Vec<FnDef>,
    pub consts: Vec<ConstDef>,
    pub traits: Vec<TraitDef>,
    pub lang: LangItems,
    pub main: Option<FnId>,
    /// `impl Trait for Type` blocks, for resolving trait method calls after monomorphisation.
    pub trait_impls: Vec<TraitImplDef>,
}

#[derive(Clone, Debug)]
pub struct TraitImplDef {
    pub trait_id: TraitId,
    pub self_ty: Ty,
    pub n_generics: usize,
    pub methods: Vec<(String, FnId)>,
}

/// ADTs that the compiler itself refers to.
#[derive(Clone, Debug, Default)]
pub struct LangItems {
    pub option: Option<AdtId>,
    pub result: Option<AdtId>,
    pub vec: Option<AdtId>,
    pub string: Option<AdtId>,
    pub boxed: Option<AdtId>,
    pub gpu_buffer: Option<AdtId>,
    /// `std::fmt::Display`, the standard trait implemented by hand.
    pub display: Option<TraitId>,
}

impl Program {
    /// The `fmt` instance of `ty`'s `impl Display`, if it has one.
    pub fn display_fmt(&self, ty: &Ty) -> Option<crate::mono::Instance> {
        let tr = self.lang.display?;
        let decl = self.traits[tr.0 as usize]
            .methods
            .iter()
            .find(|(n, _)| n == "fmt")?
            .1;
        let inst = crate::mono::resolve_trait_call(self, decl, vec![ty.clone()]);
        (inst.func != decl).then_some(inst)
    }

    pub fn adt(&self, id: AdtId) -> &AdtDef {
        &self.adts[id.0 as usize]
    }
    pub fn func(&self, id: FnId) -> &FnDef {
        &self.fns[id.0 as usize]
    }
    /// The display form of a type (`Vec<u32>`).
    pub fn ty_name(&self, ty: &Ty) -> String {
        let name = |id: AdtId| {
            self.adts
                .get(id.0 as usize)
                .map_or("?".to_string(), |a| a.name.clone())
        };
        crate::ty::TyDisplay {
            ty,
            adt_name: &name,
        }
        .to_string()
    }
    pub fn is_lang(&self, ty: &Ty, which: Option<AdtId>) -> bool {
        matches!((ty, which), (Ty::Adt(id, _), Some(w)) if *id == w)
    }
    /// Copy types move by copying: scalars, shared references, and tuples, arrays and ADTs
    /// deriving `Copy` whose parts are `Copy`; generic parameters with a `Copy` bound.
    pub fn is_copy(&self, ty: &Ty, generics: &[GenericParamDef]) -> bool {
        match ty {
            Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Char | Ty::Never | Ty::Error => true,
            Ty::Ref(m, _) => !m,
            Ty::Tuple(v) => v.iter().all(|t| self.is_copy(t, generics)),
            Ty::Array(t, _) => self.is_copy(t, generics),
            Ty::Adt(id, args) => {
                let adt = self.adt(*id);
                adt.derives.contains(&StdTrait::Copy)
                    && args.iter().all(|t| self.is_copy(t, generics))
            }
            Ty::Param(i, _) => generics
                .get(*i as usize)
                .is_some_and(|g| g.is_const || g.bounds.contains(&Bound::Std(StdTrait::Copy))),
            Ty::ConstVal(_) => true,
            Ty::Str | Ty::Slice(_) | Ty::Infer(_) => false,
        }
    }
}

pub fn int_ty(ty: &Ty) -> Option<IntTy> {
    match ty {
        Ty::Int(i) => Some(*i),
        _ => None,
    }
}

/// Whether a local is one the type checker introduced when it lowered a loop (`chars·i`):
/// its name contains `·`, which no source identifier can.
pub fn is_hidden_name(name: &str) -> bool {
    name.contains('·')
}

/// What the pattern of a `for` loop over a sequence's elements is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForEachMode {
    /// `for x in s.iter()`, `for x in &s`: `&s[k]`.
    Ref,
    /// `for x in array`, `for x in vec` (elements `Copy`; a `Vec` is moved), `s.bytes()`:
    /// a copy of `s[k]`.
    Value,
    /// `for (i, x) in s.iter().enumerate()`: `(k, &s[k])`.
    EnumerateRef,
    /// `for (i, b) in s.bytes().enumerate()`: `(k, s[k])`.
    EnumerateValue,
    /// `for x in s.iter_mut()`, `for x in &mut s`: `&mut s[k]`.
    RefMut,
}

/// Generates the shared and the mutable child visitor from one description.
macro_rules! children_fn {
    ($name:ident, $pat_name:ident, $iter:ident, $($mut_:ident)?) => {
        impl Expr {
            /// Direct sub-expressions and sub-patterns, in evaluation order.
            pub fn $name(& $($mut_)? self) -> (Vec<& $($mut_)? Expr>, Vec<& $($mut_)? Pat>) {
                let mut es: Vec<& $($mut_)? Expr> = Vec::new();
                let mut ps: Vec<& $($mut_)? Pat> = Vec::new();
                match & $($mut_)? self.kind {
                    ExprKind::Lit(_) | ExprKind::Local(_) | ExprKind::Const(_) | ExprKind::Continue(_)
                    | ExprKind::Result | ExprKind::Error => {}
                    ExprKind::Unary(_, a) | ExprKind::Cast(a) | ExprKind::Field(a, _) | ExprKind::Ref(_, a)
                    | ExprKind::Deref(a) | ExprKind::Coerce(_, a) | ExprKind::ArrayRepeat(a, _) | ExprKind::Try(a)
                    | ExprKind::Trigger(a) | ExprKind::Old(a) | ExprKind::Clone(a) => es.push(a),
                    ExprKind::Binary(_, a, b) | ExprKind::Assign(a, b) | ExprKind::AssignOp(_, a, b)
                    | ExprKind::Index(a, b) | ExprKind::VecRepeat(a, b) => {
                        es.push(a);
                        es.push(b);
                    }
                    ExprKind::Call { args, .. } | ExprKind::Tuple(args) | ExprKind::Array(args)
                    | ExprKind::VecLit(args) | ExprKind::Print { args, .. } | ExprKind::Panic { args, .. } => es.extend(args),
                    ExprKind::Ctor { fields, base, .. } => {
                        es.extend(fields.$iter().map(|(_, e)| e));
                        if let Some(b) = base {
                            es.push(b);
                        }
                    }
                    ExprKind::Block(b) => {
                        for s in & $($mut_)? b.stmts {
                            match s {
                                Stmt::Let { pat, init, .. } => {
                                    if let Some(i) = init {
                                        es.push(i);
                                    }
                                    ps.push(pat);
                                }
                                Stmt::Expr(e) => es.push(e),
                            }
                        }
                        if let Some(t) = & $($mut_)? b.tail {
                            es.push(t);
                        }
                    }
                    ExprKind::If(c, t, e) => {
                        es.push(c);
                        es.push(t);
                        if let Some(e) = e {
                            es.push(e);
                        }
                    }
                    ExprKind::Match(s, arms) => {
                        es.push(s);
                        for a in arms {
                            ps.push(& $($mut_)? a.pat);
                            if let Some(g) = & $($mut_)? a.guard {
                                es.push(g);
                            }
                            es.push(& $($mut_)? a.body);
                        }
                    }
                    ExprKind::While { cond, body, invariants, decreases } => {
                        es.extend(invariants);
                        es.extend(decreases);
                        es.push(cond);
                        es.push(body);
                    }
                    ExprKind::Loop { body, invariants, decreases } => {
                        es.extend(invariants);
                        es.extend(decreases);
                        es.push(body);
                    }
                    ExprKind::ForRange { lo, hi, body, invariants, decreases, .. } => {
                        es.push(lo);
                        es.push(hi);
                        es.extend(invariants);
                        es.extend(decreases);
                        es.push(body);
                    }
                    ExprKind::ForEach { pat, seq, body, invariants, .. } => {
                        es.push(seq);
                        es.extend(invariants);
                        ps.push(pat);
                        es.push(body);
                    }
                    ExprKind::Break(_, e) | ExprKind::Return(e) => {
                        if let Some(e) = e {
                            es.push(e);
                        }
                    }
                    ExprKind::Assert { cond, args, .. } => {
                        es.push(cond);
                        es.extend(args);
                    }
                    ExprKind::Quant { triggers, body, .. } => {
                        es.extend(triggers);
                        es.push(body);
                    }
                    ExprKind::Launch { grid, block, args, .. } => {
                        es.push(grid);
                        es.push(block);
                        es.extend(args);
                    }
                }
                (es, ps)
            }
        }

        impl Pat {
            /// Direct sub-patterns.
            pub fn $pat_name(& $($mut_)? self) -> Vec<& $($mut_)? Pat> {
                match & $($mut_)? self.kind {
                    PatKind::Wild | PatKind::Const(_) | PatKind::Range { .. } | PatKind::ConstItem(_) => vec![],
                    PatKind::Binding { sub, .. } => sub.$iter().map(|b| & $($mut_)? **b).collect(),
                    PatKind::Tuple(ps) | PatKind::Variant { fields: ps, .. } | PatKind::Or(ps) => ps.$iter().collect(),
                    PatKind::Deref(p) => vec![p],
                }
            }
        }
    };
}

children_fn!(children, sub_patterns, iter,);
children_fn!(children_mut, sub_patterns_mut, iter_mut, mut);

impl Expr {
    /// Visits this expression and everything below it (sub-expressions first-to-last, pre-order).
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        for c in self.children().0 {
            c.walk(f);
        }
    }
}
