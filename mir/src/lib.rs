//! MIR: one control-flow graph per function body, shared by borrow checking, verification and
//! code generation. Locals are `_0` (the return place), then the parameters, then user
//! variables and temporaries. Places are a local with projections; every statement and
//! terminator carries its source span. Contracts and loop invariants stay typed HIR
//! expressions (`vez_typeck::hir::Expr`), attached to the body and to loop headers, with the
//! map from HIR locals to MIR locals that interprets them.

pub mod build;
pub mod consts;
mod pretty;

pub use build::lower_program;
pub use pretty::pretty;

use vez_syntax::Span;
use vez_typeck::hir::{self, BinOp, FnId, PanicKind, PrintKind, UnOp};
use vez_typeck::ty::{AdtId, Ty};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Local(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BasicBlock(pub u32);

pub const RETURN_PLACE: Local = Local(0);

#[derive(Clone, Debug)]
pub struct LocalDecl {
    pub ty: Ty,
    /// The source name for user variables and parameters; `None` for temporaries.
    pub name: Option<String>,
    pub mutable: bool,
    pub span: Span,
    /// Declared or computed by a `#[ghost] let`: seen by the verifier, erased by code
    /// generation (with every statement that assigns it and every call that returns into it).
    pub ghost: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Proj {
    Deref,
    /// A field of a struct or tuple, or (after `Downcast`) of an enum variant.
    Field(u32),
    Index(Local),
    /// View an enum value as one variant (to project its fields).
    Downcast(u32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub local: Local,
    pub proj: Vec<Proj>,
}

impl Place {
    pub fn local(l: Local) -> Place {
        Place {
            local: l,
            proj: Vec::new(),
        }
    }
    pub fn project(&self, p: Proj) -> Place {
        let mut proj = self.proj.clone();
        proj.push(p);
        Place {
            local: self.local,
            proj,
        }
    }
    /// Whether the place goes through a reference (`*r`, `(*r).f`).
    pub fn has_deref(&self) -> bool {
        self.proj.contains(&Proj::Deref)
    }

    /// Whether the place goes through an index (`v[i]`, `(*r).f[k]`).
    pub fn has_index(&self) -> bool {
        self.proj.iter().any(|k| matches!(k, Proj::Index(_)))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    Int(u128),
    /// A negative integer (only from folding `-literal`).
    NegInt(u128),
    Float(f64),
    Bool(bool),
    Char(char),
    Str(String),
    ByteStr(Vec<u8>),
    Unit,
    /// A named constant item (its value is in the program's constants).
    Item(hir::ConstId),
}

#[derive(Clone, Debug)]
pub struct Constant {
    pub value: ConstValue,
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub enum Operand {
    Copy(Place),
    Move(Place),
    Const(Constant),
}

impl Operand {
    pub fn place(&self) -> Option<&Place> {
        match self {
            Operand::Copy(p) | Operand::Move(p) => Some(p),
            Operand::Const(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum AggregateKind {
    Tuple,
    Array,
    /// A struct or enum variant with its type arguments.
    Adt(AdtId, u32, Vec<Ty>),
    /// `vec![a, b]`.
    Vec,
}

#[derive(Clone, Debug)]
pub enum Rvalue {
    Use(Operand),
    Ref(bool, Place),
    Binary(BinOp, Operand, Operand),
    Unary(UnOp, Operand),
    /// `e as T` (T is the destination's type).
    Cast(Operand),
    Aggregate(AggregateKind, Vec<Operand>),
    /// `[x; n]`.
    Repeat(Operand, u64),
    /// `vec![x; n]`.
    VecRepeat(Operand, Operand),
    /// The length of an array, slice, `Vec` or `GpuBuffer` place.
    Len(Place),
    /// The variant index of an enum place.
    Discriminant(Place),
    /// An unsizing or `&mut`-to-`&` conversion of a reference.
    Coerce(hir::Coercion, Operand),
    /// `format!(..)`: a new `String`.
    Format(Vec<hir::FmtPiece>, Vec<Operand>),
    /// `x.clone()` of a non-`Copy` value (the place is read).
    Clone(Place),
}

#[derive(Clone, Debug)]
pub enum StatementKind {
    Assign(Place, Rvalue),
    StorageLive(Local),
    StorageDead(Local),
}

#[derive(Clone, Debug)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

/// What an `Assert` terminator checks (only `assert!` and run-time checks that VeZ keeps).
#[derive(Clone, Debug, PartialEq)]
pub enum AssertKind {
    /// A user `assert!` (with its formatted message, if any).
    User(Vec<hir::FmtPiece>),
}

#[derive(Clone, Debug)]
pub enum Callee {
    Fn(FnId, Vec<Ty>),
    Print(PrintKind, Vec<hir::FmtPiece>),
    /// `k<<<grid, block>>>(args)`: the first two arguments are grid and block.
    Launch(FnId),
}

impl Callee {
    /// Whether this calls the prelude function with this qualified name (`gpu::barrier`).
    pub fn is_prelude_fn(&self, p: &hir::Program, name: &str) -> bool {
        matches!(self, Callee::Fn(f, _) if p.func(*f).is_prelude(name))
    }
}

#[derive(Clone, Debug)]
pub enum TerminatorKind {
    Goto(BasicBlock),
    SwitchInt {
        discr: Operand,
        targets: Vec<(u128, BasicBlock)>,
        otherwise: BasicBlock,
    },
    Return,
    Call {
        callee: Callee,
        args: Vec<Operand>,
        dest: Place,
        target: Option<BasicBlock>,
    },
    Assert {
        cond: Operand,
        kind: AssertKind,
        args: Vec<Operand>,
        target: BasicBlock,
    },
    Panic {
        kind: PanicKind,
        pieces: Vec<hir::FmtPiece>,
        args: Vec<Operand>,
    },
    Unreachable,
}

#[derive(Clone, Debug)]
pub struct Terminator {
    pub kind: TerminatorKind,
    pub span: Span,
}

impl Terminator {
    pub fn successors(&self) -> Vec<BasicBlock> {
        match &self.kind {
            TerminatorKind::Goto(b) => vec![*b],
            TerminatorKind::SwitchInt {
                targets, otherwise, ..
            } => targets
                .iter()
                .map(|(_, b)| *b)
                .chain(std::iter::once(*otherwise))
                .collect(),
            TerminatorKind::Call { target, .. } => target.iter().copied().collect(),
            TerminatorKind::Assert { target, .. } => vec![*target],
            TerminatorKind::Return | TerminatorKind::Panic { .. } | TerminatorKind::Unreachable => {
                vec![]
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct BlockData {
    pub stmts: Vec<Statement>,
    pub term: Terminator,
}

/// A loop header and the specifications that hold there.
#[derive(Clone, Debug)]
pub struct LoopInfo {
    pub header: BasicBlock,
    pub invariants: Vec<hir::Expr>,
    pub decreases: Vec<hir::Expr>,
    pub span: Span,
    /// For `for v in lo..hi`: the counter that invariants call `v` at the header.
    pub for_range: Option<ForRange>,
}

/// The hidden counter and end of a `for` loop over a range.
#[derive(Clone, Debug)]
pub struct ForRange {
    pub var: hir::LocalId,
    pub counter: Local,
    pub end: Local,
    pub inclusive: bool,
}

#[derive(Clone, Debug)]
pub struct Body {
    pub func: FnId,
    pub name: String,
    pub locals: Vec<LocalDecl>,
    pub arg_count: usize,
    pub blocks: Vec<BlockData>,
    pub loops: Vec<LoopInfo>,
    /// MIR local of each HIR local (for reading contracts and invariants).
    pub hir_locals: Vec<Option<Local>>,
    pub span: Span,
}

/// The shape of a body's control-flow graph: a reverse post-order of the blocks over the
/// forward edges, the depth-first back edges, and each loop header's natural loop (the header
/// and every block that reaches one of its back edges without passing through it).
pub struct LoopForest {
    pub rpo: Vec<u32>,
    pub back_edges: std::collections::HashSet<(u32, u32)>,
    pub loops: std::collections::HashMap<u32, std::collections::HashSet<u32>>,
}

impl Body {
    pub fn loop_forest(&self) -> LoopForest {
        let n = self.blocks.len();
        let mut back_edges = std::collections::HashSet::new();
        let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
        let mut post = Vec::new();
        let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
        state[0] = 1;
        while let Some((b, i)) = stack.pop() {
            let succ = self.blocks[b as usize].term.successors();
            if i < succ.len() {
                stack.push((b, i + 1));
                let s = succ[i].0;
                match state[s as usize] {
                    0 => {
                        state[s as usize] = 1;
                        stack.push((s, 0));
                    }
                    1 => {
                        back_edges.insert((b, s));
                    }
                    _ => {}
                }
            } else {
                state[b as usize] = 2;
                post.push(b);
            }
        }
        post.reverse();
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (b, data) in self.blocks.iter().enumerate() {
            for s in data.term.successors() {
                preds[s.0 as usize].push(b as u32);
            }
        }
        let mut loops: std::collections::HashMap<u32, std::collections::HashSet<u32>> =
            std::collections::HashMap::new();
        for &(t, h) in &back_edges {
            let set = loops.entry(h).or_default();
            set.insert(h);
            let mut work = vec![t];
            while let Some(x) = work.pop() {
                if set.insert(x) {
                    work.extend(preds[x as usize].iter().copied());
                }
            }
        }
        LoopForest {
            rpo: post,
            back_edges,
            loops,
        }
    }

    pub fn local_ty(&self, l: Local) -> &Ty {
        &self.locals[l.0 as usize].ty
    }
}
