//! Lowering of typed HIR bodies to MIR.
//!
//! Expressions are evaluated left to right into places and temporaries; control flow becomes
//! blocks. Scopes end with `StorageDead` of their variables (also on `break`, `continue` and
//! `return`), which is what lets the borrow checker see a value die while still borrowed.
//! An auto-borrowed `&mut` method receiver is taken only after the other arguments are
//! evaluated (Rust's two-phase borrows: `v.push(v.len())`).

use crate::*;
use vez_typeck::hir::{
    BindingMode, Block, Expr, ExprKind, FnDef, ForEachMode, LitValue, LocalId, Pat, PatConst,
    PatKind, Program, Stmt,
};

/// Lowers every function that has a body (prelude functions included).
pub fn lower_program(program: &Program) -> Vec<Body> {
    (0..program.fns.len() as u32)
        .filter_map(|i| lower_fn(program, FnId(i)))
        .collect()
}

/// Lowers one function, `None` when it has no body (intrinsics, trait declarations).
pub fn lower_fn(program: &Program, id: FnId) -> Option<Body> {
    let f = program.func(id);
    let body = f.body.as_ref()?;
    let mut b = Builder {
        program,
        f,
        locals: vec![LocalDecl {
            ty: f.ret.clone(),
            name: None,
            mutable: true,
            span: f.ret_span,
            ghost: false,
        }],
        blocks: Vec::new(),
        cur: BasicBlock(0),
        hir_locals: vec![None; f.locals.len()],
        breakables: Vec::new(),
        scopes: vec![Vec::new()],
        loops: Vec::new(),
        ghost: false,
    };
    b.new_block();
    for p in &f.params {
        let d = &f.locals[p.0 as usize];
        let l = b.push_local(d.ty.clone(), Some(d.name.clone()), d.mutable, d.span);
        b.hir_locals[p.0 as usize] = Some(l);
    }
    b.expr_into(Place::local(RETURN_PLACE), body);
    // Parameters die at the end of the function, like the locals of the outermost scope.
    let span = body.span;
    b.exit_scopes(0, span);
    for i in 0..f.params.len() {
        b.push_stmt(StatementKind::StorageDead(Local(i as u32 + 1)), span);
    }
    b.terminate(TerminatorKind::Return, span);
    Some(Body {
        func: id,
        name: f.name.clone(),
        arg_count: f.params.len(),
        locals: b.locals,
        blocks: b.blocks,
        loops: b.loops,
        hir_locals: b.hir_locals,
        span: f.span,
    })
}

struct Breakable {
    break_bb: BasicBlock,
    continue_bb: BasicBlock,
    /// Where `break value` stores its value (`loop` expressions).
    dest: Option<Place>,
    /// Scope depth at the loop, to end inner scopes on `break`/`continue`.
    depth: usize,
}

struct Builder<'p> {
    program: &'p Program,
    f: &'p FnDef,
    locals: Vec<LocalDecl>,
    blocks: Vec<BlockData>,
    cur: BasicBlock,
    hir_locals: Vec<Option<Local>>,
    breakables: Vec<Breakable>,
    /// Variables declared in each open scope, to end with `StorageDead`.
    scopes: Vec<Vec<Local>>,
    loops: Vec<LoopInfo>,
    /// Lowering a `#[ghost] let`: every local it creates is ghost.
    ghost: bool,
}

impl<'p> Builder<'p> {
    // ---------------------------------------------------------------- basics

    fn new_block(&mut self) -> BasicBlock {
        self.blocks.push(BlockData {
            stmts: Vec::new(),
            term: Terminator {
                kind: TerminatorKind::Unreachable,
                span: Span::default(),
            },
        });
        BasicBlock(self.blocks.len() as u32 - 1)
    }

    fn push_local(&mut self, ty: Ty, name: Option<String>, mutable: bool, span: Span) -> Local {
        self.locals.push(LocalDecl {
            ty,
            name,
            mutable,
            span,
            ghost: self.ghost,
        });
        Local(self.locals.len() as u32 - 1)
    }

    fn temp(&mut self, ty: Ty, span: Span) -> Local {
        let l = self.push_local(ty, None, true, span);
        self.push_stmt(StatementKind::StorageLive(l), span);
        if let Some(s) = self.scopes.last_mut() {
            s.push(l);
        }
        l
    }

    fn push_stmt(&mut self, kind: StatementKind, span: Span) {
        self.blocks[self.cur.0 as usize]
            .stmts
            .push(Statement { kind, span });
    }

    fn assign(&mut self, place: Place, rv: Rvalue, span: Span) {
        self.push_stmt(StatementKind::Assign(place, rv), span);
    }

    /// Ends the current block; code after it goes to a fresh (unreachable) block.
    fn terminate(&mut self, kind: TerminatorKind, span: Span) {
        self.blocks[self.cur.0 as usize].term = Terminator { kind, span };
        self.cur = self.new_block();
    }

    fn goto(&mut self, target: BasicBlock, span: Span) {
        self.blocks[self.cur.0 as usize].term = Terminator {
            kind: TerminatorKind::Goto(target),
            span,
        };
        self.cur = target;
    }

    fn is_copy(&self, ty: &Ty) -> bool {
        self.program.is_copy(ty, &self.f.generics)
    }

    fn unit_const() -> Operand {
        Operand::Const(Constant {
            value: ConstValue::Unit,
            ty: Ty::unit(),
        })
    }

