//! The per-function generator: fresh names, declared constants, assumptions (facts that hold
//! on every path, each conditioned on its path), obligations, and the translation of
//! specifications (and `#[pure]` bodies) from typed HIR to terms, with their
//! well-definedness obligations.

use crate::ints;
use crate::term::{self, and, and2, app, eq, implies, ite, not, num, or, quant, Sort, Term, T};
use crate::types::{self, Types};
use crate::{CexVar, Obligation};
use std::collections::{BTreeMap, HashMap, HashSet};
use vez_syntax::Span;
use vez_typeck::hir::{
    self, BinOp, ExprKind, FnDef, FnId, LitValue, LocalId, PatConst, PatKind, Program, UnOp,
};
use vez_typeck::ty::{IntTy, Ty};

/// Names of HIR locals and the values of `result` and `old(..)` for one specification.
#[derive(Clone)]
pub struct Env {
    /// The function whose locals the expression names.
    pub func: FnId,
    pub locals: HashMap<LocalId, T>,
    pub result: Option<T>,
    pub old: Option<Box<Env>>,
    /// Values of the function's generic parameters (callee contracts at a call site).
    pub tsubst: Vec<Ty>,
}

impl Env {
    pub fn new(func: FnId) -> Env {
        Env {
            func,
            locals: HashMap::new(),
            result: None,
            old: None,
            tsubst: Vec::new(),
        }
    }

    /// Binds a specification variable (a quantifier's): visible in `old(..)` too, since it
    /// names the same value in every state.
    pub fn bind(&mut self, v: LocalId, t: T) {
        if let Some(o) = &mut self.old {
            o.bind(v, t.clone());
        }
        self.locals.insert(v, t);
    }

    /// A callee's view at a call: its parameters bound to the argument values, its generic
    /// parameters to the call's types.
    pub fn for_call(p: &Program, func: FnId, generics: &[Ty], args: &[T]) -> Env {
        let mut env = Env::new(func);
        env.tsubst = generics.to_vec();
        for (l, a) in p.func(func).params.iter().zip(args) {
            env.locals.insert(*l, a.clone());
        }
        env
    }
}

/// The trait method that impl method `m` implements, and its generic arguments as `m` sees
/// them (`Self` is the impl's type, then `m`'s own generics).
pub fn trait_declaration(p: &Program, m: FnId) -> Option<(FnId, Vec<Ty>)> {
    let (ti, name) = p.trait_impls.iter().find_map(|ti| {
        ti.methods
            .iter()
            .find(|(_, f)| *f == m)
            .map(|(name, _)| (ti, name))
    })?;
    let decl = p.traits[ti.trait_id.0 as usize]
        .methods
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, f)| *f)?;
    let own = p.func(m).generics.len().saturating_sub(ti.n_generics);
    let mut tys = vec![ti.self_ty.clone()];
    for k in 0..own {
        let i = ti.n_generics + k;
        tys.push(Ty::Param(i as u32, p.func(m).generics[i].name.clone()));
    }
    Some((decl, tys))
}

/// Builtin meanings of prelude methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Len,
    /// `str::as_bytes`: a `str` is its UTF-8 bytes, the same sequence.
    AsBytes,
    IsEmpty,
    IsSome,
    IsNone,
    Unwrap,
    /// `Result::unwrap_err`: the `Err` payload.
    UnwrapErr,
    UnwrapOr,
    Wrapping(BinOp),
    Saturating(BinOp),
    Checked(BinOp),
    /// `x.pow(e)`: the exact power (its overflow is an obligation at the call).
    Pow,
}

pub fn method_name(f: &FnDef) -> &str {
    f.name.rsplit("::").next().unwrap_or(&f.name)
}

pub fn builtin(p: &Program, f: &FnDef) -> Option<Builtin> {
    if !f.attrs.from_prelude {
        return None;
    }
    let name = method_name(f);
    let self_ty = f.self_ty.as_ref()?;
    let is_opt = p.is_lang(self_ty, p.lang.option) || p.is_lang(self_ty, p.lang.result);
    if types::is_seq(p, self_ty) || matches!(self_ty, Ty::Slice(_) | Ty::Str) {
        return match name {
            "len" => Some(Builtin::Len),
            "is_empty" => Some(Builtin::IsEmpty),
            "as_bytes" if matches!(self_ty, Ty::Str) => Some(Builtin::AsBytes),
            "as_str" if p.is_lang(self_ty, p.lang.string) => Some(Builtin::AsBytes),
            _ => None,
        };
    }
    if is_opt {
        return match name {
            "is_some" | "is_ok" => Some(Builtin::IsSome),
            "is_none" | "is_err" => Some(Builtin::IsNone),
            "unwrap" | "expect" => Some(Builtin::Unwrap),
            "unwrap_err" if p.is_lang(self_ty, p.lang.result) => Some(Builtin::UnwrapErr),
            "unwrap_or" => Some(Builtin::UnwrapOr),
            _ => None,
        };
    }
    if matches!(self_ty, Ty::Int(_)) {
        let op = |s: &str| match s {
            "add" => Some(BinOp::Add),
            "sub" => Some(BinOp::Sub),
            "mul" => Some(BinOp::Mul),
            _ => None,
        };
        if let Some(rest) = name.strip_prefix("wrapping_") {
            return op(rest).map(Builtin::Wrapping);
        }
        if let Some(rest) = name.strip_prefix("saturating_") {
            return op(rest).map(Builtin::Saturating);
        }
        if let Some(rest) = name.strip_prefix("checked_") {
            return op(rest).map(Builtin::Checked);
        }
        if name == "pow" {
            return Some(Builtin::Pow);
        }
    }
    None
}

pub struct Gen<'p> {
    pub p: &'p Program,
    pub types: Types,
    /// Declared constants in creation order.
    pub consts: Vec<(String, Sort)>,
    names: HashMap<String, u32>,
    pub assumptions: Vec<T>,
    /// Definitions of pure functions (hold everywhere, independent of order).
    pub axioms: Vec<T>,
    /// What each sequence named in `is_permutation` holds: every element is counted in its
    /// multiset, and what is counted is an element. Kept apart from `axioms` because they
    /// feed each other through the array theory (a witness index is a new read of every
    /// version of the array) and can swamp the solver on goals that do not need them.
    pub membership: Vec<T>,
    pub obligations: Vec<Obligation>,
    /// What is defined once per function: pure functions, the `le:T` orders, the `ms:`
    /// multisets and the facts of each sequence's multiset.
    pure_defined: HashSet<String>,
    pub unsupported: Vec<(Span, String)>,
    pub source: &'p (dyn Fn(Span) -> String + Sync),
    /// The path condition at the point being translated.
    pub pc: T,
    /// Well-definedness: whether partial operations create obligations, the guards (left
    /// operands of `&&`, `==>`, ...) and quantified variables in scope.
    pub wd: bool,
    guards: Vec<T>,
    bound: Vec<(String, Sort, Ty)>,
    /// Counterexample variables at the current point (inputs, then live locals).
    pub cex_now: Vec<CexVar>,
    pub triggers_log: Vec<(Span, String)>,
    pub item: String,
    /// The function whose conditions these are.
    pub current: Option<FnId>,
    /// Well-definedness conditions of the clause being translated (checked separately, and
    /// assumed when the clause itself is checked, so that an ill-defined clause is reported
    /// once, as `spec`).
    pub wd_facts: Vec<T>,
    /// Pure functions being inlined (a cycle falls back to the defined function).
    inlining: Vec<FnId>,
    /// Trigger terms written with `#[trigger]` inside the quantifier being translated.
    user_triggers: Vec<T>,
    const_cache: BTreeMap<u32, T>,
    /// Inside a kernel or at a launch: what `gpu::thread_idx()` and its siblings denote.
    pub gpu: Option<GpuIds>,
    /// The generic parameters of the function being verified that are bounded by `Eq` (or
    /// `Ord`): its `==` on them is structural, since every `Eq` in VeZ is derived from
    /// fields that are all `Eq` (no floats) or built in.
    pub eq_params: Vec<u32>,
    /// The generic parameters bounded by `Ord`: their `<=` is a total order (see `ord_le`).
    pub ord_params: Vec<u32>,
    /// Swaps done so far, (sequence sort, before, after, indices in bounds): each keeps the
    /// multiset, a fact stated once a specification asks for it (see `permutation`).
    swaps: Vec<(Sort, T, T, T)>,
}

