//! Type checking of function bodies, contracts and constants: inference with unification,
//! method lookup with auto-ref/deref, coercions, and the rules for specifications.

use crate::desugar::AstAt;
use crate::fmt;
use crate::hir::*;
use crate::resolve::{AssocDef, Binding, Def, GenericScope, ModId, Ns};
use crate::ty::{AdtId, FloatTy, IntTy, Ty};
use crate::Ctx;
use vez_syntax::ast;
use vez_syntax::{Diagnostic, Span};

/// Where an expression is: ordinary code, or one of the specification positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spec {
    Code,
    Requires,
    Ensures,
    Invariant,
    Decreases,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VarKind {
    Any,
    Int,
    Float,
}

#[derive(Clone, Debug)]
struct Var {
    kind: VarKind,
    value: Option<Ty>,
    span: Span,
}

struct LoopCx {
    is_loop: bool,
    break_ty: Option<Ty>,
    /// `'outer` of `'outer: loop`.
    label: Option<String>,
}

pub(crate) struct FnCx<'c, 'a> {
    pub cx: &'c Ctx<'a>,
    /// This function's diagnostics (bodies are checked in parallel).
    pub diags: Vec<Diagnostic>,
    pub module: ModId,
    pub generics: Vec<GenericParamDef>,
    pub gscope: GenericScope,
    pub self_ty: Option<Ty>,
    pub locals: Vec<LocalDecl>,
    pub scopes: Vec<Vec<(String, LocalId)>>,
    vars: Vec<Var>,
    pub ret_ty: Ty,
    pub spec: Spec,
    quant_depth: u32,
    loops: Vec<LoopCx>,
    /// `(type, bound, span)` to check once types are known.
    obligations: Vec<(Ty, Bound, Span)>,
    /// `(type, debug?, span)` of formatted arguments.
    fmt_checks: Vec<(Ty, FmtKind, Span)>,
    /// Whether this function is `#[pure]` (then it may only call pure functions).
    pub pure: bool,
    /// Whether this function is `#[ghost]`: erased before code generation, so it may only
    /// call `#[pure]` and `#[ghost]` functions, and every loop needs `#[decreases]`.
    pub ghost: bool,
    /// Whether the initializer of a `#[ghost] let` is being checked.
    ghost_let: bool,
    /// Variables bound by `#[ghost] let`: specification and ghost code may read them.
    ghost_locals: std::collections::HashSet<LocalId>,
}

/// What checking one function produces.
#[derive(Default)]
pub(crate) struct FnResult {
    pub locals: Vec<LocalDecl>,
    pub contract: Contract,
    pub attrs: FnAttrs,
    pub body: Option<Expr>,
    pub diags: Vec<Diagnostic>,
}

pub(crate) fn check_fn(
    cx: &Ctx,
    id: FnId,
    decl: &ast::FnDecl,
    attrs: &[ast::Attr],
    module: ModId,
    item_span: Span,
) -> FnResult {
    let f = cx.program.fns[id.0 as usize].clone();
    let from_prelude = cx.is_ancestor(cx.prelude_mod, module);
    let mut fcx = FnCx {
        gscope: GenericScope {
            names: f
                .generics
                .iter()
                .map(|g| (g.name.clone(), g.is_const))
                .collect(),
        },
        generics: f.generics.clone(),
        self_ty: f.self_ty.clone(),
        locals: f.locals.clone(),
        scopes: vec![f
            .params
            .iter()
            .map(|l| (f.locals[l.0 as usize].name.clone(), *l))
            .collect()],
        vars: Vec::new(),
        ret_ty: f.ret.clone(),
        spec: Spec::Code,
        quant_depth: 0,
        loops: Vec::new(),
        obligations: Vec::new(),
        fmt_checks: Vec::new(),
        pure: false,
        ghost: false,
        ghost_let: false,
        ghost_locals: Default::default(),
        module,
        cx,
        diags: Vec::new(),
    };
    let mut fattrs = FnAttrs {
        public: f.attrs.public,
        from_prelude,
        ..FnAttrs::default()
    };
    let mut contract = Contract::default();
    let mut requires_src = Vec::new();
    let mut ensures_src = Vec::new();
    let mut decreases_src = Vec::new();
    for a in attrs {
        let name = a.path.text();
        match name.as_str() {
            "requires" => requires_src.extend(fcx.spec_args(a, 1)),
            "ensures" => ensures_src.extend(fcx.spec_args(a, 1)),
            "decreases" => decreases_src.extend(fcx.spec_args(a, usize::MAX)),
            "pure" => fattrs.pure = fcx.flag(a),
            "trusted" => fattrs.trusted = fcx.flag(a),
            "ghost" => fattrs.ghost = fcx.flag(a),
            "gpu::kernel" => fattrs.kernel = fcx.flag(a),
            "gpu::device" => fattrs.device = fcx.flag(a),
            "intrinsic" if from_prelude => fattrs.intrinsic = fcx.flag(a),
            "inline" | "allow" | "doc" | "must_use" => {}
            _ => fcx.diags.push(Diagnostic::error("Z0006", format!("cannot find attribute `{name}` in this scope"), a.path.span)
                .with_help("VeZ's function attributes: requires, ensures, decreases, pure, trusted, ghost, gpu::kernel, gpu::device")),
        }
    }
    fcx.pure = fattrs.pure;
    fcx.ghost = fattrs.ghost;
    if fattrs.ghost && !fattrs.pure && decl.body.is_some() {
        fcx.check_ghost_signature(&f, decl);
    }
    if fattrs.kernel && !f.ret.is_unit() {
        fcx.diags.push(Diagnostic::error(
            "Z0009",
            "a `#[gpu::kernel]` must return `()`",
            f.ret_span,
        ));
    }
    fcx.spec = Spec::Requires;
    for e in &requires_src {
        let x = fcx.check_bool_spec(e);
        contract.requires.push(x);
    }
    fcx.spec = Spec::Ensures;
    for e in &ensures_src {
        let x = fcx.check_bool_spec(e);
        contract.ensures.push(x);
    }
    fcx.spec = Spec::Decreases;
    for e in &decreases_src {
        let x = fcx.check_decreases(e);
        contract.decreases.push(x);
    }
    fcx.spec = Spec::Code;
    let body = match &decl.body {
        Some(b) => {
            if fattrs.intrinsic {
                fcx.diags.push(Diagnostic::error(
                    "Z0006",
                    "an `#[intrinsic]` function has no body",
                    decl.name.span,
                ));
            }
            let ret = fcx.ret_ty.clone();
            let e = fcx.check_block_expr(b, Some(&ret));
            let e = fcx.coerce(e, &ret, b.tail.as_ref().map_or(b.span, |t| t.span));
            Some(e)
        }
        None => {
            if !(fattrs.intrinsic
                || f.trait_id.is_some()
                    && f.self_ty
                        .as_ref()
                        .is_some_and(|t| matches!(t, Ty::Param(0, n) if n == "Self")))
            {
                fcx.diags.push(Diagnostic::error("Z0006", format!("function `{}` has no body", decl.name.name), item_span)
                    .with_help("only trait methods and the prelude's intrinsics are declared without a body"));
            }
            None
        }
    };
    let mut body = body;
    for e in contract
        .requires
        .iter_mut()
        .chain(contract.ensures.iter_mut())
        .chain(contract.decreases.iter_mut())
    {
        fcx.finish_expr(e, true);
    }
    if let Some(b) = &mut body {
        fcx.finish_expr(b, false);
    }
    fcx.finish_obligations();
    let locals: Vec<LocalDecl> = fcx
        .locals
        .iter()
        .map(|l| LocalDecl {
            ty: fcx.zonk(&l.ty),
            ..l.clone()
        })
        .collect();
    FnResult {
        locals,
        contract,
        attrs: fattrs,
        body,
        diags: fcx.diags,
    }
}

/// The variables a pattern binds.
fn pat_locals(p: &Pat, out: &mut Vec<LocalId>) {
    match &p.kind {
        PatKind::Binding { local, sub, .. } => {
            out.push(*local);
            if let Some(s) = sub {
                pat_locals(s, out);
            }
        }
        PatKind::Tuple(ps) | PatKind::Or(ps) => ps.iter().for_each(|q| pat_locals(q, out)),
        PatKind::Variant { fields, .. } => fields.iter().for_each(|q| pat_locals(q, out)),
        PatKind::Deref(q) => pat_locals(q, out),
        PatKind::Wild | PatKind::Const(_) | PatKind::Range { .. } | PatKind::ConstItem(_) => {}
    }
}

/// Whether a value of this type can change something it points to.
fn has_mut_ref(t: &Ty) -> bool {
    match t {
        Ty::Ref(m, inner) => *m || has_mut_ref(inner),
        Ty::Tuple(ts) | Ty::Adt(_, ts) => ts.iter().any(has_mut_ref),
        Ty::Array(e, _) | Ty::Slice(e) => has_mut_ref(e),
        _ => false,
    }
}

/// The first construct in a `#[ghost] let` initializer that erasing it would change the
/// program's behaviour by removing (control flow, assignment, `&mut`, a call that is not
/// `#[pure]` or `#[ghost]`), with its span.
fn ghost_init_problem(p: &Program, e: &Expr) -> Option<(Span, &'static str)> {
    let here = |what| Some((e.span, what));
    match &e.kind {
        ExprKind::Lit(_) | ExprKind::Local(_) | ExprKind::Const(_) => None,
        ExprKind::Unary(_, a)
        | ExprKind::Cast(a)
        | ExprKind::Field(a, _)
        | ExprKind::Deref(a)
        | ExprKind::Coerce(_, a)
        | ExprKind::Ref(false, a) => ghost_init_problem(p, a),
        ExprKind::Binary(BinOp::And | BinOp::Or | BinOp::Implies, ..) => {
            here("a short-circuit operator (`&&`, `||`)")
        }
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            ghost_init_problem(p, a).or_else(|| ghost_init_problem(p, b))
        }
        ExprKind::Tuple(xs) | ExprKind::Array(xs) => xs.iter().find_map(|x| ghost_init_problem(p, x)),
        ExprKind::Call { func, args, .. } => {
            let a = &p.func(*func).attrs;
            if a.pure || a.ghost {
                args.iter().find_map(|x| ghost_init_problem(p, x))
            } else {
                here("a call of a function that is neither `#[pure]` nor `#[ghost]`")
            }
        }
        ExprKind::Ref(true, _) => here("a `&mut` borrow"),
        ExprKind::Assign(..) | ExprKind::AssignOp(..) => here("an assignment"),
        ExprKind::If(..) | ExprKind::Match(..) => here("a branch (`if`, `match`)"),
        ExprKind::Block(_) => here("a block"),
        ExprKind::While { .. }
        | ExprKind::Loop { .. }
        | ExprKind::ForRange { .. }
        | ExprKind::ForEach { .. } => here("a loop"),
        _ => here("this kind of expression (a ghost initializer is made of calls, operators, reads and shared borrows)"),
    }
}

/// Rust's rule for `#[derive(Trait)]`: every field's type implements the trait, the type's
/// own parameters assumed to (the derived impl bounds them). Without it a derived `Eq` could
/// hide a float, and a derived `Copy` a `Vec`.
pub(crate) fn check_derives(cx: &Ctx) {
    for adt in &cx.program.adts {
        if adt.builtin {
            continue;
        }
        for &t in &adt.derives {
            if t == StdTrait::Default && adt.is_enum {
                continue;
            }
            let mut generics = adt.generics.clone();
            for g in &mut generics {
                g.bounds.push(Bound::Std(t));
            }
            let fcx = FnCx::outside_fn(cx, ModId(0), generics, None, Ty::unit());
            for field in adt.variants.iter().flat_map(|v| &v.fields) {
                if !fcx.implements(&field.ty, Bound::Std(t)) {
                    cx.diags.push(
                        Diagnostic::error(
                            "E0277",
                            format!(
                                "the trait `{}` is not implemented for `{}`",
                                t.name(),
                                cx.ty_name(&field.ty)
                            ),
                            field.span,
                        )
                        .with_label(format!(
                            "required by `#[derive({})]` on `{}`",
                            t.name(),
                            adt.name
                        )),
                    );
                }
            }
        }
    }
}

pub(crate) fn check_const_value(
    cx: &Ctx,
    module: ModId,
    self_ty: Option<Ty>,
    e: &ast::Expr,
    ty: &Ty,
) -> Expr {
    let mut fcx = FnCx::outside_fn(cx, module, vec![], self_ty, ty.clone());
    fcx.pure = true;
    let x = fcx.check_expr(e);
    let mut x = fcx.coerce(x, ty, e.span);
    fcx.finish_expr(&mut x, false);
    cx.diags.extend(fcx.diags);
    x
}

fn is_place(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Local(_) | ExprKind::Deref(_) => true,
        ExprKind::Field(b, _) | ExprKind::Index(b, _) => {
            is_place(b) || matches!(b.kind, ExprKind::Deref(_))
        }
        _ => false,
    }
}

impl<'c, 'a> FnCx<'c, 'a> {
    /// A checker outside any function body (a constant's value, a derive's field types),
    /// with these generic parameters in scope.
    fn outside_fn(
        cx: &'c Ctx<'a>,
        module: ModId,
        generics: Vec<GenericParamDef>,
        self_ty: Option<Ty>,
        ret_ty: Ty,
    ) -> Self {
        FnCx {
            gscope: GenericScope::default(),
            generics,
            self_ty,
            locals: vec![],
            scopes: vec![vec![]],
            vars: vec![],
            ret_ty,
            spec: Spec::Code,
            quant_depth: 0,
            loops: vec![],
            obligations: vec![],
            fmt_checks: vec![],
            pure: false,
            ghost: false,
            ghost_let: false,
            ghost_locals: Default::default(),
            module,
            cx,
            diags: Vec::new(),
        }
    }

    // ------------------------------------------------------------ errors and helpers

    pub fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn error_expr(span: Span) -> Expr {
        Expr {
            kind: ExprKind::Error,
            ty: Ty::Error,
            span,
        }
    }

    pub fn tyname(&self, t: &Ty) -> String {
        let z = self.zonk(t);
        let s = self.cx.ty_name(&z);
        // Unresolved integer/float variables print as rustc does.
        match self.resolve(t) {
            Ty::Infer(v) => match self.vars[v as usize].kind {
                VarKind::Int => "{integer}".into(),
                VarKind::Float => "{float}".into(),
                VarKind::Any => s,
            },
            _ => s,
        }
    }

    fn flag(&mut self, a: &ast::Attr) -> bool {
        if a.args.is_some() {
            self.err(Diagnostic::error(
                "Z0006",
                format!("`#[{}]` takes no arguments", a.path.text()),
                a.span,
            ));
        }
        true
    }