    /// Ends the scopes above `depth` (emitting `StorageDead`) without popping them.
    fn exit_scopes(&mut self, depth: usize, span: Span) {
        let dead: Vec<Local> = self.scopes[depth..]
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev().copied())
            .collect();
        for l in dead {
            self.push_stmt(StatementKind::StorageDead(l), span);
        }
    }

    fn hir_local(&mut self, id: LocalId) -> Local {
        if let Some(l) = self.hir_locals[id.0 as usize] {
            return l;
        }
        let d = &self.f.locals[id.0 as usize];
        let (ty, name, mutable, span) = (d.ty.clone(), d.name.clone(), d.mutable, d.span);
        let l = self.push_local(ty, Some(name), mutable, span);
        self.hir_locals[id.0 as usize] = Some(l);
        self.push_stmt(StatementKind::StorageLive(l), span);
        if let Some(s) = self.scopes.last_mut() {
            s.push(l);
        }
        l
    }

    // ---------------------------------------------------------------- places and operands

    fn is_place_expr(e: &Expr) -> bool {
        matches!(
            e.kind,
            ExprKind::Local(_) | ExprKind::Field(..) | ExprKind::Index(..) | ExprKind::Deref(_)
        )
    }

    /// The place an expression denotes; other expressions are evaluated into a temporary.
    fn as_place(&mut self, e: &Expr) -> Place {
        match &e.kind {
            ExprKind::Local(l) => Place::local(self.hir_local(*l)),
            ExprKind::Field(b, i) => self.as_place(b).project(Proj::Field(*i)),
            ExprKind::Index(b, i) => {
                let base = self.as_place(b);
                let idx = self.as_operand(i);
                let t = self.temp(Ty::usize(), i.span);
                self.assign(Place::local(t), Rvalue::Use(idx), i.span);
                base.project(Proj::Index(t))
            }
            ExprKind::Deref(b) => self.as_place(b).project(Proj::Deref),
            _ => {
                let t = self.temp(e.ty.clone(), e.span);
                self.expr_into(Place::local(t), e);
                Place::local(t)
            }
        }
    }

    fn as_operand(&mut self, e: &Expr) -> Operand {
        match &e.kind {
            ExprKind::Lit(v) => Operand::Const(Constant {
                value: lit(v),
                ty: e.ty.clone(),
            }),
            ExprKind::Const(c) if crate::consts::eval(self.program, *c).is_err() => {
                let program = self.program;
                let t = self.temp(e.ty.clone(), e.span);
                self.expr_into(Place::local(t), &program.consts[c.0 as usize].value);
                if self.is_copy(&e.ty) {
                    Operand::Copy(Place::local(t))
                } else {
                    Operand::Move(Place::local(t))
                }
            }
            ExprKind::Const(c) => Operand::Const(Constant {
                value: ConstValue::Item(*c),
                ty: e.ty.clone(),
            }),
            _ if Self::is_place_expr(e) => {
                let p = self.as_place(e);
                if self.is_copy(&e.ty) {
                    Operand::Copy(p)
                } else {
                    Operand::Move(p)
                }
            }
            _ => {
                let t = self.temp(e.ty.clone(), e.span);
                self.expr_into(Place::local(t), e);
                Operand::Move(Place::local(t))
            }
        }
    }

    /// An operand `x` of `a op b` (`then` is the right operand when `x` is the left one), read
    /// into a temporary of its own when it is a `Copy` value:
    /// - that is an element (`v[i] < v[j]`), so its bounds check points at `v[i]`;
    /// - or, as a left operand, behind a reference, when `b` is more than a constant: Rust
    ///   evaluates `a` completely before `b`, so a reference that `a` goes through
    ///   (`*s.x_mut() + s.y`) is no longer in use while `b` runs.
    fn read_before(&mut self, x: Operand, a: &Expr, then: Option<&Expr>) -> Operand {
        let runs_after = |b: Option<&Expr>| {
            b.is_some_and(|b| !matches!(b.kind, ExprKind::Lit(_) | ExprKind::Const(_)))
        };
        match x {
            Operand::Copy(p)
                if self.is_copy(&a.ty) && (p.has_index() || p.has_deref() && runs_after(then)) =>
            {
                let t = self.temp(a.ty.clone(), a.span);
                self.assign(Place::local(t), Rvalue::Use(Operand::Copy(p)), a.span);
                Operand::Copy(Place::local(t))
            }
            x => x,
        }
    }

    /// An operand that is only read: a place is copied out (a read for the borrow checker),
    /// whether or not its type is `Copy`.
    fn read_operand(&mut self, e: &Expr) -> Operand {
        if Self::is_place_expr(e) {
            Operand::Copy(self.as_place(e))
        } else {
            self.as_operand(e)
        }
    }

    /// A call argument. A `&mut` reference held in a place is reborrowed (`&mut *r`) rather
    /// than moved, as Rust does at coercion sites, so the caller can use it again.
    fn argument(&mut self, e: &Expr) -> Operand {
        if let Ty::Ref(true, _) = &e.ty {
            if Self::is_place_expr(e) {
                let p = self.as_place(e).project(Proj::Deref);
                let t = self.temp(e.ty.clone(), e.span);
                self.assign(Place::local(t), Rvalue::Ref(true, p), e.span);
                return Operand::Move(Place::local(t));
            }
        }
        self.as_operand(e)
    }

    /// A shared borrow of an argument of a formatting macro (they take `&arg`).
    fn borrowed_arg(&mut self, e: &Expr) -> Operand {
        let p = self.as_place(e);
        let t = self.temp(Ty::Ref(false, Box::new(e.ty.clone())), e.span);
        self.assign(Place::local(t), Rvalue::Ref(false, p), e.span);
        Operand::Copy(Place::local(t))
    }

    // ---------------------------------------------------------------- expressions

    fn expr_into(&mut self, dest: Place, e: &Expr) {
        let span = e.span;
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Const(_) => {
                let op = self.as_operand(e);
                self.assign(dest, Rvalue::Use(op), span);
            }
            ExprKind::Local(_) | ExprKind::Field(..) | ExprKind::Index(..) | ExprKind::Deref(_) => {
                let op = self.as_operand(e);
                self.assign(dest, Rvalue::Use(op), span);
            }
            ExprKind::Unary(UnOp::Neg, x) if matches!(x.kind, ExprKind::Lit(LitValue::Int(_))) => {
                let ExprKind::Lit(LitValue::Int(v)) = x.kind else {
                    unreachable!("matched above")
                };
                self.assign(
                    dest,
                    Rvalue::Use(Operand::Const(Constant {
                        value: ConstValue::NegInt(v),
                        ty: e.ty.clone(),
                    })),
                    span,
                );
            }
            ExprKind::Unary(op, x) => {
                let o = self.as_operand(x);
                self.assign(dest, Rvalue::Unary(*op, o), span);
            }
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or | BinOp::Implies), a, b) => {
                // Short circuit: `a && b` is `if a { b } else { false }`, `a || b` is
                // `if a { true } else { b }`, `a ==> b` is `if a { b } else { true }`.
                let ca = self.as_operand(a);
                let (rhs_bb, short_bb, join) =
                    (self.new_block(), self.new_block(), self.new_block());
                let (on_true, on_false) = if *op == BinOp::Or {
                    (short_bb, rhs_bb)
                } else {
                    (rhs_bb, short_bb)
                };
                self.terminate_switch(ca, on_false, on_true, span);
                self.cur = rhs_bb;
                self.expr_into(dest.clone(), b);
                self.goto(join, span);
                self.cur = short_bb;
                let v = *op != BinOp::And;
                self.assign(
                    dest,
                    Rvalue::Use(Operand::Const(Constant {
                        value: ConstValue::Bool(v),
                        ty: Ty::Bool,
                    })),
                    span,
                );
                self.goto(join, span);
            }
            ExprKind::Binary(op, a, b) if op.is_comparison() => {
                // `a == b` is `PartialEq::eq(&a, &b)` in Rust: its operands are read, never
                // moved.
                let x = self.read_operand(a);
                let x = self.read_before(x, a, Some(b));
                let y = self.read_operand(b);
                let y = self.read_before(y, b, None);
                self.assign(dest, Rvalue::Binary(*op, x, y), span);
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.as_operand(a);
                let x = self.read_before(x, a, Some(b));
                let y = self.as_operand(b);
                let y = self.read_before(y, b, None);
                self.assign(dest, Rvalue::Binary(*op, x, y), span);
            }
            ExprKind::Assign(lhs, rhs) => {
                let mut v = self.as_operand(rhs);
                let p = self.as_place(lhs);
                // A store into an element is at the element's span, so that its bounds check
                // names `v[i]`, not the whole assignment (an element read on the right is
                // read first, at its own span).
                let at = if p.has_index() {
                    if matches!(&v, Operand::Copy(q) | Operand::Move(q) if q.has_index()) {
                        let t = self.temp(rhs.ty.clone(), rhs.span);
                        self.assign(Place::local(t), Rvalue::Use(v), rhs.span);
                        v = Operand::Move(Place::local(t));
                    }
                    lhs.span
                } else {
                    span
                };
                self.assign(p, Rvalue::Use(v), at);
                self.assign(dest, Rvalue::Use(Self::unit_const()), span);
            }
            ExprKind::AssignOp(op, lhs, rhs) => {
                let v = self.as_operand(rhs);
                let v = self.read_before(v, rhs, None);
                let p = self.as_place(lhs);
                self.assign(p.clone(), Rvalue::Binary(*op, Operand::Copy(p), v), span);
                self.assign(dest, Rvalue::Use(Self::unit_const()), span);
            }
            ExprKind::Cast(x) => {
                let o = self.as_operand(x);
                self.assign(dest, Rvalue::Cast(o), span);
            }
            ExprKind::Call {
                func,
                generics,
                args,
                autoref,
            } => {
                let ops = self.call_args(args, *autoref);
                self.call(Callee::Fn(*func, generics.clone()), ops, dest, span);
            }
            ExprKind::Ctor {
                adt,
                variant,
                fields,
                base,
            } => {
                let Ty::Adt(_, targs) = &e.ty else {
                    unreachable!("constructor of a non-ADT type")
                };
                let n = self.program.adt(*adt).variants[*variant as usize]
                    .fields
                    .len();
                let mut ops: Vec<Option<Operand>> = vec![None; n];
                for (i, x) in fields {
                    ops[*i as usize] = Some(self.as_operand(x));
                }
                if let Some(b) = base {
                    let bp = self.as_place(b);
                    let ftys: Vec<Ty> = self.program.adt(*adt).variants[0]
                        .fields
                        .iter()
                        .map(|f| f.ty.subst(targs))
                        .collect();
                    for (i, slot) in ops.iter_mut().enumerate() {
                        if slot.is_none() {
                            let p = bp.project(Proj::Field(i as u32));
                            *slot = Some(if self.is_copy(&ftys[i]) {
                                Operand::Copy(p)
                            } else {
                                Operand::Move(p)
                            });
                        }
                    }
                }
                let ops = ops
                    .into_iter()
                    .map(|o| o.unwrap_or_else(Self::unit_const))
                    .collect();
                self.assign(
                    dest,
                    Rvalue::Aggregate(AggregateKind::Adt(*adt, *variant, targs.clone()), ops),
                    span,
                );
            }
            ExprKind::Ref(m, x) => {
                let p = self.as_place(x);
                self.assign(dest, Rvalue::Ref(*m, p), span);
            }
            // A `&mut` place coerced to `&` is reborrowed (`&*r`), as Rust does, so that it
            // can be used again; an unsized `&mut` place is reborrowed `&mut *r` likewise.
            ExprKind::Coerce(vez_typeck::hir::Coercion::MutToConst, x)
                if Self::is_place_expr(x) =>
            {
                let p = self.as_place(x).project(Proj::Deref);
                self.assign(dest, Rvalue::Ref(false, p), span);
            }
            ExprKind::Coerce(c, x) => {
                let o = self.argument(x);
                self.assign(dest, Rvalue::Coerce(*c, o), span);
            }
            ExprKind::Tuple(xs) | ExprKind::Array(xs) | ExprKind::VecLit(xs) => {
                let kind = match &e.kind {
                    ExprKind::Tuple(_) => AggregateKind::Tuple,
                    ExprKind::Array(_) => AggregateKind::Array,
                    _ => AggregateKind::Vec,
                };
                let ops = xs.iter().map(|x| self.as_operand(x)).collect();
                self.assign(dest, Rvalue::Aggregate(kind, ops), span);
            }
            ExprKind::ArrayRepeat(x, n) => {
                let o = self.as_operand(x);
                self.assign(dest, Rvalue::Repeat(o, *n), span);
            }
            ExprKind::VecRepeat(x, n) => {
                let o = self.as_operand(x);
                let c = self.as_operand(n);
                self.assign(dest, Rvalue::VecRepeat(o, c), span);
            }
            ExprKind::Clone(x) => {
                let p = self.as_place(x);
                self.assign(dest, Rvalue::Clone(p), span);
            }
            ExprKind::Block(b) => self.block_into(dest, b, span),
            ExprKind::If(c, t, els) => {
                let cond = self.as_operand(c);
                let (then_bb, else_bb, join) =
                    (self.new_block(), self.new_block(), self.new_block());
                // At the condition's span: a bounds check of `if v[i]` names `v[i]`.
                self.terminate_switch(cond, else_bb, then_bb, c.span);
                self.cur = then_bb;
                self.expr_into(dest.clone(), t);
                self.goto(join, span);
                self.cur = else_bb;
                match els {
                    Some(x) => self.expr_into(dest, x),
                    None => self.assign(dest, Rvalue::Use(Self::unit_const()), span),
                }
                self.goto(join, span);
            }
            ExprKind::Match(s, arms) => self.match_into(dest, s, arms, span),
            ExprKind::While {
                cond,
                body,
                invariants,
                decreases,
            } => {
                let (header, exit) = self.enter_loop(invariants, decreases, span);
                let c = self.as_operand(cond);
                let body_bb = self.new_block();
                self.terminate_switch(c, exit, body_bb, cond.span);
                self.cur = body_bb;
                self.loop_body(body, header, exit, None);
                self.goto(header, span);
                self.cur = exit;
                self.assign(dest, Rvalue::Use(Self::unit_const()), span);
            }
            ExprKind::Loop {
                body,
                invariants,
                decreases,
            } => {
                let (header, exit) = self.enter_loop(invariants, decreases, span);
                self.loop_body(body, header, exit, Some(dest));
                self.goto(header, span);
                self.cur = exit;
            }
            ExprKind::ForRange {
                var,
                lo,
                hi,
                inclusive,
                body,
                invariants,
                decreases,
            } => {
                self.for_range(*var, lo, hi, *inclusive, body, invariants, decreases, span);
                self.assign(dest, Rvalue::Use(Self::unit_const()), span);
            }
            ExprKind::ForEach { .. } => {
                self.for_each(e, span);
                self.assign(dest, Rvalue::Use(Self::unit_const()), span);
            }
            ExprKind::Break(levels, v) => {
                // The type checker resolved the label: `levels` loops out from the innermost.
                let Some(at) = self.breakables.len().checked_sub(1 + *levels as usize) else {
                    return;
                };
                let (depth, target, d) = {
                    let b = &self.breakables[at];
                    (b.depth, b.break_bb, b.dest.clone())
                };
                if let Some(v) = v {
                    match d {
                        Some(d) => self.expr_into(d, v),
                        None => {
                            let _ = self.as_operand(v);
                        }
                    }
                }
                self.exit_scopes(depth, span);
                self.goto_and_continue_unreachable(target, span);
            }
            ExprKind::Continue(levels) => {
                let Some(at) = self.breakables.len().checked_sub(1 + *levels as usize) else {
                    return;
                };
                let b = &self.breakables[at];
                let (target, depth) = (b.continue_bb, b.depth);
                self.exit_scopes(depth, span);
                self.goto_and_continue_unreachable(target, span);
            }
            ExprKind::Return(v) => {
                match v {
                    Some(v) => self.expr_into(Place::local(RETURN_PLACE), v),
                    None => self.assign(
                        Place::local(RETURN_PLACE),
                        Rvalue::Use(Self::unit_const()),
                        span,
                    ),
                }
                self.exit_scopes(0, span);
                for i in 0..self.f.params.len() {
                    self.push_stmt(StatementKind::StorageDead(Local(i as u32 + 1)), span);
                }
                self.terminate(TerminatorKind::Return, span);
            }
            ExprKind::Print { kind, pieces, args } => {
                let ops = args.iter().map(|a| self.borrowed_arg(a)).collect();
                if *kind == PrintKind::Format {
                    self.assign(dest, Rvalue::Format(pieces.clone(), ops), span);
                } else {
                    self.call(Callee::Print(*kind, pieces.clone()), ops, dest, span);
                }
            }
            ExprKind::Assert { cond, pieces, args } => {
                let c = self.as_operand(cond);
                let ops = args.iter().map(|a| self.borrowed_arg(a)).collect();
                let next = self.new_block();
                self.blocks[self.cur.0 as usize].term = Terminator {
                    kind: TerminatorKind::Assert {
                        cond: c,
                        kind: AssertKind::User(pieces.clone()),
                        args: ops,
                        target: next,
                    },
                    span,
                };
                self.cur = next;
                self.assign(dest, Rvalue::Use(Self::unit_const()), span);
            }
            ExprKind::Panic { kind, pieces, args } => {
                let ops = args.iter().map(|a| self.borrowed_arg(a)).collect();
                self.terminate(
                    TerminatorKind::Panic {
                        kind: *kind,
                        pieces: pieces.clone(),
                        args: ops,
                    },
                    span,
                );
            }
            ExprKind::Try(x) => self.try_into(dest, x, span),
            ExprKind::Launch {
                kernel,
                grid,
                block,
                args,
            } => {
                let mut ops = vec![self.as_operand(grid), self.as_operand(block)];
                ops.extend(args.iter().map(|a| self.as_operand(a)));
                self.call(Callee::Launch(*kernel), ops, dest, span);
            }
            // Specification-only forms never reach code (the type checker rejects them there).
            ExprKind::Quant { .. }
            | ExprKind::Old(_)
            | ExprKind::Result
            | ExprKind::Trigger(_)
            | ExprKind::Error => {
                self.terminate(TerminatorKind::Unreachable, span);
            }
        }
    }

    fn goto_and_continue_unreachable(&mut self, target: BasicBlock, span: Span) {
        self.blocks[self.cur.0 as usize].term = Terminator {
            kind: TerminatorKind::Goto(target),
            span,
        };
        self.cur = self.new_block();
    }

    /// `switch cond { false => on_false, _ => on_true }`.
    fn terminate_switch(
        &mut self,
        cond: Operand,
        on_false: BasicBlock,
        on_true: BasicBlock,
        span: Span,
    ) {
        self.blocks[self.cur.0 as usize].term = Terminator {
            kind: TerminatorKind::SwitchInt {
                discr: cond,
                targets: vec![(0, on_false)],
                otherwise: on_true,
            },
            span,
        };
    }

    fn call(&mut self, callee: Callee, args: Vec<Operand>, dest: Place, span: Span) {
        let next = self.new_block();
        self.blocks[self.cur.0 as usize].term = Terminator {
            kind: TerminatorKind::Call {
                callee,
                args,
                dest,
                target: Some(next),
            },
            span,
        };
        self.cur = next;
    }

    /// Call arguments, left to right; an auto-borrowed receiver is borrowed last (two-phase).
    fn call_args(&mut self, args: &[Expr], autoref: bool) -> Vec<Operand> {
        let deferred = match args.first() {
            Some(Expr {
                kind: ExprKind::Ref(m, place),
                ty,
                span,
            }) if autoref && Self::is_place_expr(place) => {
                let p = self.as_place(place);
                Some((*m, p, ty.clone(), *span))
            }
            _ => None,
        };
        let skip = usize::from(deferred.is_some());
        let mut ops: Vec<Operand> = args[skip..].iter().map(|a| self.argument(a)).collect();
        if let Some((m, p, ty, span)) = deferred {
            let t = self.temp(ty, span);
            self.assign(Place::local(t), Rvalue::Ref(m, p), span);
            ops.insert(0, Operand::Move(Place::local(t)));
        }
        ops
    }

    fn block_into(&mut self, dest: Place, b: &Block, span: Span) {
        self.scopes.push(Vec::new());
        for s in &b.stmts {
            // Temporaries die at the end of their statement (Rust's rule), except those a
            // `let` initializer borrows directly (`let r = &f();` extends them to the block).
            match s {
                Stmt::Let {
                    pat,
                    init,
                    span,
                    ghost,
                } => {
                    let outer_ghost = std::mem::replace(&mut self.ghost, *ghost);
                    self.declare_bindings(pat);
                    // Also through a coercion: `let s: &[u8] = &[1, 2];`.
                    let mut borrowed = init.as_ref();
                    while let Some(Expr {
                        kind: ExprKind::Coerce(_, inner),
                        ..
                    }) = borrowed
                    {
                        borrowed = Some(&**inner);
                    }
                    let extended = matches!(
                        borrowed,
                        Some(Expr {
                            kind: ExprKind::Ref(..),
                            ..
                        })
                    );
                    if !extended {
                        self.scopes.push(Vec::new());
                    }
                    self.let_stmt(pat, init.as_ref(), *span);
                    if !extended {
                        let depth = self.scopes.len() - 1;
                        self.exit_scopes(depth, *span);
                        self.scopes.pop();
                    }
                    self.ghost = outer_ghost;
                }
                Stmt::Expr(e) => {
                    self.scopes.push(Vec::new());
                    let t = self.temp(e.ty.clone(), e.span);
                    self.expr_into(Place::local(t), e);
                    let depth = self.scopes.len() - 1;
                    self.exit_scopes(depth, e.span);
                    self.scopes.pop();
                }
            }
        }
        match &b.tail {
            Some(t) => self.expr_into(dest, t),
            None => self.assign(dest, Rvalue::Use(Self::unit_const()), span),
        }
        let depth = self.scopes.len() - 1;
        self.exit_scopes(depth, span);
        self.scopes.pop();
    }

    fn let_stmt(&mut self, pat: &Pat, init: Option<&Expr>, span: Span) {
        if let PatKind::Binding {
            local,
            mode: BindingMode::ByValue,
            sub: None,
        } = &pat.kind
        {
            let l = self.hir_local(*local);
            if let Some(init) = init {
                self.expr_into(Place::local(l), init);
            }
            return;
        }
        let Some(init) = init else {
            self.declare_bindings(pat);
            return;
        };
        let place = self.as_place(init);
        let fail = self.new_block();
        self.test_pattern(pat, &place, fail);
        self.bind_pattern(pat, &place);
        let here = self.cur;
        self.cur = fail;
        self.terminate(TerminatorKind::Unreachable, span);
        self.cur = here;
    }

    fn declare_bindings(&mut self, pat: &Pat) {
        if let PatKind::Binding { local, .. } = &pat.kind {
            self.hir_local(*local);
        }
        for p in pat.sub_patterns() {
            self.declare_bindings(p);
        }
    }

    /// Starts a loop: jumps to a new header block (recorded with the loop's specifications)
    /// and returns it with the block after the loop.
    fn enter_loop(
        &mut self,
        invariants: &[Expr],
        decreases: &[Expr],
        span: Span,
    ) -> (BasicBlock, BasicBlock) {
        let header = self.new_block();
        let exit = self.new_block();
        self.goto(header, span);
        self.loops.push(LoopInfo {
            header,
            invariants: invariants.to_vec(),
            decreases: decreases.to_vec(),
            span,
            for_range: None,
        });
        (header, exit)
    }

    fn loop_body(
        &mut self,
        body: &Expr,
        continue_bb: BasicBlock,
        break_bb: BasicBlock,
        dest: Option<Place>,
    ) {
        let depth = self.scopes.len();
        self.breakables.push(Breakable {
            break_bb,
            continue_bb,
            dest,
            depth,
        });
        self.scopes.push(Vec::new());
        let t = self.temp(body.ty.clone(), body.span);
        self.expr_into(Place::local(t), body);
        self.exit_scopes(depth, body.span);
        self.scopes.pop();
        self.breakables.pop();
    }

    #[allow(clippy::too_many_arguments)]
    fn for_range(
        &mut self,
        var: LocalId,
        lo: &Expr,
        hi: &Expr,
        inclusive: bool,
        body: &Expr,
        invariants: &[Expr],
        decreases: &[Expr],
        span: Span,
    ) {
        // `for v in lo..hi { b }`: `i = lo; end = hi; loop { if !(i < end) break; v = i; b; i += 1 }`
        // (`..=`: the test is `i <= end`, and the loop stops after `v == end`).
        let ty = lo.ty.clone();
        let lo_op = self.as_operand(lo);
        let hi_op = self.as_operand(hi);
        let i = self.temp(ty.clone(), lo.span);
        let end = self.temp(ty.clone(), hi.span);
        self.assign(Place::local(i), Rvalue::Use(lo_op), span);
        self.assign(Place::local(end), Rvalue::Use(hi_op), span);
        let (header, exit) = self.enter_loop(invariants, decreases, span);
        if let Some(l) = self.loops.last_mut() {
            l.for_range = Some(ForRange {
                var,
                counter: i,
                end,
                inclusive,
            });
        }
        let latch = self.new_block();
        let c = self.temp(Ty::Bool, span);
        let op = if inclusive { BinOp::Le } else { BinOp::Lt };
        self.assign(
            Place::local(c),
            Rvalue::Binary(
                op,
                Operand::Copy(Place::local(i)),
                Operand::Copy(Place::local(end)),
            ),
            span,
        );
        let body_bb = self.new_block();
        self.terminate_switch(Operand::Copy(Place::local(c)), exit, body_bb, span);
        self.cur = body_bb;
        let depth = self.scopes.len();
        self.scopes.push(Vec::new());
        let v = self.hir_local(var);
        self.assign(
            Place::local(v),
            Rvalue::Use(Operand::Copy(Place::local(i))),
            span,
        );
        self.breakables.push(Breakable {
            break_bb: exit,
            continue_bb: latch,
            dest: None,
            depth,
        });
        let t = self.temp(body.ty.clone(), body.span);
        self.expr_into(Place::local(t), body);
        self.breakables.pop();
        self.exit_scopes(depth, span);
        self.scopes.pop();
        self.goto(latch, span);
        if inclusive {
            let last = self.temp(Ty::Bool, span);
            self.assign(
                Place::local(last),
                Rvalue::Binary(
                    BinOp::Eq,
                    Operand::Copy(Place::local(i)),
                    Operand::Copy(Place::local(end)),
                ),
                span,
            );
            let step = self.new_block();
            self.blocks[self.cur.0 as usize].term = Terminator {
                kind: TerminatorKind::SwitchInt {
                    discr: Operand::Copy(Place::local(last)),
                    targets: vec![(0, step)],
                    otherwise: exit,
                },
                span,
            };
            self.cur = step;
        }
        let one = Operand::Const(Constant {
            value: ConstValue::Int(1),
            ty: ty.clone(),
        });
        self.assign(
            Place::local(i),
            Rvalue::Binary(BinOp::Add, Operand::Copy(Place::local(i)), one),
            span,
        );
        self.goto(header, span);
        self.cur = exit;
    }

    /// `e` is an `ExprKind::ForEach`.
    fn for_each(&mut self, e: &Expr, span: Span) {
        let ExprKind::ForEach {
            pat,
            index,
            mode,
            seq,
            body,
            invariants,
        } = &e.kind
        else {
            return;
        };
        let (index, mode) = (*index, *mode);
        // `for p in s.iter() { b }`: `k = 0; n = len(s); loop { if !(k < n) break; p = &s[k]; b; k += 1 }`
        let owned = matches!(seq.ty, Ty::Adt(..) | Ty::Array(..));
        let s = if mode == ForEachMode::Value && owned {
            // `for x in v` consumes `v` (a later use is E0382) and `for x in a` over an array
            // of `Copy` elements iterates over a copy (the body may change `a`), as in Rust.
            let op = self.as_operand(seq);
            let t = self.temp(seq.ty.clone(), seq.span);
            self.assign(Place::local(t), Rvalue::Use(op), span);
            Place::local(t)
        } else if matches!(mode, ForEachMode::Value | ForEachMode::EnumerateValue) {
            self.as_place(seq)
        } else {
            // The iterator borrows the sequence for the whole loop, as Rust's `Iter` (and
            // `IterMut`) does: every element is reached through this one reference, so the
            // body cannot also borrow the sequence mutably (E0502; E0499 under `iter_mut`).
            let p = self.as_place(seq);
            let m = mode == ForEachMode::RefMut;
            let r = self.temp(Ty::Ref(m, Box::new(seq.ty.clone())), seq.span);
            self.assign(Place::local(r), Rvalue::Ref(m, p), span);
            Place::local(r).project(Proj::Deref)
        };
        let k = self.hir_local(index);
        self.assign(
            Place::local(k),
            Rvalue::Use(Operand::Const(Constant {
                value: ConstValue::Int(0),
                ty: Ty::usize(),
            })),
            span,
        );
        let n = self.temp(Ty::usize(), span);
        self.assign(Place::local(n), Rvalue::Len(s.clone()), span);
        let (header, exit) = self.enter_loop(invariants, &[], span);
        let latch = self.new_block();
        let c = self.temp(Ty::Bool, span);
        self.assign(
            Place::local(c),
            Rvalue::Binary(
                BinOp::Lt,
                Operand::Copy(Place::local(k)),
                Operand::Copy(Place::local(n)),
            ),
            span,
        );
        let body_bb = self.new_block();
        self.terminate_switch(Operand::Copy(Place::local(c)), exit, body_bb, span);
        self.cur = body_bb;
        let depth = self.scopes.len();
        self.scopes.push(Vec::new());
        let elem = self.temp(pat.ty.clone(), pat.span);
        let at = s.project(Proj::Index(k));
        let value = match mode {
            ForEachMode::Ref => Rvalue::Ref(false, at),
            ForEachMode::RefMut => Rvalue::Ref(true, at),
            ForEachMode::Value => Rvalue::Use(Operand::Copy(at)),
            ForEachMode::EnumerateValue => Rvalue::Aggregate(
                AggregateKind::Tuple,
                vec![Operand::Copy(Place::local(k)), Operand::Copy(at)],
            ),
            ForEachMode::EnumerateRef => {
                // The pattern's type is `(usize, &T)`.
                let rty = match &pat.ty {
                    Ty::Tuple(items) if items.len() == 2 => items[1].clone(),
                    _ => Ty::Error,
                };
                let r = self.temp(rty, pat.span);
                self.assign(Place::local(r), Rvalue::Ref(false, at), span);
                Rvalue::Aggregate(
                    AggregateKind::Tuple,
                    vec![
                        Operand::Copy(Place::local(k)),
                        Operand::Copy(Place::local(r)),
                    ],
                )
            }
        };
        self.assign(Place::local(elem), value, span);
        let fail = self.new_block();
        self.test_pattern(pat, &Place::local(elem), fail);
        self.bind_pattern(pat, &Place::local(elem));
        self.breakables.push(Breakable {
            break_bb: exit,
            continue_bb: latch,
            dest: None,
            depth,
        });
        let t = self.temp(body.ty.clone(), body.span);
        self.expr_into(Place::local(t), body);
        self.breakables.pop();
        self.exit_scopes(depth, span);
        self.scopes.pop();
        self.goto(latch, span);
        let one = Operand::Const(Constant {
            value: ConstValue::Int(1),
            ty: Ty::usize(),
        });
        self.assign(
            Place::local(k),
            Rvalue::Binary(BinOp::Add, Operand::Copy(Place::local(k)), one),
            span,
        );
        self.goto(header, span);
        let here = exit;
        self.cur = fail;
        self.terminate(TerminatorKind::Unreachable, span);
        self.cur = here;
    }

    fn try_into(&mut self, dest: Place, x: &Expr, span: Span) {
        // `x?`: `match x { Some(v) | Ok(v) => v, None => return None, Err(e) => return Err(e) }`.
        let p = self.as_place(x);
        let Ty::Adt(adt, args) = &x.ty else { return };
        let is_option = Some(*adt) == self.program.lang.option;
        // Prelude order: `Option { None, Some }`, `Result { Ok, Err }`.
        let (ok_variant, err_variant) = if is_option { (1u32, 0u32) } else { (0, 1) };
        let d = self.temp(Ty::usize(), span);
        self.assign(Place::local(d), Rvalue::Discriminant(p.clone()), span);
        let (ok_bb, err_bb) = (self.new_block(), self.new_block());
        self.blocks[self.cur.0 as usize].term = Terminator {
            kind: TerminatorKind::SwitchInt {
                discr: Operand::Copy(Place::local(d)),
                targets: vec![(ok_variant as u128, ok_bb)],
                otherwise: err_bb,
            },
            span,
        };
        self.cur = err_bb;
        let Ty::Adt(radt, rargs) = self.f.ret.clone() else {
            return;
        };
        let fields = if is_option {
            vec![]
        } else {
            let fp = p
                .project(Proj::Downcast(err_variant))
                .project(Proj::Field(0));
            vec![if self.is_copy(&args[1]) {
                Operand::Copy(fp)
            } else {
                Operand::Move(fp)
            }]
        };
        self.assign(
            Place::local(RETURN_PLACE),
            Rvalue::Aggregate(AggregateKind::Adt(radt, err_variant, rargs), fields),
            span,
        );
        self.exit_scopes(0, span);
        for i in 0..self.f.params.len() {
            self.push_stmt(StatementKind::StorageDead(Local(i as u32 + 1)), span);
        }
        self.terminate(TerminatorKind::Return, span);
        self.cur = ok_bb;
        let vp = p
            .project(Proj::Downcast(ok_variant))
            .project(Proj::Field(0));
        let op = if self.is_copy(&args[0]) {
            Operand::Copy(vp)
        } else {
            Operand::Move(vp)
        };
        self.assign(dest, Rvalue::Use(op), span);
    }

    // ---------------------------------------------------------------- match and patterns

    fn match_into(&mut self, dest: Place, s: &Expr, arms: &[vez_typeck::hir::Arm], span: Span) {
        let place = self.as_place(s);
        let join = self.new_block();
        for arm in arms {
            let next = self.new_block();
            self.scopes.push(Vec::new());
            let depth = self.scopes.len() - 1;
            match &arm.pat.kind {
                PatKind::Or(alts) => {
                    // Each alternative binds from its own places, then all meet.
                    let matched = self.new_block();
                    for alt in alts {
                        let fail = self.new_block();
                        self.test_pattern(alt, &place, fail);
                        self.bind_pattern(alt, &place);
                        self.goto(matched, arm.span);
                        self.cur = fail;
                    }
                    self.goto(next, arm.span);
                    self.cur = matched;
                }
                _ => {
                    self.test_pattern(&arm.pat, &place, next);
                    self.bind_pattern(&arm.pat, &place);
                }
            }
            if let Some(g) = &arm.guard {
                let c = self.as_operand(g);
                let body_bb = self.new_block();
                let guard_fail = self.new_block();
                self.terminate_switch(c, guard_fail, body_bb, g.span);
                self.cur = guard_fail;
                self.exit_scopes(depth, g.span);
                self.goto(next, g.span);
                self.cur = body_bb;
            }
            self.expr_into(dest.clone(), &arm.body);
            self.exit_scopes(depth, arm.span);
            self.scopes.pop();
            self.goto(join, arm.span);
            self.cur = next;
        }
        // No arm matched: impossible for an exhaustive match.
        self.terminate(TerminatorKind::Unreachable, span);
        self.cur = join;
    }

    /// Emits the tests of `pat` against `place`, jumping to `fail` when one fails; leaves the
    /// current block at the point where everything matched.
    fn test_pattern(&mut self, pat: &Pat, place: &Place, fail: BasicBlock) {
        let span = pat.span;
        match &pat.kind {
            PatKind::Wild | PatKind::Binding { sub: None, .. } => {}
            PatKind::Binding { sub: Some(p), .. } => self.test_pattern(p, place, fail),
            PatKind::Const(c) => {
                let k = pat_const(c, &pat.ty);
                self.compare(BinOp::Eq, place, k, fail, span);
            }
            PatKind::ConstItem(c) => {
                let k = Operand::Const(Constant {
                    value: ConstValue::Item(*c),
                    ty: pat.ty.clone(),
                });
                self.compare(BinOp::Eq, place, k, fail, span);
            }
            PatKind::Range { lo, hi, inclusive } => {
                self.compare(BinOp::Ge, place, pat_const(lo, &pat.ty), fail, span);
                self.compare(
                    if *inclusive { BinOp::Le } else { BinOp::Lt },
                    place,
                    pat_const(hi, &pat.ty),
                    fail,
                    span,
                );
            }
            PatKind::Tuple(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    self.test_pattern(p, &place.project(Proj::Field(i as u32)), fail);
                }
            }
            PatKind::Variant {
                adt,
                variant,
                fields,
            } => {
                let def = self.program.adt(*adt);
                let base = if def.is_enum {
                    if def.variants.len() > 1 {
                        let d = self.temp(Ty::usize(), span);
                        self.assign(Place::local(d), Rvalue::Discriminant(place.clone()), span);
                        let ok = self.new_block();
                        self.blocks[self.cur.0 as usize].term = Terminator {
                            kind: TerminatorKind::SwitchInt {
                                discr: Operand::Copy(Place::local(d)),
                                targets: vec![(*variant as u128, ok)],
                                otherwise: fail,
                            },
                            span,
                        };
                        self.cur = ok;
                    }
                    place.project(Proj::Downcast(*variant))
                } else {
                    place.clone()
                };
                for (i, p) in fields.iter().enumerate() {
                    self.test_pattern(p, &base.project(Proj::Field(i as u32)), fail);
                }
            }
            PatKind::Deref(p) => self.test_pattern(p, &place.project(Proj::Deref), fail),
            PatKind::Or(alts) => {
                let matched = self.new_block();
                for alt in alts {
                    let next = self.new_block();
                    self.test_pattern(alt, place, next);
                    self.goto(matched, span);
                    self.cur = next;
                }
                self.goto(fail, span);
                self.cur = matched;
            }
        }
    }

    fn compare(&mut self, op: BinOp, place: &Place, k: Operand, fail: BasicBlock, span: Span) {
        let t = self.temp(Ty::Bool, span);
        self.assign(
            Place::local(t),
            Rvalue::Binary(op, Operand::Copy(place.clone()), k),
            span,
        );
        let ok = self.new_block();
        self.terminate_switch(Operand::Copy(Place::local(t)), fail, ok, span);
        self.cur = ok;
    }

    /// Binds the variables of a matched pattern (by value: copy or move; by reference: borrow).
    fn bind_pattern(&mut self, pat: &Pat, place: &Place) {
        match &pat.kind {
            PatKind::Binding { local, mode, sub } => {
                let l = self.hir_local(*local);
                let rv = match mode {
                    BindingMode::ByValue => {
                        let ty = &self.f.locals[local.0 as usize].ty;
                        Rvalue::Use(if self.is_copy(ty) {
                            Operand::Copy(place.clone())
                        } else {
                            Operand::Move(place.clone())
                        })
                    }
                    BindingMode::ByRef { mutable } => Rvalue::Ref(*mutable, place.clone()),
                };
                self.assign(Place::local(l), rv, pat.span);
                if let Some(s) = sub {
                    self.bind_pattern(s, place);
                }
            }
            PatKind::Tuple(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    self.bind_pattern(p, &place.project(Proj::Field(i as u32)));
                }
            }
            PatKind::Variant {
                adt,
                variant,
                fields,
            } => {
                let base = if self.program.adt(*adt).is_enum {
                    place.project(Proj::Downcast(*variant))
                } else {
                    place.clone()
                };
                for (i, p) in fields.iter().enumerate() {
                    self.bind_pattern(p, &base.project(Proj::Field(i as u32)));
                }
            }
            PatKind::Deref(p) => self.bind_pattern(p, &place.project(Proj::Deref)),
            // Or-patterns bind per alternative in `match_into`; at a nested level the first
            // alternative's places are used (their bindings have the same types).
            PatKind::Or(alts) => {
                if let Some(a) = alts.first() {
                    self.bind_pattern(a, place);
                }
            }
            PatKind::Wild | PatKind::Const(_) | PatKind::Range { .. } | PatKind::ConstItem(_) => {}
        }
    }
}

fn lit(v: &LitValue) -> ConstValue {
    match v {
        LitValue::Int(i) => ConstValue::Int(*i),
        LitValue::Float(f) => ConstValue::Float(*f),
        LitValue::Bool(b) => ConstValue::Bool(*b),
        LitValue::Char(c) => ConstValue::Char(*c),
        LitValue::Str(s) => ConstValue::Str(s.clone()),
        LitValue::ByteStr(b) => ConstValue::ByteStr(b.clone()),
    }
}

fn pat_const(c: &PatConst, ty: &Ty) -> Operand {
    let value = match c {
        PatConst::Int(v) if *v < 0 => ConstValue::NegInt(v.unsigned_abs()),
        PatConst::Int(v) => ConstValue::Int(*v as u128),
        PatConst::BigUint(v) => ConstValue::Int(*v),
        PatConst::Bool(b) => ConstValue::Bool(*b),
        PatConst::Char(c) => ConstValue::Char(*c),
        PatConst::Str(s) => ConstValue::Str(s.clone()),
    };
    let ty = match ty {
        Ty::Ref(_, t) => (**t).clone(),
        t => t.clone(),
    };
    Operand::Const(Constant { value, ty })
}