/// The `gpu::Dim3` values a kernel's thread sees, as terms.
#[derive(Clone, Debug)]
pub struct GpuIds {
    pub thread_idx: T,
    pub block_idx: T,
    pub block_dim: T,
    pub grid_dim: T,
}

/// A swap in bounds keeps the multiset `ms` of the sequence.
fn swap_keeps(ms: &str, before: T, after: T, inb: T) -> T {
    implies(inb, eq(app(ms, vec![after]), app(ms, vec![before])))
}

/// Whether `t` mentions a quantifier-bound variable (`fresh_bound` names them `x!n`; constants
/// are `x` or `x@n`, and source names cannot hold `!`).
fn has_bound_var(t: &T) -> bool {
    match &**t {
        Term::Var(v) => v.contains('!'),
        Term::App(_, args) => args.iter().any(has_bound_var),
        Term::Quant { body, .. } => has_bound_var(body),
        _ => false,
    }
}

/// Which of the `gpu::` index intrinsics a function is.
pub fn gpu_index_intrinsic(f: &FnDef) -> Option<&'static str> {
    if !(f.attrs.from_prelude && f.attrs.intrinsic) {
        return None;
    }
    match f.name.as_str() {
        "gpu::thread_idx" => Some("thread_idx"),
        "gpu::block_idx" => Some("block_idx"),
        "gpu::block_dim" => Some("block_dim"),
        "gpu::grid_dim" => Some("grid_dim"),
        _ => None,
    }
}

pub const FUEL: usize = 2;