    fn spec_args<'e>(&mut self, a: &'e ast::Attr, max: usize) -> Vec<&'e ast::Expr> {
        match &a.args {
            Some(args) if !args.is_empty() && args.len() <= max => args.iter().collect(),
            _ => {
                let want = if max == 1 {
                    "one expression"
                } else {
                    "one or more expressions"
                };
                self.err(Diagnostic::error(
                    "Z0006",
                    format!("`#[{}]` takes {want}", a.path.text()),
                    a.span,
                ));
                vec![]
            }
        }
    }

    fn check_bool_spec(&mut self, e: &ast::Expr) -> Expr {
        let x = self.check_expr(e);
        self.coerce(x, &Ty::Bool, e.span)
    }

    fn check_decreases(&mut self, e: &ast::Expr) -> Expr {
        let x = self.check_expr(e);
        let t = self.resolve(&x.ty);
        if !matches!(t, Ty::Int(_) | Ty::Infer(_) | Ty::Error) {
            let n = self.tyname(&t);
            self.err(Diagnostic::error(
                "E0308",
                format!("`#[decreases]` needs an integer, found `{n}`"),
                e.span,
            ));
        }
        x
    }

    // ------------------------------------------------------------ inference

    fn new_var(&mut self, kind: VarKind, span: Span) -> Ty {
        self.vars.push(Var {
            kind,
            value: None,
            span,
        });
        Ty::Infer(self.vars.len() as u32 - 1)
    }

    pub fn fresh(&mut self, span: Span) -> Ty {
        self.new_var(VarKind::Any, span)
    }

    pub fn resolve(&self, t: &Ty) -> Ty {
        let mut t = t.clone();
        while let Ty::Infer(v) = t {
            match &self.vars[v as usize].value {
                Some(x) => t = x.clone(),
                None => break,
            }
        }
        t
    }

    pub fn zonk(&self, t: &Ty) -> Ty {
        match self.resolve(t) {
            Ty::Tuple(v) => Ty::Tuple(v.iter().map(|t| self.zonk(t)).collect()),
            Ty::Array(t, n) => Ty::Array(Box::new(self.zonk(&t)), Box::new(self.zonk(&n))),
            Ty::Slice(t) => Ty::Slice(Box::new(self.zonk(&t))),
            Ty::Ref(m, t) => Ty::Ref(m, Box::new(self.zonk(&t))),
            Ty::Adt(id, v) => Ty::Adt(id, v.iter().map(|t| self.zonk(t)).collect()),
            t => t,
        }
    }

    fn occurs(&self, v: u32, t: &Ty) -> bool {
        let mut found = false;
        self.zonk(t)
            .walk(&mut |x| found |= matches!(x, Ty::Infer(w) if *w == v));
        found
    }

    fn bind(&mut self, v: u32, t: Ty) -> bool {
        let kind = self.vars[v as usize].kind;
        let ok = match (&kind, &t) {
            (VarKind::Any, _) => true,
            (VarKind::Int, Ty::Int(_)) | (VarKind::Float, Ty::Float(_)) => true,
            (_, Ty::Error) => true,
            (_, Ty::Infer(w)) => {
                let wk = self.vars[*w as usize].kind;
                match (kind, wk) {
                    (k, VarKind::Any) => {
                        self.vars[*w as usize].kind = k;
                        true
                    }
                    (a, b) => a == b,
                }
            }
            _ => false,
        };
        if ok && !self.occurs(v, &t) {
            self.vars[v as usize].value = Some(t);
            true
        } else {
            false
        }
    }

    pub fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
        let (a, b) = (self.resolve(a), self.resolve(b));
        match (&a, &b) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Infer(x), Ty::Infer(y)) if x == y => true,
            (Ty::Infer(x), _) => self.bind(*x, b.clone()),
            (_, Ty::Infer(y)) => self.bind(*y, a.clone()),
            (Ty::Tuple(x), Ty::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.unify(p, q))
            }
            (Ty::Adt(i, x), Ty::Adt(j, y)) => {
                i == j && x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.unify(p, q))
            }
            (Ty::Array(t, n), Ty::Array(u, m)) => self.unify(t, u) && self.unify(n, m),
            (Ty::Slice(t), Ty::Slice(u)) => self.unify(t, u),
            (Ty::Ref(m1, t), Ty::Ref(m2, u)) => m1 == m2 && self.unify(t, u),
            _ => a == b,
        }
    }

    /// Converts `e` to type `target` at a coercion site (let with a type, arguments, returns,
    /// struct fields): unsizing, `&mut` to `&`, `!` to anything, else plain unification.
    pub fn coerce(&mut self, e: Expr, target: &Ty, span: Span) -> Expr {
        let src = self.resolve(&e.ty);
        let tgt = self.resolve(target);
        if matches!(src, Ty::Never) && !matches!(tgt, Ty::Never) {
            return Expr {
                kind: ExprKind::Coerce(Coercion::NeverToAny, Box::new(e)),
                ty: target.clone(),
                span,
            };
        }
        if let (Ty::Ref(m1, a), Ty::Ref(m2, b)) = (&src, &tgt) {
            if *m1 || !*m2 {
                let (a, b) = (self.resolve(a), self.resolve(b));
                let unsize_elem = match (&a, &b) {
                    (Ty::Array(t, _), Ty::Slice(_)) => Some((**t).clone()),
                    (Ty::Adt(id, args), Ty::Slice(_)) if Some(*id) == self.cx.program.lang.vec => {
                        args.first().cloned()
                    }
                    (Ty::Adt(id, _), Ty::Str) if Some(*id) == self.cx.program.lang.string => {
                        Some(Ty::Str)
                    }
                    _ => None,
                };
                if let Some(elem) = unsize_elem {
                    let ok = match &b {
                        Ty::Slice(u) => self.unify(&elem, u),
                        _ => true,
                    };
                    if ok {
                        let espan = e.span;
                        return Expr {
                            kind: ExprKind::Coerce(Coercion::Unsize, Box::new(e)),
                            ty: Ty::Ref(*m2, Box::new(b.clone())),
                            span: espan,
                        };
                    }
                }
                if *m1 && !*m2 && self.unify(&a, &b) {
                    let espan = e.span;
                    return Expr {
                        kind: ExprKind::Coerce(Coercion::MutToConst, Box::new(e)),
                        ty: tgt.clone(),
                        span: espan,
                    };
                }
                if let Some(x) = self.deref_coercion(&e, *m2, &a, &b) {
                    return x;
                }
            }
        }
        if self.unify(&src, &tgt) {
            return e;
        }
        let (want, found) = (self.tyname(&tgt), self.tyname(&src));
        let mut d = Diagnostic::error("E0308", "mismatched types", e.span)
            .with_label(format!("expected `{want}`, found `{found}`"));
        if span != e.span {
            d = d.with_secondary(span, "expected due to this");
        }
        self.err(d);
        Expr { ty: Ty::Error, ..e }
    }

    /// Deref coercion, as in Rust: `&Box<T>`, `&&T` (any chain of boxes and references) to
    /// `&T`, written as the reborrow `&**e`. Tried only when `a` and `b` have different type
    /// constructors, so that no inference variable is bound by a failed attempt.
    fn deref_coercion(&mut self, e: &Expr, mutbl: bool, a: &Ty, b: &Ty) -> Option<Expr> {
        let boxed = self.cx.program.lang.boxed;
        let head = |t: &Ty| match t {
            Ty::Adt(id, _) => Some(Err(*id)),
            Ty::Infer(_) | Ty::Error | Ty::Never => None,
            t => Some(Ok(std::mem::discriminant(t))),
        };
        let hb = head(b)?;
        let mut derefs = vec![a.clone()];
        loop {
            let last = derefs.last().expect("non-empty").clone();
            // An inference variable (`Box::new(5)`) can only be the end of the chain.
            if head(&last).is_none_or(|h| h == hb) {
                break;
            }
            let next = match &last {
                // A `&mut` target cannot be reached through a shared reference.
                Ty::Ref(m, t) if *m || !mutbl => self.resolve(t),
                Ty::Adt(id, args) if Some(*id) == boxed => self.resolve(args.first()?),
                _ => return None,
            };
            if derefs.len() > 8 {
                return None;
            }
            derefs.push(next);
        }
        if derefs.len() < 2 || !self.unify(derefs.last().expect("non-empty"), b) {
            return None;
        }
        let span = e.span;
        // `e: &A` is dereferenced once to reach `A`, then once per step of the chain.
        let mut x = Self::mk(ExprKind::Deref(Box::new(e.clone())), a.clone(), span);
        for t in derefs.iter().skip(1) {
            x = Self::mk(ExprKind::Deref(Box::new(x)), t.clone(), span);
        }
        Some(Self::mk(
            ExprKind::Ref(mutbl, Box::new(x)),
            Ty::Ref(mutbl, Box::new(b.clone())),
            span,
        ))
    }

    // ------------------------------------------------------------ scopes

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    pub fn new_local(
        &mut self,
        name: &str,
        ty: Ty,
        mutable: bool,
        span: Span,
        kind: LocalKind,
    ) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(LocalDecl {
            name: name.to_string(),
            ty,
            mutable,
            span,
            kind,
        });
        if let Some(s) = self.scopes.last_mut() {
            s.push((name.to_string(), id));
        }
        id
    }

    fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, l)| *l)
    }

    fn in_spec(&self) -> bool {
        self.spec != Spec::Code
    }

    /// What a `#[ghost]` function (not `#[pure]`, with a body: a lemma) may declare. Its calls
    /// are erased before code generation, so it returns nothing and can change nothing.
    fn check_ghost_signature(&mut self, f: &FnDef, decl: &ast::FnDecl) {
        if !f.ret.is_unit() {
            self.err(
                Diagnostic::error("Z0011", "a `#[ghost]` function must return `()`", f.ret_span)
                    .with_help("its calls are erased before code generation; a specification function that returns a value is `#[ghost] #[pure]`"),
            );
        }
        for (l, p) in f.params.iter().zip(&decl.params) {
            if has_mut_ref(&f.locals[l.0 as usize].ty) {
                self.err(Diagnostic::error(
                    "Z0011",
                    "a `#[ghost]` function cannot take a `&mut` reference",
                    p.span,
                )
                .with_label("its calls are erased before code generation, so it must not change anything"));
            }
        }
    }

    /// In ghost code (a `#[ghost]` function or a `#[ghost] let` initializer): `what` is not
    /// allowed because it would be erased.
    fn deny_in_ghost(&mut self, what: &str, span: Span) {
        if self.in_spec() || !(self.ghost || self.ghost_let) {
            return;
        }
        self.err(
            Diagnostic::error("Z0011", format!("{what} in ghost code"), span)
                .with_label("ghost code is erased before code generation"),
        );
    }

    fn deny_in_spec(&mut self, what: &str, span: Span) -> bool {
        if self.in_spec() {
            self.err(
                Diagnostic::error(
                    "Z0005",
                    format!("{what} is not allowed in a specification"),
                    span,
                )
                .with_label("specifications must be free of side effects"),
            );
            return true;
        }
        false
    }

    // ------------------------------------------------------------ expressions

    pub fn check_expr_coerce(&mut self, e: &ast::Expr, ty: &Ty) -> Expr {
        let x = self.check_expr_expect(e, Some(ty));
        self.coerce(x, ty, e.span)
    }

    pub fn check_expr(&mut self, e: &ast::Expr) -> Expr {
        self.check_expr_expect(e, None)
    }

    fn mk(kind: ExprKind, ty: Ty, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    fn check_expr_expect(&mut self, e: &ast::Expr, expect: Option<&Ty>) -> Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Lit(l) => self.check_lit(l, span),
            ast::ExprKind::Path(p) => self.check_path_expr(p, span),
            ast::ExprKind::Paren(x) => self.check_expr_expect(x, expect),
            ast::ExprKind::Unary(op, x) => self.check_unary(*op, x, span),
            ast::ExprKind::Binary(op, a, b) => self.check_binary(*op, a, b, span),
            ast::ExprKind::Assign(a, b) => {
                self.deny_in_spec("assignment", span);
                let lhs = self.check_expr(a);
                self.check_place(&lhs, a.span);
                let rhs = self.check_expr_coerce(b, &lhs.ty.clone());
                Self::mk(
                    ExprKind::Assign(Box::new(lhs), Box::new(rhs)),
                    Ty::unit(),
                    span,
                )
            }
            ast::ExprKind::AssignOp(op, a, b) => {
                self.deny_in_spec("assignment", span);
                let lhs = self.check_expr(a);
                if *op == ast::BinOp::Add && self.is_string(&lhs.ty) {
                    // `s += t` is Rust's `impl AddAssign<&str> for String`: `s.push_str(t)`
                    // (the place `s` is checked again as the receiver; a place has no effects).
                    let push =
                        AstAt { sp: span }.call((**a).clone(), "push_str", vec![(**b).clone()]);
                    return self.check_expr(&push);
                }
                self.check_place(&lhs, a.span);
                let rhs = self.check_expr(b);
                let ty = self.arith_result(*op, &lhs, &rhs, span);
                if !ty.is_error() {
                    let lt = lhs.ty.clone();
                    if !matches!(op, ast::BinOp::Shl | ast::BinOp::Shr) {
                        self.unify(&lt, &ty);
                    }
                }
                Self::mk(
                    ExprKind::AssignOp(*op, Box::new(lhs), Box::new(rhs)),
                    Ty::unit(),
                    span,
                )
            }
            ast::ExprKind::Cast(x, t) => self.check_cast(x, t, span),
            ast::ExprKind::Call(f, args) => self.check_call(f, args, span),
            ast::ExprKind::MethodCall(m) => {
                self.check_method_call(&m.receiver, &m.method, m.generics.as_deref(), &m.args, span)
            }
            ast::ExprKind::Field(b, f) => self.check_field(b, f, span),
            ast::ExprKind::TupleField(b, i, ispan) => self.check_tuple_field(b, *i, *ispan, span),
            ast::ExprKind::Index(b, i) => self.check_index(b, i, span),
            ast::ExprKind::Try(x) => self.check_try(x, span),
            ast::ExprKind::Ref { mutable, expr } => {
                if *mutable {
                    self.deny_in_spec("`&mut`", span);
                    if let ast::ExprKind::Index(_, i) = &expr.kind {
                        if matches!(i.kind, ast::ExprKind::Range { .. }) {
                            self.err(Diagnostic::error(
                                "Z0007",
                                "a mutable slice of a range (`&mut s[a..b]`) is not supported",
                                span,
                            ).with_help("index the whole slice (`s[a + i]`), or pass it with the range's bounds"));
                            return Self::error_expr(span);
                        }
                    }
                }
                let inner_expect = match expect.map(|t| self.resolve(t)) {
                    Some(Ty::Ref(_, t)) => Some(*t),
                    _ => None,
                };
                let x = self.check_expr_expect(expr, inner_expect.as_ref());
                let ty = Ty::Ref(*mutable, Box::new(x.ty.clone()));
                Self::mk(ExprKind::Ref(*mutable, Box::new(x)), ty, span)
            }
            ast::ExprKind::Tuple(xs) => {
                let hint: Vec<Option<Ty>> = match expect.map(|t| self.resolve(t)) {
                    Some(Ty::Tuple(ts)) if ts.len() == xs.len() => {
                        ts.into_iter().map(Some).collect()
                    }
                    _ => vec![None; xs.len()],
                };
                let items: Vec<Expr> = xs
                    .iter()
                    .zip(hint)
                    .map(|(x, h)| match h {
                        Some(t) => self.check_expr_coerce(x, &t),
                        None => self.check_expr(x),
                    })
                    .collect();
                let ty = Ty::Tuple(items.iter().map(|x| x.ty.clone()).collect());
                Self::mk(ExprKind::Tuple(items), ty, span)
            }
            ast::ExprKind::Array(xs) => {
                let elem = match expect.map(|t| self.resolve(t)) {
                    Some(Ty::Array(t, _)) => *t,
                    _ => self.fresh(span),
                };
                let items: Vec<Expr> = xs
                    .iter()
                    .map(|x| self.check_expr_coerce(x, &elem))
                    .collect();
                let ty = Ty::Array(Box::new(elem), Box::new(Ty::ConstVal(items.len() as u64)));
                Self::mk(ExprKind::Array(items), ty, span)
            }
            ast::ExprKind::ArrayRepeat(x, n) => {
                let elem = match expect.map(|t| self.resolve(t)) {
                    Some(Ty::Array(t, _)) => *t,
                    _ => self.fresh(span),
                };
                let v = self.check_expr_coerce(x, &elem);
                let count = self.const_usize(n);
                self.obligations
                    .push((elem.clone(), Bound::Std(StdTrait::Copy), x.span));
                let ty = Ty::Array(Box::new(elem), Box::new(Ty::ConstVal(count)));
                Self::mk(ExprKind::ArrayRepeat(Box::new(v), count), ty, span)
            }
            ast::ExprKind::Struct(st) => {
                self.check_struct_lit(&st.path, &st.fields, st.base.as_ref(), span)
            }
            ast::ExprKind::Block(b) => self.check_block_expr(b, expect),
            ast::ExprKind::If(x) => self.check_if(&x.cond, &x.then, x.els.as_ref(), expect, span),
            ast::ExprKind::Match(s, arms) => self.check_match(s, arms, expect, span),
            ast::ExprKind::While(w) => {
                self.check_while(&w.attrs, w.label.as_ref(), &w.cond, &w.body, span)
            }
            ast::ExprKind::Loop(l) => self.check_loop(&l.attrs, l.label.as_ref(), &l.body, span),
            ast::ExprKind::For(f) => {
                let label = f.label.as_ref();
                self.check_for(&f.attrs, label, &f.pat, &f.iter, &f.body, span)
            }
            ast::ExprKind::Break(label, x) => {
                self.deny_in_spec("`break`", span);
                let value = x.as_ref().map(|x| self.check_expr(x));
                let Some(at) = self.loop_target("break", label.as_ref(), span) else {
                    return Self::error_expr(span);
                };
                let levels = (self.loops.len() - 1 - at) as u32;
                if value.is_some() && !self.loops[at].is_loop {
                    self.err(
                        Diagnostic::error("E0571", "`break` with value from a `while` loop", span)
                            .with_label("can only break with a value inside `loop`"),
                    );
                }
                let value = match value {
                    Some(v) => {
                        let l = &mut self.loops[at];
                        let bt = l.break_ty.get_or_insert_with(|| v.ty.clone()).clone();
                        Some(Box::new(self.coerce(v, &bt, span)))
                    }
                    None => {
                        let l = &mut self.loops[at];
                        if l.is_loop {
                            let bt = l.break_ty.get_or_insert_with(Ty::unit).clone();
                            self.unify(&bt, &Ty::unit());
                        }
                        None
                    }
                };
                Self::mk(ExprKind::Break(levels, value), Ty::Never, span)
            }
            ast::ExprKind::Continue(label) => {
                self.deny_in_spec("`continue`", span);
                let Some(at) = self.loop_target("continue", label.as_ref(), span) else {
                    return Self::error_expr(span);
                };
                let levels = (self.loops.len() - 1 - at) as u32;
                Self::mk(ExprKind::Continue(levels), Ty::Never, span)
            }
            ast::ExprKind::Return(x) => {
                self.deny_in_spec("`return`", span);
                let ret = self.ret_ty.clone();
                let value = match x {
                    Some(x) => Some(Box::new(self.check_expr_coerce(x, &ret))),
                    None => {
                        if !self.unify(&ret, &Ty::unit()) {
                            let n = self.tyname(&ret);
                            self.err(
                                Diagnostic::error(
                                    "E0069",
                                    "`return;` in a function whose return type is not `()`",
                                    span,
                                )
                                .with_label(format!("return type is `{n}`")),
                            );
                        }
                        None
                    }
                };
                Self::mk(ExprKind::Return(value), Ty::Never, span)
            }
            ast::ExprKind::Range { .. } => {
                self.err(Diagnostic::error(
                    "Z0007",
                    "ranges are supported only as the iterator of a `for` loop and as an index (`&s[a..b]`)",
                    span,
                ));
                Self::error_expr(span)
            }
            ast::ExprKind::Closure(..) => {
                self.err(Diagnostic::error(
                    "Z0007",
                    "closures are supported only inside `forall` and `exists`",
                    span,
                ));
                Self::error_expr(span)
            }
            ast::ExprKind::Macro(m) => self.check_macro(&m.name, &m.args, span),
            ast::ExprKind::Launch(k) => {
                self.check_launch(&k.kernel, &k.grid, &k.block, &k.args, span)
            }
            ast::ExprKind::Trigger(x) => {
                let inner = self.check_expr_expect(x, expect);
                if self.quant_depth == 0 {
                    self.err(Diagnostic::error(
                        "Z0008",
                        "`#[trigger]` is allowed only inside `forall` or `exists`",
                        span,
                    ));
                    return inner;
                }
                let ty = inner.ty.clone();
                Self::mk(ExprKind::Trigger(Box::new(inner)), ty, span)
            }
            ast::ExprKind::Error => Self::error_expr(span),
        }
    }

    fn check_place(&mut self, e: &Expr, span: Span) {
        if !is_place(e) && !e.ty.is_error() {
            self.err(
                Diagnostic::error("E0070", "invalid left-hand side of assignment", span)
                    .with_label("cannot assign to this expression"),
            );
        }
    }

    fn const_usize(&mut self, n: &ast::Expr) -> u64 {
        match self.cx.const_len(n, self.module, &self.gscope) {
            Ty::ConstVal(v) => v,
            _ => 0,
        }
    }

    fn check_lit(&mut self, l: &ast::Lit, span: Span) -> Expr {
        let (v, ty) = match l {
            ast::Lit::Int { value, suffix } => {
                let ty = match suffix {
                    Some(s) => {
                        Ty::Int(IntTy::from_name(s.as_str()).expect("suffix names an int type"))
                    }
                    None => self.new_var(VarKind::Int, span),
                };
                (LitValue::Int(*value), ty)
            }
            ast::Lit::Float { text, suffix } => {
                let ty = match suffix {
                    Some(ast::FloatSuffix::F32) => Ty::Float(FloatTy::F32),
                    Some(ast::FloatSuffix::F64) => Ty::Float(FloatTy::F64),
                    None => self.new_var(VarKind::Float, span),
                };
                (LitValue::Float(text.parse().unwrap_or(0.0)), ty)
            }
            ast::Lit::Bool(b) => (LitValue::Bool(*b), Ty::Bool),
            ast::Lit::Char(c) => (LitValue::Char(*c), Ty::Char),
            ast::Lit::Byte(b) => (LitValue::Int(*b as u128), Ty::Int(IntTy::U8)),
            ast::Lit::Str(s) => (LitValue::Str(s.clone()), Ty::Ref(false, Box::new(Ty::Str))),
            ast::Lit::ByteStr(b) => {
                let n = b.len() as u64;
                (
                    LitValue::ByteStr(b.clone()),
                    Ty::Ref(
                        false,
                        Box::new(Ty::Array(
                            Box::new(Ty::Int(IntTy::U8)),
                            Box::new(Ty::ConstVal(n)),
                        )),
                    ),
                )
            }
        };
        Self::mk(ExprKind::Lit(v), ty, span)
    }

    // ------------------------------------------------------------ paths

    /// The type named by the leading segments of a value path (`Vec::<T>` in `Vec::<T>::new`);
    /// missing generic arguments become inference variables.
    fn path_prefix_ty(&mut self, segs: &[ast::PathSegment], span: Span) -> Option<Ty> {
        if let [seg] = segs {
            if seg.ident.name == "Self" {
                return self.self_ty.clone();
            }
            if let Some(t) = self.gscope.lookup(&seg.ident.name) {
                return Some(t);
            }
        }
        let idents: Vec<ast::Ident> = segs.iter().map(|s| s.ident.clone()).collect();
        let b = self.cx.resolve_path(self.module, &idents, Ns::Type).ok()?;
        let last = segs.last()?;
        match b.def {
            Def::Prim(t) => Some(t),
            Def::Alias(i) => Some(self.cx.aliases[i].clone()),
            Def::Adt(id) => {
                let n = self.cx.program.adts[id.0 as usize].generics.len();
                let args = match &last.generics {
                    Some(g) => {
                        let tys = self.lower_generic_args(g);
                        if tys.len() != n {
                            self.err(Diagnostic::error(
                                "E0107",
                                format!("expected {n} generic arguments, found {}", tys.len()),
                                last.ident.span,
                            ));
                            vec![Ty::Error; n]
                        } else {
                            tys
                        }
                    }
                    None => (0..n).map(|_| self.fresh(span)).collect(),
                };
                Some(Ty::Adt(id, args))
            }
            _ => None,
        }
    }

    fn lower_generic_args(&mut self, g: &[ast::GenericArg]) -> Vec<Ty> {
        let mut out = Vec::new();
        for a in g {
            match a {
                ast::GenericArg::Type(t) => out.push(self.lower_ty(t)),
                ast::GenericArg::Const(e) => {
                    out.push(self.cx.const_len(e, self.module, &self.gscope))
                }
                ast::GenericArg::Lifetime(_) => {}
            }
        }
        out
    }

    /// Lowers a type written in a body; `_` becomes an inference variable.
    pub fn lower_ty(&mut self, t: &ast::Type) -> Ty {
        match &t.kind {
            ast::TypeKind::Infer => self.fresh(t.span),
            ast::TypeKind::Ref { mutable, ty, .. } => {
                Ty::Ref(*mutable, Box::new(self.lower_ty(ty)))
            }
            ast::TypeKind::Tuple(ts) => Ty::Tuple(ts.iter().map(|t| self.lower_ty(t)).collect()),
            ast::TypeKind::Slice(e) => Ty::Slice(Box::new(self.lower_ty(e))),
            ast::TypeKind::Array(e, n) => {
                let elem = self.lower_ty(e);
                let len = self.cx.const_len(n, self.module, &self.gscope);
                Ty::Array(Box::new(elem), Box::new(len))
            }
            _ => {
                let st = self.self_ty.clone();
                self.cx
                    .lower_ty(t, self.module, &self.gscope.clone(), st.as_ref())
            }
        }
    }

    /// Fresh generic arguments for a function (explicit turbofish arguments where given).
    fn fn_generics(
        &mut self,
        f: FnId,
        explicit: Option<&[ast::GenericArg]>,
        prefix: Vec<Ty>,
        span: Span,
    ) -> Vec<Ty> {
        let total = self.cx.program.fns[f.0 as usize].generics.len();
        let own = total.saturating_sub(prefix.len());
        let mut args = prefix;
        match explicit {
            Some(g) => {
                let tys = self.lower_generic_args(g);
                if tys.len() != own {
                    self.err(Diagnostic::error(
                        "E0107",
                        format!(
                            "function takes {own} generic argument{} but {} were supplied",
                            if own == 1 { "" } else { "s" },
                            tys.len()
                        ),
                        span,
                    ));
                    args.extend((0..own).map(|_| Ty::Error));
                } else {
                    args.extend(tys);
                }
            }
            None => {
                for _ in 0..own {
                    let v = self.fresh(span);
                    args.push(v);
                }
            }
        }
        // Bounds of the callee's generic parameters become obligations.
        let bounds: Vec<(usize, Bound)> = self.cx.program.fns[f.0 as usize]
            .generics
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.bounds.iter().map(move |b| (i, *b)))
            .collect();
        for (i, b) in bounds {
            if let Some(t) = args.get(i) {
                self.obligations.push((t.clone(), b, span));
            }
        }
        args
    }

    /// Resolves a value path to a function (with generic arguments), constant or constructor.
    /// [`Self::resolve_value`] without reporting (pattern resolution tries it second).
    pub(crate) fn resolve_value_quiet(&mut self, p: &ast::Path) -> Option<ValueRes> {
        self.resolve_value(p).ok()
    }

    // The error is the cold path; a boxed diagnostic would only add noise at every use.
    #[allow(clippy::result_large_err)]
    fn resolve_value(&mut self, p: &ast::Path) -> Result<ValueRes, Diagnostic> {
        let idents: Vec<ast::Ident> = p.segments.iter().map(|s| s.ident.clone()).collect();
        let last = p.segments.last().expect("path has a segment");
        let first_err = match self.cx.resolve_path(self.module, &idents, Ns::Value) {
            Ok(Binding {
                def: Def::Fn(f), ..
            }) => {
                let g = self.fn_generics(f, last.generics.as_deref(), vec![], p.span);
                return Ok(ValueRes::Fn(f, g));
            }
            Ok(Binding {
                def: Def::Const(c), ..
            }) => return Ok(ValueRes::Const(c)),
            Ok(Binding {
                def: Def::Variant(adt, v),
                ..
            }) => {
                let n = self.cx.program.adts[adt.0 as usize].generics.len();
                let args = (0..n).map(|_| self.fresh(p.span)).collect();
                return Ok(ValueRes::Ctor(adt, v, args));
            }
            Ok(_) => {
                return Err(Diagnostic::error(
                    "E0423",
                    format!("expected value, found `{}`", p.text()),
                    p.span,
                )
                .with_label("not a value"))
            }
            Err(e) if p.segments.len() == 1 || e.kind == "E0603" => return Err(e),
            Err(e) => e,
        };
        // Not an item path: `Type::assoc` or `Enum::Variant` (else the first error stands).
        let prefix = &p.segments[..p.segments.len() - 1];
        let Some(ty) = self.path_prefix_ty(prefix, p.span) else {
            return Err(first_err);
        };
        let name = &last.ident.name;
        if let Ty::Adt(adt, args) = &ty {
            let def = &self.cx.program.adts[adt.0 as usize];
            if def.is_enum {
                if let Some(v) = def.variants.iter().position(|v| v.name == *name) {
                    return Ok(ValueRes::Ctor(*adt, v as u32, args.clone()));
                }
            }
        }
        match self
            .cx
            .find_assoc(&ty, name)
            .or_else(|| self.cx.default_trait_method(&ty, name))
        {
            Some((imp, AssocDef::Fn(f))) => {
                let impl_args = self.instantiate_impl(imp, &ty, p.span);
                let g = self.fn_generics(f, last.generics.as_deref(), impl_args, p.span);
                Ok(ValueRes::Fn(f, g))
            }
            Some((_, AssocDef::Const(c))) => Ok(ValueRes::Const(c)),
            None => {
                let n = self.tyname(&ty);
                Err(Diagnostic::error("E0599", format!("no function or associated item named `{name}` found for `{n}` in the current scope"), last.ident.span)
                    .with_label(format!("function or associated item not found in `{n}`")))
            }
        }
    }

    /// Fresh arguments for an impl's generics, unified so that its self type equals `ty`.
    /// `usize::MAX` stands for a trait's own declaration (through a bound, or a default
    /// method): its only outer generic is `Self`, which is `ty`.
    fn instantiate_impl(&mut self, imp: usize, ty: &Ty, span: Span) -> Vec<Ty> {
        if imp == usize::MAX {
            return vec![ty.clone()];
        }
        let n = self.cx.impls[imp].generics.len();
        let args: Vec<Ty> = (0..n).map(|_| self.fresh(span)).collect();
        let self_ty = self.cx.impls[imp].self_ty.subst(&args);
        self.unify(&self_ty, ty);
        args
    }

    fn check_path_expr(&mut self, p: &ast::Path, span: Span) -> Expr {
        if let Some(id) = p.as_ident() {
            if let Some(l) = self.lookup_local(&id.name) {
                let ty = self.locals[l.0 as usize].ty.clone();
                if self.ghost_locals.contains(&l)
                    && !(self.in_spec() || self.ghost || self.ghost_let)
                {
                    self.err(
                        Diagnostic::error(
                            "Z0011",
                            format!("ghost variable `{}` used in executable code", id.name),
                            span,
                        )
                        .with_label(
                            "declared by `#[ghost] let`, which is erased before code generation",
                        )
                        .with_help("ghost variables may be read in specifications and ghost code"),
                    );
                }
                return Self::mk(ExprKind::Local(l), ty, span);
            }
            if id.name == "result" && self.spec != Spec::Code {
                if self.spec != Spec::Ensures {
                    self.err(Diagnostic::error(
                        "Z0001",
                        "`result` may only be used in `#[ensures]`",
                        span,
                    ));
                    return Self::error_expr(span);
                }
                return Self::mk(ExprKind::Result, self.ret_ty.clone(), span);
            }
        }
        match self.resolve_value(p) {
            Ok(ValueRes::Const(c)) => {
                let ty = self.cx.program.consts[c.0 as usize].ty.clone();
                Self::mk(ExprKind::Const(c), ty, span)
            }
            Ok(ValueRes::Ctor(adt, v, args)) => {
                let var = &self.cx.program.adts[adt.0 as usize].variants[v as usize];
                match var.kind {
                    CtorKind::Unit => Self::mk(
                        ExprKind::Ctor {
                            adt,
                            variant: v,
                            fields: vec![],
                            base: None,
                        },
                        Ty::Adt(adt, args),
                        span,
                    ),
                    CtorKind::Tuple => {
                        self.err(Diagnostic::error(
                            "Z0007",
                            format!(
                                "`{}` is a constructor function; call it with its fields",
                                var.name
                            ),
                            span,
                        ));
                        Self::error_expr(span)
                    }
                    CtorKind::Named => {
                        self.err(
                            Diagnostic::error(
                                "E0533",
                                format!("expected value, found struct variant `{}`", p.text()),
                                span,
                            )
                            .with_label("not a value"),
                        );
                        Self::error_expr(span)
                    }
                }
            }
            Ok(ValueRes::Fn(f, _)) => {
                let n = self.cx.program.fns[f.0 as usize].name.clone();
                self.err(
                    Diagnostic::error(
                        "Z0007",
                        format!(
                            "function `{n}` used as a value: function pointers are not supported"
                        ),
                        span,
                    )
                    .with_help("call it instead"),
                );
                Self::error_expr(span)
            }
            Err(d) => {
                self.err(d);
                Self::error_expr(span)
            }
        }
    }

    // ------------------------------------------------------------ operators

    fn check_unary(&mut self, op: ast::UnOp, x: &ast::Expr, span: Span) -> Expr {
        let inner = self.check_expr(x);
        let t = self.resolve(&inner.ty);
        match op {
            ast::UnOp::Deref => {
                let target = match &t {
                    Ty::Ref(_, t) => Some((**t).clone()),
                    Ty::Adt(id, args) if Some(*id) == self.cx.program.lang.boxed => {
                        args.first().cloned()
                    }
                    Ty::Error => Some(Ty::Error),
                    _ => None,
                };
                match target {
                    Some(ty) => Self::mk(ExprKind::Deref(Box::new(inner)), ty, span),
                    None => {
                        let n = self.tyname(&t);
                        self.err(
                            Diagnostic::error(
                                "E0614",
                                format!("type `{n}` cannot be dereferenced"),
                                span,
                            )
                            .with_label("can't be dereferenced"),
                        );
                        Self::error_expr(span)
                    }
                }
            }
            ast::UnOp::Neg => {
                let ok = match &t {
                    Ty::Int(i) => i.signed() || self.in_spec(),
                    Ty::Float(_) | Ty::Error => true,
                    Ty::Infer(v) => self.vars[*v as usize].kind != VarKind::Any,
                    _ => false,
                };
                if !ok {
                    let n = self.tyname(&t);
                    let mut d = Diagnostic::error(
                        "E0600",
                        format!("cannot apply unary operator `-` to type `{n}`"),
                        span,
                    )
                    .with_label("cannot apply unary operator `-`");
                    if matches!(t, Ty::Int(_)) {
                        d = d.with_note("unsigned values cannot be negated");
                    }
                    self.err(d);
                    return Self::error_expr(span);
                }
                Self::mk(ExprKind::Unary(op, Box::new(inner)), t, span)
            }
            ast::UnOp::Not => {
                let ok = matches!(&t, Ty::Int(_) | Ty::Bool | Ty::Error)
                    || matches!(&t, Ty::Infer(v) if self.vars[*v as usize].kind == VarKind::Int);
                if !ok {
                    let n = self.tyname(&t);
                    self.err(
                        Diagnostic::error(
                            "E0600",
                            format!("cannot apply unary operator `!` to type `{n}`"),
                            span,
                        )
                        .with_label("cannot apply unary operator `!`"),
                    );
                    return Self::error_expr(span);
                }
                Self::mk(ExprKind::Unary(op, Box::new(inner)), t, span)
            }
        }
    }

    /// Dereferences an operand of type `&T` (or `&&T`) where `T` is a number or `bool`.
    fn deref_numeric(&mut self, mut e: Expr) -> Expr {
        loop {
            let Ty::Ref(_, inner) = self.resolve(&e.ty) else {
                return e;
            };
            let inner = self.resolve(&inner);
            if !(inner.is_numeric()
                || inner == Ty::Bool
                || matches!(inner, Ty::Ref(..) | Ty::Infer(_)))
            {
                return e;
            }
            let span = e.span;
            e = Self::mk(ExprKind::Deref(Box::new(e)), inner, span);
        }
    }

    /// The result type of an arithmetic or bitwise operator, or `Error` after reporting.
    fn arith_result(&mut self, op: ast::BinOp, a: &Expr, b: &Expr, span: Span) -> Ty {
        use ast::BinOp::*;
        let (ta, tb) = (self.resolve(&a.ty), self.resolve(&b.ty));
        if ta.is_error() || tb.is_error() {
            return Ty::Error;
        }
        let numeric_var = |s: &Self, t: &Ty| matches!(t, Ty::Infer(v) if s.vars[*v as usize].kind != VarKind::Any);
        let int_like = |s: &Self, t: &Ty| {
            matches!(t, Ty::Int(_))
                || matches!(t, Ty::Infer(v) if s.vars[*v as usize].kind == VarKind::Int)
        };
        match op {
            Shl | Shr => {
                if int_like(self, &ta) && int_like(self, &tb) {
                    return ta;
                }
            }
            BitAnd | BitOr | BitXor => {
                let ok = (int_like(self, &ta) || ta == Ty::Bool) && self.unify(&ta, &tb);
                if ok {
                    return ta;
                }
            }
            _ => {
                let ok = (matches!(ta, Ty::Int(_) | Ty::Float(_)) || numeric_var(self, &ta))
                    && self.unify(&ta, &tb);
                if ok {
                    return ta;
                }
            }
        }
        let (na, nb) = (self.tyname(&ta), self.tyname(&tb));
        let d = if na != nb && (ta.is_numeric() || numeric_var(self, &ta)) {
            Diagnostic::error("E0308", "mismatched types", b.span)
                .with_label(format!("expected `{na}`, found `{nb}`"))
                .with_help("convert one operand with `as`")
        } else {
            Diagnostic::error(
                "E0369",
                format!(
                    "cannot apply binary operator `{}` to type `{na}`",
                    op.as_str()
                ),
                span,
            )
            .with_secondary(a.span, na.clone())
        };
        self.err(d);
        Ty::Error
    }

    fn check_binary(&mut self, op: ast::BinOp, a: &ast::Expr, b: &ast::Expr, span: Span) -> Expr {
        use ast::BinOp::*;
        match op {
            And | Or | Implies | Iff => {
                if matches!(op, Implies | Iff) && !self.in_spec() {
                    self.err(Diagnostic::error(
                        "Z0003",
                        format!("`{}` is allowed only in specifications", op.as_str()),
                        span,
                    ));
                }
                let x = self.check_expr_coerce(a, &Ty::Bool);
                let y = self.check_expr_coerce(b, &Ty::Bool);
                Self::mk(
                    ExprKind::Binary(op, Box::new(x), Box::new(y)),
                    Ty::Bool,
                    span,
                )
            }
            Eq | Ne | Lt | Le | Gt | Ge => {
                let x = self.check_expr(a);
                let y = self.check_expr(b);
                let (tx, ty) = (self.resolve(&x.ty), self.resolve(&y.ty));
                let same = self.unify(&tx, &ty);
                if !same {
                    let (na, nb) = (self.tyname(&tx), self.tyname(&ty));
                    self.err(
                        Diagnostic::error("E0308", "mismatched types", b.span)
                            .with_label(format!("expected `{na}`, found `{nb}`")),
                    );
                } else {
                    let bound = if matches!(op, Eq | Ne) {
                        StdTrait::PartialEq
                    } else {
                        StdTrait::PartialOrd
                    };
                    // Specification equality is structural for every type (LANGUAGE.md 1).
                    if !(self.in_spec() && bound == StdTrait::PartialEq) {
                        self.obligations.push((tx.clone(), Bound::Std(bound), span));
                    }
                }
                Self::mk(
                    ExprKind::Binary(op, Box::new(x), Box::new(y)),
                    Ty::Bool,
                    span,
                )
            }
            _ => {
                let x = self.check_expr(a);
                if op == Add && self.is_string(&x.ty) {
                    return self.check_string_add(x, b, span);
                }
                let y = self.check_expr(b);
                // `&u32 * &u32` is `u32 * u32` (Rust's operator impls on references).
                let x = self.deref_numeric(x);
                let y = self.deref_numeric(y);
                let ty = self.arith_result(op, &x, &y, span);
                Self::mk(ExprKind::Binary(op, Box::new(x), Box::new(y)), ty, span)
            }
        }
    }

    /// `{ let NAME = init; BODY }` for a hidden `NAME` (a lowering's own local), where BODY,
    /// the block's value, is what `body` checks with `NAME` in scope.
    fn under_hidden_let(
        &mut self,
        name: &str,
        init: Expr,
        span: Span,
        body: impl FnOnce(&mut Self) -> Expr,
    ) -> Expr {
        self.push_scope();
        let bind = self.hidden_let(name, init);
        let rest = body(self);
        self.pop_scope();
        let ty = rest.ty.clone();
        Self::mk(
            ExprKind::Block(Block {
                stmts: vec![bind],
                tail: Some(Box::new(rest)),
            }),
            ty,
            span,
        )
    }

    /// `let NAME = init;` for a hidden `NAME` (a lowering's own local) in the current scope.
    fn hidden_let(&mut self, name: &str, init: Expr) -> Stmt {
        let (ty, sp) = (init.ty.clone(), init.span);
        let local = self.new_local(name, ty.clone(), false, sp, LocalKind::Let);
        Stmt::Let {
            pat: Pat {
                kind: PatKind::Binding {
                    local,
                    mode: BindingMode::ByValue,
                    sub: None,
                },
                ty,
                span: sp,
            },
            init: Some(init),
            ghost: false,
            span: sp,
        }
    }

    fn is_string(&self, t: &Ty) -> bool {
        let program = &self.cx.program;
        program.is_lang(&self.resolve(t), program.lang.string)
    }

    /// `s + t` with `s: String` is Rust's `impl Add<&str> for String`: the prelude's
    /// `String::add(self, &str)`, called on `s` (checked already) through a hidden binding.
    fn check_string_add(&mut self, lhs: Expr, rhs: &ast::Expr, span: Span) -> Expr {
        let sp = lhs.span;
        let a = AstAt { sp };
        let name = "add·lhs";
        let call = AstAt { sp: span }.call(a.var(name), "add", vec![rhs.clone()]);
        self.under_hidden_let(name, lhs, span, |me| me.check_expr(&call))
    }

    fn check_cast(&mut self, x: &ast::Expr, t: &ast::Type, span: Span) -> Expr {
        let inner = self.check_expr(x);
        let src = self.resolve(&inner.ty);
        let int_var = matches!(src, Ty::Infer(v) if self.vars[v as usize].kind == VarKind::Int);
        let float_var = matches!(src, Ty::Infer(v) if self.vars[v as usize].kind == VarKind::Float);
        // `as _` takes its target from the context, among types of the source's kind (an
        // integer to some integer type, a float to some float type).
        let same_kind = match (&t.kind, &src) {
            (ast::TypeKind::Infer, Ty::Int(_)) => Some(VarKind::Int),
            (ast::TypeKind::Infer, Ty::Float(_)) => Some(VarKind::Float),
            (ast::TypeKind::Infer, _) if int_var => Some(VarKind::Int),
            (ast::TypeKind::Infer, _) if float_var => Some(VarKind::Float),
            _ => None,
        };
        let target = match same_kind {
            Some(kind) => self.new_var(kind, t.span),
            None => self.lower_ty(t),
        };
        let ok = match (&src, &target) {
            _ if same_kind.is_some() => true,
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Int(_) | Ty::Float(_), Ty::Int(_) | Ty::Float(_)) => true,
            (Ty::Bool | Ty::Char, Ty::Int(_)) => true,
            (Ty::Int(IntTy::U8), Ty::Char) => true,
            _ if int_var || float_var => matches!(target, Ty::Int(_) | Ty::Float(_)),
            _ => false,
        };
        if !ok {
            let (a, b) = (self.tyname(&src), self.tyname(&target));
            let code = if matches!(src, Ty::Adt(..) | Ty::Tuple(_) | Ty::Array(..))
                || matches!(target, Ty::Adt(..))
            {
                "E0605"
            } else {
                "E0606"
            };
            self.err(
                Diagnostic::error(code, format!("casting `{a}` as `{b}` is invalid"), span)
                    .with_label("invalid cast"),
            );
            return Self::error_expr(span);
        }
        Self::mk(ExprKind::Cast(Box::new(inner)), target, span)
    }

    // ------------------------------------------------------------ calls

    fn check_args(
        &mut self,
        params: &[Ty],
        args: &[ast::Expr],
        call_span: Span,
        what: &str,
    ) -> Vec<Expr> {
        if params.len() != args.len() {
            let s = |n: usize| if n == 1 { "" } else { "s" };
            self.err(
                Diagnostic::error(
                    "E0061",
                    format!(
                        "this {what} takes {} argument{} but {} argument{} supplied",
                        params.len(),
                        s(params.len()),
                        args.len(),
                        if args.len() == 1 { " was" } else { "s were" }
                    ),
                    call_span,
                )
                .with_label(format!(
                    "expected {} argument{}",
                    params.len(),
                    s(params.len())
                )),
            );
            for a in args {
                self.check_expr(a);
            }
            return vec![];
        }
        params
            .iter()
            .zip(args)
            .map(|(p, a)| self.check_expr_coerce(a, p))
            .collect()
    }

    fn check_call(&mut self, f: &ast::Expr, args: &[ast::Expr], span: Span) -> Expr {
        let path = match &f.kind {
            ast::ExprKind::Path(p) => p,
            _ => {
                self.check_expr(f);
                self.err(
                    Diagnostic::error("E0618", "expected function, found expression", f.span)
                        .with_label("not a function"),
                );
                return Self::error_expr(span);
            }
        };
        if let Some(id) = path.as_ident() {
            if self.lookup_local(&id.name).is_none()
                && !self.cx.modules[self.module.0 as usize]
                    .values
                    .contains_key(&id.name)
            {
                match id.name.as_str() {
                    "forall" | "exists" => {
                        return self.check_quantifier(id.name == "forall", args, span)
                    }
                    "old" => return self.check_old(args, span),
                    _ => {}
                }
            }
            if let Some(l) = self.lookup_local(&id.name) {
                let n = self.tyname(&self.locals[l.0 as usize].ty.clone());
                self.err(
                    Diagnostic::error("E0618", format!("expected function, found `{n}`"), f.span)
                        .with_label(format!("`{}` is a local variable, not a function", id.name)),
                );
                return Self::error_expr(span);
            }
        }
        if let Some(e) = self.check_conversion(path, args, f.span, span) {
            return e;
        }
        if let Some(e) = self.check_default_call(path, args, span) {
            return e;
        }
        match self.resolve_value(path) {
            Ok(ValueRes::Fn(func, generics)) => {
                self.finish_call(func, generics, vec![], args, f.span, span)
            }
            Ok(ValueRes::Ctor(adt, v, targs)) => {
                let var = self.cx.program.adts[adt.0 as usize].variants[v as usize].clone();
                if var.kind != CtorKind::Tuple {
                    self.err(
                        Diagnostic::error(
                            "E0618",
                            format!("expected function, found `{}`", path.text()),
                            f.span,
                        )
                        .with_label(if var.kind == CtorKind::Unit {
                            "unit variant takes no arguments"
                        } else {
                            "struct variant: use `{ .. }`"
                        }),
                    );
                    return Self::error_expr(span);
                }
                let params: Vec<Ty> = var.fields.iter().map(|fd| fd.ty.subst(&targs)).collect();
                let checked = self.check_args(&params, args, span, "constructor");
                let fields = checked
                    .into_iter()
                    .enumerate()
                    .map(|(i, e)| (i as u32, e))
                    .collect();
                Self::mk(
                    ExprKind::Ctor {
                        adt,
                        variant: v,
                        fields,
                        base: None,
                    },
                    Ty::Adt(adt, targs),
                    span,
                )
            }
            Ok(ValueRes::Const(_)) => {
                self.err(Diagnostic::error(
                    "E0618",
                    format!("expected function, found constant `{}`", path.text()),
                    f.span,
                ));
                Self::error_expr(span)
            }
            Err(d) => {
                for a in args {
                    self.check_expr(a);
                }
                self.err(d);
                Self::error_expr(span)
            }
        }
    }

    /// `T::default()` for a concrete type that is `Default` without a written `default`
    /// (derives, builtins): its value, built here field by field as the derived impl would.
    fn check_default_call(
        &mut self,
        path: &ast::Path,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<Expr> {
        let (last, prefix) = path.segments.split_last()?;
        if last.ident.name != "default" || !args.is_empty() || prefix.is_empty() {
            return None;
        }
        let target = self.path_prefix_ty(prefix, span)?;
        let target = self.zonk(&target);
        if self.cx.find_assoc(&target, "default").is_some() {
            return None;
        }
        if matches!(target, Ty::Param(..))
            && self.implements(&target, Bound::Std(StdTrait::Default))
        {
            self.err(Diagnostic::error(
                "Z0007",
                "`default()` of a generic parameter is not supported; pass the value in",
                span,
            ));
            return Some(Self::error_expr(span));
        }
        self.default_value(&target, span, 0)
    }

    fn default_value(&mut self, ty: &Ty, span: Span, depth: usize) -> Option<Expr> {
        let lit = |v: LitValue| Some(Self::mk(ExprKind::Lit(v), ty.clone(), span));
        // A recursive type cannot be `Default` without a `Box` or `Vec` in between, which
        // end the recursion; the depth bound only guards against a cycle slipping through.
        if depth > 64 {
            return None;
        }
        match ty {
            Ty::Int(_) => lit(LitValue::Int(0)),
            Ty::Float(_) => lit(LitValue::Float(0.0)),
            Ty::Bool => lit(LitValue::Bool(false)),
            Ty::Char => lit(LitValue::Char('\0')),
            Ty::Tuple(ts) => {
                let mut items = Vec::new();
                for t in ts {
                    items.push(self.default_value(t, span, depth + 1)?);
                }
                Some(Self::mk(ExprKind::Tuple(items), ty.clone(), span))
            }
            Ty::Array(elem, n) => {
                let Ty::ConstVal(n) = **n else { return None };
                if !self.cx.program.is_copy(elem, &self.generics) {
                    return None;
                }
                let e = self.default_value(elem, span, depth + 1)?;
                Some(Self::mk(
                    ExprKind::ArrayRepeat(Box::new(e), n),
                    ty.clone(),
                    span,
                ))
            }
            Ty::Adt(id, targs) => {
                let lang = &self.cx.program.lang;
                if Some(*id) == lang.string || Some(*id) == lang.vec {
                    let (_, AssocDef::Fn(f)) = self.cx.find_assoc(ty, "new")? else {
                        return None;
                    };
                    let generics = targs.clone();
                    return Some(Self::mk(
                        ExprKind::Call {
                            func: f,
                            generics,
                            args: vec![],
                            autoref: false,
                        },
                        ty.clone(),
                        span,
                    ));
                }
                let adt = &self.cx.program.adts[id.0 as usize];
                if Some(*id) == lang.option {
                    let none = adt.variants.iter().position(|v| v.name == "None")? as u32;
                    return Some(Self::mk(
                        ExprKind::Ctor {
                            adt: *id,
                            variant: none,
                            fields: vec![],
                            base: None,
                        },
                        ty.clone(),
                        span,
                    ));
                }
                if adt.is_enum || adt.builtin || !adt.derives.contains(&StdTrait::Default) {
                    return None;
                }
                let field_tys: Vec<Ty> = adt.variants[0]
                    .fields
                    .iter()
                    .map(|f| f.ty.subst(targs))
                    .collect();
                let mut fields = Vec::new();
                for (i, t) in field_tys.iter().enumerate() {
                    fields.push((i as u32, self.default_value(t, span, depth + 1)?));
                }
                Some(Self::mk(
                    ExprKind::Ctor {
                        adt: *id,
                        variant: 0,
                        fields,
                        base: None,
                    },
                    ty.clone(),
                    span,
                ))
            }
            _ => None,
        }
    }

    /// `T::from(x)` and `T::try_from(x)` for a primitive `T` (Rust's `From`/`TryFrom` impls,
    /// see convert.rs): `from` is a cast that loses nothing, `try_from` between integers the
    /// prelude's `T::try_from_i128(x as i128)` (or `try_from_u128`). None: not such a call.
    fn check_conversion(
        &mut self,
        path: &ast::Path,
        args: &[ast::Expr],
        callee_span: Span,
        span: Span,
    ) -> Option<Expr> {
        let [prefix, last] = &path.segments[..] else {
            return None;
        };
        let is_from = match last.ident.name.as_str() {
            "from" => true,
            "try_from" => false,
            _ => return None,
        };
        let prim = prefix.ident.name.as_str();
        if prefix.generics.is_some()
            || !(IntTy::from_name(prim).is_some() || matches!(prim, "f32" | "f64" | "char"))
        {
            return None;
        }
        let target = self.path_prefix_ty(std::slice::from_ref(prefix), span)?;
        if !matches!(target, Ty::Int(_) | Ty::Float(_) | Ty::Char) {
            return None;
        }
        let [arg] = args else {
            for a in args {
                self.check_expr(a);
            }
            self.err(Diagnostic::error(
                "E0061",
                format!(
                    "this function takes 1 argument but {} were supplied",
                    args.len()
                ),
                span,
            ));
            return Some(Self::error_expr(span));
        };
        let x = self.check_expr(arg);
        // An unsuffixed literal falls back as in Rust: `i32`, `f64`.
        let src = match self.resolve(&x.ty) {
            Ty::Infer(v) => match self.literal_default(v) {
                Some(t) => {
                    self.unify(&x.ty, &t);
                    t
                }
                None => Ty::Infer(v),
            },
            t => t,
        };
        if matches!(src, Ty::Error) {
            return Some(Self::error_expr(span));
        }
        let (from, to) = (self.tyname(&src), self.tyname(&target));
        if is_from {
            if crate::convert::has_from(&src, &target) {
                return Some(Self::mk(ExprKind::Cast(Box::new(x)), target, span));
            }
            let mut d = Diagnostic::error(
                "E0277",
                format!("the trait bound `{to}: From<{from}>` is not satisfied"),
                arg.span,
            )
            .with_label(format!(
                "the trait `From<{from}>` is not implemented for `{to}`"
            ));
            if matches!((&src, &target), (Ty::Int(_), Ty::Int(_))) {
                d = d.with_help(format!(
                    "`{to}::try_from` converts when the value is in range, as a `Result`"
                ));
            }
            self.err(d);
            return Some(Self::error_expr(span));
        }
        let (Ty::Int(s), Ty::Int(_)) = (&src, &target) else {
            self.err(
                Diagnostic::error(
                    "E0277",
                    format!("the trait bound `{to}: TryFrom<{from}>` is not satisfied"),
                    arg.span,
                )
                .with_label("VeZ's `try_from` converts between integer types"),
            );
            return Some(Self::error_expr(span));
        };
        let (helper, widen) = crate::convert::try_from_helper(*s);
        let x = if widen {
            let xspan = x.span;
            Self::mk(ExprKind::Cast(Box::new(x)), Ty::Int(IntTy::I128), xspan)
        } else {
            x
        };
        let Some((imp, AssocDef::Fn(func))) = self.cx.find_assoc(&target, helper) else {
            // Only a library folder without the integer templates gets here.
            self.err(Diagnostic::error(
                "E0599",
                format!("`{to}::try_from` needs the prelude's `{to}::{helper}`"),
                callee_span,
            ));
            return Some(Self::error_expr(span));
        };
        let impl_args = self.instantiate_impl(imp, &target, span);
        let generics = self.fn_generics(func, None, impl_args, span);
        Some(self.finish_call(func, generics, vec![x], &[], callee_span, span))
    }

    /// Checks the arguments of a call of `func` (with `pre` already-checked leading arguments,
    /// such as an adjusted method receiver) and builds the call.
    fn finish_call(
        &mut self,
        func: FnId,
        generics: Vec<Ty>,
        pre: Vec<Expr>,
        args: &[ast::Expr],
        callee_span: Span,
        span: Span,
    ) -> Expr {
        let def = &self.cx.program.fns[func.0 as usize];
        let name = def.name.clone();
        let (pure, kernel) = (self.fn_is_pure(func), self.fn_is_kernel(func));
        let params: Vec<Ty> = def
            .param_tys()
            .skip(pre.len())
            .map(|t| t.subst(&generics))
            .collect();
        let ret = def.ret.subst(&generics);
        let callee_ghost = def.attrs.ghost;
        // Rust's privacy of inherent associated functions: visible in the module of the
        // `impl` and its descendants (the prelude's helpers are hidden from programs).
        if let Some(src) = &self.cx.fn_src[func.0 as usize] {
            let inherent = src
                .impl_idx
                .is_some_and(|i| self.cx.impls[i].trait_id.is_none());
            if inherent && !def.attrs.public && !self.cx.is_ancestor(src.module, self.module) {
                let kind = if def.self_kind.is_some() {
                    "method"
                } else {
                    "associated function"
                };
                let short = name.rsplit("::").next().unwrap_or(&name).to_string();
                self.err(
                    Diagnostic::error("E0624", format!("{kind} `{short}` is private"), callee_span)
                        .with_label(format!("private {kind}")),
                );
            }
        }
        if !self.in_spec() && callee_ghost && !(self.ghost || self.ghost_let) {
            self.err(
                Diagnostic::error(
                    "Z0011",
                    format!("call of `#[ghost]` function `{name}` in executable code"),
                    callee_span,
                )
                .with_help(format!(
                    "ghost code is erased before code generation: call a lemma as `#[ghost] let _ = {name}(..);`, or use it in a specification"
                )),
            );
        } else if !self.in_spec() && self.ghost && !pure && !callee_ghost {
            self.err(Diagnostic::error(
                "Z0011",
                format!("a `#[ghost]` function may only call `#[pure]` and `#[ghost]` functions; `{name}` is neither"),
                callee_span,
            ));
        }
        if self.in_spec() && !pure {
            self.err(
                Diagnostic::error(
                    "Z0004",
                    format!(
                        "call of function `{name}` in a specification, but it is not `#[pure]`"
                    ),
                    callee_span,
                )
                .with_help("only `#[pure]` functions may be called in specifications"),
            );
        } else if self.pure && !pure && !self.in_spec() {
            self.err(Diagnostic::error(
                "Z0004",
                format!("a `#[pure]` function may only call `#[pure]` functions; `{name}` is not"),
                callee_span,
            ));
        }
        if kernel {
            self.err(Diagnostic::error(
                "Z0009",
                format!("kernel `{name}` must be launched with `{name}<<<grid, block>>>(..)`"),
                callee_span,
            ));
        }
        let mut all = pre;
        let what = if all.is_empty() { "function" } else { "method" };
        // A method receiver borrowed by auto-ref (`v.push(..)` is `Vec::push(&mut v, ..)`).
        let autoref = matches!(
            all.first(),
            Some(Expr {
                kind: ExprKind::Ref(..),
                ..
            })
        );
        let checked = self.check_args(&params, args, span, what);
        if checked.len() != params.len() {
            return Self::error_expr(span);
        }
        all.extend(checked);
        Self::mk(
            ExprKind::Call {
                func,
                generics,
                args: all,
                autoref,
            },
            ret,
            span,
        )
    }

    fn fn_is_pure(&self, f: FnId) -> bool {
        self.attr_of(f, "pure")
    }

    fn fn_is_kernel(&self, f: FnId) -> bool {
        self.attr_of(f, "gpu::kernel")
    }

    fn attr_of(&self, f: FnId, name: &str) -> bool {
        let a = &self.cx.program.fns[f.0 as usize].attrs;
        match name {
            "pure" => a.pure,
            "gpu::kernel" => a.kernel,
            _ => false,
        }
    }

    fn check_quantifier(&mut self, forall: bool, args: &[ast::Expr], span: Span) -> Expr {
        let word = if forall { "forall" } else { "exists" };
        if !self.in_spec() {
            self.err(Diagnostic::error(
                "Z0003",
                format!("`{word}` is allowed only in specifications"),
                span,
            ));
        }
        let [arg] = args else {
            self.err(Diagnostic::error(
                "E0061",
                format!("`{word}` takes one closure `|x: T| condition`"),
                span,
            ));
            return Self::error_expr(span);
        };
        let ast::ExprKind::Closure(params, body) = &arg.kind else {
            self.err(Diagnostic::error(
                "E0308",
                format!("`{word}` takes a closure `|x: T| condition`"),
                arg.span,
            ));
            return Self::error_expr(span);
        };
        self.push_scope();
        let mut vars = Vec::new();
        for p in params {
            let ty = match &p.ty {
                Some(t) => self.lower_ty(t),
                None => self.fresh(p.pat.span),
            };
            match &p.pat.kind {
                ast::PatKind::Ident {
                    name, sub: None, ..
                } => vars.push(self.new_local(
                    &name.name,
                    ty,
                    false,
                    p.pat.span,
                    LocalKind::Quantified,
                )),
                _ => self.err(Diagnostic::error(
                    "Z0007",
                    "quantified variables must be plain names",
                    p.pat.span,
                )),
            }
        }
        let outer = self.spec;
        if outer == Spec::Code {
            self.spec = Spec::Requires;
        }
        self.quant_depth += 1;
        let b = self.check_expr_coerce(body, &Ty::Bool);
        self.quant_depth -= 1;
        self.spec = outer;
        self.pop_scope();
        let mut triggers = Vec::new();
        b.walk(&mut |e| {
            if let ExprKind::Trigger(t) = &e.kind {
                triggers.push((**t).clone());
            }
        });
        Self::mk(
            ExprKind::Quant {
                forall,
                vars,
                triggers,
                body: Box::new(b),
            },
            Ty::Bool,
            span,
        )
    }

    fn check_old(&mut self, args: &[ast::Expr], span: Span) -> Expr {
        if !matches!(self.spec, Spec::Ensures | Spec::Invariant) {
            self.err(Diagnostic::error(
                "Z0002",
                "`old` may only be used in `#[ensures]` and loop invariants",
                span,
            ));
        }
        let [arg] = args else {
            self.err(Diagnostic::error(
                "E0061",
                "`old` takes one expression",
                span,
            ));
            return Self::error_expr(span);
        };
        let x = self.check_expr(arg);
        let ty = x.ty.clone();
        Self::mk(ExprKind::Old(Box::new(x)), ty, span)
    }

    // ------------------------------------------------------------ methods

    /// The autoderef chain of a receiver type: each step's type (resolved).
    fn autoderef_steps(&self, ty: &Ty) -> Vec<Ty> {
        let lang = &self.cx.program.lang;
        let mut steps = vec![self.resolve(ty)];
        loop {
            let last = steps.last().expect("non-empty").clone();
            let next = match &last {
                Ty::Ref(_, t) => Some(self.resolve(t)),
                Ty::Adt(id, args) if Some(*id) == lang.boxed => {
                    args.first().map(|t| self.resolve(t))
                }
                Ty::Adt(id, args) if Some(*id) == lang.vec => {
                    args.first().map(|t| Ty::Slice(Box::new(t.clone())))
                }
                Ty::Adt(id, _) if Some(*id) == lang.string => Some(Ty::Str),
                _ => None,
            };
            match next {
                Some(n) if steps.len() < 8 => steps.push(n),
                _ => break,
            }
        }
        steps
    }

    /// The first step of an autoderef chain that is an array, slice or `Vec`, with its
    /// element type (what `for` and range indexing run over).
    fn first_sequence(&self, steps: &[Ty]) -> Option<(usize, Ty)> {
        let vec = self.cx.program.lang.vec;
        steps.iter().enumerate().find_map(|(k, t)| match t {
            Ty::Array(e, _) | Ty::Slice(e) => Some((k, (**e).clone())),
            Ty::Adt(id, args) if Some(*id) == vec => args.first().map(|e| (k, e.clone())),
            _ => None,
        })
    }

    /// Applies `n` derefs to `e` following [`Self::autoderef_steps`].
    fn apply_derefs(&mut self, mut e: Expr, steps: &[Ty], n: usize) -> Expr {
        for t in steps.iter().skip(1).take(n) {
            let span = e.span;
            e = Self::mk(ExprKind::Deref(Box::new(e)), t.clone(), span);
        }
        e
    }

    fn check_method_call(
        &mut self,
        recv: &ast::Expr,
        method: &ast::Ident,
        generics: Option<&[ast::GenericArg]>,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        if matches!(method.name.as_str(), "iter" | "iter_mut") && args.is_empty() {
            self.err(Diagnostic::error(
                "Z0007",
                format!(
                    "`.{}()` is supported only as the iterator of a `for` loop",
                    method.name
                ),
                span,
            ));
            return Self::error_expr(span);
        }
        if method.name == "collect" && args.is_empty() {
            let parts = match &recv.kind {
                ast::ExprKind::MethodCall(m) => {
                    (m.method.name == "split" && m.args.len() == 1)
                        || (m.method.name == "split_whitespace" && m.args.is_empty())
                }
                _ => false,
            };
            if parts {
                // `s.split(p).collect()`: `{ let mut v = Vec::new(); for x in s.split(p) {
                // v.push(x); } v }`, a `Vec<&str>`.
                let a = AstAt { sp: span };
                let (v, x) = ("split·v", "split·x");
                let new_vec = a.call_path(&["Vec", "new"], vec![]);
                let fill = a.expr(ast::ExprKind::For(Box::new(ast::ForExpr {
                    attrs: vec![],
                    label: None,
                    pat: a.binding(x, false),
                    iter: recv.clone(),
                    body: ast::Block {
                        stmts: vec![a.semi(a.call(a.var(v), "push", vec![a.var(x)]))],
                        tail: None,
                        span,
                    },
                })));
                let block = a.expr(ast::ExprKind::Block(ast::Block {
                    stmts: vec![a.let_(a.binding(v, true), new_vec), a.semi(fill)],
                    tail: Some(Box::new(a.var(v))),
                    span,
                }));
                return self.check_expr(&block);
            }
        }
        if method.name == "count" && args.is_empty() {
            if let Some(text) = no_arg_call(recv, "chars") {
                // `s.chars().count()`: the prelude's `str::vez_char_count`.
                let a = AstAt { sp: recv.span };
                return self.check_expr(&a.call(text.clone(), "vez_char_count", vec![]));
            }
        }
        let r = self.check_expr(recv);
        let mut rt = self.resolve(&r.ty);
        // `5.to_string()`: Rust resolves a trait method on an unsuffixed literal through the
        // literal's fallback type (i32, f64); an inherent method (`2.0.sqrt()`) is E0689.
        if let Ty::Infer(v) = rt {
            let fallback = self.literal_default(v);
            if let Some(t) = fallback.filter(|_| method.name == "to_string" && args.is_empty()) {
                self.unify(&rt, &t);
                rt = t;
            }
        }
        if rt.is_error() {
            for a in args {
                self.check_expr(a);
            }
            return Self::error_expr(span);
        }
        if method.name == "join" && args.len() == 1 {
            if let Some(joined) = self.join_strings(r.clone(), &rt, &args[0], span) {
                return joined;
            }
        }
        if matches!(rt, Ty::Infer(v) if self.vars[v as usize].kind == VarKind::Any) {
            self.err(
                Diagnostic::error("E0282", "type annotations needed", recv.span)
                    .with_label("type must be known at this point"),
            );
            return Self::error_expr(span);
        }
        let mut steps = self.autoderef_steps(&rt);
        // Arrays reach slice methods by unsizing, after the derefs.
        let array_step = steps.iter().position(|t| matches!(t, Ty::Array(..)));
        if let Some(i) = array_step {
            if let Ty::Array(elem, _) = &steps[i] {
                let s = Ty::Slice(elem.clone());
                steps.truncate(i + 1);
                steps.push(s);
            }
        }
        for (i, step) in steps.clone().iter().enumerate() {
            let found = self
                .cx
                .find_assoc(step, &method.name)
                .or_else(|| self.trait_method_on_param(step, &method.name))
                .or_else(|| self.cx.default_trait_method(step, &method.name));
            if let Some((imp, AssocDef::Fn(f))) = found {
                let self_kind = self.cx.program.fns[f.0 as usize].self_kind;
                let Some(kind) = self_kind else {
                    let tn = self.tyname(step);
                    self.err(
                        Diagnostic::error(
                            "E0599",
                            format!(
                                "no method named `{}` found for `{}` in the current scope",
                                method.name, tn
                            ),
                            method.span,
                        )
                        .with_label("this is an associated function, not a method")
                        .with_help(format!(
                            "use associated function syntax: `{}::{}(..)`",
                            tn.split('<').next().unwrap_or(&tn),
                            method.name
                        )),
                    );
                    return Self::error_expr(span);
                };
                let is_unsize = array_step == Some(i - 1)
                    && i > 0
                    && matches!(step, Ty::Slice(_))
                    && matches!(steps[i - 1], Ty::Array(..));
                let base = if is_unsize {
                    self.apply_derefs(r, &steps, i - 1)
                } else {
                    self.apply_derefs(r, &steps, i)
                };
                let impl_args = self.instantiate_impl(imp, step, span);
                let recv_adj = match kind {
                    ast::SelfKind::Value { .. } => {
                        if is_unsize {
                            self.err(Diagnostic::error(
                                "E0599",
                                "slice methods taking `self` by value cannot be called on arrays",
                                method.span,
                            ));
                        }
                        base
                    }
                    ast::SelfKind::Ref | ast::SelfKind::RefMut => {
                        let m = kind == ast::SelfKind::RefMut;
                        if m {
                            self.deny_in_spec("a `&mut self` method call", span);
                        }
                        let bspan = base.span;
                        let bty = base.ty.clone();
                        let rf = Self::mk(
                            ExprKind::Ref(m, Box::new(base)),
                            Ty::Ref(m, Box::new(bty)),
                            bspan,
                        );
                        if is_unsize {
                            Self::mk(
                                ExprKind::Coerce(Coercion::Unsize, Box::new(rf)),
                                Ty::Ref(m, Box::new(step.clone())),
                                bspan,
                            )
                        } else {
                            rf
                        }
                    }
                };
                let g = self.fn_generics(f, generics, impl_args, method.span);
                return self.finish_call(f, g, vec![recv_adj], args, method.span, span);
            }
            if method.name == "clone" && args.is_empty() {
                if let Some(e) = self.builtin_clone(r.clone(), &steps, i, span) {
                    return e;
                }
            }
        }
        let tn = self.tyname(&rt);
        let fallback = match rt {
            Ty::Infer(v) => self.literal_default(v),
            _ => None,
        };
        let diagnostic = match fallback {
            Some(concrete) => {
                let concrete = self.tyname(&concrete);
                Diagnostic::error(
                    "E0689",
                    format!(
                        "can't call method `{}` on ambiguous numeric type `{tn}`",
                        method.name
                    ),
                    method.span,
                )
                .with_help(format!(
                    "give the value a type, as in `2{concrete}` or `let x: {concrete} = ..`"
                ))
            }
            None => Diagnostic::error(
                "E0599",
                format!(
                    "no method named `{}` found for `{tn}` in the current scope",
                    method.name
                ),
                method.span,
            )
            .with_label(format!("method not found in `{tn}`")),
        };
        self.err(diagnostic);
        for a in args {
            self.check_expr(a);
        }
        Self::error_expr(span)
    }

    /// `parts.join(sep)` of a sequence of `&str` or `String` (Rust's `[S]::join` for
    /// `S: Borrow<str>`): `{ let x = &parts; let sep: &str = SEP; let mut out =
    /// String::new(); for (i, w) in x.iter().enumerate() { if i > 0 { out.push_str(sep); }
    /// out.push_str(w); } out }`; `None` (nothing checked) for other receivers.
    fn join_strings(&mut self, parts: Expr, rt: &Ty, sep: &ast::Expr, span: Span) -> Option<Expr> {
        let steps = self.autoderef_steps(rt);
        let (k, elem) = self.first_sequence(&steps)?;
        let textual = match self.resolve(&elem) {
            Ty::Ref(_, t) => *t == Ty::Str || self.is_string(&t),
            t => self.is_string(&t),
        };
        if !textual {
            return None;
        }
        let base = self.apply_derefs(parts, &steps, k);
        let bspan = base.span;
        let seq = Self::mk(
            ExprKind::Ref(false, Box::new(base.clone())),
            Ty::Ref(false, Box::new(base.ty.clone())),
            bspan,
        );
        let a = AstAt { sp: span };
        let (x, out, i, w) = ("join·x", "join·out", "join·i", "join·w");
        let word = a.expr(ast::ExprKind::Unary(ast::UnOp::Deref, Box::new(a.var(w))));
        let body = ast::Block {
            stmts: vec![
                a.semi(a.if_else(
                    a.bin(ast::BinOp::Gt, a.var(i), a.usize_lit(0)),
                    vec![a.semi(a.call(a.var(out), "push_str", vec![a.var("join·sep")]))],
                    vec![],
                )),
                a.semi(a.call(a.var(out), "push_str", vec![a.shared_ref(word)])),
            ],
            tail: None,
            span,
        };
        let each = a.expr(ast::ExprKind::For(Box::new(ast::ForExpr {
            attrs: vec![],
            label: None,
            pat: ast::Pat {
                kind: ast::PatKind::Tuple(vec![a.binding(i, false), a.binding(w, false)]),
                span,
            },
            iter: a.call(a.call(a.var(x), "iter", vec![]), "enumerate", vec![]),
            body,
        })));
        let block = a.expr(ast::ExprKind::Block(ast::Block {
            stmts: vec![
                a.stmt(ast::StmtKind::Let(Box::new(ast::LetStmt {
                    pat: a.binding("join·sep", false),
                    ty: Some(ast::Type {
                        kind: ast::TypeKind::Ref {
                            lifetime: None,
                            mutable: false,
                            ty: Box::new(ast::Type {
                                kind: ast::TypeKind::Path(a.path("str")),
                                span,
                            }),
                        },
                        span,
                    }),
                    init: Some(sep.clone()),
                    els: None,
                }))),
                a.let_(
                    a.binding(out, true),
                    a.call_path(&["String", "new"], vec![]),
                ),
                a.semi(each),
            ],
            tail: Some(Box::new(a.var(out))),
            span,
        }));
        Some(self.under_hidden_let(x, seq, span, |cx| cx.check_expr(&block)))
    }

    /// `x.clone()` for types that are `Clone` without a written impl (derives, builtins).
    fn builtin_clone(&mut self, r: Expr, steps: &[Ty], i: usize, span: Span) -> Option<Expr> {
        let t = steps[i].clone();
        if matches!(t, Ty::Ref(..)) && i + 1 < steps.len() {
            return None; // clone the referent instead (a later step)
        }
        if !self.implements(&self.zonk(&t), Bound::Std(StdTrait::Clone)) {
            return None;
        }
        let place = self.apply_derefs(r, steps, i);
        let copy = self.cx.program.is_copy(&self.zonk(&t), &self.generics);
        Some(if copy {
            Expr { span, ..place }
        } else {
            Self::mk(ExprKind::Clone(Box::new(place)), t, span)
        })
    }

    /// A method of a user trait bound on a generic parameter (`T: Area` then `x.area()`).
    fn trait_method_on_param(&self, ty: &Ty, name: &str) -> Option<(usize, AssocDef)> {
        let Ty::Param(i, _) = ty else { return None };
        for b in &self.generics.get(*i as usize)?.bounds {
            if let Bound::User(t) = b {
                for (n, f) in &self.cx.program.traits[t.0 as usize].methods {
                    if n == name {
                        return Some((usize::MAX, AssocDef::Fn(*f)));
                    }
                }
            }
        }
        None
    }

    // ------------------------------------------------------------ fields, indexing, `?`

    fn check_field(&mut self, b: &ast::Expr, f: &ast::Ident, span: Span) -> Expr {
        let base = self.check_expr(b);
        let bt = self.resolve(&base.ty);
        if bt.is_error() {
            return Self::error_expr(span);
        }
        let steps = self.autoderef_steps(&bt);
        for (i, step) in steps.iter().enumerate() {
            if let Ty::Adt(id, args) = step {
                let adt = &self.cx.program.adts[id.0 as usize];
                if !adt.is_enum && !adt.builtin {
                    if let Some(fi) = adt.variants[0]
                        .fields
                        .iter()
                        .position(|fd| fd.name == f.name)
                    {
                        let fd = &adt.variants[0].fields[fi];
                        let ty = fd.ty.subst(args);
                        let private = !fd.public && !self.adt_is_local(*id);
                        if private {
                            self.err(
                                Diagnostic::error(
                                    "E0616",
                                    format!(
                                        "field `{}` of struct `{}` is private",
                                        f.name, adt.name
                                    ),
                                    f.span,
                                )
                                .with_label("private field"),
                            );
                        }
                        let base = self.apply_derefs(base, &steps, i);
                        return Self::mk(ExprKind::Field(Box::new(base), fi as u32), ty, span);
                    }
                }
            }
        }
        let tn = self.tyname(&bt);
        let d = if matches!(self.resolve(&bt), Ty::Infer(_)) {
            Diagnostic::error("E0282", "type annotations needed", b.span)
        } else {
            Diagnostic::error(
                "E0609",
                format!("no field `{}` on type `{tn}`", f.name),
                f.span,
            )
            .with_label("unknown field")
        };
        self.err(d);
        Self::error_expr(span)
    }

    /// Whether private fields of the ADT are visible from the current module.
    fn adt_is_local(&self, id: AdtId) -> bool {
        let name = &self.cx.program.adts[id.0 as usize].name;
        let prefix = &self.cx.modules[self.module.0 as usize].prefix;
        let adt_prefix = match name.rfind("::") {
            Some(i) => &name[..i + 2],
            None => "",
        };
        prefix.starts_with(adt_prefix)
            && (self.cx.is_ancestor(self.cx.prelude_mod, self.module) == self.adt_in_prelude(id))
    }

    fn adt_in_prelude(&self, id: AdtId) -> bool {
        let p = &self.cx.modules[self.cx.prelude_mod.0 as usize];
        p.types.values().any(|b| b.def == Def::Adt(id))
            || self.cx.modules.iter().enumerate().any(|(i, m)| {
                self.cx.is_ancestor(self.cx.prelude_mod, ModId(i as u32))
                    && m.types.values().any(|b| b.def == Def::Adt(id))
            })
    }

    fn check_tuple_field(&mut self, b: &ast::Expr, idx: u32, ispan: Span, span: Span) -> Expr {
        let base = self.check_expr(b);
        let bt = self.resolve(&base.ty);
        if bt.is_error() {
            return Self::error_expr(span);
        }
        let steps = self.autoderef_steps(&bt);
        for (i, step) in steps.iter().enumerate() {
            let ty = match step {
                Ty::Tuple(ts) => ts.get(idx as usize).cloned(),
                Ty::Adt(id, args) => {
                    let adt = &self.cx.program.adts[id.0 as usize];
                    if !adt.is_enum && adt.variants[0].kind == CtorKind::Tuple {
                        adt.variants[0]
                            .fields
                            .get(idx as usize)
                            .map(|f| f.ty.subst(args))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            if let Some(ty) = ty {
                let base = self.apply_derefs(base, &steps, i);
                return Self::mk(ExprKind::Field(Box::new(base), idx), ty, span);
            }
        }
        let tn = self.tyname(&bt);
        self.err(
            Diagnostic::error("E0609", format!("no field `{idx}` on type `{tn}`"), ispan)
                .with_label("unknown field"),
        );
        Self::error_expr(span)
    }

    fn check_index(&mut self, b: &ast::Expr, i: &ast::Expr, span: Span) -> Expr {
        let base = self.check_expr(b);
        if let ast::ExprKind::Range { lo, hi, inclusive } = &i.kind {
            return self.check_range_index(base, lo.as_deref(), hi.as_deref(), *inclusive, span);
        }
        let idx = self.check_expr_coerce(i, &Ty::usize());
        let bt = self.resolve(&base.ty);
        if bt.is_error() {
            return Self::error_expr(span);
        }
        let lang = self.cx.program.lang.clone();
        let steps = self.autoderef_steps(&bt);
        for (k, step) in steps.iter().enumerate() {
            let elem = match step {
                Ty::Array(t, _) | Ty::Slice(t) => Some((**t).clone()),
                Ty::Adt(id, args) if Some(*id) == lang.vec || Some(*id) == lang.gpu_buffer => {
                    args.first().cloned()
                }
                _ => None,
            };
            if let Some(elem) = elem {
                // A Vec is indexed directly (not through its slice deref).
                let base = self.apply_derefs(base, &steps, k);
                return Self::mk(ExprKind::Index(Box::new(base), Box::new(idx)), elem, span);
            }
        }
        let tn = self.tyname(&bt);
        self.err(Diagnostic::error(
            "E0608",
            format!("cannot index into a value of type `{tn}`"),
            b.span,
        ));
        Self::error_expr(span)
    }

    /// `s[lo..hi]` (and `lo..=hi`, `lo..`, `..hi`, `..`) of an array, slice or `Vec`: the
    /// place `*s.index_range(lo, hi)` (or `index_range_inclusive`, `index_from`), a `[T]`
    /// borrowed from `s`, as Rust's `Index<Range>` is; of a `str` or `String`, the `str`
    /// methods of the same names, a `str`.
    fn check_range_index(
        &mut self,
        base: Expr,
        lo: Option<&ast::Expr>,
        hi: Option<&ast::Expr>,
        inclusive: bool,
        span: Span,
    ) -> Expr {
        let bt = self.resolve(&base.ty);
        if bt.is_error() {
            return Self::error_expr(span);
        }
        let steps = self.autoderef_steps(&bt);
        let text = steps.iter().position(|t| matches!(t, Ty::Str));
        let Some((k, elem)) = self.first_sequence(&steps).or(text.map(|k| (k, Ty::Str))) else {
            let tn = self.tyname(&bt);
            self.err(
                Diagnostic::error(
                    "Z0007",
                    format!("slicing a value of type `{tn}` with a range is not supported"),
                    span,
                )
                .with_help("arrays, slices, `Vec`, `str` and `String` can be sliced: `&v[a..b]`"),
            );
            return Self::error_expr(span);
        };
        let base = self.apply_derefs(base, &steps, k);
        let bspan = base.span;
        let borrowed = Self::mk(
            ExprKind::Ref(false, Box::new(base.clone())),
            Ty::Ref(false, Box::new(base.ty.clone())),
            bspan,
        );
        // A `str` is sliced by its own methods (ends on char boundaries), a sequence as `[T]`.
        let (slice_ty, generics) = if elem == Ty::Str {
            (Ty::Str, vec![])
        } else {
            (Ty::Slice(Box::new(elem.clone())), vec![elem])
        };
        let recv = self.coerce(borrowed, &Ty::Ref(false, Box::new(slice_ty.clone())), bspan);
        let mut args = vec![recv];
        let name = match (lo, hi, inclusive) {
            (_, Some(_), true) => "index_range_inclusive",
            (_, Some(_), false) => "index_range",
            (_, None, _) => "index_from",
        };
        let lo = match lo {
            Some(e) => self.check_expr_coerce(e, &Ty::usize()),
            None => Self::mk(ExprKind::Lit(LitValue::Int(0)), Ty::usize(), span),
        };
        args.push(lo);
        if let Some(h) = hi {
            args.push(self.check_expr_coerce(h, &Ty::usize()));
        }
        let Some((_, AssocDef::Fn(func))) = self.cx.find_assoc(&slice_ty, name) else {
            return Self::error_expr(span);
        };
        let call = Self::mk(
            ExprKind::Call {
                func,
                generics,
                args,
                autoref: false,
            },
            Ty::Ref(false, Box::new(slice_ty.clone())),
            span,
        );
        Self::mk(ExprKind::Deref(Box::new(call)), slice_ty, span)
    }

    /// Whether `t` is `Copy`, an integer or float literal's variable included.
    fn copy_elem(&self, t: &Ty) -> bool {
        match self.zonk(t) {
            Ty::Infer(v) => matches!(self.vars[v as usize].kind, VarKind::Int | VarKind::Float),
            z => self.cx.program.is_copy(&z, &self.generics),
        }
    }

    /// `&*s` of a `str` or `String` (or a reference to one) receiving `method`: a `&str`.
    fn str_ref_of(&mut self, recv: Expr, method: &str, span: Span) -> Option<Expr> {
        let rt = self.resolve(&recv.ty);
        let steps = self.autoderef_steps(&rt);
        let Some(k) = steps.iter().position(|t| matches!(t, Ty::Str)) else {
            let n = self.tyname(&rt);
            self.err(Diagnostic::error(
                "E0599",
                format!("no method named `{method}` found for `{n}`"),
                span,
            ));
            return None;
        };
        let s = self.apply_derefs(recv, &steps, k);
        let sspan = s.span;
        Some(Self::mk(
            ExprKind::Ref(false, Box::new(s)),
            Ty::Ref(false, Box::new(Ty::Str)),
            sspan,
        ))
    }

    /// `s.bytes()` of a `str` or `String`: the place `*s.as_bytes()`, a `[u8]`.
    fn bytes_of(&mut self, recv: Expr, span: Span) -> Option<Expr> {
        let r = self.str_ref_of(recv, "bytes", span)?;
        let Some((_, AssocDef::Fn(func))) = self.cx.find_assoc(&Ty::Str, "as_bytes") else {
            return None;
        };
        let bytes = Ty::Slice(Box::new(Ty::Int(IntTy::U8)));
        let call = Self::mk(
            ExprKind::Call {
                func,
                generics: vec![],
                args: vec![r],
                autoref: false,
            },
            Ty::Ref(false, Box::new(bytes.clone())),
            span,
        );
        Some(Self::mk(ExprKind::Deref(Box::new(call)), bytes, span))
    }

    fn check_try(&mut self, x: &ast::Expr, span: Span) -> Expr {
        self.deny_in_spec("`?`", span);
        let inner = self.check_expr(x);
        let lang = self.cx.program.lang.clone();
        let ret = self.resolve(&self.ret_ty.clone());
        let inner = self.try_error_from_str(inner, &ret);
        let t = self.resolve(&inner.ty);
        let (value_ty, ok) = match (&t, &ret) {
            (Ty::Adt(a, args), Ty::Adt(r, _))
                if Some(*a) == lang.option && Some(*r) == lang.option =>
            {
                (args[0].clone(), true)
            }
            (Ty::Adt(a, args), Ty::Adt(r, rargs))
                if Some(*a) == lang.result && Some(*r) == lang.result =>
            {
                let ok = self.unify(&args[1], &rargs[1]);
                if !ok {
                    let (e1, e2) = (self.tyname(&args[1]), self.tyname(&rargs[1]));
                    self.err(
                        Diagnostic::error(
                            "E0277",
                            format!("`?` couldn't convert the error to `{e2}`"),
                            span,
                        )
                        .with_label(format!("the error type is `{e1}`"))
                        .with_note("of Rust's `From` conversions, `?` applies only `&str` to `String`: otherwise the error types must be equal"),
                    );
                    return Self::error_expr(span);
                }
                (args[0].clone(), true)
            }
            (Ty::Error, _) | (_, Ty::Error) => (Ty::Error, true),
            (Ty::Adt(a, _), _) if Some(*a) == lang.option || Some(*a) == lang.result => {
                (Ty::Error, false)
            }
            _ => {
                let n = self.tyname(&t);
                self.err(Diagnostic::error("E0277", format!("the `?` operator can only be applied to values of type `Option` or `Result`, not `{n}`"), span)
                    .with_label("the `?` operator cannot be applied here"));
                return Self::error_expr(span);
            }
        };
        if !ok {
            let n = self.tyname(&ret);
            self.err(Diagnostic::error("E0277", "the `?` operator can only be used in a function that returns `Option` or `Result` of the same kind", span)
                .with_label(format!("this function returns `{n}`")));
            return Self::error_expr(span);
        }
        Self::mk(ExprKind::Try(Box::new(inner)), value_ty, span)
    }

    /// `?` on a `Result<T, &str>` in a function returning `Result<U, String>` converts the
    /// error as Rust's `From<&str> for String` does: the checked `inner` is bound to a hidden
    /// local and matched, `Err(e)` becoming `Err(String::from(e))`. Anything else is returned
    /// as it is.
    fn try_error_from_str(&mut self, inner: Expr, ret: &Ty) -> Expr {
        let lang = &self.cx.program.lang;
        let (Ty::Adt(a, args), Ty::Adt(r, rargs)) = (self.resolve(&inner.ty), ret.clone()) else {
            return inner;
        };
        let str_ref = Ty::Ref(false, Box::new(Ty::Str));
        let converts = Some(a) == lang.result
            && Some(r) == lang.result
            && self.resolve(&args[1]) == str_ref
            && self.is_string(&rargs[1]);
        if !converts {
            return inner;
        }
        let sp = inner.span;
        let at = AstAt { sp };
        let (name, v, e) = ("try·result", "try·value", "try·error");
        let arm = |pat: ast::Pat, body: ast::Expr| ast::Arm {
            pat,
            guard: None,
            body,
            span: sp,
        };
        let variant = |name: &str, pats: Vec<ast::Pat>| ast::Pat {
            kind: ast::PatKind::TupleStruct(at.path(name), pats),
            span: sp,
        };
        let call =
            |f: ast::Expr, arg: ast::Expr| at.expr(ast::ExprKind::Call(Box::new(f), vec![arg]));
        let string_from = at.expr(ast::ExprKind::Path(ast::Path {
            segments: ["String", "from"]
                .iter()
                .map(|n| ast::PathSegment {
                    ident: at.ident(n),
                    generics: None,
                })
                .collect(),
            span: sp,
        }));
        let converted = at.expr(ast::ExprKind::Match(
            Box::new(at.var(name)),
            vec![
                arm(
                    variant("Ok", vec![at.binding(v, false)]),
                    call(at.var("Ok"), at.var(v)),
                ),
                arm(
                    variant("Err", vec![at.binding(e, false)]),
                    call(at.var("Err"), call(string_from, at.var(e))),
                ),
            ],
        ));
        let expected = Ty::Adt(a, vec![args[0].clone(), rargs[1].clone()]);
        self.under_hidden_let(name, inner, sp, |me| {
            me.check_expr_coerce(&converted, &expected)
        })
    }

    // ------------------------------------------------------------ struct literals

    fn check_struct_lit(
        &mut self,
        path: &ast::Path,
        fields: &[ast::FieldInit],
        base: Option<&ast::Expr>,
        span: Span,
    ) -> Expr {
        let idents: Vec<ast::Ident> = path.segments.iter().map(|s| s.ident.clone()).collect();
        let target = if path.as_ident().is_some_and(|i| i.name == "Self") {
            match &self.self_ty {
                Some(Ty::Adt(id, args)) if !self.cx.program.adts[id.0 as usize].is_enum => {
                    Some((*id, 0u32, args.clone()))
                }
                _ => None,
            }
        } else {
            match self.cx.resolve_path(self.module, &idents, Ns::Type) {
                Ok(Binding {
                    def: Def::Adt(id), ..
                }) if !self.cx.program.adts[id.0 as usize].is_enum => {
                    let ty = self.path_prefix_ty(&path.segments, span);
                    match ty {
                        Some(Ty::Adt(_, args)) => Some((id, 0, args)),
                        _ => None,
                    }
                }
                _ => match self.resolve_value(path) {
                    Ok(ValueRes::Ctor(adt, v, args)) => Some((adt, v, args)),
                    _ => None,
                },
            }
        };
        let Some((adt, v, targs)) = target else {
            self.err(
                Diagnostic::error(
                    "E0422",
                    format!(
                        "cannot find struct, variant or union type `{}` in this scope",
                        path.text()
                    ),
                    path.span,
                )
                .with_label("not found in this scope"),
            );
            for f in fields {
                self.check_expr(&f.value);
            }
            return Self::error_expr(span);
        };
        let var = self.cx.program.adts[adt.0 as usize].variants[v as usize].clone();
        let adt_name = self.cx.program.adts[adt.0 as usize].name.clone();
        let mut out: Vec<(u32, Expr)> = Vec::new();
        for f in fields {
            let Some(fi) = var.fields.iter().position(|fd| fd.name == f.name.name) else {
                self.err(
                    Diagnostic::error(
                        "E0560",
                        format!("struct `{adt_name}` has no field named `{}`", f.name.name),
                        f.name.span,
                    )
                    .with_label("unknown field"),
                );
                self.check_expr(&f.value);
                continue;
            };
            if out.iter().any(|(i, _)| *i == fi as u32) {
                self.err(
                    Diagnostic::error(
                        "E0062",
                        format!("field `{}` specified more than once", f.name.name),
                        f.name.span,
                    )
                    .with_label("used more than once"),
                );
                continue;
            }
            if !var.fields[fi].public && !self.adt_is_local(adt) {
                self.err(
                    Diagnostic::error(
                        "E0451",
                        format!("field `{}` of struct `{adt_name}` is private", f.name.name),
                        f.name.span,
                    )
                    .with_label("private field"),
                );
            }
            let ty = var.fields[fi].ty.subst(&targs);
            let e = self.check_expr_coerce(&f.value, &ty);
            out.push((fi as u32, e));
        }
        let adt_ty = Ty::Adt(adt, targs);
        let base = base.map(|b| Box::new(self.check_expr_coerce(b, &adt_ty)));
        if base.is_none() {
            let missing: Vec<String> = var
                .fields
                .iter()
                .enumerate()
                .filter(|(i, _)| !out.iter().any(|(j, _)| *j == *i as u32))
                .map(|(_, f)| format!("`{}`", f.name))
                .collect();
            if !missing.is_empty() {
                self.err(
                    Diagnostic::error(
                        "E0063",
                        format!(
                            "missing field{} {} in initializer of `{adt_name}`",
                            if missing.len() == 1 { "" } else { "s" },
                            missing.join(", ")
                        ),
                        path.span,
                    )
                    .with_label(format!("missing {}", missing.join(", "))),
                );
            }
        }
        Self::mk(
            ExprKind::Ctor {
                adt,
                variant: v,
                fields: out,
                base,
            },
            adt_ty,
            span,
        )
    }

    // ------------------------------------------------------------ blocks and control flow

    pub fn check_block_expr(&mut self, b: &ast::Block, expect: Option<&Ty>) -> Expr {
        self.push_scope();
        let mut stmts = Vec::new();
        let mut diverges = false;
        let mut let_else = None;
        for (i, s) in b.stmts.iter().enumerate() {
            match &s.kind {
                ast::StmtKind::Let(l) if l.els.is_some() => {
                    // The rest of the block runs in the pattern's arm (Rust's meaning).
                    let_else = Some(self.let_else_match(s, l, &b.stmts[i + 1..], b));
                    break;
                }
                ast::StmtKind::Let(l) => {
                    let (pat, ty, init) = (&l.pat, &l.ty, &l.init);
                    let mut ghost = false;
                    for a in &s.attrs {
                        if a.is("ghost") {
                            ghost = true;
                        } else {
                            self.err(Diagnostic::error(
                                "Z0006",
                                format!("attribute `{}` is not allowed on `let`", a.path.text()),
                                a.span,
                            ));
                        }
                    }
                    let declared = ty.as_ref().map(|t| self.lower_ty(t));
                    let outer_ghost_let = std::mem::replace(&mut self.ghost_let, ghost);
                    let init = init.as_ref().map(|e| match &declared {
                        Some(t) => self.check_expr_coerce(e, t),
                        None => self.check_expr(e),
                    });
                    self.ghost_let = outer_ghost_let;
                    if ghost {
                        match &init {
                            None => self.err(Diagnostic::error(
                                "Z0011",
                                "a `#[ghost] let` needs an initializer",
                                pat.span,
                            )),
                            Some(e) => {
                                if let Some((sp, what)) = ghost_init_problem(&self.cx.program, e) {
                                    self.err(
                                        Diagnostic::error(
                                            "Z0011",
                                            format!("{what} in a `#[ghost] let`"),
                                            sp,
                                        )
                                        .with_label("ghost code is erased before code generation")
                                        .with_help("a ghost initializer must not change anything or branch"),
                                    );
                                }
                            }
                        }
                    }
                    if init
                        .as_ref()
                        .is_some_and(|e| matches!(self.resolve(&e.ty), Ty::Never))
                    {
                        diverges = true;
                    }
                    let ty = declared
                        .or_else(|| init.as_ref().map(|e| e.ty.clone()))
                        .unwrap_or_else(|| self.fresh(pat.span));
                    let p = self.check_pattern(pat, &ty, true);
                    if ghost {
                        let mut bound = Vec::new();
                        pat_locals(&p, &mut bound);
                        self.ghost_locals.extend(bound);
                    }
                    stmts.push(Stmt::Let {
                        pat: p,
                        init,
                        ghost,
                        span: s.span,
                    });
                }
                ast::StmtKind::Expr { expr, semi } => {
                    for a in &s.attrs {
                        self.err(Diagnostic::error("Z0006", format!("attribute `{}` is not allowed here", a.path.text()), a.span)
                            .with_help("loop attributes (`invariant`, `decreases`) go right before `while`, `loop` or `for`"));
                    }
                    let e = self.check_expr(expr);
                    let et = self.resolve(&e.ty);
                    if matches!(et, Ty::Never) {
                        diverges = true;
                    } else if !*semi && !et.is_unit() && !et.is_error() && expr.kind.is_block_like()
                    {
                        let n = self.tyname(&et);
                        self.err(
                            Diagnostic::error("E0308", "mismatched types", e.span)
                                .with_label(format!("expected `()`, found `{n}`"))
                                .with_help(
                                    "add `;` after the expression, or use it as the block's value",
                                ),
                        );
                    }
                    stmts.push(Stmt::Expr(e));
                }
                ast::StmtKind::Error => {}
            }
        }
        // A block's tail is a coercion site when the block's type is known.
        let tail = match let_else {
            Some(m) => Some(Box::new(self.check_let_else(&m, expect))),
            None => b.tail.as_ref().map(|t| {
                let x = self.check_expr_expect(t, expect);
                Box::new(match expect {
                    Some(ty) if !matches!(self.resolve(ty), Ty::Infer(_)) => {
                        self.coerce(x, ty, t.span)
                    }
                    _ => x,
                })
            }),
        };
        self.pop_scope();
        let ty = match &tail {
            Some(t) => t.ty.clone(),
            None if diverges => Ty::Never,
            None => Ty::unit(),
        };
        Self::mk(ExprKind::Block(Block { stmts, tail }), ty, b.span)
    }

    /// `let PAT = e else { d }; rest` as `match e { PAT => { rest }, _ => { d } }`.
    fn let_else_match(
        &mut self,
        s: &ast::Stmt,
        l: &ast::LetStmt,
        rest: &[ast::Stmt],
        b: &ast::Block,
    ) -> ast::Expr {
        if let Some(a) = s.attrs.first() {
            self.err(Diagnostic::error(
                "Z0006",
                format!(
                    "attribute `{}` is not allowed on `let ... else`",
                    a.path.text()
                ),
                a.span,
            ));
        }
        if let Some(t) = &l.ty {
            self.err(
                Diagnostic::error(
                    "Z0007",
                    "a type annotation on `let ... else` is not supported",
                    t.span,
                )
                .with_help("annotate the initializer instead"),
            );
        }
        let els = l.els.clone().unwrap_or(ast::Block {
            stmts: vec![],
            tail: None,
            span: s.span,
        });
        let init = l.init.clone().unwrap_or(ast::Expr {
            kind: ast::ExprKind::Error,
            span: s.span,
        });
        let rest = ast::Block {
            stmts: rest.to_vec(),
            tail: b.tail.clone(),
            span: b.span,
        };
        let arms = vec![
            ast::Arm {
                pat: l.pat.clone(),
                guard: None,
                body: ast::Expr {
                    kind: ast::ExprKind::Block(rest),
                    span: b.span,
                },
                span: s.span,
            },
            ast::Arm {
                pat: ast::Pat {
                    kind: ast::PatKind::Wild,
                    span: els.span,
                },
                guard: None,
                body: ast::Expr {
                    span: els.span,
                    kind: ast::ExprKind::Block(els),
                },
                span: s.span,
            },
        ];
        ast::Expr {
            kind: ast::ExprKind::Match(Box::new(init), arms),
            span: s.span,
        }
    }

    /// Checks the match of [`Self::let_else_match`]; its `else` arm must diverge (E0308).
    fn check_let_else(&mut self, m: &ast::Expr, expect: Option<&Ty>) -> Expr {
        let x = self.check_expr_expect(m, expect);
        if let ExprKind::Match(_, arms) = &x.kind {
            if let Some(els) = arms.get(1) {
                let diverges = matches!(els.body.kind, ExprKind::Coerce(Coercion::NeverToAny, _))
                    || matches!(self.resolve(&els.body.ty), Ty::Never | Ty::Error);
                if !diverges {
                    let n = self.tyname(&els.body.ty);
                    self.err(
                        Diagnostic::error(
                            "E0308",
                            "`else` clause of `let...else` does not diverge",
                            els.body.span,
                        )
                        .with_label(format!("expected `!`, found `{n}`"))
                        .with_help(
                            "try adding a diverging expression, such as `return` or `panic!(..)`",
                        ),
                    );
                }
            }
        }
        x
    }

    fn block_expr(&mut self, b: &ast::Block, expect: Option<&Ty>) -> Expr {
        self.check_block_expr(b, expect)
    }

    /// The common type of two branches (`if`/`else`, match arms): `!` gives way to the other.
    fn join(&mut self, a: Expr, b: Expr, expect: Option<&Ty>) -> (Expr, Expr, Ty) {
        let (ta, tb) = (self.resolve(&a.ty), self.resolve(&b.ty));
        if let Some(t) = expect {
            let t = t.clone();
            let (sa, sb) = (a.span, b.span);
            let a = self.coerce(a, &t, sa);
            let b = self.coerce(b, &t, sb);
            return (a, b, t);
        }
        if matches!(ta, Ty::Never) {
            return (a, b, tb);
        }
        if matches!(tb, Ty::Never) {
            return (a, b, ta);
        }
        let sb = b.span;
        let b = self.coerce(b, &ta, sb);
        (a, b, ta)
    }

    fn check_cond(&mut self, c: &ast::Cond) -> CondRes {
        match c {
            ast::Cond::Expr(e) => CondRes::Expr(self.check_expr_coerce(e, &Ty::Bool)),
            ast::Cond::Let(p, e) => {
                let scrut = self.check_expr(e);
                let t = scrut.ty.clone();
                self.push_scope();
                let pat = self.check_pattern(p, &t, false);
                CondRes::Let(pat, scrut)
            }
        }
    }

    fn check_if(
        &mut self,
        cond: &ast::Cond,
        then: &ast::Block,
        els: Option<&ast::Expr>,
        expect: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let c = self.check_cond(cond);
        let t = self.block_expr(then, expect);
        if let CondRes::Let(..) = c {
            self.pop_scope();
        }
        let (t, e, ty) = match els {
            Some(e) => {
                let e = self.check_expr_expect(e, expect);
                let (t, e, ty) = self.join(t, e, expect);
                (t, Some(e), ty)
            }
            None => {
                let tt = self.resolve(&t.ty);
                if !tt.is_unit() && !matches!(tt, Ty::Never | Ty::Error) {
                    let n = self.tyname(&tt);
                    self.err(
                        Diagnostic::error("E0317", "`if` may be missing an `else` clause", span)
                            .with_label(format!("expected `()`, found `{n}`")),
                    );
                }
                (t, None, Ty::unit())
            }
        };
        match c {
            CondRes::Expr(c) => Self::mk(
                ExprKind::If(Box::new(c), Box::new(t), e.map(Box::new)),
                ty,
                span,
            ),
            CondRes::Let(pat, scrut) => {
                // `if let P = e { a } else { b }` is `match e { P => a, _ => b }`.
                let els = e.unwrap_or_else(|| {
                    Self::mk(
                        ExprKind::Block(Block {
                            stmts: vec![],
                            tail: None,
                        }),
                        Ty::unit(),
                        span,
                    )
                });
                let wild = Pat {
                    kind: PatKind::Wild,
                    ty: scrut.ty.clone(),
                    span: pat.span,
                };
                let arms = vec![
                    Arm {
                        span: t.span,
                        pat,
                        guard: None,
                        body: t,
                    },
                    Arm {
                        span: els.span,
                        pat: wild,
                        guard: None,
                        body: els,
                    },
                ];
                Self::mk(ExprKind::Match(Box::new(scrut), arms), ty, span)
            }
        }
    }

    fn check_match(
        &mut self,
        s: &ast::Expr,
        arms: &[ast::Arm],
        expect: Option<&Ty>,
        span: Span,
    ) -> Expr {
        let scrut = self.check_expr(s);
        let st = scrut.ty.clone();
        let mut out: Vec<Arm> = Vec::new();
        let mut result_ty: Option<Ty> = expect.cloned();
        for a in arms {
            self.push_scope();
            let pat = self.check_pattern(&a.pat, &st, false);
            let guard = a
                .guard
                .as_ref()
                .map(|g| self.check_expr_coerce(g, &Ty::Bool));
            let body = self.check_expr_expect(&a.body, result_ty.as_ref());
            self.pop_scope();
            let body = match &result_ty {
                Some(t) => {
                    let t = t.clone();
                    self.coerce(body, &t, a.body.span)
                }
                None => {
                    if !matches!(self.resolve(&body.ty), Ty::Never) {
                        result_ty = Some(body.ty.clone());
                    }
                    body
                }
            };
            out.push(Arm {
                pat,
                guard,
                body,
                span: a.span,
            });
        }
        let ty = result_ty.unwrap_or(Ty::Never);
        Self::mk(ExprKind::Match(Box::new(scrut), out), ty, span)
    }

    /// `#[invariant(e)]` and `#[decreases(e, ..)]` of a loop.
    fn loop_specs(&mut self, attrs: &[ast::Attr], span: Span) -> (Vec<Expr>, Vec<Expr>) {
        let outer = self.spec;
        let mut inv = Vec::new();
        let mut dec = Vec::new();
        for a in attrs {
            let name = a.path.text();
            match name.as_str() {
                "invariant" => {
                    for e in self.spec_args(a, 1) {
                        self.spec = Spec::Invariant;
                        let x = self.check_bool_spec(e);
                        inv.push(x);
                    }
                }
                "decreases" => {
                    for e in self.spec_args(a, usize::MAX) {
                        self.spec = Spec::Decreases;
                        let x = self.check_decreases(e);
                        dec.push(x);
                    }
                }
                _ => self.err(
                    Diagnostic::error(
                        "Z0006",
                        format!("attribute `{name}` is not allowed on a loop"),
                        a.span,
                    )
                    .with_help("loops take `#[invariant(..)]` and `#[decreases(..)]`"),
                ),
            }
            self.spec = outer;
        }
        if self.ghost && !self.in_spec() && dec.is_empty() {
            // Erasing a call assumes it returns: a lemma that loops forever proves anything.
            self.err(
                Diagnostic::error("Z0011", "a loop in a `#[ghost]` function needs `#[decreases]`", span)
                    .with_label("this loop")
                    .with_help("a ghost function must terminate: its calls are erased, and its postcondition assumed"),
            );
        }
        (inv, dec)
    }

    /// The index in `self.loops` of the loop a `break`/`continue` leaves: the innermost, or
    /// the one with that label (E0268 outside a loop, E0426 for an unknown label).
    fn loop_target(&mut self, what: &str, label: Option<&ast::Ident>, span: Span) -> Option<usize> {
        match label {
            None if self.loops.is_empty() => {
                self.err(
                    Diagnostic::error("E0268", format!("`{what}` outside of a loop"), span)
                        .with_label(format!("cannot `{what}` outside of a loop")),
                );
                None
            }
            None => Some(self.loops.len() - 1),
            Some(l) => {
                let at = self
                    .loops
                    .iter()
                    .rposition(|c| c.label.as_deref() == Some(l.name.as_str()));
                if at.is_none() {
                    self.err(
                        Diagnostic::error(
                            "E0426",
                            format!("use of undeclared label `{}`", l.name),
                            l.span,
                        )
                        .with_label(format!("undeclared label `{}`", l.name)),
                    );
                }
                at
            }
        }
    }

    fn check_while(
        &mut self,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        cond: &ast::Cond,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        self.deny_in_spec("a loop", span);
        let (invariants, decreases) = self.loop_specs(attrs, span);
        let c = self.check_cond(cond);
        self.loops.push(LoopCx {
            is_loop: false,
            break_ty: None,
            label: label.map(|l| l.name.clone()),
        });
        let b = self.block_expr(body, Some(&Ty::unit()));
        let b = self.coerce(b, &Ty::unit(), body.span);
        self.loops.pop();
        match c {
            CondRes::Expr(c) => Self::mk(
                ExprKind::While {
                    cond: Box::new(c),
                    body: Box::new(b),
                    invariants,
                    decreases,
                },
                Ty::unit(),
                span,
            ),
            CondRes::Let(pat, scrut) => {
                self.pop_scope();
                // `while let P = e { b }` is `loop { match e { P => b, _ => break } }`.
                let brk = Self::mk(ExprKind::Break(0, None), Ty::Never, span);
                let wild = Pat {
                    kind: PatKind::Wild,
                    ty: scrut.ty.clone(),
                    span: pat.span,
                };
                let arms = vec![
                    Arm {
                        span: b.span,
                        pat,
                        guard: None,
                        body: b,
                    },
                    Arm {
                        span,
                        pat: wild,
                        guard: None,
                        body: brk,
                    },
                ];
                let m = Self::mk(ExprKind::Match(Box::new(scrut), arms), Ty::unit(), span);
                Self::mk(
                    ExprKind::Loop {
                        body: Box::new(m),
                        invariants,
                        decreases,
                    },
                    Ty::unit(),
                    span,
                )
            }
        }
    }

    fn check_loop(
        &mut self,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        self.deny_in_spec("a loop", span);
        let (invariants, decreases) = self.loop_specs(attrs, span);
        self.loops.push(LoopCx {
            is_loop: true,
            break_ty: None,
            label: label.map(|l| l.name.clone()),
        });
        let b = self.block_expr(body, Some(&Ty::unit()));
        let b = self.coerce(b, &Ty::unit(), body.span);
        let l = self.loops.pop().expect("pushed above");
        let ty = l.break_ty.unwrap_or(Ty::Never);
        Self::mk(
            ExprKind::Loop {
                body: Box::new(b),
                invariants,
                decreases,
            },
            ty,
            span,
        )
    }

    /// `for PAT in s.split_whitespace()` and `for PAT in s.split(p)` (`p` a `&str`, a
    /// `String` or a `char`), checked as `while` loops over the string's parts with the
    /// prelude's `str::vez_next_word` and `str::vez_split_step`, whose contracts keep the
    /// parts' ends in bounds and on char boundaries:
    /// `{ let s = &*s; let mut w = s.vez_next_word(0); while w.0 < w.1 { let (a, b) = w;
    /// w = s.vez_next_word(b); let PAT = &s[a..b]; BODY } }` and
    /// `{ let s = &*s; let mut i = 0; let mut more = true; while more {
    /// let t = s.vez_split_step(i, p); more = t.3; if more { i = t.2 } let PAT = &s[t.0..t.1];
    /// BODY } }`, with hidden names (`split·..`) the body cannot see.
    #[allow(clippy::too_many_arguments)]
    fn check_for_split(
        &mut self,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        pat: &ast::Pat,
        recv: &ast::Expr,
        sep: Option<&ast::Expr>,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        let method = if sep.is_some() {
            "split"
        } else {
            "split_whitespace"
        };
        let r = self.check_expr(recv);
        let Some(r) = self.str_ref_of(r, method, recv.span) else {
            return Self::error_expr(span);
        };
        let sp = recv.span;
        let a = AstAt { sp };
        let s = "split·s";
        let field = |v: &str, k: u32| a.expr(ast::ExprKind::TupleField(Box::new(a.var(v)), k, sp));
        let slice = |lo: ast::Expr, hi: ast::Expr| {
            a.shared_ref(a.expr(ast::ExprKind::Index(
                Box::new(a.var(s)),
                Box::new(a.expr(ast::ExprKind::Range {
                    lo: Some(Box::new(lo)),
                    hi: Some(Box::new(hi)),
                    inclusive: false,
                })),
            )))
        };
        self.push_scope();
        let mut hidden = vec![self.hidden_let(s, r)];
        let lowered = match sep {
            None => {
                let w = "split·w";
                let boundary = |k| a.call(a.var(s), "is_char_boundary", vec![field(w, k)]);
                let inv = a.bin(
                    ast::BinOp::And,
                    a.bin(
                        ast::BinOp::And,
                        a.bin(ast::BinOp::Le, field(w, 0), field(w, 1)),
                        a.bin(ast::BinOp::Le, field(w, 1), a.call(a.var(s), "len", vec![])),
                    ),
                    a.bin(
                        ast::BinOp::Implies,
                        a.bin(ast::BinOp::Lt, field(w, 0), field(w, 1)),
                        a.bin(ast::BinOp::And, boundary(0), boundary(1)),
                    ),
                );
                let next = |at| a.call(a.var(s), "vez_next_word", vec![at]);
                a.while_in_block(
                    vec![a.let_(a.binding(w, true), next(a.usize_lit(0)))],
                    inv,
                    attrs,
                    label,
                    a.bin(ast::BinOp::Lt, field(w, 0), field(w, 1)),
                    vec![
                        a.let_(a.binding("split·a", false), field(w, 0)),
                        a.let_(a.binding("split·b", false), field(w, 1)),
                        a.assign(a.var(w), next(a.var("split·b"))),
                        a.let_(pat.clone(), slice(a.var("split·a"), a.var("split·b"))),
                    ],
                    body,
                    span,
                )
            }
            Some(sep) => {
                let p = self.check_expr(sep);
                let mut pre = vec![
                    a.let_(a.binding("split·i", true), a.usize_lit(0)),
                    a.let_(
                        a.binding("split·more", true),
                        a.expr(ast::ExprKind::Lit(ast::Lit::Bool(true))),
                    ),
                ];
                let pattern = if matches!(self.resolve(&p.ty), Ty::Char) {
                    hidden.push(self.hidden_let("split·c", p));
                    // The char as a one-char String (`push` is what proves it not empty).
                    pre.push(a.let_(
                        a.binding("split·ps", true),
                        a.call_path(&["String", "new"], vec![]),
                    ));
                    pre.push(a.semi(a.call(a.var("split·ps"), "push", vec![a.var("split·c")])));
                    a.call(a.var("split·ps"), "as_str", vec![])
                } else {
                    let Some(p) = self.str_ref_of(p, "split", sep.span) else {
                        self.pop_scope();
                        return Self::error_expr(span);
                    };
                    hidden.push(self.hidden_let("split·p", p));
                    a.var("split·p")
                };
                let t = "split·t";
                a.while_in_block(
                    pre,
                    a.bin(
                        ast::BinOp::Le,
                        a.var("split·i"),
                        a.call(a.var(s), "len", vec![]),
                    ),
                    attrs,
                    label,
                    a.var("split·more"),
                    vec![
                        a.let_(
                            a.binding(t, false),
                            a.call(a.var(s), "vez_split_step", vec![a.var("split·i"), pattern]),
                        ),
                        a.assign(a.var("split·more"), field(t, 3)),
                        a.semi(a.if_else(
                            a.var("split·more"),
                            vec![a.assign(a.var("split·i"), field(t, 2))],
                            vec![],
                        )),
                        a.let_(pat.clone(), slice(field(t, 0), field(t, 1))),
                    ],
                    body,
                    span,
                )
            }
        };
        let rest = self.check_expr(&lowered);
        self.pop_scope();
        hidden.push(Stmt::Expr(rest));
        Self::mk(
            ExprKind::Block(Block {
                stmts: hidden,
                tail: None,
            }),
            Ty::unit(),
            span,
        )
    }

    /// `for PAT in s.chars() { BODY }` is checked as
    /// `{ let s = &*s; let mut i = 0; while i < s.len() { let d = s.vez_next_char(i);
    /// i += d.1; let PAT = d.0; BODY } }` with the invariant `i <= s.len()` beside the loop's
    /// own. The hidden names contain `·` (`hir::is_hidden_name`), which no identifier can, so
    /// the body cannot see them.
    /// `for (k, c) in s.char_indices()` names the counter `k` and binds `let (k, c) = (start,
    /// d.0)` in the body: there `k` is the char's byte offset, and in an invariant the bytes
    /// done so far (as an `enumerate` index means the elements done so far).
    #[allow(clippy::too_many_arguments)]
    fn check_for_chars(
        &mut self,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        pat: &ast::Pat,
        recv: &ast::Expr,
        mode: CharsMode,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        let method = if mode == CharsMode::ByteIndex {
            "char_indices"
        } else {
            "chars"
        };
        let r = self.check_expr(recv);
        let Some(r) = self.str_ref_of(r, method, recv.span) else {
            return Self::error_expr(span);
        };
        // An invariant names the pattern's first name: the byte index after `char_indices`,
        // the number of chars before this one after `chars().enumerate()`.
        let first_name = |fallback: &str| match &pat.kind {
            ast::PatKind::Tuple(ps) if ps.len() == 2 => AstAt::counter_name(&ps[0], fallback),
            _ => fallback.to_string(),
        };
        let counter = match mode {
            CharsMode::ByteIndex => first_name("chars·i"),
            _ => "chars·i".to_string(),
        };
        let count = first_name("chars·n");
        let sp = recv.span;
        let a = AstAt { sp };
        let (s, i, d, n) = ("chars·s", counter.as_str(), "chars·d", count.as_str());
        let len = || a.call(a.var(s), "len", vec![]);
        let ch = a.expr(ast::ExprKind::TupleField(Box::new(a.var(d)), 0, sp));
        let value = match mode {
            CharsMode::Plain => ch,
            CharsMode::ByteIndex | CharsMode::Count => {
                a.expr(ast::ExprKind::Tuple(vec![a.var("chars·at"), ch]))
            }
        };
        let mut stmts = vec![a.let_(
            a.binding(d, false),
            a.call(a.var(s), "vez_next_char", vec![a.var(i)]),
        )];
        match mode {
            CharsMode::Plain => {}
            CharsMode::ByteIndex => stmts.push(a.let_(a.binding("chars·at", false), a.var(i))),
            CharsMode::Count => {
                stmts.push(a.let_(a.binding("chars·at", false), a.var(n)));
                stmts.push(a.semi(a.expr(ast::ExprKind::AssignOp(
                    ast::BinOp::Add,
                    Box::new(a.var(n)),
                    Box::new(a.usize_lit(1)),
                ))));
            }
        }
        stmts.extend([
            a.semi(a.expr(ast::ExprKind::AssignOp(
                ast::BinOp::Add,
                Box::new(a.var(i)),
                Box::new(a.expr(ast::ExprKind::TupleField(Box::new(a.var(d)), 1, sp))),
            ))),
            a.let_(pat.clone(), value),
        ]);
        let mut pre = vec![a.let_(a.binding(i, true), a.usize_lit(0))];
        let mut inv = a.bin(ast::BinOp::Le, a.var(i), len());
        if mode == CharsMode::Count {
            // Each char takes at least one byte: the count never passes the byte index.
            pre.push(a.let_(a.binding(n, true), a.usize_lit(0)));
            inv = a.bin(
                ast::BinOp::And,
                inv,
                a.bin(ast::BinOp::Le, a.var(n), a.var(i)),
            );
        }
        let lowered = a.while_in_block(
            pre,
            inv,
            attrs,
            label,
            a.bin(ast::BinOp::Lt, a.var(i), len()),
            stmts,
            body,
            span,
        );
        self.push_scope();
        let bind = self.hidden_let(s, r);
        let rest = self.check_expr(&lowered);
        self.pop_scope();
        Self::mk(
            ExprKind::Block(Block {
                stmts: vec![bind, Stmt::Expr(rest)],
                tail: None,
            }),
            Ty::unit(),
            span,
        )
    }

    /// `for PAT in (lo..hi).rev() BODY`, written as Dafny's `downto` loop: a counter that
    /// starts at `hi` (or at `lo` when the range is empty), is decremented first thing in each
    /// iteration and bound to `PAT`, and ends at `lo`. An invariant names the counter with the
    /// pattern's name: at the loop head it is the bottom of the part done (`i..hi` is done),
    /// while the body sees the element itself. `s.iter().rev()` is the same loop over
    /// `0..s.len()` with `PAT` bound to `&s[i]` (`(i, &s[i])` after `enumerate()`), `s`
    /// borrowed for the whole loop.
    #[allow(clippy::too_many_arguments)]
    fn check_for_rev(
        &mut self,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        pat: &ast::Pat,
        over: RevOver,
        range_span: Span,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        let a = AstAt { sp: range_span };
        let counter = match (over, &pat.kind) {
            (RevOver::Range(..), _) => AstAt::counter_name(pat, "rev·i"),
            (RevOver::Elements(_, true), ast::PatKind::Tuple(ps)) if ps.len() == 2 => {
                AstAt::counter_name(&ps[0], "rev·i")
            }
            (RevOver::Elements(..), _) => "rev·i".to_string(),
        };
        let i = counter.as_str();
        let s = "rev·s";
        let mut pre = Vec::new();
        let (lo, hi, value) = match over {
            RevOver::Range(lo, hi) => (lo.clone(), hi.clone(), a.var(i)),
            RevOver::Elements(seq, indexed) => {
                pre.push(a.let_(a.binding(s, false), a.shared_ref(seq.clone())));
                let elem = a.shared_ref(
                    a.expr(ast::ExprKind::Index(Box::new(a.var(s)), Box::new(a.var(i)))),
                );
                let value = if indexed {
                    a.expr(ast::ExprKind::Tuple(vec![a.var(i), elem]))
                } else {
                    elem
                };
                (a.usize_lit(0), a.call(a.var(s), "len", vec![]), value)
            }
        };
        let (l, h, top) = ("rev·lo", "rev·hi", "rev·top");
        let max = a.if_value(
            a.bin(ast::BinOp::Gt, a.var(h), a.var(l)),
            a.var(h),
            a.var(l),
        );
        let bounds = a.bin(
            ast::BinOp::And,
            a.bin(ast::BinOp::Le, a.var(l), a.var(i)),
            a.bin(ast::BinOp::Le, a.var(i), a.var(top)),
        );
        let one = a.expr(ast::ExprKind::Lit(ast::Lit::Int {
            value: 1,
            suffix: None,
        }));
        let first = vec![
            a.semi(a.expr(ast::ExprKind::AssignOp(
                ast::BinOp::Sub,
                Box::new(a.var(i)),
                Box::new(one),
            ))),
            a.let_(pat.clone(), value),
        ];
        pre.extend([
            a.let_(a.binding(l, false), lo),
            a.let_(a.binding(h, false), hi),
            a.let_(a.binding(top, false), max),
            a.let_(a.binding(i, true), a.var(top)),
        ]);
        let lowered = a.while_in_block(
            pre,
            bounds,
            attrs,
            label,
            a.bin(ast::BinOp::Gt, a.var(i), a.var(l)),
            first,
            body,
            span,
        );
        self.check_expr(&lowered)
    }

    /// `for PAT in (lo..hi).step_by(k) BODY` as a `while` loop whose counter (named as the
    /// pattern, so invariants can name it) is the next value, as in `for i in lo..hi`: `lo`
    /// on entry, `lo + k`, `lo + 2k`, ... while below `hi`, then `hi` on exit (`lo` when the
    /// range is empty). Each iteration first takes the element and moves the counter on, so
    /// `continue` needs nothing more; the distance to `hi` is measured in `i128` so that the
    /// step (a `usize`, as in Rust) never overflows the counter's type. A zero step panics,
    /// as Rust's `step_by` does, which the verifier must rule out.
    #[allow(clippy::too_many_arguments)]
    fn check_for_step_by(
        &mut self,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        pat: &ast::Pat,
        (lo, hi, step): (&ast::Expr, &ast::Expr, &ast::Expr),
        range_span: Span,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        let a = AstAt { sp: range_span };
        let counter = AstAt::counter_name(pat, "step·i");
        let i = counter.as_str();
        let (l, h, k, top, cur) = ("step·lo", "step·hi", "step·k", "step·top", "step·cur");
        let wide = |e: ast::Expr| a.cast(e, Some("i128"));
        let no_step = a.bin(ast::BinOp::Eq, a.var(k), a.usize_lit(0));
        let max = a.if_value(
            a.bin(ast::BinOp::Gt, a.var(h), a.var(l)),
            a.var(h),
            a.var(l),
        );
        let pre = vec![
            a.let_(a.binding(l, false), lo.clone()),
            a.let_(a.binding(h, false), hi.clone()),
            a.let_typed(k, "usize", step.clone()),
            {
                // The failure points at the step itself.
                let at_step = AstAt { sp: step.span };
                let panic = at_step.panic("assertion failed: step != 0");
                at_step.semi(at_step.if_else(no_step, vec![at_step.semi(panic)], vec![]))
            },
            a.let_(a.binding(top, false), max),
            a.let_(a.binding(i, true), a.var(l)),
        ];
        let bounds = a.bin(
            ast::BinOp::And,
            a.bin(ast::BinOp::Le, a.var(l), a.var(i)),
            a.bin(ast::BinOp::Le, a.var(i), a.var(top)),
        );
        let room = a.bin(ast::BinOp::Sub, wide(a.var(top)), wide(a.var(i)));
        let next = a.cast(a.bin(ast::BinOp::Add, wide(a.var(i)), wide(a.var(k))), None);
        let advance = a.if_else(
            a.bin(ast::BinOp::Gt, room, wide(a.var(k))),
            vec![a.assign(a.var(i), next)],
            vec![a.assign(a.var(i), a.var(top))],
        );
        let first = vec![
            a.let_(a.binding(cur, false), a.var(i)),
            a.semi(advance),
            a.let_(pat.clone(), a.var(cur)),
        ];
        let lowered = a.while_in_block(
            pre,
            bounds,
            attrs,
            label,
            a.bin(ast::BinOp::Lt, a.var(i), a.var(top)),
            first,
            body,
            span,
        );
        self.check_expr(&lowered)
    }

    fn check_for(
        &mut self,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        pat: &ast::Pat,
        iter: &ast::Expr,
        body: &ast::Block,
        span: Span,
    ) -> Expr {
        self.deny_in_spec("a loop", span);
        match &iter.kind {
            ast::ExprKind::Range {
                lo: Some(lo),
                hi: Some(hi),
                inclusive,
            } => {
                let lo = self.check_expr(lo);
                let hi = self.check_expr(hi);
                let t = lo.ty.clone();
                let hspan = hi.span;
                let hi = self.coerce(hi, &t, hspan);
                let rt = self.resolve(&t);
                let int_ok = matches!(rt, Ty::Int(_) | Ty::Error)
                    || matches!(rt, Ty::Infer(v) if self.vars[v as usize].kind == VarKind::Int);
                if !int_ok {
                    let n = self.tyname(&rt);
                    self.err(Diagnostic::error(
                        "E0277",
                        format!("the range `{n}..` is not an iterator: ranges of integers only"),
                        iter.span,
                    ));
                }
                self.push_scope();
                let var = match &pat.kind {
                    ast::PatKind::Ident {
                        name,
                        mutable,
                        sub: None,
                        by_ref: false,
                    } => self.new_local(&name.name, t.clone(), *mutable, pat.span, LocalKind::Let),
                    ast::PatKind::Wild => {
                        self.new_local("_", t.clone(), false, pat.span, LocalKind::Let)
                    }
                    _ => {
                        self.err(Diagnostic::error(
                            "Z0007",
                            "the variable of a range `for` loop must be a name or `_`",
                            pat.span,
                        ));
                        self.new_local("_", t.clone(), false, pat.span, LocalKind::Let)
                    }
                };
                let (invariants, decreases) = self.loop_specs(attrs, span);
                self.loops.push(LoopCx {
                    is_loop: false,
                    break_ty: None,
                    label: label.map(|l| l.name.clone()),
                });
                let b = self.block_expr(body, Some(&Ty::unit()));
                let b = self.coerce(b, &Ty::unit(), body.span);
                self.loops.pop();
                self.pop_scope();
                Self::mk(
                    ExprKind::ForRange {
                        var,
                        lo: Box::new(lo),
                        hi: Box::new(hi),
                        inclusive: *inclusive,
                        body: Box::new(b),
                        invariants,
                        decreases,
                    },
                    Ty::unit(),
                    span,
                )
            }
            ast::ExprKind::MethodCall(m)
                if m.args.is_empty()
                    && (m.method.name == "chars" || m.method.name == "char_indices") =>
            {
                let mode = if m.method.name == "char_indices" {
                    CharsMode::ByteIndex
                } else {
                    CharsMode::Plain
                };
                self.check_for_chars(attrs, label, pat, &m.receiver, mode, body, span)
            }
            ast::ExprKind::MethodCall(m)
                if m.args.is_empty() && m.method.name == "split_whitespace" =>
            {
                self.check_for_split(attrs, label, pat, &m.receiver, None, body, span)
            }
            ast::ExprKind::MethodCall(m) if m.args.len() == 1 && m.method.name == "split" => {
                let sep = Some(&m.args[0]);
                self.check_for_split(attrs, label, pat, &m.receiver, sep, body, span)
            }
            ast::ExprKind::MethodCall(m)
                if m.args.is_empty()
                    && m.method.name == "enumerate"
                    && no_arg_call(&m.receiver, "chars").is_some() =>
            {
                let recv = no_arg_call(&m.receiver, "chars").unwrap_or(&m.receiver);
                self.check_for_chars(attrs, label, pat, recv, CharsMode::Count, body, span)
            }
            ast::ExprKind::MethodCall(m) if m.args.len() == 1 && m.method.name == "step_by" => {
                let mut range = &m.receiver;
                while let ast::ExprKind::Paren(inner) = &range.kind {
                    range = inner;
                }
                match &range.kind {
                    ast::ExprKind::Range {
                        lo: Some(lo),
                        hi: Some(hi),
                        inclusive: false,
                    } => self.check_for_step_by(
                        attrs,
                        label,
                        pat,
                        (lo, hi, &m.args[0]),
                        iter.span,
                        body,
                        span,
                    ),
                    _ => {
                        self.err(
                            Diagnostic::error(
                                "Z0007",
                                "`.step_by(k)` is supported only as the iterator of a `for` loop, on a range `a..b`",
                                iter.span,
                            )
                            .with_help("for `a..=b`, write `(a..b + 1).step_by(k)`; over a sequence, step over its indices: `for i in (0..s.len()).step_by(k)`"),
                        );
                        Self::error_expr(span)
                    }
                }
            }
            ast::ExprKind::MethodCall(m) if m.args.is_empty() && m.method.name == "rev" => {
                let mut range = &m.receiver;
                while let ast::ExprKind::Paren(inner) = &range.kind {
                    range = inner;
                }
                let over = match &range.kind {
                    ast::ExprKind::Range {
                        lo: Some(lo),
                        hi: Some(hi),
                        inclusive: false,
                    } => Some(RevOver::Range(lo, hi)),
                    _ => match no_arg_call(range, "enumerate") {
                        Some(inner) => {
                            no_arg_call(inner, "iter").map(|s| RevOver::Elements(s, true))
                        }
                        None => no_arg_call(range, "iter").map(|s| RevOver::Elements(s, false)),
                    },
                };
                match over {
                    Some(over) => {
                        self.check_for_rev(attrs, label, pat, over, range.span, body, span)
                    }
                    _ => {
                        self.err(
                            Diagnostic::error(
                                "Z0007",
                                "`.rev()` is supported only as the iterator of a `for` loop, on a range `a..b`, `s.iter()` or `s.iter().enumerate()`",
                                iter.span,
                            )
                            .with_help("count down over the indices: `for i in (0..s.len()).rev()`; for `a..=b`, write `(a..b + 1).rev()`"),
                        );
                        Self::error_expr(span)
                    }
                }
            }
            _ => {
                // Over a sequence's elements: by shared reference (`s.iter()`, `&s`, a
                // reference), with their index (`s.iter().enumerate()`), or by value (an array
                // or `Vec` of `Copy` elements, `s.bytes()`).
                let (src, mut mode, bytes) = match &iter.kind {
                    ast::ExprKind::MethodCall(m)
                        if m.args.is_empty() && m.method.name == "iter" =>
                    {
                        (&m.receiver, ForEachMode::Ref, false)
                    }
                    ast::ExprKind::MethodCall(m)
                        if m.args.is_empty() && m.method.name == "enumerate" =>
                    {
                        match &m.receiver.kind {
                            ast::ExprKind::MethodCall(inner)
                                if inner.args.is_empty() && inner.method.name == "iter" =>
                            {
                                (&inner.receiver, ForEachMode::EnumerateRef, false)
                            }
                            ast::ExprKind::MethodCall(inner)
                                if inner.args.is_empty() && inner.method.name == "bytes" =>
                            {
                                (&inner.receiver, ForEachMode::EnumerateValue, true)
                            }
                            _ => (iter, ForEachMode::Value, false),
                        }
                    }
                    ast::ExprKind::MethodCall(m)
                        if m.args.is_empty() && m.method.name == "bytes" =>
                    {
                        (&m.receiver, ForEachMode::Value, true)
                    }
                    ast::ExprKind::MethodCall(m)
                        if m.args.is_empty() && m.method.name == "iter_mut" =>
                    {
                        (&m.receiver, ForEachMode::RefMut, false)
                    }
                    ast::ExprKind::Ref {
                        mutable: false,
                        expr,
                    } => (&**expr, ForEachMode::Ref, false),
                    ast::ExprKind::Ref {
                        mutable: true,
                        expr,
                    } => (&**expr, ForEachMode::RefMut, false),
                    _ => (iter, ForEachMode::Value, false),
                };
                let mut seq = self.check_expr(src);
                if bytes {
                    match self.bytes_of(seq, iter.span) {
                        Some(b) => seq = b,
                        None => return Self::error_expr(span),
                    }
                }
                let st = self.resolve(&seq.ty);
                // A reference iterates by reference (`for x in v_ref`, as `IntoIterator for &Vec`
                // and `for &mut Vec`).
                match st {
                    Ty::Ref(false, _) if mode == ForEachMode::Value => mode = ForEachMode::Ref,
                    Ty::Ref(true, _) if mode == ForEachMode::Value => mode = ForEachMode::RefMut,
                    _ => {}
                }
                let steps = self.autoderef_steps(&st);
                let Some((k, elem)) = self.first_sequence(&steps) else {
                    if st.is_error() {
                        // Already reported where the iterator expression went wrong.
                        return Self::error_expr(span);
                    }
                    let n = self.tyname(&st);
                    self.err(
                        Diagnostic::error("E0277", format!("`{n}` is not an iterator"), iter.span)
                            .with_help("VeZ loops over ranges `a..b`, `a..=b`, arrays, slices and `Vec`s (`s`, `&s`, `&mut s`, `s.iter()`, `s.iter_mut()`, `s.iter().enumerate()`), and `str.bytes()` (`.enumerate()`)"),
                    );
                    return Self::error_expr(span);
                };
                if mode == ForEachMode::Value && !bytes {
                    if k > 0 {
                        // A `Box` of a sequence is not an iterator in Rust either.
                        let n = self.tyname(&st);
                        self.err(
                            Diagnostic::error(
                                "E0277",
                                format!("`{n}` is not an iterator"),
                                iter.span,
                            )
                            .with_help("iterate over its contents: `for x in s.iter()`"),
                        );
                        return Self::error_expr(span);
                    } else if !self.copy_elem(&elem) {
                        let n = self.tyname(&elem);
                        self.err(
                            Diagnostic::error(
                                "Z0007",
                                format!("iterating by value over elements of type `{n}`, which is not `Copy`, is not supported"),
                                iter.span,
                            )
                            .with_help("iterate by reference: `for x in s.iter()` or `for x in &s`"),
                        );
                        return Self::error_expr(span);
                    }
                }
                let seq = self.apply_derefs(seq, &steps, k);
                self.push_scope();
                let index =
                    self.new_local("for·index", Ty::usize(), true, iter.span, LocalKind::Let);
                let bound = match mode {
                    ForEachMode::Ref => Ty::Ref(false, Box::new(elem)),
                    ForEachMode::Value => elem,
                    ForEachMode::EnumerateRef => {
                        Ty::Tuple(vec![Ty::usize(), Ty::Ref(false, Box::new(elem))])
                    }
                    ForEachMode::EnumerateValue => Ty::Tuple(vec![Ty::usize(), elem]),
                    ForEachMode::RefMut => Ty::Ref(true, Box::new(elem)),
                };
                let p = self.check_pattern(pat, &bound, true);
                let (mut invariants, decreases) = self.loop_specs(attrs, span);
                // `for (i, x) in s.iter().enumerate()`: in an invariant, `i` is the loop's
                // counter, the number of elements done (as a range loop's variable is the next
                // value); in the body it is the element's index, as in Rust.
                let enumerate = matches!(
                    mode,
                    ForEachMode::EnumerateRef | ForEachMode::EnumerateValue
                );
                if let (true, PatKind::Tuple(items)) = (enumerate, &p.kind) {
                    if let Some(Pat {
                        kind:
                            PatKind::Binding {
                                local,
                                mode: BindingMode::ByValue,
                                sub: None,
                            },
                        ..
                    }) = items.first()
                    {
                        for inv in &mut invariants {
                            rename_local(inv, *local, index);
                        }
                    }
                }
                if !decreases.is_empty() {
                    self.err(Diagnostic::error(
                        "Z0006",
                        "a `for` loop over a slice always terminates: `#[decreases]` is not needed",
                        span,
                    ));
                }
                self.loops.push(LoopCx {
                    is_loop: false,
                    break_ty: None,
                    label: label.map(|l| l.name.clone()),
                });
                let b = self.block_expr(body, Some(&Ty::unit()));
                let b = self.coerce(b, &Ty::unit(), body.span);
                self.loops.pop();
                self.pop_scope();
                Self::mk(
                    ExprKind::ForEach {
                        pat: p,
                        index,
                        mode,
                        seq: Box::new(seq),
                        body: Box::new(b),
                        invariants,
                    },
                    Ty::unit(),
                    span,
                )
            }
        }
    }

    // ------------------------------------------------------------ macros

    fn format_args(
        &mut self,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<(Vec<FmtPiece>, Vec<Expr>)> {
        let Some(first) = args.first() else {
            return Some((vec![], vec![]));
        };
        let ast::ExprKind::Lit(ast::Lit::Str(s)) = &first.kind else {
            self.err(Diagnostic::error(
                "Z0006",
                "format argument must be a string literal",
                first.span,
            ));
            return None;
        };
        let parts = match fmt::parse(s) {
            Ok(p) => p,
            Err(m) => {
                self.err(Diagnostic::error("Z0006", m, first.span));
                return None;
            }
        };
        // Named arguments (`x = e`, kept by the parser as assignments) come last, as in Rust.
        let mut named: Vec<String> = Vec::new();
        let mut values: Vec<&ast::Expr> = Vec::new();
        for a in &args[1..] {
            let name = match &a.kind {
                ast::ExprKind::Assign(lhs, rhs) => match &lhs.kind {
                    ast::ExprKind::Path(p) if p.segments.len() == 1 => {
                        Some((p.segments[0].ident.name.clone(), &**rhs))
                    }
                    _ => None,
                },
                _ => None,
            };
            match name {
                Some((n, value)) => {
                    if named.contains(&n) {
                        self.err(Diagnostic::error(
                            "Z0006",
                            format!("duplicate argument named `{n}`"),
                            a.span,
                        ));
                        return None;
                    }
                    named.push(n);
                    values.push(value);
                }
                None if !named.is_empty() => {
                    self.err(Diagnostic::error(
                        "Z0006",
                        "positional arguments cannot follow named arguments",
                        a.span,
                    ));
                    return None;
                }
                None => values.push(a),
            }
        }
        let fmt::Numbered {
            mut pieces,
            captured,
            counts,
        } = match fmt::number(parts, values.len(), &named) {
            Ok(x) => x,
            Err(m) => {
                self.err(Diagnostic::error("Z0006", m, span));
                return None;
            }
        };
        let mut out: Vec<Expr> = values.iter().map(|a| self.check_expr(a)).collect();
        for name in captured {
            let p = ast::Path {
                segments: vec![ast::PathSegment {
                    ident: ast::Ident {
                        name,
                        span: first.span,
                    },
                    generics: None,
                }],
                span: first.span,
            };
            let e = self.check_path_expr(&p, first.span);
            out.push(e);
        }
        // Widths and precisions from arguments are `usize`, as in Rust.
        for i in counts {
            let x = std::mem::replace(&mut out[i], Self::error_expr(span));
            let s = x.span;
            out[i] = self.coerce(x, &Ty::Int(IntTy::Usize), s);
        }
        for p in &mut pieces {
            if let FmtPiece::Arg { index, spec } = p {
                let mut shown = self.zonk(&out[*index].ty);
                while let Ty::Ref(_, inner) = shown {
                    shown = *inner;
                }
                if spec.kind == FmtKind::Display && matches!(shown, Ty::Adt(..)) {
                    let x = std::mem::replace(&mut out[*index], Self::error_expr(span));
                    let before = x.ty.clone();
                    out[*index] = self.displayed(x);
                    if out[*index].ty != before {
                        // A hand-written `fmt` writes with its own `write!` specs; Rust pads
                        // only through `Formatter::pad`, which VeZ's Formatter has not.
                        *spec = FmtSpec::default();
                    }
                }
                let (t, s) = (out[*index].ty.clone(), out[*index].span);
                self.fmt_checks.push((t, spec.kind, s));
            }
        }
        Some((pieces, out))
    }

    fn check_macro(&mut self, name: &ast::Ident, args: &ast::MacroArgs, span: Span) -> Expr {
        let n = name.name.as_str();
        let list = match args {
            ast::MacroArgs::List(l) => Some(l.as_slice()),
            ast::MacroArgs::Repeat(..) => None,
        };
        if !matches!(n, "assert" | "assert_eq") {
            self.deny_in_spec(&format!("`{n}!`"), span);
        }
        if !matches!(n, "assert" | "assert_eq" | "panic" | "unreachable") {
            self.deny_in_ghost(&format!("`{n}!`"), span);
        }
        match (n, list) {
            ("println" | "print" | "eprintln" | "eprint" | "format", Some(l)) => {
                if l.is_empty() && n != "println" && n != "eprintln" {
                    self.err(Diagnostic::error(
                        "Z0006",
                        format!("`{n}!` requires at least a format string argument"),
                        span,
                    ));
                    return Self::error_expr(span);
                }
                let Some((pieces, args)) = self.format_args(l, span) else {
                    return Self::error_expr(span);
                };
                let kind = match n {
                    "println" => PrintKind::Println,
                    "print" => PrintKind::Print,
                    "eprintln" => PrintKind::Eprintln,
                    "eprint" => PrintKind::Eprint,
                    _ => PrintKind::Format,
                };
                let ty = if kind == PrintKind::Format {
                    self.string_ty()
                } else {
                    Ty::unit()
                };
                Self::mk(ExprKind::Print { kind, pieces, args }, ty, span)
            }
            ("write" | "writeln", Some(l)) if !l.is_empty() => self.check_write(n, l, span),
            ("assert", Some(l)) if !l.is_empty() => {
                let cond = self.check_expr_coerce(&l[0], &Ty::Bool);
                let Some((pieces, args)) = self.format_args(&l[1..], span) else {
                    return Self::error_expr(span);
                };
                Self::mk(
                    ExprKind::Assert {
                        cond: Box::new(cond),
                        pieces,
                        args,
                    },
                    Ty::unit(),
                    span,
                )
            }
            ("assert_eq" | "assert_ne", Some(l)) if l.len() >= 2 => {
                let a = self.check_expr(&l[0]);
                let b = self.check_expr(&l[1]);
                let ta = a.ty.clone();
                let bspan = b.span;
                let b = self.coerce(b, &ta, bspan);
                self.obligations
                    .push((ta.clone(), Bound::Std(StdTrait::PartialEq), span));
                self.obligations
                    .push((ta, Bound::Std(StdTrait::Debug), span));
                let op = if n == "assert_eq" {
                    ast::BinOp::Eq
                } else {
                    ast::BinOp::Ne
                };
                let cond = Self::mk(
                    ExprKind::Binary(op, Box::new(a), Box::new(b)),
                    Ty::Bool,
                    span,
                );
                let Some((pieces, args)) = self.format_args(&l[2..], span) else {
                    return Self::error_expr(span);
                };
                Self::mk(
                    ExprKind::Assert {
                        cond: Box::new(cond),
                        pieces,
                        args,
                    },
                    Ty::unit(),
                    span,
                )
            }
            ("panic" | "unreachable", Some(l)) => {
                let Some((pieces, args)) = self.format_args(l, span) else {
                    return Self::error_expr(span);
                };
                let kind = if n == "panic" {
                    PanicKind::Panic
                } else {
                    PanicKind::Unreachable
                };
                Self::mk(ExprKind::Panic { kind, pieces, args }, Ty::Never, span)
            }
            ("vec", Some(l)) => {
                let elem = self.fresh(span);
                let items: Vec<Expr> = l.iter().map(|x| self.check_expr_coerce(x, &elem)).collect();
                let ty = self.vec_ty(elem);
                Self::mk(ExprKind::VecLit(items), ty, span)
            }
            ("vec", None) => {
                let ast::MacroArgs::Repeat(x, count) = args else {
                    unreachable!("matched Repeat")
                };
                let v = self.check_expr(x);
                let c = self.check_expr_coerce(count, &Ty::usize());
                self.obligations
                    .push((v.ty.clone(), Bound::Std(StdTrait::Clone), x.span));
                let ty = self.vec_ty(v.ty.clone());
                Self::mk(ExprKind::VecRepeat(Box::new(v), Box::new(c)), ty, span)
            }
            ("assert" | "assert_eq" | "assert_ne", _) => {
                self.err(Diagnostic::error(
                    "Z0006",
                    format!("`{n}!` is missing its arguments"),
                    span,
                ));
                Self::error_expr(span)
            }
            _ => {
                self.err(Diagnostic::error("Z0006", format!("cannot find macro `{n}` in this scope"), name.span)
                    .with_help("VeZ's macros: println!, print!, eprintln!, eprint!, format!, assert!, assert_eq!, panic!, unreachable!, vec!, matches!"));
                Self::error_expr(span)
            }
        }
    }

    fn vec_ty(&mut self, elem: Ty) -> Ty {
        match self.cx.program.lang.vec {
            Some(v) => Ty::Adt(v, vec![elem]),
            None => Ty::Error,
        }
    }

    fn string_ty(&self) -> Ty {
        match self.cx.program.lang.string {
            Some(s) => Ty::Adt(s, vec![]),
            None => Ty::Error,
        }
    }

    fn check_launch(
        &mut self,
        kernel: &ast::Path,
        grid: &ast::Expr,
        block: &ast::Expr,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        self.deny_in_spec("a kernel launch", span);
        let dim = Ty::Tuple(vec![Ty::Int(IntTy::U32); 3]);
        let g = self.check_expr_coerce(grid, &dim);
        let b = self.check_expr_coerce(block, &dim);
        match self.resolve_value(kernel) {
            Ok(ValueRes::Fn(f, generics)) if self.fn_is_kernel(f) => {
                let params: Vec<Ty> = self.cx.program.fns[f.0 as usize]
                    .param_tys()
                    .map(|t| t.subst(&generics))
                    .collect();
                let a = self.check_args(&params, args, span, "kernel");
                Self::mk(
                    ExprKind::Launch {
                        kernel: f,
                        grid: Box::new(g),
                        block: Box::new(b),
                        args: a,
                    },
                    Ty::unit(),
                    span,
                )
            }
            Ok(_) => {
                self.err(Diagnostic::error(
                    "Z0009",
                    format!("`{}` is not a `#[gpu::kernel]` function", kernel.text()),
                    kernel.span,
                ));
                Self::error_expr(span)
            }
            Err(d) => {
                self.err(d);
                Self::error_expr(span)
            }
        }
    }

    // ------------------------------------------------------------ traits

    /// Whether a (fully known) type satisfies a bound.
    /// The `fmt` method of `t`'s `impl Display`, if it has one.
    fn display_fmt(&self, t: &Ty) -> Option<FnId> {
        let tr = self.cx.display_trait()?;
        self.cx.impls.iter().find_map(|imp| {
            if imp.trait_id != Some(tr) || !crate::mono::matches_impl(&imp.self_ty, t) {
                return None;
            }
            match imp.items.get("fmt") {
                Some(AssocDef::Fn(f)) => Some(*f),
                _ => None,
            }
        })
    }

    /// `write!(f, "..", args)` in a `Display` impl: `{ f.buf.push_str(&format!(..)); Ok(()) }`
    /// (`writeln!` adds a line feed).
    fn check_write(&mut self, n: &str, l: &[ast::Expr], span: Span) -> Expr {
        let f = self.check_expr(&l[0]);
        let formatter = match self.cx.prelude_item(&["std", "fmt", "Formatter"]) {
            Some(Def::Adt(id)) => id,
            _ => return Self::error_expr(span),
        };
        let fty = Ty::Adt(formatter, vec![]);
        let ft = self.resolve(&f.ty);
        let target = match &ft {
            Ty::Ref(true, inner) if self.resolve(inner) == fty => {
                Self::mk(ExprKind::Deref(Box::new(f)), fty.clone(), span)
            }
            t if t.is_error() => return Self::error_expr(span),
            _ => {
                let tn = self.tyname(&ft);
                self.err(
                    Diagnostic::error(
                        "E0599",
                        format!("cannot `{n}!` into a value of type `{tn}`"),
                        l[0].span,
                    )
                    .with_help(
                        "VeZ's `write!` writes into the `&mut fmt::Formatter` of a `Display` impl",
                    ),
                );
                return Self::error_expr(span);
            }
        };
        let (mut pieces, args) = if l.len() > 1 {
            match self.format_args(&l[1..], span) {
                Some(x) => x,
                None => return Self::error_expr(span),
            }
        } else {
            (vec![], vec![])
        };
        if n == "writeln" {
            pieces.push(FmtPiece::Lit("\n".to_string()));
        }
        let string = self.string_ty();
        let text = Self::mk(
            ExprKind::Print {
                kind: PrintKind::Format,
                pieces,
                args,
            },
            string.clone(),
            span,
        );
        let buf = Self::mk(ExprKind::Field(Box::new(target), 0), string.clone(), span);
        let Some((_, AssocDef::Fn(push_str))) = self.cx.find_assoc(&string, "push_str") else {
            return Self::error_expr(span);
        };
        let text_ref = Self::mk(
            ExprKind::Ref(false, Box::new(text)),
            Ty::Ref(false, Box::new(string.clone())),
            span,
        );
        let str_ref = Self::mk(
            ExprKind::Coerce(Coercion::Unsize, Box::new(text_ref)),
            Ty::Ref(false, Box::new(Ty::Str)),
            span,
        );
        let push = Self::mk(
            ExprKind::Call {
                func: push_str,
                generics: vec![],
                args: vec![
                    Self::mk(
                        ExprKind::Ref(true, Box::new(buf)),
                        Ty::Ref(true, Box::new(string)),
                        span,
                    ),
                    str_ref,
                ],
                autoref: true,
            },
            Ty::unit(),
            span,
        );
        let (Some(result), Some(Def::Adt(error))) = (
            self.cx.program.lang.result,
            self.cx.prelude_item(&["std", "fmt", "Error"]),
        ) else {
            return Self::error_expr(span);
        };
        let unit = Self::mk(ExprKind::Tuple(vec![]), Ty::unit(), span);
        let fmt_result = Ty::Adt(result, vec![Ty::unit(), Ty::Adt(error, vec![])]);
        // Prelude order: `Result { Ok, Err }`.
        let ok = Self::mk(
            ExprKind::Ctor {
                adt: result,
                variant: 0,
                fields: vec![(0, unit)],
                base: None,
            },
            fmt_result.clone(),
            span,
        );
        Self::mk(
            ExprKind::Block(Block {
                stmts: vec![Stmt::Expr(push)],
                tail: Some(Box::new(ok)),
            }),
            fmt_result,
            span,
        )
    }

    /// `{}` of a value whose type implements `Display` by hand: the `String` its `fmt` writes,
    /// `{ let mut f = Formatter { buf: String::new() }; T::fmt(&x, &mut f); f.buf }`.
    fn displayed(&mut self, mut x: Expr) -> Expr {
        let span = x.span;
        // Through references (`{}` of a `&Card` prints the card): down to one `&`.
        let mut t = self.zonk(&x.ty);
        while let Ty::Ref(_, inner) = t {
            t = *inner;
        }
        let Some(fmt_fn) = self.display_fmt(&t) else {
            return x;
        };
        let by_ref = matches!(self.zonk(&x.ty), Ty::Ref(..));
        while let Ty::Ref(_, inner) = self.zonk(&x.ty) {
            if !matches!(*inner, Ty::Ref(..)) {
                break;
            }
            x = Self::mk(ExprKind::Deref(Box::new(x)), *inner, span);
        }
        if matches!(self.zonk(&x.ty), Ty::Ref(true, _)) {
            let shared = Ty::Ref(false, Box::new(t.clone()));
            x = Self::mk(
                ExprKind::Coerce(Coercion::MutToConst, Box::new(x)),
                shared,
                span,
            );
        }
        let Some(Def::Adt(formatter)) = self.cx.prelude_item(&["std", "fmt", "Formatter"]) else {
            return x;
        };
        let string = self.string_ty();
        let Some((_, AssocDef::Fn(new))) = self.cx.find_assoc(&string, "new") else {
            return x;
        };
        let fty = Ty::Adt(formatter, vec![]);
        let empty = Self::mk(
            ExprKind::Call {
                func: new,
                generics: vec![],
                args: vec![],
                autoref: false,
            },
            string.clone(),
            span,
        );
        let init = Self::mk(
            ExprKind::Ctor {
                adt: formatter,
                variant: 0,
                fields: vec![(0, empty)],
                base: None,
            },
            fty.clone(),
            span,
        );
        let f = self.new_local("fmt·formatter", fty.clone(), true, span, LocalKind::Let);
        // The value is borrowed, not moved, as `format_args!` does.
        let xref = Ty::Ref(false, Box::new(t.clone()));
        let v = self.new_local("fmt·shown", xref.clone(), false, span, LocalKind::Let);
        let binding = |local| Pat {
            kind: PatKind::Binding {
                local,
                mode: BindingMode::ByValue,
                sub: None,
            },
            ty: Ty::Error,
            span,
        };
        let local = |l: LocalId, ty: Ty| Self::mk(ExprKind::Local(l), ty, span);
        let generics = self
            .cx
            .impls
            .iter()
            .find(|imp| {
                imp.items
                    .values()
                    .any(|d| matches!(d, AssocDef::Fn(g) if *g == fmt_fn))
            })
            .and_then(|imp| crate::mono::impl_args(&imp.self_ty, &t, imp.generics.len()))
            .unwrap_or_default();
        let ret = self.cx.program.func(fmt_fn).ret.clone();
        let call = Self::mk(
            ExprKind::Call {
                func: fmt_fn,
                generics,
                args: vec![
                    local(v, xref.clone()),
                    Self::mk(
                        ExprKind::Ref(true, Box::new(local(f, fty.clone()))),
                        Ty::Ref(true, Box::new(fty.clone())),
                        span,
                    ),
                ],
                autoref: false,
            },
            ret,
            span,
        );
        let buf = Self::mk(
            ExprKind::Field(Box::new(local(f, fty.clone())), 0),
            string.clone(),
            span,
        );
        let mut pv = binding(v);
        pv.ty = xref.clone();
        if !by_ref {
            x = Self::mk(ExprKind::Ref(false, Box::new(x)), xref, span);
        }
        let mut pf = binding(f);
        pf.ty = fty;
        Self::mk(
            ExprKind::Block(Block {
                stmts: vec![
                    Stmt::Let {
                        pat: pv,
                        init: Some(x),
                        ghost: false,
                        span,
                    },
                    Stmt::Let {
                        pat: pf,
                        init: Some(init),
                        ghost: false,
                        span,
                    },
                    Stmt::Expr(call),
                ],
                tail: Some(Box::new(buf)),
            }),
            string,
            span,
        )
    }

    pub fn implements(&self, t: &Ty, b: Bound) -> bool {
        let p = &self.cx.program;
        let lang = &p.lang;
        match b {
            Bound::User(tr) => match t {
                Ty::Param(i, _) => self
                    .generics
                    .get(*i as usize)
                    .is_some_and(|g| g.bounds.contains(&b)),
                _ => self.cx.impls.iter().any(|imp| {
                    imp.trait_id == Some(tr) && crate::mono::matches_impl(&imp.self_ty, t)
                }),
            },
            Bound::Std(s) => {
                if let Ty::Param(i, _) = t {
                    let bs = &self
                        .generics
                        .get(*i as usize)
                        .map(|g| g.bounds.clone())
                        .unwrap_or_default();
                    let has = |x: StdTrait| bs.contains(&Bound::Std(x));
                    return match s {
                        StdTrait::Sized => true,
                        StdTrait::Clone => has(StdTrait::Clone) || has(StdTrait::Copy),
                        StdTrait::PartialEq => {
                            has(StdTrait::PartialEq)
                                || has(StdTrait::Eq)
                                || has(StdTrait::PartialOrd)
                                || has(StdTrait::Ord)
                        }
                        StdTrait::PartialOrd => has(StdTrait::PartialOrd) || has(StdTrait::Ord),
                        StdTrait::Eq => has(StdTrait::Eq) || has(StdTrait::Ord),
                        x => has(x),
                    };
                }
                let all =
                    |ts: &[Ty], s: StdTrait| ts.iter().all(|t| self.implements(t, Bound::Std(s)));
                match t {
                    Ty::Error | Ty::Never => true,
                    Ty::Int(_) | Ty::Bool | Ty::Char => true,
                    Ty::Float(_) => !matches!(s, StdTrait::Eq | StdTrait::Ord),
                    Ty::Str => matches!(
                        s,
                        StdTrait::PartialEq
                            | StdTrait::Eq
                            | StdTrait::PartialOrd
                            | StdTrait::Ord
                            | StdTrait::Debug
                            | StdTrait::Display
                    ),
                    Ty::Ref(m, inner) => match s {
                        StdTrait::Copy | StdTrait::Clone => !m,
                        StdTrait::Default => false,
                        _ => self.implements(inner, b),
                    },
                    Ty::Tuple(ts) => s != StdTrait::Display && all(ts, s),
                    Ty::Array(e, _) | Ty::Slice(e) => {
                        s != StdTrait::Display
                            && !(matches!(t, Ty::Slice(_))
                                && matches!(
                                    s,
                                    StdTrait::Copy | StdTrait::Clone | StdTrait::Default
                                ))
                            && self.implements(e, b)
                    }
                    Ty::Adt(id, args) => {
                        let adt = p.adt(*id);
                        if Some(*id) == lang.string {
                            return !matches!(s, StdTrait::Copy);
                        }
                        if Some(*id) == lang.vec || Some(*id) == lang.boxed {
                            return match s {
                                StdTrait::Copy | StdTrait::Display => false,
                                StdTrait::Default => Some(*id) == lang.vec,
                                _ => all(args, s),
                            };
                        }
                        if Some(*id) == lang.gpu_buffer {
                            return false;
                        }
                        // `None`, as Rust's `impl<T> Default for Option<T>`.
                        if Some(*id) == lang.option && s == StdTrait::Default {
                            return true;
                        }
                        if s == StdTrait::Display {
                            return self.display_fmt(t).is_some();
                        }
                        let derived = adt.derives.contains(&s)
                            || (s == StdTrait::PartialEq && adt.derives.contains(&StdTrait::Eq))
                            || (s == StdTrait::Clone && adt.derives.contains(&StdTrait::Copy));
                        derived && all(args, s)
                    }
                    Ty::Param(..) | Ty::Infer(_) | Ty::ConstVal(_) => true,
                }
            }
        }
    }

    fn finish_obligations(&mut self) {
        let obligations = std::mem::take(&mut self.obligations);
        for (t, b, span) in obligations {
            let z = self.zonk(&t);
            if z.references_error() || z.has_infer() {
                continue;
            }
            if !self.implements(&z, b) {
                let n = self.cx.ty_name(&z);
                let tn = match b {
                    Bound::Std(s) => s.name().to_string(),
                    Bound::User(tr) => self.cx.program.traits[tr.0 as usize].name.clone(),
                };
                let what = match b {
                    Bound::Std(StdTrait::PartialEq) => {
                        format!("binary operation `==` cannot be applied to type `{n}`")
                    }
                    Bound::Std(StdTrait::PartialOrd) => {
                        format!("binary operation `<` cannot be applied to type `{n}`")
                    }
                    _ => format!("the trait bound `{n}: {tn}` is not satisfied"),
                };
                let code = if matches!(b, Bound::Std(StdTrait::PartialEq | StdTrait::PartialOrd)) {
                    "E0369"
                } else {
                    "E0277"
                };
                let mut d = Diagnostic::error(code, what, span)
                    .with_label(format!("the trait `{tn}` is not implemented for `{n}`"));
                if let Ty::Adt(..) = z {
                    if matches!(b, Bound::Std(_)) {
                        d = d.with_help(format!("consider adding `#[derive({tn})]` to the type"));
                    }
                }
                self.err(d);
            }
        }
        let fmts = std::mem::take(&mut self.fmt_checks);
        for (t, kind, span) in fmts {
            let z = self.zonk(&t);
            if z.references_error() || z.has_infer() {
                continue;
            }
            let mut shown = z.clone();
            while let Ty::Ref(_, inner) = shown {
                shown = *inner;
            }
            let ok = match kind {
                FmtKind::Display => self.implements(&z, Bound::Std(StdTrait::Display)),
                FmtKind::Debug => self.implements(&z, Bound::Std(StdTrait::Debug)),
                FmtKind::LowerHex | FmtKind::UpperHex | FmtKind::Octal | FmtKind::Binary => {
                    matches!(shown, Ty::Int(_))
                }
                FmtKind::LowerExp | FmtKind::UpperExp => {
                    matches!(shown, Ty::Int(_) | Ty::Float(_))
                }
            };
            if !ok {
                let n = self.cx.ty_name(&z);
                let d = match kind {
                    FmtKind::Display | FmtKind::Debug => {
                        let debug = kind == FmtKind::Debug;
                        let d = Diagnostic::error(
                            "E0277",
                            format!("`{n}` doesn't implement `{}`", kind.trait_name()),
                            span,
                        )
                        .with_label(format!(
                            "`{n}` cannot be formatted {}",
                            if debug {
                                "using `{:?}`"
                            } else {
                                "with the default formatter"
                            }
                        ));
                        if debug {
                            d
                        } else {
                            d.with_help("use `{:?}` (Debug) instead")
                        }
                    }
                    _ => {
                        let n = self.cx.ty_name(&shown);
                        Diagnostic::error(
                            "E0277",
                            format!(
                                "the trait bound `{n}: {}` is not satisfied",
                                kind.trait_name()
                            ),
                            span,
                        )
                        .with_label(format!(
                            "the trait `{}` is not implemented for `{n}`",
                            kind.trait_name()
                        ))
                    }
                };
                self.err(d);
            }
        }
    }

    // ------------------------------------------------------------ finishing

    /// Resolves every type in a checked expression, defaults integer and float variables,
    /// reports unknown types, and checks literal ranges outside specifications.
    pub fn finish_expr(&mut self, e: &mut Expr, in_spec: bool) {
        if e.ty.has_infer() {
            e.ty = self.finish_ty(&e.ty, e.span);
        }
        let child_spec = in_spec || matches!(e.kind, ExprKind::Quant { .. } | ExprKind::Old(_));
        if let ExprKind::Unary(ast::UnOp::Neg, inner) = &mut e.kind {
            if let (ExprKind::Lit(LitValue::Int(v)), Ty::Int(t)) = (&inner.kind, &e.ty) {
                if !in_spec && *v > t.min_value().unsigned_abs() {
                    let (v, t) = (*v, *t);
                    self.err(Diagnostic::error("overflowing_literals", format!("literal out of range for `{}`", t.name()), e.span)
                        .with_note(format!("the literal `-{v}` does not fit into the type `{}` whose range is `{}..={}`", t.name(), t.min_value(), t.max_value())));
                }
                inner.ty = e.ty.clone();
                return;
            }
        }
        if let (ExprKind::Lit(LitValue::Int(v)), Ty::Int(t)) = (&e.kind, &e.ty) {
            if !in_spec && *v > t.max_value() {
                let (v, t) = (*v, *t);
                self.err(Diagnostic::error("overflowing_literals", format!("literal out of range for `{}`", t.name()), e.span)
                    .with_note(format!("the literal `{v}` does not fit into the type `{}` whose range is `{}..={}`", t.name(), t.min_value(), t.max_value())));
            }
        }
        if let ExprKind::Lit(LitValue::Int(_)) = &e.kind {
            if matches!(e.ty, Ty::Float(_)) {
                // An integer literal used as a float: rustc rejects it.
                self.err(
                    Diagnostic::error("E0308", "mismatched types", e.span)
                        .with_label("expected floating-point number, found integer")
                        .with_help("use a float literal such as `1.0`"),
                );
            }
        }
        if let ExprKind::Call { generics, .. } = &mut e.kind {
            let span = e.span;
            for g in generics.iter_mut().filter(|g| g.has_infer()) {
                *g = self.finish_ty(g, span);
            }
        }
        // Loop invariants and decreases clauses are specifications; the rest of a loop is not.
        match &mut e.kind {
            ExprKind::While {
                cond,
                body,
                invariants,
                decreases,
            } => {
                for x in invariants.iter_mut().chain(decreases.iter_mut()) {
                    self.finish_expr(x, true);
                }
                self.finish_expr(cond, child_spec);
                self.finish_expr(body, child_spec);
                return;
            }
            ExprKind::Loop {
                body,
                invariants,
                decreases,
            } => {
                for x in invariants.iter_mut().chain(decreases.iter_mut()) {
                    self.finish_expr(x, true);
                }
                self.finish_expr(body, child_spec);
                return;
            }
            ExprKind::ForRange {
                lo,
                hi,
                body,
                invariants,
                decreases,
                ..
            } => {
                for x in invariants.iter_mut().chain(decreases.iter_mut()) {
                    self.finish_expr(x, true);
                }
                self.finish_expr(lo, child_spec);
                self.finish_expr(hi, child_spec);
                self.finish_expr(body, child_spec);
                return;
            }
            ExprKind::ForEach {
                pat,
                seq,
                body,
                invariants,
                ..
            } => {
                for x in invariants.iter_mut() {
                    self.finish_expr(x, true);
                }
                self.finish_expr(seq, child_spec);
                self.finish_pat(pat);
                self.finish_expr(body, child_spec);
                return;
            }
            _ => {}
        }
        let (children, pats) = e.children_mut();
        for c in children {
            self.finish_expr(c, child_spec);
        }
        for p in pats {
            self.finish_pat(p);
        }
    }

    fn finish_pat(&mut self, p: &mut Pat) {
        if p.ty.has_infer() {
            p.ty = self.finish_ty(&p.ty, p.span);
        }
        for c in p.sub_patterns_mut() {
            self.finish_pat(c);
        }
    }

    /// The type an unconstrained literal variable takes, rustc's fallback: `i32` for an
    /// integer literal, `f64` for a float one; None for any other variable.
    fn literal_default(&self, v: u32) -> Option<Ty> {
        match self.vars[v as usize].kind {
            VarKind::Int => Some(Ty::Int(IntTy::I32)),
            VarKind::Float => Some(Ty::Float(FloatTy::F64)),
            VarKind::Any => None,
        }
    }

    fn finish_ty(&mut self, t: &Ty, span: Span) -> Ty {
        let z = self.zonk(t);
        if !z.has_infer() {
            return z;
        }
        // Default integer and float variables, as rustc does.
        let mut vars = Vec::new();
        z.walk(&mut |x| {
            if let Ty::Infer(v) = x {
                vars.push(*v);
            }
        });
        for v in vars {
            let r = self.resolve(&Ty::Infer(v));
            if let Ty::Infer(w) = r {
                match self.literal_default(w) {
                    Some(t) => self.vars[w as usize].value = Some(t),
                    None => {
                        self.vars[w as usize].value = Some(Ty::Error);
                        let vspan = self.vars[w as usize].span;
                        self.err(
                            Diagnostic::error(
                                "E0282",
                                "type annotations needed",
                                if vspan == Span::default() {
                                    span
                                } else {
                                    vspan
                                },
                            )
                            .with_label("cannot infer type"),
                        );
                    }
                }
            }
        }
        self.zonk(t)
    }
}

enum CondRes {
    Expr(Expr),
    Let(Pat, Expr),
}

pub(crate) enum ValueRes {
    Fn(FnId, Vec<Ty>),
    Const(ConstId),
    Ctor(AdtId, u32, Vec<Ty>),
}

/// Replaces every use of local `from` in `e` by `to`.
fn rename_local(e: &mut Expr, from: LocalId, to: LocalId) {
    if let ExprKind::Local(l) = &mut e.kind {
        if *l == from {
            *l = to;
        }
    }
    for c in e.children_mut().0 {
        rename_local(c, from, to);
    }
}

/// The receiver of `e` when `e` is `receiver.method()`.
fn no_arg_call<'e>(e: &'e ast::Expr, method: &str) -> Option<&'e ast::Expr> {
    match &e.kind {
        ast::ExprKind::MethodCall(m) if m.args.is_empty() && m.method.name == method => {
            Some(&m.receiver)
        }
        _ => None,
    }
}

/// What a `for` loop over a string's chars binds: the char, `(byte index, char)` for
/// `char_indices()`, or `(count, char)` for `chars().enumerate()`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharsMode {
    Plain,
    ByteIndex,
    Count,
}

/// What a `for` loop with `.rev()` counts down over.
#[derive(Clone, Copy)]
enum RevOver<'a> {
    /// `(lo..hi).rev()`
    Range(&'a ast::Expr, &'a ast::Expr),
    /// `s.iter().rev()`, or with `true`, `s.iter().enumerate().rev()`
    Elements(&'a ast::Expr, bool),
}
