//! The abstract syntax tree of a `.zari` file. Every node carries its [`Span`].

use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GenericArg {
    Type(Type),
    /// A const generic argument given as a literal or a `{ expr }` block (`shared::<f32, 256>`).
    Const(Expr),
    Lifetime(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PathSegment {
    pub ident: Ident,
    pub generics: Option<Vec<GenericArg>>,
}

/// `a::b::<T>::c`: segments with optional generic arguments each.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<PathSegment>,
    pub span: Span,
}

impl Path {
    /// The single identifier of a one-segment path without generic arguments.
    pub fn as_ident(&self) -> Option<&Ident> {
        match self.segments.as_slice() {
            [s] if s.generics.is_none() => Some(&s.ident),
            _ => None,
        }
    }
    pub fn last(&self) -> &Ident {
        &self.segments.last().expect("paths have a segment").ident
    }
    /// `a::b::c` as text, without generic arguments.
    pub fn text(&self) -> String {
        let names: Vec<&str> = self
            .segments
            .iter()
            .map(|s| s.ident.name.as_str())
            .collect();
        names.join("::")
    }
}

/// `#[name]` or `#[name(args, ..)]`; the arguments are expressions (contracts, derive lists).
#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub path: Path,
    pub args: Option<Vec<Expr>>,
    pub span: Span,
}

