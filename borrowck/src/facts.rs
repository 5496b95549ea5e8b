//! Polonius facts from MIR, the solve, and rustc-style errors from its output.

use crate::place_name;
use polonius_engine::{Algorithm, AllFacts, Atom, FactTypes, Output};
use std::collections::{HashMap, HashSet};
use vez_mir::*;
use vez_syntax::{Diagnostic, Span};
use vez_typeck::hir::{Program, SelfKind};
use vez_typeck::ty::Ty;

macro_rules! atom {
    ($name:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);
        impl From<usize> for $name {
            fn from(i: usize) -> $name {
                $name(i as u32)
            }
        }
        impl From<$name> for usize {
            fn from(a: $name) -> usize {
                a.0 as usize
            }
        }
        impl Atom for $name {
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

atom!(Origin);
atom!(Loan);
atom!(Point);
atom!(Var);
atom!(PathId);

#[derive(Clone, Copy, Debug)]
struct Facts;

impl FactTypes for Facts {
    type Origin = Origin;
    type Loan = Loan;
    type Point = Point;
    type Variable = Var;
    type Path = PathId;
}

/// A type with an origin on every reference layer (and the parts that can hold references).
#[derive(Clone, Debug)]
enum OTy {
    Ref(Origin, bool, Box<OTy>),
    /// Tuple fields, ADT type arguments, array/slice element: in order.
    Node(Vec<OTy>),
    Leaf,
}

impl OTy {
    fn origins(&self, out: &mut Vec<Origin>) {
        match self {
            OTy::Ref(o, _, t) => {
                out.push(*o);
                t.origins(out);
            }
            OTy::Node(ts) => ts.iter().for_each(|t| t.origins(out)),
            OTy::Leaf => {}
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InitEvent {
    Assign(PathId),
    Move(PathId),
    Access(PathId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Read,
    Move,
    BorrowShared,
    BorrowMut,
    Write,
    StorageDead,
}

struct LoanInfo {
    place: Place,
    mutable: bool,
    span: Span,
    origin: Origin,
}

struct Cx<'a> {
    program: &'a Program,
    body: &'a Body,
    facts: AllFacts<Facts>,
    n_origins: usize,
    local_tys: Vec<OTy>,
    block_base: Vec<usize>,
    loans: Vec<LoanInfo>,
    /// Why a loan was invalidated at a point (for the error's code and wording).
    causes: HashMap<(Point, Loan), (Access, Span)>,
    paths: HashMap<(Local, Vec<Proj>), PathId>,
    /// The path of each whole local (the common case, without hashing).
    local_paths: Vec<Option<PathId>>,
    path_list: Vec<(Local, Vec<Proj>)>,
    moves: Vec<(PathId, Point, Span)>,
    /// Initialisation events in program order per point (for `init_errors`).
    events: Vec<(Point, InitEvent)>,
    point_spans: HashMap<Point, Span>,
    /// Origins that appear in the return place's type.
    return_origins: Vec<Origin>,
    diags: Vec<Diagnostic>,
}

pub fn check(program: &Program, body: &Body) -> Vec<Diagnostic> {
    let mut block_base = Vec::with_capacity(body.blocks.len());
    let mut n = 0;
    for b in &body.blocks {
        block_base.push(n);
        n += b.stmts.len() + 1;
    }
    let mut cx = Cx {
        program,
        body,
        facts: AllFacts::default(),
        n_origins: 0,
        local_tys: Vec::new(),
        block_base,
        loans: Vec::new(),
        causes: HashMap::new(),
        paths: HashMap::new(),
        local_paths: Vec::new(),
        path_list: Vec::new(),
        moves: Vec::new(),
        events: Vec::new(),
        point_spans: HashMap::new(),
        return_origins: Vec::new(),
        diags: Vec::new(),
    };
    cx.signature();
    cx.collect_loans();
    cx.walk();
    // Without loans no access can conflict with one: skip the solve.
    if !cx.loans.is_empty() {
        let out = Output::compute(&cx.facts, Algorithm::Hybrid, false);
        cx.report(&out);
    }
    cx.init_errors();
    cx.diags
}

/// Whether two places may overlap: same local, and one projection list is a prefix of the
/// other (different fields or variants are disjoint; indexes may alias).
fn conflicts(a: &Place, b: &Place) -> bool {
    if a.local != b.local {
        return false;
    }
    for (x, y) in a.proj.iter().zip(&b.proj) {
        match (x, y) {
            (Proj::Field(i), Proj::Field(j)) | (Proj::Downcast(i), Proj::Downcast(j)) if i != j => {
                return false
            }
            _ => {}
        }
    }
    true
}

impl<'a> Cx<'a> {
    fn fresh_origin(&mut self) -> Origin {
        self.n_origins += 1;
        Origin(self.n_origins as u32 - 1)
    }

    fn point(&self, b: usize, i: usize, mid: bool) -> Point {
        Point(((self.block_base[b] + i) * 2 + usize::from(mid)) as u32)
    }

    /// Annotates a type: references get origins from `fresh`; generic parameters take `params`.
    fn annotate(
        &mut self,
        ty: &Ty,
        params: &[OTy],
        fresh: &mut dyn FnMut(&mut Self) -> Origin,
    ) -> OTy {
        match ty {
            Ty::Ref(m, t) => {
                let o = fresh(self);
                OTy::Ref(o, *m, Box::new(self.annotate(t, params, fresh)))
            }
            Ty::Tuple(ts) | Ty::Adt(_, ts) => {
                OTy::Node(ts.iter().map(|t| self.annotate(t, params, fresh)).collect())
            }
            Ty::Array(t, _) | Ty::Slice(t) => OTy::Node(vec![self.annotate(t, params, fresh)]),
            Ty::Param(i, _) => params.get(*i as usize).cloned().unwrap_or(OTy::Leaf),
            _ => OTy::Leaf,
        }
    }

    fn annotate_fresh(&mut self, ty: &Ty) -> OTy {
        self.annotate(ty, &[], &mut |c| c.fresh_origin())
    }

    fn subset(&mut self, a: Origin, b: Origin, p: Point) {
        if a != b {
            self.facts.subset_base.push((a, b, p));
        }
    }

    /// Values of type `a` flow into a place of type `b`: their loans flow too. Under `&mut`
    /// the referent is invariant.
    fn relate(&mut self, a: &OTy, b: &OTy, p: Point, invariant: bool) {
        match (a, b) {
            (OTy::Ref(o1, m, x), OTy::Ref(o2, _, y)) => {
                self.subset(*o1, *o2, p);
                if invariant {
                    self.subset(*o2, *o1, p);
                }
                self.relate(x, y, p, invariant || *m);
            }
            (OTy::Node(xs), OTy::Node(ys)) => {
                for (x, y) in xs.iter().zip(ys) {
                    self.relate(x, y, p, invariant);
                }
            }
            _ => {}
        }
    }

    /// The signature: universal origins for the parameters (a written lifetime names one
    /// origin shared by all its uses); the returned references get their written lifetime, or
    /// the origin that elision names (the `&self` one, else the only input one).
    fn signature(&mut self) {
        let f = self.program.func(self.body.func);
        let lts = f.ref_lifetimes.clone();
        let mut named: HashMap<String, Origin> = HashMap::new();
        let mut universal = Vec::new();
        self.local_tys = vec![OTy::Leaf; self.body.locals.len()];
        for l in 1..=self.body.arg_count {
            let names = lts.get(l - 1).cloned().unwrap_or_default();
            let mut k = 0;
            let ty = self.body.locals[l].ty.clone();
            let t = self.annotate(&ty, &[], &mut |c| {
                let name = names.get(k).cloned().flatten();
                k += 1;
                match name {
                    Some(n) => *named.entry(n).or_insert_with(|| c.fresh_origin()),
                    None => c.fresh_origin(),
                }
            });
            t.origins(&mut universal);
            self.local_tys[l] = t;
        }
        let mut inputs = Vec::new();
        for l in 1..=self.body.arg_count {
            self.local_tys[l].origins(&mut inputs);
        }
        inputs.dedup();
        let self_origin = match (f.self_kind, self.local_tys.get(1)) {
            (Some(SelfKind::Ref | SelfKind::RefMut), Some(OTy::Ref(o, _, _))) => Some(*o),
            _ => None,
        };
        let elided = self_origin.or(if inputs.len() == 1 {
            Some(inputs[0])
        } else {
            None
        });
        let ret_names = if lts.len() == self.body.arg_count + 1 {
            lts.last().cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        let ret_ty = self.body.locals[0].ty.clone();
        let mut missing = false;
        let mut k = 0;
        let ret = self.annotate(&ret_ty, &[], &mut |c| {
            let name = ret_names.get(k).cloned().flatten();
            k += 1;
            match name {
                Some(n) => *named.entry(n).or_insert_with(|| {
                    let o = c.fresh_origin();
                    universal.push(o);
                    o
                }),
                None => match elided {
                    Some(o) => o,
                    None => {
                        missing = true;
                        c.fresh_origin()
                    }
                },
            }
        });
        if missing {
            self.diags.push(
                Diagnostic::error("E0106", "missing lifetime specifier", f.ret_span)
                    .with_label("expected named lifetime parameter")
                    .with_help("this function's return type contains a borrowed value, but the signature does not say which one of its inputs it is borrowed from"),
            );
        }
        universal.sort();
        universal.dedup();
        for o in universal {
            self.facts.universal_region.push(o);
            self.facts.placeholder.push((o, Loan(1_000_000 + o.0)));
        }
        let mut ros = Vec::new();
        ret.origins(&mut ros);
        self.return_origins = ros;
        self.local_tys[0] = ret;
        for l in self.body.arg_count + 1..self.body.locals.len() {
            let t = self.annotate_fresh(&self.body.locals[l].ty.clone());
            self.local_tys[l] = t;
        }
    }

    fn collect_loans(&mut self) {
        for data in &self.body.blocks {
            for s in &data.stmts {
                if let StatementKind::Assign(_, Rvalue::Ref(m, p)) = &s.kind {
                    let origin = self.fresh_origin();
                    self.loans.push(LoanInfo {
                        place: p.clone(),
                        mutable: *m,
                        span: s.span,
                        origin,
                    });
                }
            }
        }
    }

    /// The annotated type of a place, and the origins of the references it goes through.
    fn place_oty(&mut self, p: &Place) -> (OTy, Vec<Origin>) {
        let mut ty = self.body.local_ty(p.local).clone();
        let mut oty = self.local_tys[p.local.0 as usize].clone();
        let mut derefs = Vec::new();
        let mut variant = 0u32;
        for pr in &p.proj {
            match pr {
                Proj::Deref => {
                    (ty, oty) = match (&ty, &oty) {
                        (Ty::Ref(_, t), OTy::Ref(o, _, inner)) => {
                            derefs.push(*o);
                            ((**t).clone(), (**inner).clone())
                        }
                        (Ty::Adt(_, args), OTy::Node(ch)) => (
                            args.first().cloned().unwrap_or(Ty::Error),
                            ch.first().cloned().unwrap_or(OTy::Leaf),
                        ),
                        _ => (Ty::Error, OTy::Leaf),
                    };
                }
                Proj::Downcast(v) => variant = *v,
                Proj::Field(i) => {
                    (ty, oty) = match (&ty, &oty) {
                        (Ty::Tuple(ts), OTy::Node(ch)) => (
                            ts.get(*i as usize).cloned().unwrap_or(Ty::Error),
                            ch.get(*i as usize).cloned().unwrap_or(OTy::Leaf),
                        ),
                        (Ty::Adt(id, args), OTy::Node(ch)) => {
                            let adt = self.program.adt(*id);
                            let v = if adt.is_enum { variant } else { 0 };
                            match adt
                                .variants
                                .get(v as usize)
                                .and_then(|var| var.fields.get(*i as usize))
                            {
                                Some(fd) => {
                                    let fty = fd.ty.clone();
                                    let ch = ch.clone();
                                    (
                                        fty.subst(args),
                                        self.annotate(&fty, &ch, &mut |c| c.fresh_origin()),
                                    )
                                }
                                None => (Ty::Error, OTy::Leaf),
                            }
                        }
                        _ => (Ty::Error, OTy::Leaf),
                    };
                    variant = 0;
                }
                Proj::Index(_) => {
                    (ty, oty) = match (&ty, &oty) {
                        (Ty::Array(t, _) | Ty::Slice(t), OTy::Node(ch)) => {
                            ((**t).clone(), ch.first().cloned().unwrap_or(OTy::Leaf))
                        }
                        (Ty::Adt(_, args), OTy::Node(ch)) => (
                            args.first().cloned().unwrap_or(Ty::Error),
                            ch.first().cloned().unwrap_or(OTy::Leaf),
                        ),
                        _ => (Ty::Error, OTy::Leaf),
                    };
                }
            }
        }
        (oty, derefs)
    }

    fn operand_oty(&mut self, o: &Operand) -> OTy {
        match o.place() {
            Some(p) => self.place_oty(p).0,
            None => OTy::Leaf,
        }
    }

    // ---------------------------------------------------------------- paths (moves)

    fn path(&mut self, local: Local, proj: &[Proj]) -> PathId {
        if proj.is_empty() {
            if let Some(Some(p)) = self.local_paths.get(local.0 as usize) {
                return *p;
            }
        } else if let Some(p) = self.paths.get(&(local, proj.to_vec())) {
            return *p;
        }
        let id = PathId(self.path_list.len() as u32);
        self.path_list.push((local, proj.to_vec()));
        if proj.is_empty() {
            if self.local_paths.len() <= local.0 as usize {
                self.local_paths.resize(local.0 as usize + 1, None);
            }
            self.local_paths[local.0 as usize] = Some(id);
        } else {
            self.paths.insert((local, proj.to_vec()), id);
        }
        id
    }

    /// The moveable prefix of a place: everything before its first dereference.
    fn move_path(&mut self, p: &Place) -> PathId {
        let end = p
            .proj
            .iter()
            .position(|x| *x == Proj::Deref)
            .unwrap_or(p.proj.len());
        let proj: Vec<Proj> = p.proj[..end]
            .iter()
            .map(|x| {
                if let Proj::Index(_) = x {
                    Proj::Index(Local(0))
                } else {
                    x.clone()
                }
            })
            .collect();
        self.path(p.local, &proj)
    }

    // ---------------------------------------------------------------- accesses

    fn uses(&mut self, p: &Place, pt: Point) {
        self.facts.var_used_at.push((Var(p.local.0), pt));
        for pr in &p.proj {
            if let Proj::Index(l) = pr {
                self.facts.var_used_at.push((Var(l.0), pt));
            }
        }
    }

    /// Records an access of `p` at `pt`: loans it conflicts with are invalidated. A borrow
    /// invalidates at its statement's start point, before its own loan is issued at the mid
    /// point (as rustc's facts do), so a loan that is live everywhere, because it flows into
    /// the returned reference, does not conflict with the borrow that creates it.
    fn access(&mut self, p: &Place, kind: Access, pt: Point, span: Span) {
        let at = match kind {
            Access::BorrowMut | Access::BorrowShared => Point(pt.0 - 1),
            _ => pt,
        };
        for (i, l) in self.loans.iter().enumerate() {
            if !conflicts(p, &l.place) {
                continue;
            }
            let invalidates = match kind {
                Access::Read | Access::BorrowShared => l.mutable,
                Access::Move | Access::BorrowMut | Access::Write => true,
                Access::StorageDead => !l.place.has_deref(),
            };
            // Overwriting a reference kills the loans taken through it instead.
            let through = kind == Access::Write
                && l.place.proj.len() > p.proj.len()
                && l.place.proj[..p.proj.len()] == p.proj[..]
                && l.place.proj[p.proj.len()] == Proj::Deref;
            if through {
                self.facts.loan_killed_at.push((Loan(i as u32), pt));
            } else if invalidates {
                if kind == Access::StorageDead {
                    // A dead local's loans end here (after this invalidation is checked).
                    self.facts.loan_killed_at.push((Loan(i as u32), pt));
                }
                self.facts.loan_invalidated_at.push((at, Loan(i as u32)));
                self.causes
                    .entry((at, Loan(i as u32)))
                    .or_insert((kind, span));
            }
        }
        if matches!(
            kind,
            Access::Read | Access::Move | Access::BorrowShared | Access::BorrowMut
        ) {
            let path = self.move_path(p);
            self.events.push((pt, InitEvent::Access(path)));
        }
    }

    fn read_operand(&mut self, o: &Operand, pt: Point, span: Span) {
        match o {
            Operand::Copy(p) => {
                self.uses(p, pt);
                self.access(p, Access::Read, pt, span);
            }
            Operand::Move(p) => {
                self.uses(p, pt);
                self.access(p, Access::Move, pt, span);
                if p.has_deref() {
                    let boxed = matches!(self.body.local_ty(p.local), Ty::Adt(id, _) if Some(*id) == self.program.lang.boxed);
                    if !boxed {
                        let name = place_name(self.body, p).unwrap_or_else(|| "value".into());
                        self.diags.push(Diagnostic::error("E0507", format!("cannot move out of `{name}` which is behind a reference"), span)
                            .with_label("move occurs here, because the value does not implement the `Copy` trait"));
                    }
                } else {
                    let path = self.move_path(p);
                    self.events.push((pt, InitEvent::Move(path)));
                    self.moves.push((path, pt, span));
                }
            }
            Operand::Const(_) => {}
        }
    }

    fn write(&mut self, p: &Place, pt: Point, span: Span) {
        if p.proj.is_empty() {
            self.facts.var_defined_at.push((Var(p.local.0), pt));
        } else {
            self.uses(p, pt);
        }
        self.access(p, Access::Write, pt, span);
        if !p.has_deref() {
            let path = self.move_path(p);
            self.events.push((pt, InitEvent::Assign(path)));
        }
    }

    // ---------------------------------------------------------------- the walk

    fn walk(&mut self) {
        let body = self.body;
        // Parameters are initialised on entry (the others start uninitialised: `init_errors`).
        let entry = self.point(0, 0, false);
        for l in 1..=body.arg_count {
            self.facts.var_defined_at.push((Var(l as u32), entry));
        }
        for l in 0..self.local_tys.len() {
            let mut os = Vec::new();
            self.local_tys[l].origins(&mut os);
            for o in os {
                self.facts.use_of_var_derefs_origin.push((Var(l as u32), o));
            }
        }
        let mut loan_index = 0usize;
        for (b, data) in body.blocks.iter().enumerate() {
            let n = data.stmts.len();
            for i in 0..=n {
                let (start, mid) = (self.point(b, i, false), self.point(b, i, true));
                self.facts.cfg_edge.push((start, mid));
                if i < n {
                    let next = self.point(b, i + 1, false);
                    self.facts.cfg_edge.push((mid, next));
                } else {
                    for s in data.term.successors() {
                        let next = self.point(s.0 as usize, 0, false);
                        self.facts.cfg_edge.push((mid, next));
                    }
                }
                if i < n {
                    let s = &data.stmts[i];
                    self.point_spans.insert(mid, s.span);
                    self.statement(&s.kind, mid, s.span, &mut loan_index);
                } else {
                    self.point_spans.insert(mid, data.term.span);
                    self.terminator(&data.term.kind, mid, data.term.span);
                }
            }
        }
    }

    fn statement(&mut self, s: &StatementKind, pt: Point, span: Span, loan_index: &mut usize) {
        match s {
            StatementKind::StorageLive(_) => {}
            StatementKind::StorageDead(l) => {
                self.access(&Place::local(*l), Access::StorageDead, pt, span);
            }
            StatementKind::Assign(dest, rv) => {
                let (dest_oty, _) = self.place_oty(dest);
                match rv {
                    Rvalue::Ref(m, p) => {
                        let li = *loan_index;
                        *loan_index += 1;
                        let origin = self.loans[li].origin;
                        self.uses(p, pt);
                        self.access(
                            p,
                            if *m {
                                Access::BorrowMut
                            } else {
                                Access::BorrowShared
                            },
                            pt,
                            span,
                        );
                        self.facts
                            .loan_issued_at
                            .push((origin, Loan(li as u32), pt));
                        let (inner, derefs) = self.place_oty(p);
                        for d in derefs {
                            self.subset(d, origin, pt);
                        }
                        self.relate(&OTy::Ref(origin, *m, Box::new(inner)), &dest_oty, pt, false);
                    }
                    Rvalue::Use(o) | Rvalue::Coerce(_, o) => {
                        self.read_operand(o, pt, span);
                        let t = self.operand_oty(o);
                        self.relate(&t, &dest_oty, pt, false);
                    }
                    Rvalue::Aggregate(kind, ops) => {
                        for (i, o) in ops.iter().enumerate() {
                            self.read_operand(o, pt, span);
                            let t = self.operand_oty(o);
                            let target = match (kind, &dest_oty) {
                                (AggregateKind::Tuple, OTy::Node(ch)) => ch.get(i).cloned(),
                                (AggregateKind::Array | AggregateKind::Vec, OTy::Node(ch)) => {
                                    ch.first().cloned()
                                }
                                (AggregateKind::Adt(id, v, _), OTy::Node(ch)) => {
                                    let fty = self
                                        .program
                                        .adt(*id)
                                        .variants
                                        .get(*v as usize)
                                        .and_then(|var| var.fields.get(i))
                                        .map(|f| f.ty.clone());
                                    let ch = ch.clone();
                                    fty.map(|fty| {
                                        self.annotate(&fty, &ch, &mut |c| c.fresh_origin())
                                    })
                                }
                                _ => None,
                            };
                            if let Some(target) = target {
                                self.relate(&t, &target, pt, false);
                            }
                        }
                    }
                    Rvalue::Repeat(o, _) | Rvalue::VecRepeat(o, _) => {
                        self.read_operand(o, pt, span);
                        if let Rvalue::VecRepeat(_, n) = rv {
                            self.read_operand(n, pt, span);
                        }
                        let t = self.operand_oty(o);
                        if let OTy::Node(ch) = &dest_oty {
                            if let Some(e) = ch.first().cloned() {
                                self.relate(&t, &e, pt, false);
                            }
                        }
                    }
                    Rvalue::Binary(_, a, b) => {
                        self.read_operand(a, pt, span);
                        self.read_operand(b, pt, span);
                    }
                    Rvalue::Unary(_, a) | Rvalue::Cast(a) => self.read_operand(a, pt, span),
                    Rvalue::Len(p) | Rvalue::Discriminant(p) => {
                        self.uses(p, pt);
                        self.access(p, Access::Read, pt, span);
                    }
                    Rvalue::Clone(p) => {
                        self.uses(p, pt);
                        self.access(p, Access::Read, pt, span);
                        let (t, _) = self.place_oty(p);
                        self.relate(&t, &dest_oty, pt, false);
                    }
                    Rvalue::Format(_, ops) => {
                        for o in ops {
                            self.read_operand(o, pt, span);
                        }
                    }
                }
                self.write(dest, pt, span);
            }
        }
    }

    fn terminator(&mut self, t: &TerminatorKind, pt: Point, span: Span) {
        match t {
            TerminatorKind::SwitchInt { discr, .. } => self.read_operand(discr, pt, span),
            TerminatorKind::Call {
                callee, args, dest, ..
            } => {
                for a in args {
                    self.read_operand(a, pt, span);
                }
                if let Callee::Fn(f, generics) = callee {
                    self.call_signature(*f, generics, args, dest, pt);
                }
                self.write(dest, pt, span);
            }
            TerminatorKind::Assert { cond, args, .. } => {
                self.read_operand(cond, pt, span);
                for a in args {
                    self.read_operand(a, pt, span);
                }
            }
            TerminatorKind::Panic { args, .. } => {
                for a in args {
                    self.read_operand(a, pt, span);
                }
            }
            TerminatorKind::Return => self.facts.var_used_at.push((Var(0), pt)),
            TerminatorKind::Goto(_) | TerminatorKind::Unreachable => {}
        }
    }

    /// Arguments flow into the callee's parameters; its result flows into `dest`. The
    /// callee's own reference origins are fresh per call, one per written lifetime (so
    /// `longest<'a>(x: &'a str, y: &'a str) -> &'a str` ties its result to both arguments);
    /// an elided returned reference gets the origin that elision names.
    fn call_signature(
        &mut self,
        f: vez_typeck::hir::FnId,
        generics: &[Ty],
        args: &[Operand],
        dest: &Place,
        pt: Point,
    ) {
        let def = self.program.func(f);
        let gen: Vec<OTy> = generics.iter().map(|g| self.annotate_fresh(g)).collect();
        let param_tys: Vec<Ty> = def.param_tys().cloned().collect();
        let lts = def.ref_lifetimes.clone();
        let mut named: HashMap<String, Origin> = HashMap::new();
        let mut own = Vec::new();
        let params: Vec<OTy> = param_tys
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let names = lts.get(i).cloned().unwrap_or_default();
                let mut k = 0;
                self.annotate(t, &gen, &mut |c| {
                    let name = names.get(k).cloned().flatten();
                    k += 1;
                    let o = match name {
                        Some(n) => *named.entry(n).or_insert_with(|| c.fresh_origin()),
                        None => c.fresh_origin(),
                    };
                    own.push(o);
                    o
                })
            })
            .collect();
        own.sort();
        own.dedup();
        let self_origin = match (def.self_kind, params.first()) {
            (Some(SelfKind::Ref | SelfKind::RefMut), Some(OTy::Ref(o, _, _))) => Some(*o),
            _ => None,
        };
        let elided = self_origin.or(if own.len() == 1 { Some(own[0]) } else { None });
        let ret_names = if lts.len() == param_tys.len() + 1 {
            lts.last().cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        let ret_ty = def.ret.clone();
        let mut k = 0;
        let ret = self.annotate(&ret_ty, &gen, &mut |c| {
            let name = ret_names.get(k).cloned().flatten();
            k += 1;
            match name {
                // A lifetime no parameter names (`'static`) ties the result to no argument.
                Some(n) => named.get(&n).copied().unwrap_or_else(|| c.fresh_origin()),
                None => elided.unwrap_or_else(|| c.fresh_origin()),
            }
        });
        for (a, p) in args.iter().zip(&params) {
            let t = self.operand_oty(a);
            self.relate(&t, p, pt, false);
        }
        let (d, _) = self.place_oty(dest);
        self.relate(&ret, &d, pt, false);
    }

    // ---------------------------------------------------------------- reporting

    /// Origins reachable from `o` through `subset_base` (ignoring points).
    fn flows_to_return(&self, o: Origin) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![o];
        while let Some(x) = stack.pop() {
            if self.return_origins.contains(&x) {
                return true;
            }
            if seen.insert(x) {
                stack.extend(
                    self.facts
                        .subset_base
                        .iter()
                        .filter(|(a, _, _)| *a == x)
                        .map(|(_, b, _)| *b),
                );
            }
        }
        false
    }

    fn report(&mut self, out: &Output<Facts>) {
        let mut errors: Vec<(Point, Loan)> = out
            .errors
            .iter()
            .flat_map(|(p, ls)| ls.iter().map(move |l| (*p, *l)))
            .collect();
        errors.sort();
        let mut reported: HashSet<(u32, u32)> = HashSet::new();
        for (pt, loan) in errors {
            let Some(l) = self.loans.get(loan.0 as usize) else {
                continue;
            };
            let Some(&(kind, span)) = self.causes.get(&(pt, loan)) else {
                continue;
            };
            // One error per (access, borrow) pair of source positions.
            if !reported.insert((span.lo, l.span.lo)) {
                continue;
            }
            let name = place_name(self.body, &l.place);
            let what = name.clone().unwrap_or_else(|| "value".into());
            let d = match kind {
                Access::BorrowMut if l.mutable => Diagnostic::error("E0499", format!("cannot borrow `{what}` as mutable more than once at a time"), span)
                    .with_label("second mutable borrow occurs here")
                    .with_secondary(l.span, "first mutable borrow occurs here"),
                Access::BorrowMut => Diagnostic::error("E0502", format!("cannot borrow `{what}` as mutable because it is also borrowed as immutable"), span)
                    .with_label("mutable borrow occurs here")
                    .with_secondary(l.span, "immutable borrow occurs here"),
                Access::BorrowShared => Diagnostic::error("E0502", format!("cannot borrow `{what}` as immutable because it is also borrowed as mutable"), span)
                    .with_label("immutable borrow occurs here")
                    .with_secondary(l.span, "mutable borrow occurs here"),
                Access::Read => Diagnostic::error("E0503", format!("cannot use `{what}` because it was mutably borrowed"), span)
                    .with_label(format!("use of borrowed `{what}`"))
                    .with_secondary(l.span, format!("`{what}` is borrowed here")),
                Access::Write => Diagnostic::error("E0506", format!("cannot assign to `{what}` because it is borrowed"), span)
                    .with_label(format!("`{what}` is assigned to here but it was already borrowed"))
                    .with_secondary(l.span, format!("`{what}` is borrowed here")),
                Access::Move => Diagnostic::error("E0505", format!("cannot move out of `{what}` because it is borrowed"), span)
                    .with_label(format!("move out of `{what}` occurs here"))
                    .with_secondary(l.span, format!("borrow of `{what}` occurs here")),
                Access::StorageDead if self.flows_to_return(l.origin) => {
                    let (msg, label) = match &name {
                        Some(n) => (format!("cannot return reference to local variable `{n}`"), "returns a reference to data owned by the current function"),
                        None => ("cannot return reference to temporary value".to_string(), "returns a reference to data owned by the current function"),
                    };
                    Diagnostic::error("E0515", msg, l.span).with_label(label)
                }
                Access::StorageDead if name.is_none() => Diagnostic::error("E0716", "temporary value dropped while borrowed", l.span)
                    .with_label("creates a temporary value which is freed while still in use")
                    .with_secondary(span, "temporary value is freed at the end of this statement"),
                Access::StorageDead => Diagnostic::error("E0597", format!("`{what}` does not live long enough"), l.span)
                    .with_label("borrowed value does not live long enough")
                    .with_secondary(span, format!("`{what}` dropped here while still borrowed")),
            };
            self.diags.push(d);
        }
    }

    /// Whether two move paths overlap (one is a prefix of the other).
    fn related(&self, a: PathId, b: PathId) -> bool {
        let (la, pa) = &self.path_list[a.0 as usize];
        let (lb, pb) = &self.path_list[b.0 as usize];
        la == lb && (pa.starts_with(pb) || pb.starts_with(pa))
    }

    /// Whether path `q` is `p` or below it.
    fn within(&self, q: usize, p: PathId) -> bool {
        let (lq, pq) = &self.path_list[q];
        let (lp, pp) = &self.path_list[p.0 as usize];
        lq == lp && pq.starts_with(pp)
    }

    /// Use of moved (E0382) and of never-assigned (E0381) values: a forward dataflow of two
    /// bit sets per move path, "maybe moved" and "maybe never assigned", joined by union.
    fn init_errors(&mut self) {
        let n_paths = self.path_list.len();
        if n_paths == 0 {
            return;
        }
        let body = self.body;
        // Events were recorded in increasing point order: index the first event of each point.
        let events = std::mem::take(&mut self.events);
        let at = |pt: Point| -> &[(Point, InitEvent)] {
            let lo = events.partition_point(|(p, _)| *p < pt);
            let hi = events.partition_point(|(p, _)| *p <= pt);
            &events[lo..hi]
        };
        // Paths of parameters start assigned; all others start unassigned.
        let start_unassigned: Vec<bool> = self
            .path_list
            .iter()
            .map(|(l, _)| l.0 as usize > body.arg_count)
            .collect();
        let nb = body.blocks.len();
        let mut entry: Vec<Option<(Vec<bool>, Vec<bool>)>> = vec![None; nb];
        entry[0] = Some((vec![false; n_paths], start_unassigned));
        let mut work = vec![0usize];
        let mut errors: Vec<(Point, PathId, bool)> = Vec::new();
        let mut final_pass = false;
        loop {
            while let Some(b) = work.pop() {
                let (mut moved, mut unassigned) =
                    entry[b].clone().expect("queued blocks have a state");
                let n = body.blocks[b].stmts.len();
                for i in 0..=n {
                    let pt = self.point(b, i, true);
                    for (_, e) in at(pt) {
                        match *e {
                            InitEvent::Access(p) | InitEvent::Move(p) => {
                                if final_pass {
                                    if let Some(q) = (0..n_paths).find(|q| {
                                        (moved[*q] || unassigned[*q])
                                            && self.related(p, PathId(*q as u32))
                                    }) {
                                        errors.push((pt, p, moved[q]));
                                    }
                                }
                                if matches!(e, InitEvent::Move(_)) {
                                    for (q, m) in moved.iter_mut().enumerate() {
                                        if self.within(q, p) {
                                            *m = true;
                                        }
                                    }
                                }
                            }
                            InitEvent::Assign(p) => {
                                for (q, (m, u)) in
                                    moved.iter_mut().zip(unassigned.iter_mut()).enumerate()
                                {
                                    if self.within(q, p) {
                                        *m = false;
                                        *u = false;
                                    }
                                }
                            }
                        }
                    }
                }
                if final_pass {
                    continue;
                }
                for s in body.blocks[b].term.successors() {
                    let s = s.0 as usize;
                    let merged = match &entry[s] {
                        None => Some((moved.clone(), unassigned.clone())),
                        Some((m0, u0)) => {
                            let m: Vec<bool> =
                                m0.iter().zip(&moved).map(|(a, b)| *a || *b).collect();
                            let u: Vec<bool> =
                                u0.iter().zip(&unassigned).map(|(a, b)| *a || *b).collect();
                            if m == *m0 && u == *u0 {
                                None
                            } else {
                                Some((m, u))
                            }
                        }
                    };
                    if let Some(st) = merged {
                        entry[s] = Some(st);
                        work.push(s);
                    }
                }
            }
            if final_pass {
                break;
            }
            // The states are stable: walk every reached block once more, reporting.
            final_pass = true;
            work = (0..nb).filter(|b| entry[*b].is_some()).rev().collect();
        }
        errors.sort_by_key(|(pt, _, _)| *pt);
        let mut seen = HashSet::new();
        for (pt, path, was_moved) in errors {
            let (local, proj) = self.path_list[path.0 as usize].clone();
            let place = Place { local, proj };
            let Some(name) = place_name(self.body, &place) else {
                continue;
            };
            let span = self.point_spans.get(&pt).copied().unwrap_or_default();
            if !seen.insert((span.lo, local)) {
                continue;
            }
            let moved_at = self
                .moves
                .iter()
                .find(|(p, _, _)| self.related(*p, path))
                .map(|m| m.2);
            let d = match (was_moved, moved_at) {
                (true, Some(mspan)) => Diagnostic::error("E0382", format!("use of moved value: `{name}`"), span)
                    .with_label("value used here after move")
                    .with_secondary(mspan, "value moved here")
                    .with_note(format!("move occurs because `{name}` has type `{}`, which does not implement the `Copy` trait", self.program.ty_name(self.body.local_ty(local)))),
                _ => Diagnostic::error("E0381", format!("used binding `{name}` isn't initialized"), span)
                    .with_label(format!("`{name}` used here but it isn't initialized")),
            };
            self.diags.push(d);
        }
    }
}