impl<'p> Gen<'p> {
    pub fn new(
        p: &'p Program,
        source: &'p (dyn Fn(Span) -> String + Sync),
        item: String,
    ) -> Gen<'p> {
        Gen {
            p,
            types: Types::default(),
            consts: Vec::new(),
            names: HashMap::new(),
            assumptions: Vec::new(),
            axioms: Vec::new(),
            membership: Vec::new(),
            obligations: Vec::new(),
            pure_defined: HashSet::new(),
            unsupported: Vec::new(),
            source,
            pc: term::tt(),
            wd: true,
            guards: Vec::new(),
            bound: Vec::new(),
            cex_now: Vec::new(),
            triggers_log: Vec::new(),
            item,
            current: None,
            wd_facts: Vec::new(),
            inlining: Vec::new(),
            user_triggers: Vec::new(),
            const_cache: BTreeMap::new(),
            gpu: None,
            eq_params: Vec::new(),
            ord_params: Vec::new(),
            swaps: Vec::new(),
        }
    }

    pub fn sort(&mut self, ty: &Ty) -> Sort {
        self.types.sort_of(self.p, ty)
    }

    /// A fresh constant named after `base` (`x@1`, `x@2`, ...).
    pub fn fresh(&mut self, base: &str, sort: Sort) -> T {
        let n = self.names.entry(base.to_string()).or_insert(0);
        let name = if *n == 0 {
            term::sym(base)
        } else {
            term::sym(&format!("{base}@{n}"))
        };
        *n += 1;
        self.consts.push((name.clone(), sort));
        term::var(&name)
    }

    fn fresh_bound(&mut self, base: &str) -> String {
        let n = self.names.entry(format!("{base}!")).or_insert(0);
        *n += 1;
        term::sym(&format!("{base}!{n}"))
    }

    /// A fresh value of a type, with its range facts assumed.
    pub fn havoc(&mut self, base: &str, ty: &Ty) -> T {
        let s = self.sort(ty);
        let v = self.fresh(base, s);
        let r = self.range(ty, &v);
        self.assume(r);
        v
    }

    pub fn assume(&mut self, fact: T) {
        if term::as_bool(&fact) == Some(true) {
            return;
        }
        let f = implies(self.pc.clone(), fact);
        if term::as_bool(&f) != Some(true) {
            self.assumptions.push(f);
        }
    }

    /// Records an obligation `cond` at the current point, then assumes it (so that each fault
    /// is reported once, where it arises).
    pub fn obligate(&mut self, kind: &'static str, span: Span, message: String, cond: T) {
        self.obligate_labeled(kind, span, message, String::new(), cond, Vec::new());
    }

    pub fn obligate_labeled(
        &mut self,
        kind: &'static str,
        span: Span,
        message: String,
        label: String,
        cond: T,
        secondary: Vec<(Span, String)>,
    ) {
        let goal = implies(self.pc.clone(), cond.clone());
        self.obligations.push(Obligation {
            kind,
            span,
            message,
            label,
            secondary,
            prefix: self.assumptions.len(),
            goal,
            cex: self.cex_now.clone(),
        });
        self.assume(cond);
    }

    /// Facts every value of the type satisfies (through struct, tuple and enum fields).
    pub fn range(&mut self, ty: &Ty, t: &T) -> T {
        self.range_at(ty, t, 0)
    }

    fn range_at(&mut self, ty: &Ty, t: &T, depth: u32) -> T {
        match ty {
            Ty::Int(i) => ints::in_range(*i, t.clone()),
            Ty::Char => and(vec![
                term::le(num(0), t.clone()),
                term::le(t.clone(), num(0x10FFFF)),
                not(and2(
                    term::le(num(0xD800), t.clone()),
                    term::le(t.clone(), num(0xDFFF)),
                )),
            ]),
            Ty::Ref(_, inner) => self.range_at(inner, t, depth),
            _ if types::is_seq(self.p, ty) => {
                let s = self.sort(ty);
                let len = self.types.seq_len(&s, t.clone());
                let base = match ty {
                    Ty::Ref(_, b) => b,
                    _ => ty,
                };
                // An array's length is its type's (exact, below): no bound that a huge `N`
                // could contradict.
                let max = match types::elem_ty(self.p, ty) {
                    Some(e)
                        if base.array_len().is_none() && types::never_zero_sized(self.p, &e) =>
                    {
                        i64::MAX as i128
                    }
                    _ => u64::MAX as i128,
                };
                let mut facts = vec![
                    term::le(num(0), len.clone()),
                    term::le(len.clone(), num(max)),
                ];
                if let Some(n) = base.array_len() {
                    facts.push(eq(len, num(n as i128)));
                }
                and(facts)
            }
            Ty::Tuple(items) if depth < 3 => {
                let mut facts = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    let f = self.field(ty, 0, i as u32, t.clone());
                    facts.push(self.range_at(it, &f, depth + 1));
                }
                and(facts)
            }
            Ty::Adt(id, _) if depth < 3 && !self.p.adts[id.0 as usize].builtin => {
                let adt = &self.p.adts[id.0 as usize];
                let (is_enum, variants) = (adt.is_enum, adt.variants.len());
                let mut facts = Vec::new();
                for v in 0..variants as u32 {
                    let n = self.p.adts[id.0 as usize].variants[v as usize].fields.len();
                    let mut vf = Vec::new();
                    for i in 0..n as u32 {
                        let fty = self.field_ty(ty, v, i);
                        let f = self.field(ty, v, i, t.clone());
                        vf.push(self.range_at(&fty, &f, depth + 1));
                    }
                    let body = and(vf);
                    if is_enum {
                        let c = self.is_variant(ty, v, t.clone());
                        facts.push(implies(c, body));
                    } else {
                        facts.push(body);
                    }
                }
                and(facts)
            }
            _ => term::tt(),
        }
    }

    pub fn snippet(&self, span: Span) -> String {
        let s = (self.source)(span);
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.len() > 60 {
            format!(
                "{}...",
                &s[..s.char_indices().nth(57).map_or(s.len(), |c| c.0)]
            )
        } else {
            s
        }
    }

    pub fn unsupported(&mut self, span: Span, what: impl Into<String>) {
        self.unsupported.push((span, what.into()));
    }

    fn wd_obligation(&mut self, kind: &'static str, span: Span, message: String, cond: T) {
        if !self.wd {
            return;
        }
        let mut facts = Vec::new();
        let bound = self.bound.clone();
        for (v, _, ty) in &bound {
            facts.push(self.range(ty, &term::var(v)));
        }
        facts.extend(self.guards.iter().cloned());
        let body = implies(and(facts), cond);
        let vars: Vec<(String, Sort)> = bound
            .iter()
            .map(|(v, s, _)| (v.clone(), s.clone()))
            .collect();
        let goal = quant(true, vars, Vec::new(), body);
        self.wd_facts.push(goal.clone());
        // Spec obligations are checked, not assumed: the clause itself is assumed afterwards.
        self.obligations.push(Obligation {
            kind,
            span,
            message,
            label: String::new(),
            secondary: Vec::new(),
            prefix: self.assumptions.len(),
            goal: implies(self.pc.clone(), goal),
            cex: self.cex_now.clone(),
        });
    }

    fn with_guard<R>(&mut self, g: T, f: impl FnOnce(&mut Self) -> R) -> R {
        self.guards.push(g);
        let r = f(self);
        self.guards.pop();
        r
    }

    fn subst(&self, env: &Env, ty: &Ty) -> Ty {
        ty.subst(&env.tsubst)
    }

    fn local_ty(&self, env: &Env, l: LocalId) -> Ty {
        let f = self.p.func(env.func);
        self.subst(env, &f.locals[l.0 as usize].ty)
    }

    /// Value of a named constant item.
    pub fn const_value(&mut self, id: hir::ConstId) -> T {
        if let Some(t) = self.const_cache.get(&id.0) {
            return t.clone();
        }
        let c = &self.p.consts[id.0 as usize];
        let env = Env::new(FnId(u32::MAX));
        let saved = std::mem::replace(&mut self.wd, false);
        let t = self.spec(&c.value.clone(), &env);
        self.wd = saved;
        self.const_cache.insert(id.0, t.clone());
        t
    }

    /// Translates a clause that is about to be checked: the result assumes the clause's own
    /// well-definedness (reported separately) where that is a plain fact. The conditions
    /// under a quantifier (every `a[k]` of a `forall` in bounds) are left out: the solver
    /// would have to choose their triggers itself, and its choices (on `(k - 1) / 2`, say)
    /// made proofs of heap invariants time out. Leaving out a hypothesis is sound.
    pub fn spec_checked(&mut self, e: &hir::Expr, env: &Env) -> T {
        let saved = std::mem::take(&mut self.wd_facts);
        let t = self.spec(e, env);
        let mut wd = std::mem::replace(&mut self.wd_facts, saved);
        wd.retain(|f| !matches!(&**f, Term::Quant { .. }));
        implies(and(wd), t)
    }

    /// Translates a specification expression (or a pure function body).
    pub fn spec(&mut self, e: &hir::Expr, env: &Env) -> T {
        let ty = self.subst(env, &e.ty);
        match &e.kind {
            ExprKind::Lit(l) => self.lit(l, &ty),
            ExprKind::Local(l) => match env.locals.get(l) {
                Some(t) => t.clone(),
                None => {
                    self.unsupported(e.span, "a variable with no value here");
                    let s = self.sort(&ty);
                    self.fresh("unknown", s)
                }
            },
            ExprKind::Const(c) => self.const_value(*c),
            ExprKind::Result => match &env.result {
                Some(r) => r.clone(),
                None => {
                    self.unsupported(e.span, "`result` outside a postcondition");
                    let s = self.sort(&ty);
                    self.fresh("result", s)
                }
            },
            ExprKind::Old(inner) => match &env.old {
                Some(o) => {
                    // The entry state gives the parameters' values; a local declared since
                    // (`n` in a loop invariant's `old(a[n - 1 - k])`) has only its current
                    // value, as in Dafny, where `old` is about the state, not the locals.
                    let mut o = (**o).clone();
                    for (l, t) in &env.locals {
                        o.locals.entry(*l).or_insert_with(|| t.clone());
                    }
                    self.spec(inner, &o)
                }
                None => self.spec(inner, env),
            },
            ExprKind::Unary(op, a) => {
                let at = self.spec(a, env);
                match op {
                    UnOp::Not => match self.subst(env, &a.ty) {
                        Ty::Int(i) => ints::bit_not(i, at),
                        _ => not(at),
                    },
                    UnOp::Neg => match &a.ty {
                        Ty::Float(_) => {
                            let s = self.sort(&ty);
                            self.uf(
                                &format!("{}.neg", types::display(self.p, &ty)),
                                vec![at],
                                std::slice::from_ref(&s),
                                &s,
                            )
                        }
                        _ => term::neg(at),
                    },
                    UnOp::Deref => at,
                }
            }
            ExprKind::Binary(op, a, b) => self.spec_binary(*op, a, b, env, e.span),
            ExprKind::Cast(a) => {
                let at = self.spec(a, env);
                let from = self.subst(env, &a.ty);
                self.cast_value(&from, &ty, at, true)
            }
            ExprKind::Call {
                func,
                generics,
                args,
                ..
            } => {
                let generics: Vec<Ty> = generics.iter().map(|t| self.subst(env, t)).collect();
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.spec(a, env));
                }
                self.spec_call(*func, &generics, vals, e.span)
            }
            ExprKind::Ctor {
                adt: _,
                variant,
                fields,
                base,
            } => {
                let s = self.sort(&ty);
                let Some(dt) = self.types.datatype(&s).cloned() else {
                    self.unsupported(e.span, "this constructor");
                    return self.fresh("ctor", s);
                };
                let (cname, accs) = dt.ctors[*variant as usize].clone();
                let base_t = base.as_ref().map(|b| self.spec(b, env));
                let mut args = Vec::new();
                for (i, (acc, _)) in accs.iter().enumerate() {
                    if let Some((_, fe)) = fields.iter().find(|(k, _)| *k as usize == i) {
                        args.push(self.spec(fe, env));
                    } else if let Some(b) = &base_t {
                        args.push(app(acc, vec![b.clone()]));
                    } else {
                        self.unsupported(e.span, "a constructor with a missing field");
                        return self.fresh("ctor", s);
                    }
                }
                app(&cname, args)
            }
            ExprKind::Field(b, i) => {
                let bt = self.spec(b, env);
                let bty = self.subst(env, &b.ty);
                self.field(&bty, 0, *i, bt)
            }
            ExprKind::Index(s, i) => {
                let st = self.spec(s, env);
                let it = self.spec(i, env);
                let sty = self.subst(env, &s.ty);
                let srt = self.sort(&sty);
                let len = self.types.seq_len(&srt, st.clone());
                let cond = and2(term::le(num(0), it.clone()), term::lt(it.clone(), len));
                let msg = format!("index out of bounds in `{}`", self.snippet(e.span));
                self.wd_obligation("spec", e.span, msg, cond);
                let data = self.types.seq_data(&srt, st);
                term::select(data, it)
            }
            ExprKind::Ref(_, a) | ExprKind::Deref(a) | ExprKind::Coerce(_, a) => self.spec(a, env),
            ExprKind::Trigger(a) => {
                let t = self.spec(a, env);
                self.user_triggers.push(t.clone());
                t
            }
            ExprKind::Clone(a) => self.spec(a, env),
            ExprKind::Tuple(items) => {
                let s = self.sort(&ty);
                let dt = self.types.datatype(&s).cloned();
                let vals: Vec<T> = items.iter().map(|x| self.spec(x, env)).collect();
                match dt {
                    Some(d) => app(&d.ctors[0].0, vals),
                    None => self.fresh("tuple", s),
                }
            }
            ExprKind::Array(items) | ExprKind::VecLit(items) => {
                let vals: Vec<T> = items.iter().map(|x| self.spec(x, env)).collect();
                self.seq_literal(&ty, vals)
            }
            ExprKind::ArrayRepeat(x, n) => {
                let v = self.spec(x, env);
                self.seq_repeat(&ty, v, num(*n as i128))
            }
            ExprKind::VecRepeat(x, n) => {
                let v = self.spec(x, env);
                let n = self.spec(n, env);
                self.seq_repeat(&ty, v, n)
            }
            ExprKind::Block(b) => {
                let mut env = env.clone();
                for s in &b.stmts {
                    match s {
                        hir::Stmt::Let {
                            pat,
                            init: Some(init),
                            ..
                        } => {
                            let v = self.spec(init, &env);
                            let (_, binds) = self.pat_cond(pat, v, &env);
                            env.locals.extend(binds);
                        }
                        hir::Stmt::Expr(x) => {
                            self.spec(x, &env);
                        }
                        hir::Stmt::Let { span, .. } => {
                            self.unsupported(*span, "a `let` without a value in a specification");
                        }
                    }
                }
                match &b.tail {
                    Some(t) => self.spec(t, &env),
                    None => self.unit_value(),
                }
            }
            ExprKind::If(c, a, b) => {
                let ct = self.spec(c, env);
                let at = self.with_guard(ct.clone(), |g| g.spec(a, env));
                let bt = match b {
                    Some(b) => self.with_guard(not(ct.clone()), |g| g.spec(b, env)),
                    None => self.unit_value(),
                };
                ite(ct, at, bt)
            }
            ExprKind::Match(scrut, arms) => {
                let st = self.spec(scrut, env);
                let mut cases: Vec<(T, T)> = Vec::new();
                let mut earlier: Vec<T> = Vec::new();
                for arm in arms {
                    let (cond, binds) = self.pat_cond(&arm.pat, st.clone(), env);
                    let mut aenv = env.clone();
                    aenv.locals.extend(binds);
                    let reach = and(earlier
                        .iter()
                        .map(|c| not(c.clone()))
                        .chain([cond.clone()])
                        .collect());
                    let full = match &arm.guard {
                        Some(g) => {
                            let gt = self.with_guard(reach.clone(), |s| s.spec(g, &aenv));
                            and2(cond.clone(), gt)
                        }
                        None => cond.clone(),
                    };
                    let reach_full = and(earlier
                        .iter()
                        .map(|c| not(c.clone()))
                        .chain([full.clone()])
                        .collect());
                    let body = self.with_guard(reach_full, |s| s.spec(&arm.body, &aenv));
                    cases.push((full.clone(), body));
                    earlier.push(full);
                }
                let mut out = match cases.pop() {
                    Some((_, last)) => last,
                    None => {
                        let s = self.sort(&ty);
                        return self.fresh("match", s);
                    }
                };
                while let Some((c, v)) = cases.pop() {
                    out = ite(c, v, out);
                }
                out
            }
            ExprKind::Quant {
                forall,
                vars,
                triggers: _,
                body,
            } => {
                let mut env2 = env.clone();
                let mut bvars = Vec::new();
                let mut facts = Vec::new();
                for v in vars {
                    let vty = self.local_ty(env, *v);
                    let name = self.p.func(env.func).locals[v.0 as usize].name.clone();
                    let b = self.fresh_bound(&name);
                    let s = self.sort(&vty);
                    env2.bind(*v, term::var(&b));
                    bvars.push((b.clone(), s.clone()));
                    self.bound.push((b.clone(), s, vty.clone()));
                    facts.push(self.range(&vty, &term::var(&b)));
                }
                let saved_trig = std::mem::take(&mut self.user_triggers);
                let bt = self.spec(body, &env2);
                let user = std::mem::replace(&mut self.user_triggers, saved_trig);
                for _ in vars {
                    self.bound.pop();
                }
                let names: Vec<String> = bvars.iter().map(|(n, _)| n.clone()).collect();
                let triggers = if user.is_empty() {
                    term::choose_triggers(&names, &bt)
                } else {
                    vec![user]
                };
                let shown: Vec<String> = triggers
                    .iter()
                    .map(|t| t.iter().map(|x| x.smt()).collect::<Vec<_>>().join(", "))
                    .collect();
                self.triggers_log.push((
                    e.span,
                    if shown.is_empty() {
                        "no trigger found (the solver chooses)".to_string()
                    } else {
                        shown.join(" | ")
                    },
                ));
                let body = if *forall {
                    implies(and(facts), bt)
                } else {
                    and(facts.into_iter().chain([bt]).collect())
                };
                quant(*forall, bvars, triggers, body)
            }
            ExprKind::Assert { cond, .. } => {
                let c = self.spec(cond, env);
                let msg = format!("assertion might fail: `{}`", self.snippet(cond.span));
                self.wd_obligation("spec", e.span, msg, c);
                self.unit_value()
            }
            ExprKind::Panic { .. } => {
                let msg = "a panic in a specification".to_string();
                self.wd_obligation("spec", e.span, msg, term::ff());
                let s = self.sort(&ty);
                self.fresh("panic", s)
            }
            _ => {
                self.unsupported(
                    e.span,
                    "this expression in a specification or pure function",
                );
                let s = self.sort(&ty);
                self.fresh("unsupported", s)
            }
        }
    }

    pub fn unit_value(&mut self) -> T {
        let s = self.sort(&Ty::unit());
        match self.types.datatype(&s) {
            Some(d) => app(&d.ctors[0].0.clone(), vec![]),
            None => term::tt(),
        }
    }

    pub fn lit(&mut self, l: &LitValue, ty: &Ty) -> T {
        match l {
            LitValue::Int(n) => term::unum(*n),
            LitValue::Bool(b) => term::boolean(*b),
            LitValue::Char(c) => num(*c as i128),
            LitValue::Float(f) => {
                let s = self.sort(ty);
                let name = term::sym(&format!("{}:{f:?}", types::display(self.p, ty)));
                if !self.consts.iter().any(|(n, _)| *n == name) {
                    self.consts.push((name.clone(), s));
                }
                term::var(&name)
            }
            LitValue::Str(s) => self.str_literal(s.as_bytes()),
            LitValue::ByteStr(b) => self.str_literal(b),
        }
    }

    pub fn str_literal(&mut self, bytes: &[u8]) -> T {
        let vals: Vec<T> = bytes.iter().map(|b| num(*b as i128)).collect();
        let seq = self.types.seq_sort(Sort::Int);
        self.seq_from(&seq, vals)
    }

    pub fn seq_literal(&mut self, ty: &Ty, vals: Vec<T>) -> T {
        let s = self.sort(ty);
        self.seq_from(&s, vals)
    }

    fn seq_from(&mut self, s: &Sort, vals: Vec<T>) -> T {
        let elem = types::seq_elem(&self.types, s).unwrap_or(Sort::Int);
        let arr = self.fresh("lit", Sort::Array(Box::new(Sort::Int), Box::new(elem)));
        let mut data = arr;
        for (i, v) in vals.iter().enumerate() {
            data = term::store(data, num(i as i128), v.clone());
        }
        self.types.seq_mk(s, num(vals.len() as i128), data)
    }

    pub fn seq_repeat(&mut self, ty: &Ty, v: T, n: T) -> T {
        let s = self.sort(ty);
        let elem = types::seq_elem(&self.types, &s).unwrap_or(Sort::Int);
        let data = app(
            &format!(
                "(as const {})",
                Sort::Array(Box::new(Sort::Int), Box::new(elem)).smt()
            ),
            vec![v],
        );
        self.types.seq_mk(&s, n, data)
    }

    /// Field `i` of variant `variant` of a value of type `ty` (struct, tuple or enum).
    pub fn field(&mut self, ty: &Ty, variant: u32, i: u32, t: T) -> T {
        let s = self.sort(ty);
        match self.types.datatype(&s) {
            Some(d) => match d.ctors.get(variant as usize).and_then(|(ctor, accs)| {
                accs.get(i as usize)
                    .map(|(acc, _)| (ctor.clone(), acc.clone()))
            }) {
                Some((ctor, acc)) => term::project(&ctor, i as usize, &acc, t),
                None => self.fresh("field", Sort::Int),
            },
            None => {
                let fty = self.field_ty(ty, variant, i);
                let fs = self.sort(&fty);
                self.fresh("field", fs)
            }
        }
    }

    pub fn field_ty(&self, ty: &Ty, variant: u32, i: u32) -> Ty {
        match ty {
            Ty::Tuple(v) => v.get(i as usize).cloned().unwrap_or(Ty::Error),
            Ty::Ref(_, t) => self.field_ty(t, variant, i),
            Ty::Adt(id, args) => self.p.adts[id.0 as usize]
                .variants
                .get(variant as usize)
                .and_then(|v| v.fields.get(i as usize))
                .map(|f| f.ty.subst(args))
                .unwrap_or(Ty::Error),
            _ => Ty::Error,
        }
    }

    /// The tester of variant `v` for an enum value, as `t == C(acc_1(t), ..)` (equivalent to
    /// SMT-LIB's `(_ is C)`, which cvc5 1.0 does not accept with quoted symbols).
    pub fn is_variant(&mut self, ty: &Ty, v: u32, t: T) -> T {
        let s = self.sort(ty);
        match self.types.datatype(&s) {
            Some(d) if d.ctors.len() > 1 => {
                let (c, fields) = &d.ctors[v as usize];
                let args: Vec<T> = fields
                    .iter()
                    .map(|(a, _)| app(a, vec![t.clone()]))
                    .collect();
                eq(t, app(c, args))
            }
            _ => term::tt(),
        }
    }

    /// The variant index of an enum value as an integer.
    pub fn discriminant(&mut self, ty: &Ty, t: T) -> T {
        let s = self.sort(ty);
        let n = self.types.datatype(&s).map_or(1, |d| d.ctors.len());
        let mut out = num(n as i128 - 1);
        for v in (0..n.saturating_sub(1)).rev() {
            let c = self.is_variant(ty, v as u32, t.clone());
            out = ite(c, num(v as i128), out);
        }
        out
    }

    /// Declares (once) and applies an uninterpreted function.
    pub fn uf(&mut self, name: &str, args: Vec<T>, arg_sorts: &[Sort], ret: &Sort) -> T {
        let s = term::sym(name);
        self.types.fun(&s, arg_sorts, ret);
        app(&s, args)
    }

    /// `a == b` in code: structural where the encoding is exact; floats and user types with
    /// anything inexact inside compare through an uninterpreted relation.
    pub fn code_eq(&mut self, ty: &Ty, a: T, b: T) -> T {
        match ty {
            Ty::Int(_) | Ty::Bool | Ty::Char => eq(a, b),
            Ty::Param(i, _) if self.eq_params.contains(i) => eq(a, b),
            Ty::Ref(_, t) => self.code_eq(t, a, b),
            _ if types::is_seq(self.p, ty) => {
                let ety = types::elem_ty(self.p, ty).unwrap_or(Ty::Error);
                if self.exact_eq(&ety) {
                    self.seq_eq(ty, a, b)
                } else {
                    self.opaque_eq(ty, a, b)
                }
            }
            _ if self.exact_eq(ty) => eq(a, b),
            _ => self.opaque_eq(ty, a, b),
        }
    }

    fn opaque_eq(&mut self, ty: &Ty, a: T, b: T) -> T {
        let s = self.sort(ty);
        let name = format!("eq:{}", types::display(self.p, ty));
        self.uf(&name, vec![a, b], &[s.clone(), s], &Sort::Bool)
    }

    fn exact_eq(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Int(_) | Ty::Bool | Ty::Char => true,
            Ty::Param(i, _) => self.eq_params.contains(i),
            Ty::Tuple(v) => v.iter().all(|t| self.exact_eq(t)),
            Ty::Ref(_, t) => self.exact_eq(t),
            Ty::Adt(id, args) => {
                let adt = &self.p.adts[id.0 as usize];
                !adt.builtin
                    && adt.derives.contains(&hir::StdTrait::PartialEq)
                    && adt
                        .variants
                        .iter()
                        .all(|v| v.fields.iter().all(|f| self.exact_eq(&f.ty.subst(args))))
            }
            _ => false,
        }
    }

    /// Extensional equality of sequences (their arrays may differ beyond the length).
    pub fn seq_eq(&mut self, ty: &Ty, a: T, b: T) -> T {
        let s = self.sort(ty);
        let la = self.types.seq_len(&s, a.clone());
        let lb = self.types.seq_len(&s, b.clone());
        let k = self.fresh_bound("k");
        let kv = term::var(&k);
        let sa = term::select(self.types.seq_data(&s, a), kv.clone());
        let sb = term::select(self.types.seq_data(&s, b), kv.clone());
        let body = implies(
            and2(term::le(num(0), kv.clone()), term::lt(kv, la.clone())),
            eq(sa.clone(), sb.clone()),
        );
        and2(
            eq(la, lb),
            quant(true, vec![(k, Sort::Int)], vec![vec![sa], vec![sb]], body),
        )
    }

    fn spec_binary(&mut self, op: BinOp, a: &hir::Expr, b: &hir::Expr, env: &Env, span: Span) -> T {
        let at = self.spec(a, env);
        let bt = match op {
            BinOp::And | BinOp::Implies => self.with_guard(at.clone(), |g| g.spec(b, env)),
            BinOp::Or => self.with_guard(not(at.clone()), |g| g.spec(b, env)),
            _ => self.spec(b, env),
        };
        let aty = self.subst(env, &a.ty);
        let aty = match aty {
            Ty::Ref(_, t) => (*t).clone(),
            t => t,
        };
        match op {
            BinOp::And => and2(at, bt),
            BinOp::Or => term::or2(at, bt),
            BinOp::Implies => implies(at, bt),
            BinOp::Iff => eq(at, bt),
            BinOp::Eq => self.spec_eq(&aty, at, bt),
            BinOp::Ne => {
                let e = self.spec_eq(&aty, at, bt);
                not(e)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => self.compare(op, &aty, at, bt),
            BinOp::Add | BinOp::Sub | BinOp::Mul if matches!(aty, Ty::Float(_)) => {
                self.float_op(op, &aty, at, bt)
            }
            BinOp::Div | BinOp::Rem if matches!(aty, Ty::Float(_)) => {
                self.float_op(op, &aty, at, bt)
            }
            BinOp::Add => term::add(at, bt),
            BinOp::Sub => term::sub(at, bt),
            BinOp::Mul => term::mul(at, bt),
            BinOp::Div | BinOp::Rem => {
                let msg = format!("possible division by zero in `{}`", self.snippet(span));
                self.wd_obligation("spec", span, msg, not(eq(bt.clone(), num(0))));
                let signed = matches!(aty, Ty::Int(i) if i.signed());
                if op == BinOp::Div {
                    ints::trunc_div(signed, at, bt)
                } else {
                    ints::trunc_rem(signed, at, bt)
                }
            }
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => match aty {
                Ty::Int(i) => ints::bitwise(op, i, at, bt),
                _ => match op {
                    BinOp::BitAnd => and2(at, bt),
                    BinOp::BitOr => term::or2(at, bt),
                    _ => not(eq(at, bt)),
                },
            },
            BinOp::Shl | BinOp::Shr => match aty {
                Ty::Int(i) => {
                    if op == BinOp::Shl {
                        ints::shl(i, at, bt)
                    } else {
                        ints::shr(i, at, bt)
                    }
                }
                _ => {
                    self.unsupported(span, "a shift of a non-integer");
                    at
                }
            },
        }
    }

    pub fn float_op(&mut self, op: BinOp, ty: &Ty, a: T, b: T) -> T {
        let s = self.sort(ty);
        let name = format!("{}.{}", types::display(self.p, ty), op.as_str());
        let ret = if matches!(
            op,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        ) {
            Sort::Bool
        } else {
            s.clone()
        };
        self.uf(&name, vec![a, b], &[s.clone(), s], &ret)
    }

    /// Specification equality: mathematical (sequences extensionally).
    fn spec_eq(&mut self, ty: &Ty, a: T, b: T) -> T {
        if types::is_seq(self.p, ty) {
            self.seq_eq(ty, a, b)
        } else {
            eq(a, b)
        }
    }

    /// `a <= b` on a generic `T: Ord`: an uninterpreted relation with the axioms of a total
    /// order whose equivalence is `==`. Sound because `Ord` is only derived or built in
    /// (lexicographic on fields and variants, numeric on integers), which is such an order.
    fn ord_le(&mut self, ty: &Ty, a: T, b: T) -> T {
        let s = self.sort(ty);
        let name = term::sym(&format!("le:{}", types::display(self.p, ty)));
        if self.pure_defined.insert(name.clone()) {
            self.types.fun(&name, &[s.clone(), s.clone()], &Sort::Bool);
            let [x, y, z] = ["x", "y", "z"].map(|v| self.fresh_bound(v));
            let le = |a: &str, b: &str| app(&name, vec![term::var(a), term::var(b)]);
            let two = vec![(x.clone(), s.clone()), (y.clone(), s.clone())];
            let mut three = two.clone();
            three.push((z.clone(), s.clone()));
            // Total (so reflexive), antisymmetric, transitive.
            self.axioms.push(quant(
                true,
                two.clone(),
                vec![vec![le(&x, &y)]],
                or(vec![le(&x, &y), le(&y, &x)]),
            ));
            self.axioms.push(quant(
                true,
                two,
                vec![vec![le(&x, &y), le(&y, &x)]],
                implies(
                    and2(le(&x, &y), le(&y, &x)),
                    eq(term::var(&x), term::var(&y)),
                ),
            ));
            self.axioms.push(quant(
                true,
                three,
                vec![vec![le(&x, &y), le(&y, &z)]],
                implies(and2(le(&x, &y), le(&y, &z)), le(&x, &z)),
            ));
        }
        app(&name, vec![a, b])
    }

    /// `is_permutation(a, b)`: the two sequences have the same multiset of elements, `ms`,
    /// an uninterpreted map from a sequence to element counts. What is known of the multiset
    /// of each sequence named here: its size is the length, every element is counted, and
    /// what is counted is an element. These facts are stated for `a` and `b` themselves, not
    /// as axioms over all sequences: quantifying over sequences (arrays inside a datatype)
    /// keeps the solver from finding counterexamples. The swap primitive keeps the multiset;
    /// the rest follows by equality.
    fn permutation(&mut self, seq_ty: &Ty, a: T, b: T) -> T {
        let s = self.sort(seq_ty);
        let Some(e) = types::seq_elem(&self.types, &s) else {
            return self.fresh("is_permutation", Sort::Bool);
        };
        let counts = Sort::Array(Box::new(e.clone()), Box::new(Sort::Int));
        let ms = Self::multiset_symbol(&s);
        let size = term::sym(&format!("msize:{}", types::seq_name(&s)));
        if self.pure_defined.insert(ms.clone()) {
            self.types.fun(&ms, std::slice::from_ref(&s), &counts);
            self.types
                .fun(&size, std::slice::from_ref(&counts), &Sort::Int);
            for (_, before, after, inb) in self.swaps.iter().filter(|w| w.0 == s) {
                let kept = swap_keeps(&ms, before.clone(), after.clone(), inb.clone());
                self.axioms.push(kept);
            }
        }
        for q in [&a, &b] {
            // A sequence under a quantifier has no instance of its own (weaker, still sound).
            if has_bound_var(q) || !self.pure_defined.insert(format!("{ms} {}", q.smt())) {
                continue;
            }
            let msq = app(&ms, vec![q.clone()]);
            let len = self.types.seq_len(&s, q.clone());
            let data = self.types.seq_data(&s, q.clone());
            self.axioms
                .push(eq(len.clone(), app(&size, vec![msq.clone()])));
            let i = self.fresh_bound("i");
            let elem_i = term::select(data.clone(), term::var(&i));
            self.membership.push(quant(
                true,
                vec![(i.clone(), Sort::Int)],
                vec![vec![elem_i.clone()]],
                implies(
                    and2(
                        term::le(num(0), term::var(&i)),
                        term::lt(term::var(&i), len.clone()),
                    ),
                    term::le(num(1), term::select(msq.clone(), elem_i)),
                ),
            ));
            let (x, j) = (self.fresh_bound("x"), self.fresh_bound("j"));
            let counted = term::select(msq.clone(), term::var(&x));
            self.membership.push(quant(
                true,
                vec![(x.clone(), e.clone())],
                vec![vec![counted.clone()]],
                implies(
                    term::le(num(1), counted),
                    quant(
                        false,
                        vec![(j.clone(), Sort::Int)],
                        vec![],
                        and(vec![
                            term::le(num(0), term::var(&j)),
                            term::lt(term::var(&j), len),
                            eq(term::select(data, term::var(&j)), term::var(&x)),
                        ]),
                    ),
                ),
            ));
        }
        eq(app(&ms, vec![a]), app(&ms, vec![b]))
    }

    fn multiset_symbol(seq_sort: &Sort) -> String {
        term::sym(&format!("ms:{}", types::seq_name(seq_sort)))
    }

    /// A swap of two elements of a sequence of sort `s`, in bounds when `inb` holds.
    pub fn note_swap(&mut self, s: &Sort, before: T, after: T, inb: T) {
        let ms = Self::multiset_symbol(s);
        if self.pure_defined.contains(&ms) {
            self.axioms.push(swap_keeps(&ms, before, after, inb));
        } else {
            self.swaps.push((s.clone(), before, after, inb));
        }
    }

    pub fn compare(&mut self, op: BinOp, ty: &Ty, a: T, b: T) -> T {
        match ty {
            Ty::Int(_) | Ty::Char => match op {
                BinOp::Lt => term::lt(a, b),
                BinOp::Le => term::le(a, b),
                BinOp::Gt => term::lt(b, a),
                _ => term::le(b, a),
            },
            Ty::Bool => {
                // false < true
                let ai = ite(a, num(1), num(0));
                let bi = ite(b, num(1), num(0));
                self.compare(op, &Ty::Int(IntTy::U8), ai, bi)
            }
            Ty::Ref(_, t) => self.compare(op, t, a, b),
            Ty::Float(_) => self.float_op(op, ty, a, b),
            Ty::Param(i, _) if self.ord_params.contains(i) => {
                let lt = |g: &mut Self, x: T, y: T| {
                    let le = g.ord_le(ty, x.clone(), y.clone());
                    and2(le, not(eq(x, y)))
                };
                match op {
                    BinOp::Lt => lt(self, a, b),
                    BinOp::Le => self.ord_le(ty, a, b),
                    BinOp::Gt => lt(self, b, a),
                    _ => self.ord_le(ty, b, a),
                }
            }
            _ => {
                // Orders on other types (generic `T: Ord`, user types) are uninterpreted.
                let s = self.sort(ty);
                let name = format!("{}:{}", op.as_str(), types::display(self.p, ty));
                self.uf(&name, vec![a, b], &[s.clone(), s], &Sort::Bool)
            }
        }
    }

    /// `e as T`: in specifications integers wrap as at run time; in code the cast was proven
    /// lossless (or reported) before this value is used.
    pub fn cast_value(&mut self, from: &Ty, to: &Ty, v: T, wrap: bool) -> T {
        match (from, to) {
            (Ty::Int(_) | Ty::Char, Ty::Int(t)) => {
                if wrap {
                    ints::wrap(*t, v)
                } else {
                    v
                }
            }
            (Ty::Bool, Ty::Int(_)) => ite(v, num(1), num(0)),
            (Ty::Int(_), Ty::Char) => v,
            (a, b) if a == b => v,
            _ => {
                let fs = self.sort(from);
                let ts = self.sort(to);
                let name = format!(
                    "cast:{}->{}",
                    types::display(self.p, from),
                    types::display(self.p, to)
                );
                let r = self.uf(&name, vec![v], &[fs], &ts);
                if let Ty::Int(i) = to {
                    // Float-to-integer casts saturate: the result is in range.
                    let range = ints::in_range(*i, r.clone());
                    self.assume(range);
                }
                r
            }
        }
    }

    /// A call inside a specification or pure body.
    pub fn spec_call(&mut self, func: FnId, generics: &[Ty], args: Vec<T>, span: Span) -> T {
        let f = self.p.func(func);
        let ret = f.ret.subst(generics);
        let arg_tys: Vec<Ty> = f.param_tys().map(|t| t.subst(generics)).collect();
        if let Some(b) = builtin(self.p, f) {
            return self.builtin_value(b, &arg_tys, &ret, args, span, true);
        }
        if !f.attrs.pure {
            self.unsupported(
                span,
                format!("a call of `{}`, which is not #[pure]", f.name),
            );
            let s = self.sort(&ret);
            return self.fresh("call", s);
        }
        if self.wd && !f.contract.requires.is_empty() {
            let env = Env::for_call(self.p, func, generics, &args);
            let saved = std::mem::replace(&mut self.wd, false);
            let reqs: Vec<T> = f
                .contract
                .requires
                .iter()
                .map(|r| self.spec(r, &env))
                .collect();
            self.wd = saved;
            let msg = format!(
                "the precondition of `{}` might not hold in `{}`",
                f.name,
                self.snippet(span)
            );
            self.wd_obligation("spec", span, msg, and(reqs));
        }
        self.pure_app(func, generics, args)
    }

    /// The value of a pure function at `args`: its body, inlined, when it does not call
    /// itself (no quantified definition, so a failing query still has a model), else
    /// `f(fuel, args)`, defined on first use.
    pub fn pure_app(&mut self, func: FnId, generics: &[Ty], args: Vec<T>) -> T {
        let f = self.p.func(func);
        if let (Some(which), Some(ids)) = (gpu_index_intrinsic(f), &self.gpu) {
            return match which {
                "thread_idx" => ids.thread_idx.clone(),
                "block_idx" => ids.block_idx.clone(),
                "block_dim" => ids.block_dim.clone(),
                _ => ids.grid_dim.clone(),
            };
        }
        if f.attrs.from_prelude && f.attrs.intrinsic && f.name == "is_permutation" {
            if let [a, b] = args.as_slice() {
                let seq_ty = f
                    .param_tys()
                    .next()
                    .map(|t| t.subst(generics))
                    .unwrap_or(Ty::Error);
                return self.permutation(&seq_ty, a.clone(), b.clone());
            }
        }
        // A `#[trusted]` body was never verified: only its contract is known.
        if let (Some(body), false) = (&f.body, f.attrs.intrinsic || f.attrs.trusted) {
            if !self.inlining.contains(&func)
                && !calls_itself(body, func)
                && self.inlining.len() < 8
            {
                let env = Env::for_call(self.p, func, generics, &args);
                let before = self.unsupported.len();
                let saved_wd = std::mem::replace(&mut self.wd, false);
                let saved_guards = std::mem::take(&mut self.guards);
                let saved_bound = std::mem::take(&mut self.bound);
                self.inlining.push(func);
                let body = body.clone();
                let t = self.spec(&body, &env);
                self.inlining.pop();
                self.wd = saved_wd;
                self.guards = saved_guards;
                self.bound = saved_bound;
                if self.unsupported.len() == before {
                    return t;
                }
                self.unsupported.truncate(before);
            }
        }
        let name = self.define_pure(func, generics);
        let fuel = self.fuel(FUEL);
        let mut all = vec![fuel];
        all.extend(args);
        app(&name, all)
    }

    pub fn fuel(&mut self, n: usize) -> T {
        self.types.fuel_sort();
        let mut f = app("FZ", vec![]);
        for _ in 0..n {
            f = app("FS", vec![f]);
        }
        f
    }

    pub fn pure_symbol(&self, func: FnId, generics: &[Ty]) -> String {
        let f = self.p.func(func);
        let mut name = f.name.clone();
        if !generics.is_empty() {
            let g: Vec<String> = generics.iter().map(|t| types::display(self.p, t)).collect();
            name.push_str(&format!("<{}>", g.join(", ")));
        }
        term::sym(&name)
    }

    fn define_pure(&mut self, func: FnId, generics: &[Ty]) -> String {
        let name = self.pure_symbol(func, generics);
        if !self.pure_defined.insert(name.clone()) {
            return name;
        }
        let f = self.p.func(func);
        let fuel_sort = self.types.fuel_sort();
        let param_tys: Vec<Ty> = f.param_tys().map(|t| t.subst(generics)).collect();
        let ret = f.ret.subst(generics);
        let mut sorts = vec![fuel_sort.clone()];
        for t in &param_tys {
            sorts.push(self.sort(t));
        }
        let rs = self.sort(&ret);
        self.types.fun(&name, &sorts, &rs);

        let fu = self.fresh_bound("fuel");
        let mut vars = vec![(fu.clone(), fuel_sort)];
        let mut env = Env::new(func);
        env.tsubst = generics.to_vec();
        let mut facts = Vec::new();
        for (i, l) in f.params.iter().enumerate() {
            let pname = f.locals[l.0 as usize].name.clone();
            let v = self.fresh_bound(&pname);
            vars.push((v.clone(), sorts[i + 1].clone()));
            env.locals.insert(*l, term::var(&v));
            facts.push(self.range(&param_tys[i], &term::var(&v)));
        }
        let args: Vec<T> = vars[1..].iter().map(|(v, _)| term::var(v)).collect();
        let call_at = |fuel: T| {
            let mut a = vec![fuel];
            a.extend(args.iter().cloned());
            app(&name, a)
        };
        let succ = app("FS", vec![term::var(&fu)]);
        let saved_wd = std::mem::replace(&mut self.wd, false);
        let saved_pc = std::mem::replace(&mut self.pc, term::tt());
        let reqs: Vec<T> = f
            .contract
            .requires
            .iter()
            .map(|r| self.spec(r, &env))
            .collect();
        let pre = and(facts.iter().cloned().chain(reqs).collect());
        // Fuel irrelevance: every fuel level names the same function.
        self.axioms.push(quant(
            true,
            vars.clone(),
            vec![vec![call_at(succ.clone())]],
            eq(call_at(succ.clone()), call_at(term::var(&fu))),
        ));
        // Results are in range.
        let rfact = self.range(&ret, &call_at(term::var(&fu)));
        if term::as_bool(&rfact) != Some(true) {
            self.axioms.push(quant(
                true,
                vars.clone(),
                vec![vec![call_at(term::var(&fu))]],
                implies(and(facts.clone()), rfact),
            ));
        }
        // The postcondition, unless it is what is being proved: the function being verified,
        // or one whose body or contract reaches it, would assume it for every argument,
        // itself included. (Its recursive calls assume it where they are made, after the
        // measure was checked to decrease.)
        let circular = self.current.is_some_and(|item| {
            crate::callgraph::reaches(
                self.p,
                func,
                item,
                crate::callgraph::Through::BodiesAndContracts,
                &|_| true,
            )
        });
        if !f.contract.ensures.is_empty() && !circular {
            let mut penv = env.clone();
            penv.result = Some(call_at(term::var(&fu)));
            penv.old = Some(Box::new(env.clone()));
            let posts: Vec<T> = f
                .contract
                .ensures
                .clone()
                .iter()
                .map(|e| self.spec(e, &penv))
                .collect();
            self.axioms.push(quant(
                true,
                vars.clone(),
                vec![vec![call_at(term::var(&fu))]],
                implies(pre.clone(), and(posts)),
            ));
        }
        // The definition, one unfolding per fuel level; none while the function itself is
        // verified (its termination is among what is checked), nor where its recursion
        // cannot be checked to end.
        let own = self.current == Some(func);
        let defined = !f.attrs.intrinsic
            && !f.attrs.trusted
            && !own
            && !crate::callgraph::unchecked_recursion(self.p, func);
        if let (Some(body), true) = (&f.body, defined) {
            let before = self.unsupported.len();
            let body = body.clone();
            let bt = self.pure_body(&body, &env, func, generics, &term::var(&fu));
            if self.unsupported.len() == before {
                self.axioms.push(quant(
                    true,
                    vars.clone(),
                    vec![vec![call_at(succ.clone())]],
                    implies(pre, eq(call_at(succ), bt)),
                ));
            } else {
                // The body is beyond what specifications can express: the function stays
                // uninterpreted (sound, only weaker), which the caller learns as `unknown`.
                self.unsupported.truncate(before);
            }
        }
        self.wd = saved_wd;
        self.pc = saved_pc;
        name
    }

    /// A pure body, with its own recursive calls at the given fuel.
    fn pure_body(
        &mut self,
        body: &hir::Expr,
        env: &Env,
        func: FnId,
        generics: &[Ty],
        fuel: &T,
    ) -> T {
        let t = self.spec(body, env);
        // Recursive calls were translated at the standard fuel; re-point them at `fuel`.
        let me = self.pure_symbol(func, generics);
        let standard = self.fuel(FUEL);
        refuel(&t, &me, &standard, fuel)
    }

    /// A builtin method's value.
    pub fn builtin_value(
        &mut self,
        b: Builtin,
        arg_tys: &[Ty],
        ret: &Ty,
        args: Vec<T>,
        span: Span,
        in_spec: bool,
    ) -> T {
        let recv_ty = arg_tys.first().cloned().unwrap_or(Ty::Error);
        let recv_ty = match recv_ty {
            Ty::Ref(_, t) => *t,
            t => t,
        };
        let a0 = args.first().cloned().unwrap_or_else(term::tt);
        match b {
            Builtin::Len => {
                let s = self.sort(&recv_ty);
                self.types.seq_len(&s, a0)
            }
            Builtin::AsBytes => a0,
            Builtin::IsEmpty => {
                let s = self.sort(&recv_ty);
                eq(self.types.seq_len(&s, a0), num(0))
            }
            Builtin::IsSome => self.is_variant(&recv_ty, self.ok_variant(&recv_ty), a0),
            Builtin::IsNone => {
                let v = self.ok_variant(&recv_ty);
                not(self.is_variant(&recv_ty, v, a0))
            }
            Builtin::Unwrap | Builtin::UnwrapErr => {
                let v = self.unwrapped_variant(b, &recv_ty);
                if in_spec {
                    let c = self.is_variant(&recv_ty, v, a0.clone());
                    let msg = format!(
                        "`{}` might be called on a failure value",
                        self.snippet(span)
                    );
                    self.wd_obligation("spec", span, msg, c);
                }
                self.field(&recv_ty, v, 0, a0)
            }
            Builtin::UnwrapOr => {
                let v = self.ok_variant(&recv_ty);
                let c = self.is_variant(&recv_ty, v, a0.clone());
                let inner = self.field(&recv_ty, v, 0, a0);
                ite(c, inner, args.get(1).cloned().unwrap_or_else(term::tt))
            }
            Builtin::Pow => {
                let a1 = args.get(1).cloned().unwrap_or_else(|| num(0));
                self.power(&recv_ty, a0, a1)
            }
            Builtin::Wrapping(op) | Builtin::Saturating(op) | Builtin::Checked(op) => {
                let Ty::Int(i) = recv_ty else {
                    let s = self.sort(ret);
                    return self.fresh("call", s);
                };
                let a1 = args.get(1).cloned().unwrap_or_else(|| num(0));
                let exact = match op {
                    BinOp::Add => term::add(a0, a1),
                    BinOp::Sub => term::sub(a0, a1),
                    _ => term::mul(a0, a1),
                };
                match b {
                    Builtin::Wrapping(_) => ints::wrap(i, exact),
                    Builtin::Saturating(_) => {
                        let (lo, hi) = types::int_range(i);
                        ite(
                            term::lt(exact.clone(), num(lo)),
                            num(lo),
                            ite(
                                term::lt(term::unum(hi), exact.clone()),
                                term::unum(hi),
                                exact,
                            ),
                        )
                    }
                    _ => {
                        let fits = ints::in_range(i, exact.clone());
                        let some = self.ctor_value(ret, 1, vec![exact]);
                        let none = self.ctor_value(ret, 0, vec![]);
                        ite(fits, some, none)
                    }
                }
            }
        }
    }

    /// Exponents spelled out as products when both the base and the exponent of a `pow`
    /// are variables (beyond it the solver's nonlinear arithmetic can run past any timeout).
    pub const POW_SPELLED_OUT: i128 = 16;

    /// `base` to the power `exp` of an integer type: the product when the exponent is a
    /// known constant; else the product for each exponent below the type's width (below
    /// `POW_SPELLED_OUT` when the base is a variable too), and above it the closed forms for
    /// bases 0, 1 and -1 and, for any other base, a value just out of the type's range
    /// (|base|^exp >= 2^width overflows) or, above `POW_SPELLED_OUT`, an unknown value.
    pub fn power(&mut self, ty: &Ty, base: T, exp: T) -> T {
        let Ty::Int(i) = ty else {
            let s = self.sort(ty);
            return self.fresh("pow", s);
        };
        let product = |k: i128| (0..k).fold(num(1), |acc, _| term::mul(acc, base.clone()));
        let bits = i.bits() as i128;
        if let Some(k) = term::as_num(&exp).filter(|k| (0..=bits).contains(k)) {
            return product(k);
        }
        let spelled = if term::as_num(&base).is_some() {
            bits
        } else {
            Self::POW_SPELLED_OUT
        };
        let (_, hi) = types::int_range(*i);
        let beyond = if spelled == bits {
            term::add(term::unum(hi), num(1))
        } else {
            let name = format!("pow.{}", types::display(self.p, ty));
            self.uf(
                &name,
                vec![base.clone(), exp.clone()],
                &[Sort::Int, Sort::Int],
                &Sort::Int,
            )
        };
        let parity = ite(
            eq(term::modulo(exp.clone(), num(2)), num(0)),
            num(1),
            num(-1),
        );
        let mut t = ite(
            eq(base.clone(), num(0)),
            num(0),
            ite(
                eq(base.clone(), num(1)),
                num(1),
                ite(eq(base.clone(), num(-1)), parity, beyond),
            ),
        );
        for k in (0..spelled).rev() {
            t = ite(eq(exp.clone(), num(k)), product(k), t);
        }
        t
    }

    pub fn ctor_value(&mut self, ty: &Ty, variant: u32, args: Vec<T>) -> T {
        let s = self.sort(ty);
        match self
            .types
            .datatype(&s)
            .and_then(|d| d.ctors.get(variant as usize))
            .cloned()
        {
            Some((c, _)) => app(&c, args),
            None => self.fresh("ctor", s),
        }
    }

    /// The variant that holds a value: `Some` (1) of `Option`, `Ok` (0) of `Result`.
    /// The variant whose payload `unwrap` (`Some`/`Ok`) or `unwrap_err` (`Err`) returns.
    pub fn unwrapped_variant(&self, b: Builtin, ty: &Ty) -> u32 {
        let ok = self.ok_variant(ty);
        if b == Builtin::UnwrapErr {
            1 - ok
        } else {
            ok
        }
    }

    pub fn ok_variant(&self, ty: &Ty) -> u32 {
        if self.p.is_lang(ty, self.p.lang.result) {
            0
        } else {
            1
        }
    }

    /// The condition under which a pattern matches a value, and the bindings it makes.
    pub fn pat_cond(&mut self, pat: &hir::Pat, v: T, env: &Env) -> (T, Vec<(LocalId, T)>) {
        let ty = self.subst(env, &pat.ty);
        match &pat.kind {
            PatKind::Wild => (term::tt(), vec![]),
            PatKind::Binding { local, sub, .. } => {
                let mut binds = vec![(*local, v.clone())];
                let mut c = term::tt();
                if let Some(s) = sub {
                    let (sc, sb) = self.pat_cond(s, v, env);
                    c = sc;
                    binds.extend(sb);
                }
                (c, binds)
            }
            PatKind::Const(k) => (eq(v, pat_const(k)), vec![]),
            PatKind::Range { lo, hi, inclusive } => {
                let upper = if *inclusive {
                    term::le(v.clone(), pat_const(hi))
                } else {
                    term::lt(v.clone(), pat_const(hi))
                };
                (and2(term::le(pat_const(lo), v), upper), vec![])
            }
            PatKind::Tuple(items) => {
                let mut conds = Vec::new();
                let mut binds = Vec::new();
                for (i, sp) in items.iter().enumerate() {
                    let fv = self.field(&ty, 0, i as u32, v.clone());
                    let (c, b) = self.pat_cond(sp, fv, env);
                    conds.push(c);
                    binds.extend(b);
                }
                (and(conds), binds)
            }
            PatKind::Variant {
                variant, fields, ..
            } => {
                let base = match &ty {
                    Ty::Ref(_, t) => (**t).clone(),
                    t => t.clone(),
                };
                let mut conds = vec![self.is_variant(&base, *variant, v.clone())];
                let mut binds = Vec::new();
                for (i, sp) in fields.iter().enumerate() {
                    if matches!(sp.kind, PatKind::Wild) {
                        continue;
                    }
                    let fv = self.field(&base, *variant, i as u32, v.clone());
                    let (c, b) = self.pat_cond(sp, fv, env);
                    conds.push(c);
                    binds.extend(b);
                }
                (and(conds), binds)
            }
            PatKind::Deref(inner) => self.pat_cond(inner, v, env),
            PatKind::Or(alts) => {
                let mut conds = Vec::new();
                let mut all: Vec<(T, Vec<(LocalId, T)>)> = Vec::new();
                for a in alts {
                    let (c, b) = self.pat_cond(a, v.clone(), env);
                    conds.push(c.clone());
                    all.push((c, b));
                }
                // A binding takes its value from the first alternative that matches.
                let mut binds: Vec<(LocalId, T)> = Vec::new();
                if let Some((_, first)) = all.first() {
                    for (l, _) in first {
                        let mut val: Option<T> = None;
                        for (c, b) in all.iter().rev() {
                            if let Some((_, t)) = b.iter().find(|(x, _)| x == l) {
                                val = Some(match val {
                                    None => t.clone(),
                                    Some(rest) => ite(c.clone(), t.clone(), rest),
                                });
                            }
                        }
                        if let Some(t) = val {
                            binds.push((*l, t));
                        }
                    }
                }
                (or(conds), binds)
            }
            PatKind::ConstItem(c) => {
                let cv = self.const_value(*c);
                (eq(v, cv), vec![])
            }
        }
    }
}