impl Attr {
    pub fn is(&self, name: &str) -> bool {
        self.path.text() == name
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub attrs: Vec<Attr>,
    pub public: bool,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Fn(Box<FnDecl>),
    Struct(Box<StructDecl>),
    Enum(Box<EnumDecl>),
    Impl(Box<ImplDecl>),
    Trait(Box<TraitDecl>),
    Const(Box<ConstDecl>),
    TypeAlias(Box<TypeAlias>),
    Mod(ModDecl),
    Use(UseTree),
    /// A syntax error was recovered from here; the error itself is reported separately.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GenericParam {
    Type { name: Ident, bounds: Vec<Path> },
    Lifetime(Ident),
    Const { name: Ident, ty: Type },
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Generics {
    pub params: Vec<GenericParam>,
    pub where_clauses: Vec<WherePredicate>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WherePredicate {
    pub ty: Type,
    pub bounds: Vec<Path>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelfKind {
    Value { mutable: bool },
    Ref,
    RefMut,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SelfParam {
    pub kind: SelfKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub pat: Pat,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    pub generics: Generics,
    pub self_param: Option<SelfParam>,
    pub params: Vec<Param>,
    pub ret: Option<Type>,
    /// `None` for a declaration without body (`fn f();`): trait methods and trusted intrinsics.
    pub body: Option<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub public: bool,
    pub name: Ident,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum VariantData {
    Named(Vec<FieldDecl>),
    Tuple(Vec<Type>),
    Unit,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    pub generics: Generics,
    pub data: VariantData,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub attrs: Vec<Attr>,
    pub name: Ident,
    pub data: VariantData,
    pub discriminant: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub generics: Generics,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImplDecl {
    pub generics: Generics,
    pub trait_ref: Option<Path>,
    pub self_ty: Type,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraitDecl {
    pub name: Ident,
    pub generics: Generics,
    pub supertraits: Vec<Path>,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub ty: Type,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeAlias {
    pub name: Ident,
    pub generics: Generics,
    pub ty: Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ModDecl {
    pub name: Ident,
    /// Inline `mod m { .. }` items, or the items the loader read from `m.zari`.
    pub items: Option<Vec<Item>>,
    /// True when the items came from a file (`mod m;`).
    pub external: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum UseTree {
    /// `a::b` or `a::b as c`.
    Simple { path: Path, alias: Option<Ident> },
    /// `a::b::*`.
    Glob { prefix: Path },
    /// `a::{b, c::d}`; the prefix may be empty.
    Nested {
        prefix: Option<Path>,
        trees: Vec<UseTree>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Path(Path),
    Ref {
        lifetime: Option<Ident>,
        mutable: bool,
        ty: Box<Type>,
    },
    Slice(Box<Type>),
    Array(Box<Type>, Box<Expr>),
    /// `()` is the empty tuple.
    Tuple(Vec<Type>),
    Never,
    Infer,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pat {
    pub kind: PatKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldPat {
    pub name: Ident,
    pub pat: Pat,
    /// `Rect { w, h }`: the field name is also the binding.
    pub shorthand: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatKind {
    Wild,
    /// `..` inside a tuple or tuple-struct pattern.
    Rest,
    /// A single name: a binding, unless it names a unit variant or constant (decided by typeck).
    Ident {
        name: Ident,
        mutable: bool,
        by_ref: bool,
        sub: Option<Box<Pat>>,
    },
    Path(Path),
    TupleStruct(Path, Vec<Pat>),
    Struct {
        path: Path,
        fields: Vec<FieldPat>,
        rest: bool,
    },
    Tuple(Vec<Pat>),
    Slice(Vec<Pat>),
    Lit(Box<Expr>),
    Range {
        lo: Box<Expr>,
        hi: Box<Expr>,
        inclusive: bool,
    },
    Ref {
        mutable: bool,
        pat: Box<Pat>,
    },
    Or(Vec<Pat>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntSuffix {
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

impl IntSuffix {
    pub fn parse(s: &str) -> Option<IntSuffix> {
        Some(match s {
            "i8" => IntSuffix::I8,
            "i16" => IntSuffix::I16,
            "i32" => IntSuffix::I32,
            "i64" => IntSuffix::I64,
            "i128" => IntSuffix::I128,
            "isize" => IntSuffix::Isize,
            "u8" => IntSuffix::U8,
            "u16" => IntSuffix::U16,
            "u32" => IntSuffix::U32,
            "u64" => IntSuffix::U64,
            "u128" => IntSuffix::U128,
            "usize" => IntSuffix::Usize,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            IntSuffix::I8 => "i8",
            IntSuffix::I16 => "i16",
            IntSuffix::I32 => "i32",
            IntSuffix::I64 => "i64",
            IntSuffix::I128 => "i128",
            IntSuffix::Isize => "isize",
            IntSuffix::U8 => "u8",
            IntSuffix::U16 => "u16",
            IntSuffix::U32 => "u32",
            IntSuffix::U64 => "u64",
            IntSuffix::U128 => "u128",
            IntSuffix::Usize => "usize",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatSuffix {
    F32,
    F64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Int {
        value: u128,
        suffix: Option<IntSuffix>,
    },
    /// The literal's digits (without `_` and suffix), kept as text so nothing is lost.
    Float {
        text: String,
        suffix: Option<FloatSuffix>,
    },
    Bool(bool),
    Char(char),
    Byte(u8),
    Str(String),
    ByteStr(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    /// `==>` (specifications only)
    Implies,
    /// `<==>` (specifications only)
    Iff,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Implies => "==>",
            BinOp::Iff => "<==>",
        }
    }
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
    pub fn is_logical(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or | BinOp::Implies | BinOp::Iff)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Not,
    Deref,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
    pub shorthand: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClosureParam {
    pub pat: Pat,
    pub ty: Option<Type>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MacroArgs {
    /// `name!(a, b)` or `name![a, b]`.
    List(Vec<Expr>),
    /// `vec![elem; count]`.
    Repeat(Box<Expr>, Box<Expr>),
}

/// The condition of `if`/`while`: an expression or a `let PAT = EXPR` pattern test.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Expr(Box<Expr>),
    Let(Box<Pat>, Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Lit),
    Path(Path),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Assign(Box<Expr>, Box<Expr>),
    AssignOp(BinOp, Box<Expr>, Box<Expr>),
    Cast(Box<Expr>, Box<Type>),
    Call(Box<Expr>, Vec<Expr>),
    MethodCall(Box<MethodCall>),
    Field(Box<Expr>, Ident),
    TupleField(Box<Expr>, u32, Span),
    Index(Box<Expr>, Box<Expr>),
    Try(Box<Expr>),
    Ref {
        mutable: bool,
        expr: Box<Expr>,
    },
    Tuple(Vec<Expr>),
    Array(Vec<Expr>),
    ArrayRepeat(Box<Expr>, Box<Expr>),
    Struct(Box<StructLit>),
    Block(Block),
    If(Box<IfExpr>),
    Match(Box<Expr>, Vec<Arm>),
    While(Box<WhileExpr>),
    Loop(Box<LoopExpr>),
    For(Box<ForExpr>),
    /// `break 'label value`; either part optional.
    Break(Option<Ident>, Option<Box<Expr>>),
    Continue(Option<Ident>),
    Return(Option<Box<Expr>>),
    Range {
        lo: Option<Box<Expr>>,
        hi: Option<Box<Expr>>,
        inclusive: bool,
    },
    Closure(Vec<ClosureParam>, Box<Expr>),
    Macro(Box<MacroCall>),
    /// `kernel<<<grid, block>>>(args)`
    Launch(Box<LaunchExpr>),
    /// `#[trigger] e` inside a quantifier.
    Trigger(Box<Expr>),
    /// `( e )`, kept so that spans and printing stay faithful.
    Paren(Box<Expr>),
    Error,
}

impl ExprKind {
    /// Block-like expressions end a statement without `;` (as in Rust).
    pub fn is_block_like(&self) -> bool {
        matches!(
            self,
            ExprKind::Block(_)
                | ExprKind::If(_)
                | ExprKind::Match(..)
                | ExprKind::While(_)
                | ExprKind::Loop(_)
                | ExprKind::For(_)
        )
    }
}

// The payloads of the larger expression kinds live behind one box each, which keeps every
// `Expr` (and the parser's stack slots) small.

#[derive(Clone, Debug, PartialEq)]
pub struct MethodCall {
    pub receiver: Expr,
    pub method: Ident,
    pub generics: Option<Vec<GenericArg>>,
    pub args: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructLit {
    pub path: Path,
    pub fields: Vec<FieldInit>,
    pub base: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfExpr {
    pub cond: Cond,
    pub then: Block,
    pub els: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WhileExpr {
    pub attrs: Vec<Attr>,
    pub label: Option<Ident>,
    pub cond: Cond,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoopExpr {
    pub attrs: Vec<Attr>,
    pub label: Option<Ident>,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub attrs: Vec<Attr>,
    pub label: Option<Ident>,
    pub pat: Pat,
    pub iter: Expr,
    pub body: Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MacroCall {
    pub name: Ident,
    pub args: MacroArgs,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LaunchExpr {
    pub kernel: Path,
    pub grid: Expr,
    pub block: Expr,
    pub args: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub attrs: Vec<Attr>,
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetStmt {
    pub pat: Pat,
    pub ty: Option<Type>,
    pub init: Option<Expr>,
    /// The diverging block of `let PAT = e else { .. };`.
    pub els: Option<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Let(Box<LetStmt>),
    /// An expression statement; `semi` tells whether it ended with `;`.
    Expr {
        expr: Expr,
        semi: bool,
    },
    Error,
}

/// A parsed file: its items.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceModule {
    pub items: Vec<Item>,
}