/// Whether a body calls the function directly.
fn calls_itself(body: &hir::Expr, func: FnId) -> bool {
    let mut found = false;
    body.walk(&mut |e| {
        if let ExprKind::Call { func: f, .. } = &e.kind {
            found |= *f == func;
        }
    });
    found
}

fn pat_const(k: &PatConst) -> T {
    match k {
        PatConst::Int(n) => num(*n),
        PatConst::BigUint(n) => term::unum(*n),
        PatConst::Bool(b) => term::boolean(*b),
        PatConst::Char(c) => num(*c as i128),
        PatConst::Str(_) => term::tt(),
    }
}

/// Replaces the fuel argument of calls to `me` at `from` by `to`.
fn refuel(t: &T, me: &str, from: &T, to: &T) -> T {
    match &**t {
        Term::App(f, args) => {
            let mut new: Vec<T> = args.iter().map(|a| refuel(a, me, from, to)).collect();
            if f == me && new.first() == Some(from) {
                new[0] = to.clone();
            }
            app(f, new)
        }
        Term::Quant {
            forall,
            vars,
            triggers,
            body,
        } => quant(
            *forall,
            vars.clone(),
            triggers
                .iter()
                .map(|ts| ts.iter().map(|x| refuel(x, me, from, to)).collect())
                .collect(),
            refuel(body, me, from, to),
        ),
        _ => t.clone(),
    }
}
