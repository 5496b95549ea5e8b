//! Symbolic execution of one MIR body. Blocks are visited once, in reverse post-order of the
//! graph without its back edges; where paths join, values that differ become fresh constants
//! defined per incoming path (so terms stay linear in the size of the body). Loop headers are
//! cut points: the invariants are checked on entry (`invariant-init`), everything the loop
//! modifies is havocked and the invariants assumed; a back edge checks them again
//! (`invariant`) and ends its path. `&mut` references are followed statically: a reference
//! value is the place it points to, so writes through it update that place.

use crate::gen::{builtin, gpu_index_intrinsic, method_name, Builtin, Env, Gen, GpuIds};
use crate::ints;
use crate::term::{self, and, and2, eq, implies, ite, not, num, or, Sort, T};
use crate::types;
use crate::{Access, Branch, CexVar, KernelTrace};
use std::collections::{HashMap, HashSet};
use vez_mir::{
    BasicBlock, Body, Callee, ConstValue, Operand, Place, Proj, Rvalue, StatementKind,
    TerminatorKind,
};
use vez_syntax::Span;
use vez_typeck::hir::{is_hidden_name, BinOp, Coercion, FnDef, FnId, PanicKind, Program, UnOp};
use vez_typeck::ty::Ty;

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Undef,
    T(T),
    Ptr(Loc),
}

#[derive(Clone, Debug, PartialEq)]
struct Loc {
    root: usize,
    path: Vec<PElem>,
}

#[derive(Clone, Debug, PartialEq)]
enum PElem {
    /// Field of a value of type `ty` (a struct, tuple, or enum viewed as `variant`).
    Field { ty: Ty, variant: u32, field: u32 },
    /// Element of a sequence of type `ty`.
    Index { ty: Ty, idx: T },
}

type State = Vec<Val>;

pub struct Exec<'a, 'p> {
    g: &'a mut Gen<'p>,
    p: &'p Program,
    f: &'p FnDef,
    fid: FnId,
    body: &'a Body,
    root_ty: Vec<Ty>,
    root_name: Vec<String>,
    entry_env: Env,
    /// Decreases measures at the start of the current iteration of each loop.
    measures: HashMap<u32, Vec<T>>,
    back_edges: HashSet<(u32, u32)>,
    loop_blocks: HashMap<u32, HashSet<u32>>,
    inputs_cex: Vec<CexVar>,
    /// Set for a `#[gpu::kernel]`: what its two-thread analysis needs.
    kernel: Option<KernelTrace>,
    /// Roots holding memory other threads share (`&mut GpuBuffer` pointees, `gpu::shared`
    /// arrays), with their source names.
    gpu_memory: HashMap<usize, (String, bool)>,
    /// Whether the place being resolved is written (or borrowed mutably).
    writing: bool,
    /// Set by `resolve` when the place is an element of shared memory: another thread may
    /// have written it, so a read gives an arbitrary value.
    shared_read: bool,
    cur_block: u32,
    /// For a method of `impl Trait for T` whose trait method has a contract: that method, its
    /// environment at entry, and its precondition there. Callers through the trait rely on
    /// it, so the impl must meet it (behavioural subtyping, as in Prusti and Verus).
    trait_contract: Option<(FnId, Env, T)>,
}

fn unsupported_val(g: &mut Gen, span: Span, what: &str, sort: Sort) -> T {
    g.unsupported(span, what.to_string());
    g.fresh("unsupported", sort)
}

/// Values larger than this many tree nodes are named by a fresh constant when stored.
const LARGE_TERM: usize = 48;

impl<'a, 'p> Exec<'a, 'p> {
    pub fn new(g: &'a mut Gen<'p>, p: &'p Program, fid: FnId, body: &'a Body) -> Self {
        let f = p.func(fid);
        let mut root_ty: Vec<Ty> = body.locals.iter().map(|l| l.ty.clone()).collect();
        let mut root_name: Vec<String> = body
            .locals
            .iter()
            .enumerate()
            .map(|(i, l)| l.name.clone().unwrap_or_else(|| format!("_{i}")))
            .collect();
        // One extra root per `&mut` parameter: the place it points to.
        for i in 1..=body.arg_count {
            if let Ty::Ref(true, inner) = &body.locals[i].ty {
                root_ty.push((**inner).clone());
                root_name.push(format!("*{}", root_name[i]));
            }
        }
        Exec {
            g,
            p,
            f,
            fid,
            body,
            root_ty,
            root_name,
            entry_env: Env::new(fid),
            measures: HashMap::new(),
            back_edges: HashSet::new(),
            loop_blocks: HashMap::new(),
            inputs_cex: Vec::new(),
            kernel: None,
            gpu_memory: HashMap::new(),
            writing: false,
            shared_read: false,
            cur_block: 0,
            trait_contract: None,
        }
    }

    /// Runs a kernel as one arbitrary thread (thread A) and returns what it accessed.
    pub fn run_kernel(mut self) -> KernelTrace {
        self.kernel = Some(KernelTrace::default());
        self.run_blocks();
        let mut k = self.kernel.take().expect("kernel mode");
        k.consts = self.g.consts.clone();
        k.inputs_cex = self.inputs_cex.clone();
        k
    }

    pub fn run(mut self) {
        self.run_blocks();
    }

    fn run_blocks(&mut self) {
        let state = self.entry();
        let order = self.order();
        let n = self.body.blocks.len();
        let mut pending: Vec<Vec<(T, State)>> = vec![Vec::new(); n];
        pending[0].push((term::tt(), state));
        for b in order {
            let inc = std::mem::take(&mut pending[b as usize]);
            if inc.is_empty() {
                continue;
            }
            let (pc, mut st) = self.merge(inc);
            let mut pc = pc;
            if let Some(li) = self.body.loops.iter().position(|l| l.header.0 == b) {
                (pc, st) = self.loop_entry(li, pc, st);
            }
            self.g.pc = pc.clone();
            self.cur_block = b;
            self.block(b, pc, st, &mut pending);
        }
    }

    /// Reverse post-order over forward edges; back edges and natural loops recorded.
    fn order(&mut self) -> Vec<u32> {
        let forest = self.body.loop_forest();
        self.back_edges = forest.back_edges;
        self.loop_blocks = forest.loops;
        forest.rpo
    }

    fn entry(&mut self) -> State {
        let nloc = self.body.locals.len();
        let mut st: State = vec![Val::Undef; self.root_ty.len()];
        let mut extra = nloc;
        let mut cex = Vec::new();
        let dims = if self.kernel.is_some() {
            Some(self.launch_dims())
        } else {
            None
        };
        for i in 1..=self.body.arg_count {
            let name = self.root_name[i].clone();
            let ty = self.body.locals[i].ty.clone();
            let hir = self.f.params.get(i - 1).copied();
            if let Ty::Ref(true, inner) = &ty {
                let v = self.g.havoc(&name, inner);
                if self.p.is_lang(inner, self.p.lang.gpu_buffer) {
                    self.gpu_memory
                        .insert(extra, (self.root_name[i].clone(), false));
                }
                st[extra] = Val::T(v.clone());
                st[i] = Val::Ptr(Loc {
                    root: extra,
                    path: vec![],
                });
                extra += 1;
                self.cex_leaves(&name, inner, v.clone(), 0, &mut cex);
                if let Some(h) = hir {
                    self.entry_env.locals.insert(h, v);
                }
            } else {
                let v = self.g.havoc(&name, &ty);
                self.cex_leaves(&name, &ty, v.clone(), 0, &mut cex);
                st[i] = Val::T(v.clone());
                if let Some(h) = hir {
                    self.entry_env.locals.insert(h, v);
                }
            }
        }
        if let Some((dim_ty, block_dim, grid_dim)) = dims {
            self.thread_ids(&dim_ty, block_dim.clone(), grid_dim.clone());
            // Counterexamples name the thread and the launch, in the dimensions the kernel reads.
            let used = self.dims_read(&dim_ty);
            let k = self.kernel.as_ref().expect("kernel mode");
            let (thread, block) = (k.thread_idx.clone(), k.block_idx.clone());
            for (name, xs) in [
                ("block_idx", &block),
                ("thread_idx", &thread),
                ("block_dim", &block_dim.to_vec()),
                ("grid_dim", &grid_dim.to_vec()),
            ] {
                for (i, c) in ["x", "y", "z"].iter().enumerate() {
                    if used[i] {
                        cex.push(CexVar {
                            name: format!("{name}.{c}"),
                            term: xs[i].clone(),
                            sort: Sort::Int,
                            shown_if_below: None,
                            is_char: false,
                        });
                    }
                }
            }
        }
        self.inputs_cex = cex.clone();
        self.g.cex_now = cex;
        self.trait_precondition();
        // Preconditions: well-defined in order, then assumed.
        let env = self.entry_env.clone();
        for r in &self.f.contract.requires {
            let t = self.g.spec(r, &env);
            self.g.assume(t);
        }
        st
    }

    /// The `gpu::Dim3` type and the launch's block and grid dimensions: constants every
    /// thread shares, with CUDA's limits.
    fn launch_dims(&mut self) -> (Ty, [T; 3], [T; 3]) {
        let dim_ty = self.dim3_ty();
        let mk = |g: &mut Gen, base: &str| {
            ["x", "y", "z"].map(|c| g.fresh(&format!("{base}.{c}"), Sort::Int))
        };
        let block_dim = mk(self.g, "block_dim");
        let grid_dim = mk(self.g, "grid_dim");
        let between = |t: &T, lo: i128, hi: i128| {
            and2(term::le(num(lo), t.clone()), term::le(t.clone(), num(hi)))
        };
        let facts = vec![
            between(&block_dim[0], 1, 1024),
            between(&block_dim[1], 1, 1024),
            between(&block_dim[2], 1, 64),
            term::le(
                term::mul(
                    term::mul(block_dim[0].clone(), block_dim[1].clone()),
                    block_dim[2].clone(),
                ),
                num(1024),
            ),
            between(&grid_dim[0], 1, (1 << 31) - 1),
            between(&grid_dim[1], 1, 65535),
            between(&grid_dim[2], 1, 65535),
        ];
        for f in facts {
            self.g.assume(f);
        }
        (dim_ty, block_dim, grid_dim)
    }

    /// Which components (x, y, z) of `gpu::Dim3` values the body reads (x always).
    fn dims_read(&self, dim_ty: &Ty) -> [bool; 3] {
        let mut used = [true, false, false];
        for b in &self.body.blocks {
            for s in &b.stmts {
                let StatementKind::Assign(_, rv) = &s.kind else {
                    continue;
                };
                let op = match rv {
                    Rvalue::Use(o) | Rvalue::Cast(o) | Rvalue::Unary(_, o) => vec![o],
                    Rvalue::Binary(_, a, c) => vec![a, c],
                    _ => vec![],
                };
                for o in op {
                    if let Some(pl) = o.place() {
                        if self.body.local_ty(pl.local) == dim_ty {
                            if let Some(Proj::Field(i)) = pl.proj.first() {
                                if let Some(u) = used.get_mut(*i as usize) {
                                    *u = true;
                                }
                            }
                        }
                    }
                }
            }
        }
        used
    }

    /// Thread A's indices (the constants the two-thread analysis renames for thread B),
    /// below the dimensions.
    fn thread_ids(&mut self, dim_ty: &Ty, block_dim: [T; 3], grid_dim: [T; 3]) {
        let shared = self.g.consts.len();
        let thread = ["x", "y", "z"].map(|c| self.g.fresh(&format!("thread_idx.{c}"), Sort::Int));
        let block = ["x", "y", "z"].map(|c| self.g.fresh(&format!("block_idx.{c}"), Sort::Int));
        for i in 0..3 {
            for (t, d) in [(&thread[i], &block_dim[i]), (&block[i], &grid_dim[i])] {
                self.g.assume(and2(
                    term::le(num(0), t.clone()),
                    term::lt(t.clone(), d.clone()),
                ));
            }
        }
        let v = |g: &mut Gen, xs: &[T; 3]| g.ctor_value(dim_ty, 0, xs.to_vec());
        self.g.gpu = Some(GpuIds {
            thread_idx: v(self.g, &thread),
            block_idx: v(self.g, &block),
            block_dim: v(self.g, &block_dim),
            grid_dim: v(self.g, &grid_dim),
        });
        let k = self.kernel.as_mut().expect("kernel mode");
        k.shared = shared;
        k.thread_idx = thread.to_vec();
        k.block_idx = block.to_vec();
    }

    /// The counterexample entries of a value: scalars, struct and tuple fields, sequence
    /// lengths and first elements.
    fn cex_leaves(&mut self, name: &str, ty: &Ty, t: T, depth: usize, out: &mut Vec<CexVar>) {
        if depth > 2 || out.len() > 24 {
            return;
        }
        match ty {
            Ty::Int(_) | Ty::Char => out.push(CexVar {
                name: name.to_string(),
                term: t,
                sort: Sort::Int,
                shown_if_below: None,
                is_char: *ty == Ty::Char,
            }),
            Ty::Bool => out.push(CexVar {
                name: name.to_string(),
                term: t,
                sort: Sort::Bool,
                shown_if_below: None,
                is_char: false,
            }),
            Ty::Ref(_, inner) => self.cex_leaves(name, inner, t, depth, out),
            // A box is its contents' value (the pointer is not part of the model).
            Ty::Adt(id, args) if Some(*id) == self.p.lang.boxed && !types::is_seq(self.p, ty) => {
                if let Some(inner) = args.first() {
                    self.cex_leaves(name, inner, t, depth, out);
                }
            }
            _ if types::is_seq(self.p, ty) => {
                let s = self.g.sort(ty);
                let len_at = out.len();
                out.push(CexVar {
                    name: format!("{name}.len()"),
                    term: self.g.types.seq_len(&s, t.clone()),
                    sort: Sort::Int,
                    shown_if_below: None,
                    is_char: false,
                });
                let ety = types::elem_ty(self.p, ty).unwrap_or(Ty::Error);
                if matches!(ety, Ty::Int(_) | Ty::Bool | Ty::Char) {
                    for k in 0..4 {
                        let data = self.g.types.seq_data(&s, t.clone());
                        out.push(CexVar {
                            name: format!("{name}[{k}]"),
                            term: term::select(data, num(k)),
                            sort: if ety == Ty::Bool {
                                Sort::Bool
                            } else {
                                Sort::Int
                            },
                            shown_if_below: Some((len_at, k)),
                            is_char: ety == Ty::Char,
                        });
                    }
                }
            }
            Ty::Tuple(items) => {
                for (i, it) in items.iter().enumerate() {
                    let ft = self.g.field(ty, 0, i as u32, t.clone());
                    self.cex_leaves(&format!("{name}.{i}"), it, ft, depth + 1, out);
                }
            }
            Ty::Adt(id, _) if self.p.adts[id.0 as usize].is_enum => {
                let s = self.g.sort(ty);
                out.push(CexVar {
                    name: name.to_string(),
                    term: t,
                    sort: s,
                    shown_if_below: None,
                    is_char: false,
                });
            }
            Ty::Param(..) | Ty::Float(_) => {
                let s = self.g.sort(ty);
                out.push(CexVar {
                    name: name.to_string(),
                    term: t,
                    sort: s,
                    shown_if_below: None,
                    is_char: false,
                });
            }
            Ty::Adt(id, _)
                if !self.p.adts[id.0 as usize].is_enum && !self.p.adts[id.0 as usize].builtin =>
            {
                let fields: Vec<(String, Ty)> = self.p.adts[id.0 as usize].variants[0]
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.clone(), self.g.field_ty(ty, 0, i as u32)))
                    .collect();
                for (i, (fname, fty)) in fields.iter().enumerate() {
                    let ft = self.g.field(ty, 0, i as u32, t.clone());
                    self.cex_leaves(&format!("{name}.{fname}"), fty, ft, depth + 1, out);
                }
            }
            _ => {}
        }
    }

    /// Inputs plus the user variables that hold values here.
    fn cex_here(&mut self, st: &State) {
        let mut cex = self.inputs_cex.clone();
        for (i, decl) in self
            .body
            .locals
            .iter()
            .enumerate()
            .skip(self.body.arg_count + 1)
        {
            let Some(name) = &decl.name else { continue };
            // Locals the front end introduced for a lowered loop (`chars·i`) are no source
            // names: the user's own variables tell the story.
            if is_hidden_name(name) {
                continue;
            }
            if cex.len() > 24
                || cex
                    .iter()
                    .any(|c| &c.name == name || c.name.starts_with(&format!("{name}.")))
            {
                continue;
            }
            if let Val::T(t) = &st[i] {
                let ty = decl.ty.clone();
                self.cex_leaves(name, &ty, t.clone(), 1, &mut cex);
            }
        }
        self.g.cex_now = cex;
    }

    fn merge(&mut self, mut inc: Vec<(T, State)>) -> (T, State) {
        if inc.len() == 1 {
            return inc.pop().expect("one");
        }
        let pcs: Vec<T> = inc.iter().map(|(p, _)| p.clone()).collect();
        let joined = or(pcs.clone());
        let pc = if matches!(*joined, term::Term::App(..)) {
            let v = self.g.fresh("pc", Sort::Bool);
            self.g.assumptions.push(eq(v.clone(), joined));
            v
        } else {
            joined
        };
        let mut out: State = inc[0].1.clone();
        for r in 0..out.len() {
            let first = &inc[0].1[r];
            if inc.iter().all(|(_, s)| s[r] == *first) {
                continue;
            }
            if inc.iter().any(|(_, s)| !matches!(s[r], Val::T(_))) {
                out[r] = Val::Undef;
                continue;
            }
            let sort = self.g.sort(&self.root_ty[r].clone());
            let name = self.root_name[r].clone();
            let v = self.g.fresh(&name, sort);
            for (p, s) in &inc {
                if let Val::T(t) = &s[r] {
                    self.g
                        .assumptions
                        .push(implies(p.clone(), eq(v.clone(), t.clone())));
                }
            }
            out[r] = Val::T(v);
        }
        (pc, out)
    }

    /// The specification view of the state: HIR locals to values (references to what they
    /// point to).
    fn env_at(&mut self, st: &State, for_range: Option<&vez_mir::ForRange>) -> Env {
        let mut env = Env::new(self.fid);
        for (h, l) in self.body.hir_locals.iter().enumerate() {
            let Some(l) = l else { continue };
            let v = match &st[l.0 as usize] {
                Val::T(t) => t.clone(),
                Val::Ptr(loc) => match self.read_loc(st, loc, Span::default()) {
                    Some(t) => t,
                    None => continue,
                },
                Val::Undef => continue,
            };
            env.locals.insert(vez_typeck::hir::LocalId(h as u32), v);
        }
        if let Some(fr) = for_range {
            if let Val::T(t) = &st[fr.counter.0 as usize] {
                env.locals.insert(fr.var, t.clone());
            }
        }
        env.old = Some(Box::new(self.entry_env.clone()));
        env
    }

    fn loop_entry(&mut self, li: usize, pc: T, st: State) -> (T, State) {
        let info = self.body.loops[li].clone();
        self.g.pc = pc.clone();
        self.cex_here(&st);
        let env = self.env_at(&st, info.for_range.as_ref());
        self.check_invariants(&info, &env, "invariant-init", "hold on entry");
        // Havoc what the loop modifies.
        let header = info.header.0;
        let blocks = self.loop_blocks.get(&header).cloned().unwrap_or_default();
        let (modified, elements_only) = self.modified_roots(&blocks, &st);
        let mut st2 = st.clone();
        let lo = info
            .for_range
            .as_ref()
            .and_then(|fr| match &st[fr.counter.0 as usize] {
                Val::T(t) => Some(t.clone()),
                _ => None,
            });
        let mut sorted: Vec<usize> = modified.into_iter().collect();
        sorted.sort_unstable();
        for r in sorted {
            let ty = self.root_ty[r].clone();
            if matches!(ty, Ty::Ref(true, _)) || matches!(st[r], Val::Ptr(_)) {
                st2[r] = Val::Undef;
                continue;
            }
            let name = self.root_name[r].clone();
            if elements_only.contains(&r) && types::is_seq(self.p, &ty) {
                if let Val::T(old) = &st[r] {
                    let s = self.g.sort(&ty);
                    let elem = types::seq_elem(&self.g.types, &s).unwrap_or(Sort::Int);
                    let data = self.g.fresh(
                        &format!("{name}.data"),
                        Sort::Array(Box::new(Sort::Int), Box::new(elem)),
                    );
                    let len = self.g.types.seq_len(&s, old.clone());
                    st2[r] = Val::T(self.g.types.seq_mk(&s, len, data));
                    continue;
                }
            }
            if matches!(st[r], Val::Undef) {
                continue;
            }
            let v = self.g.havoc(&name, &ty);
            if let Some(k) = &mut self.kernel {
                if r < self.body.locals.len() {
                    k.loop_havocs.push((header, r, v.clone()));
                }
            }
            st2[r] = Val::T(v);
        }
        self.g.pc = pc.clone();
        if let (Some(fr), Some(lo)) = (&info.for_range, lo) {
            if let (Val::T(c), Val::T(end)) = (&st2[fr.counter.0 as usize], &st2[fr.end.0 as usize])
            {
                let hi = ite(term::le(lo.clone(), end.clone()), end.clone(), lo.clone());
                let hi = if fr.inclusive {
                    term::add(hi, num(1))
                } else {
                    hi
                };
                self.g
                    .assume(and2(term::le(lo, c.clone()), term::le(c.clone(), hi)));
            }
        }
        self.cex_here(&st2);
        let env = self.env_at(&st2, info.for_range.as_ref());
        for inv in &info.invariants {
            let t = self.g.spec(inv, &env);
            self.g.assume(t);
        }
        let ms: Vec<T> = info
            .decreases
            .iter()
            .map(|d| self.g.spec(d, &env))
            .collect();
        self.measures.insert(header, ms);
        (pc, st2)
    }

    /// Roots the loop may modify, and those modified only element-wise.
    fn modified_roots(
        &self,
        blocks: &HashSet<u32>,
        st: &State,
    ) -> (HashSet<usize>, HashSet<usize>) {
        let mut whole: HashSet<usize> = HashSet::new();
        let mut elems: HashSet<usize> = HashSet::new();
        let mut unknown_target = false;
        let mut bl: Vec<u32> = blocks.iter().copied().collect();
        bl.sort_unstable();
        // Locals the loop assigns only by `&mut place` (`elem = &mut (*r)[k]` of an `iter_mut`
        // loop) or by moving such a local (`x = elem`): a write through one is a write to a
        // place borrowed in the loop, noted where the borrow is made (the value it holds on
        // entry, if any, is noted through that pointer).
        enum Source {
            Borrow,
            Local(usize),
            Other,
        }
        let mut sources: HashMap<usize, Vec<Source>> = HashMap::new();
        for b in &bl {
            let data = &self.body.blocks[*b as usize];
            for s in &data.stmts {
                if let StatementKind::Assign(place, rv) = &s.kind {
                    if place.proj.is_empty() {
                        let src = match rv {
                            Rvalue::Ref(true, _) => Source::Borrow,
                            Rvalue::Use(Operand::Move(p) | Operand::Copy(p))
                                if p.proj.is_empty() =>
                            {
                                Source::Local(p.local.0 as usize)
                            }
                            _ => Source::Other,
                        };
                        sources.entry(place.local.0 as usize).or_default().push(src);
                    }
                }
            }
            if let TerminatorKind::Call { dest, .. } = &data.term.kind {
                sources
                    .entry(dest.local.0 as usize)
                    .or_default()
                    .push(Source::Other);
            }
        }
        let mut made_here: HashSet<usize> = sources.keys().copied().collect();
        loop {
            let out: Vec<usize> = made_here
                .iter()
                .copied()
                .filter(|l| {
                    !sources[l].iter().all(|src| match src {
                        Source::Borrow => true,
                        Source::Local(m) => made_here.contains(m) && !matches!(st[*m], Val::Ptr(_)),
                        Source::Other => false,
                    })
                })
                .collect();
            if out.is_empty() {
                break;
            }
            for l in out {
                made_here.remove(&l);
            }
        }
        let mut note = |place: &Place, whole: &mut HashSet<usize>, elems: &mut HashSet<usize>| {
            let l = place.local.0 as usize;
            if place.proj.first() == Some(&Proj::Deref) {
                match &st[l] {
                    Val::Ptr(loc) => {
                        let idx_first = match loc.path.first() {
                            Some(PElem::Index { .. }) => true,
                            Some(_) => false,
                            None => matches!(place.proj.get(1), Some(Proj::Index(_))),
                        };
                        if idx_first {
                            elems.insert(loc.root);
                        } else {
                            whole.insert(loc.root);
                        }
                    }
                    // No reference enters the loop in it, and every one the loop puts there
                    // is a borrow noted where it is made.
                    _ if made_here.contains(&l) => {}
                    _ => unknown_target = true,
                }
                return;
            }
            if matches!(place.proj.first(), Some(Proj::Index(_))) {
                elems.insert(l);
            } else {
                whole.insert(l);
            }
        };
        for b in bl {
            let data = &self.body.blocks[b as usize];
            for s in &data.stmts {
                if let StatementKind::Assign(place, rv) = &s.kind {
                    note(place, &mut whole, &mut elems);
                    if let Rvalue::Ref(true, bp) = rv {
                        note(bp, &mut whole, &mut elems);
                    }
                }
            }
            if let TerminatorKind::Call { args, dest, .. } = &data.term.kind {
                note(dest, &mut whole, &mut elems);
                for a in args {
                    if let Some(pl) = a.place() {
                        let l = pl.local.0 as usize;
                        // (A reference made inside the loop: its borrow was noted above.)
                        if let (Val::Ptr(loc), true) = (&st[l], pl.proj.is_empty()) {
                            whole.insert(loc.root);
                        }
                    }
                }
            }
        }
        if unknown_target {
            for v in st.iter() {
                if let Val::Ptr(loc) = v {
                    whole.insert(loc.root);
                }
            }
        }
        let elems_only: HashSet<usize> = elems.difference(&whole).copied().collect();
        let all: HashSet<usize> = whole.union(&elems).copied().collect();
        (all, elems_only)
    }

    /// One obligation per invariant (each assuming its own well-definedness, which is
    /// checked as `spec`).
    fn check_invariants(
        &mut self,
        info: &vez_mir::LoopInfo,
        env: &Env,
        kind: &'static str,
        what: &str,
    ) {
        for inv in &info.invariants {
            let t = self.g.spec_checked(inv, env);
            let msg = format!(
                "loop invariant might not {what}: `{}`",
                self.g.snippet(inv.span)
            );
            self.g.obligate(kind, inv.span, msg, t);
        }
    }

    fn back_edge(&mut self, header: u32, pc: T, st: &State) {
        let Some(info) = self
            .body
            .loops
            .iter()
            .find(|l| l.header.0 == header)
            .cloned()
        else {
            return;
        };
        self.g.pc = pc;
        self.cex_here(st);
        let env = self.env_at(st, info.for_range.as_ref());
        self.check_invariants(&info, &env, "invariant", "be preserved");
        if let Some(old) = self.measures.get(&header).cloned() {
            if !old.is_empty() {
                let new: Vec<T> = info
                    .decreases
                    .iter()
                    .map(|d| self.g.spec(d, &env))
                    .collect();
                let span = info.decreases[0]
                    .span
                    .to(info.decreases[info.decreases.len() - 1].span);
                let msg = format!(
                    "the loop measure might not decrease: `{}`",
                    self.g.snippet(span)
                );
                self.g
                    .obligate("decreases", span, msg, lex_decreases(&new, &old));
            }
        }
    }

    fn block(&mut self, b: u32, pc: T, mut st: State, pending: &mut [Vec<(T, State)>]) {
        let data = &self.body.blocks[b as usize];
        for s in &data.stmts {
            match &s.kind {
                StatementKind::Assign(place, rv) => {
                    self.cex_here(&st);
                    let dty = self.place_ty(&st, place);
                    let v = self.rvalue(&mut st, rv, &dty, s.span);
                    self.write(&mut st, place, v, s.span);
                    if let Rvalue::Use(Operand::Move(src) | Operand::Copy(src)) = rv {
                        let from = src.local.0 as usize;
                        if src.proj.is_empty() && place.proj.is_empty() {
                            if let Some(m) = self.gpu_memory.get(&from).cloned() {
                                let name = self.root_name[place.local.0 as usize].clone();
                                self.gpu_memory.insert(place.local.0 as usize, (name, m.1));
                            }
                        }
                    }
                }
                StatementKind::StorageDead(l) => st[l.0 as usize] = Val::Undef,
                StatementKind::StorageLive(_) => {}
            }
        }
        let term = &data.term;
        let span = term.span;
        self.cex_here(&st);
        let mut go = |this: &mut Self, target: BasicBlock, cond: T, st: State| {
            let pc2 = and2(pc.clone(), cond);
            if term::as_bool(&pc2) == Some(false) {
                return;
            }
            if this.back_edges.contains(&(b, target.0)) {
                this.back_edge(target.0, pc2, &st);
            } else {
                pending[target.0 as usize].push((pc2, st));
            }
        };
        match &term.kind {
            TerminatorKind::Goto(t) => go(self, *t, term::tt(), st),
            TerminatorKind::SwitchInt {
                discr,
                targets,
                otherwise,
            } => {
                let d = self.operand_term(&mut st, discr, span);
                if let Some(k) = &mut self.kernel {
                    k.branches.push(Branch {
                        block: b,
                        discr: d.clone(),
                        pc: pc.clone(),
                        prefix: self.g.assumptions.len(),
                    });
                }
                let is_bool = matches!(self.operand_ty(&st, discr), Ty::Bool);
                let mut conds = Vec::new();
                for (v, t) in targets {
                    let c = if is_bool {
                        if *v == 0 {
                            not(d.clone())
                        } else {
                            d.clone()
                        }
                    } else {
                        eq(d.clone(), term::unum(*v))
                    };
                    conds.push(c.clone());
                    go(self, *t, c, st.clone());
                }
                let other = not(or(conds));
                go(self, *otherwise, other, st);
            }
            TerminatorKind::Return => self.ret(&st, span),
            TerminatorKind::Call {
                callee,
                args,
                dest,
                target,
            } => {
                let v = self.call(&mut st, callee, args, span);
                if let Some(t) = target {
                    self.write(&mut st, dest, v, span);
                    self.note_shared_array(callee, dest, span);
                    go(self, *t, term::tt(), st);
                }
            }
            TerminatorKind::Assert { cond, target, .. } => {
                let c = self.operand_term(&mut st, cond, span);
                let msg = format!("assertion might fail: `{}`", self.g.snippet(span));
                self.g.obligate("assert", span, msg, c);
                go(self, *target, term::tt(), st);
            }
            TerminatorKind::Panic { kind, pieces, .. } => {
                let msg = match kind {
                    PanicKind::Panic => "this panic might be reached",
                    PanicKind::Unreachable => "this `unreachable!()` might be reached",
                };
                // A message written out in full is quoted (`panic!("stack empty")`).
                let msg = match vez_typeck::hir::literal_text(pieces) {
                    Some(t) if !t.is_empty() && !t.contains('`') => format!("{msg}: `{t}`"),
                    _ => msg.to_string(),
                };
                self.g.obligate("panic", span, msg, term::ff());
            }
            TerminatorKind::Unreachable => {}
        }
    }

    fn ret(&mut self, st: &State, span: Span) {
        let mut env = self.entry_env.clone();
        // `&mut` parameters name their final values; by-value parameters their entry values.
        // (Parameters are dead at the return; their pointees are extra roots.)
        for (i, h) in self.f.params.iter().enumerate() {
            if let Some(r) = self.pointee_root(i + 1) {
                if let Val::T(t) = &st[r] {
                    env.locals.insert(*h, t.clone());
                }
            }
        }
        env.result = match &st[0] {
            Val::T(t) => Some(t.clone()),
            _ => Some(self.g.unit_value()),
        };
        env.old = Some(Box::new(self.entry_env.clone()));
        for e in &self.f.contract.ensures {
            let t = self.g.spec_checked(e, &env);
            let msg = format!("postcondition might not hold: `{}`", self.g.snippet(e.span));
            self.g.obligate_labeled(
                "postcondition",
                e.span,
                msg,
                "this postcondition".into(),
                t,
                vec![(span, "when returning here".into())],
            );
        }
        self.trait_postcondition(&env, span);
    }

    /// An impl method whose trait method has a contract: callers through the trait establish
    /// only the trait's precondition, so the impl's own must follow from it (checked before
    /// the impl's is assumed).
    fn trait_precondition(&mut self) {
        let Some((decl, tys)) = crate::gen::trait_declaration(self.p, self.fid) else {
            return;
        };
        let d = self.p.func(decl);
        if d.contract.requires.is_empty() && d.contract.ensures.is_empty() {
            return;
        }
        let mut env = Env::new(decl);
        env.tsubst = tys;
        for (dl, ml) in d.params.iter().zip(&self.f.params) {
            if let Some(v) = self.entry_env.locals.get(ml) {
                env.locals.insert(*dl, v.clone());
            }
        }
        let pre = and(d
            .contract
            .requires
            .iter()
            .map(|r| self.g.spec(r, &env))
            .collect());
        if !self.f.contract.requires.is_empty() {
            let own = and(self
                .f
                .contract
                .requires
                .iter()
                .map(|r| self.g.spec(r, &self.entry_env.clone()))
                .collect());
            let first = &self.f.contract.requires[0];
            let msg = format!(
                "precondition of `{}` might not follow from the trait's (`{}`), which is all a caller through the trait establishes: `{}`",
                self.f.name,
                d.name,
                self.g.snippet(first.span)
            );
            self.g
                .obligate("precondition", first.span, msg, implies(pre.clone(), own));
        }
        self.trait_contract = Some((decl, env, pre));
    }

    /// At a return of an impl method: the trait method's postcondition, where the trait's
    /// precondition held at entry.
    fn trait_postcondition(&mut self, own: &Env, span: Span) {
        let Some((decl, entry, pre)) = self.trait_contract.clone() else {
            return;
        };
        let d = self.p.func(decl);
        let mut env = entry.clone();
        for (dl, ml) in d.params.iter().zip(&self.f.params) {
            if let Some(v) = own.locals.get(ml) {
                env.locals.insert(*dl, v.clone());
            }
        }
        env.result = own.result.clone();
        env.old = Some(Box::new(entry));
        for e in &d.contract.ensures {
            let t = self.g.spec(e, &env);
            let msg = format!(
                "postcondition of trait method `{}` might not hold in `{}`: `{}`",
                d.name,
                self.f.name,
                self.g.snippet(e.span)
            );
            self.g.obligate_labeled(
                "postcondition",
                span,
                msg,
                "when returning here".into(),
                implies(pre.clone(), t),
                vec![(e.span, "the trait's postcondition".into())],
            );
        }
    }

    /// The extra root holding what the `i`-th local (a `&mut` parameter) points to.
    fn pointee_root(&self, i: usize) -> Option<usize> {
        let mut r = self.body.locals.len();
        for k in 1..=self.body.arg_count {
            if matches!(self.body.locals[k].ty, Ty::Ref(true, _)) {
                if k == i {
                    return Some(r);
                }
                r += 1;
            }
        }
        None
    }

    // ---- places ----

    fn place_ty(&self, _st: &State, place: &Place) -> Ty {
        let mut ty = self.body.local_ty(place.local).clone();
        let mut variant = 0;
        for pr in &place.proj {
            match pr {
                Proj::Deref => ty = types::deref_ty(self.p, &ty),
                Proj::Field(i) => {
                    ty = self.g.field_ty(&ty, variant, *i);
                    variant = 0;
                }
                Proj::Downcast(v) => variant = *v,
                Proj::Index(_) => ty = types::elem_ty(self.p, &ty).unwrap_or(Ty::Error),
            }
        }
        ty
    }

    fn operand_ty(&self, st: &State, op: &Operand) -> Ty {
        match op {
            Operand::Copy(p) | Operand::Move(p) => self.place_ty(st, p),
            Operand::Const(c) => c.ty.clone(),
        }
    }

    /// Resolves a place through references to a root and a path; index bounds are checked.
    fn resolve(&mut self, st: &State, place: &Place, span: Span) -> Option<(Loc, Ty)> {
        let mut loc = Loc {
            root: place.local.0 as usize,
            path: vec![],
        };
        let mut ty = self.body.local_ty(place.local).clone();
        let mut variant = 0;
        for pr in &place.proj {
            match pr {
                Proj::Deref => {
                    if loc.path.is_empty() {
                        if let Val::Ptr(t) = &st[loc.root] {
                            loc = t.clone();
                        }
                    }
                    ty = types::deref_ty(self.p, &ty);
                }
                Proj::Field(i) => {
                    loc.path.push(PElem::Field {
                        ty: ty.clone(),
                        variant,
                        field: *i,
                    });
                    ty = self.g.field_ty(&ty, variant, *i);
                    variant = 0;
                }
                Proj::Downcast(v) => variant = *v,
                Proj::Index(l) => {
                    let idx = match &st[l.0 as usize] {
                        Val::T(t) => t.clone(),
                        _ => {
                            self.g.unsupported(span, "an index without a value");
                            return None;
                        }
                    };
                    let seq = self.read_loc(st, &loc, span)?;
                    if !loc.path.is_empty() {
                        // An element or field that is itself a sequence (`grid[r]` of a
                        // `[[i32; 4]; 3]`): its type's facts, such as its fixed length.
                        let r = self.g.range(&ty, &seq);
                        self.g.assume(r);
                    }
                    let s = self.g.sort(&ty);
                    let len = self.g.types.seq_len(&s, seq);
                    let msg = format!("index out of bounds: `{}`", self.g.snippet(span));
                    self.g.obligate(
                        "bounds",
                        span,
                        msg,
                        and2(term::le(num(0), idx.clone()), term::lt(idx.clone(), len)),
                    );
                    if loc.path.is_empty() {
                        self.note_access(loc.root, &idx, span);
                    }
                    loc.path.push(PElem::Index {
                        ty: ty.clone(),
                        idx,
                    });
                    ty = types::elem_ty(self.p, &ty).unwrap_or(Ty::Error);
                }
            }
        }
        Some((loc, ty))
    }

    fn read_loc(&mut self, st: &State, loc: &Loc, span: Span) -> Option<T> {
        let mut t = match &st[loc.root] {
            Val::T(t) => t.clone(),
            Val::Ptr(_) if loc.path.is_empty() => return None,
            _ => {
                self.g
                    .unsupported(span, "a value this verifier could not follow");
                return None;
            }
        };
        for pe in &loc.path {
            t = match pe {
                PElem::Field { ty, variant, field } => self.g.field(ty, *variant, *field, t),
                PElem::Index { ty, idx } => {
                    let s = self.g.sort(ty);
                    term::select(self.g.types.seq_data(&s, t), idx.clone())
                }
            };
        }
        Some(t)
    }

    fn read_place(&mut self, st: &State, place: &Place, span: Span) -> Val {
        self.shared_read = false;
        let Some((loc, ty)) = self.resolve(st, place, span) else {
            return Val::Undef;
        };
        if std::mem::take(&mut self.shared_read) {
            // The adversarial abstraction of GPUVerify: what other threads wrote is unknown.
            let v = self
                .g
                .havoc(&format!("{}[..]", self.root_name[loc.root]), &ty);
            return Val::T(v);
        }
        if loc.path.is_empty() {
            return st[loc.root].clone();
        }
        match self.read_loc(st, &loc, span) {
            Some(t) => {
                let r = self.g.range(&ty, &t);
                self.g.assume(r);
                Val::T(t)
            }
            None => Val::Undef,
        }
    }

    fn write(&mut self, st: &mut State, place: &Place, v: Val, span: Span) {
        self.writing = true;
        let resolved = self.resolve(st, place, span);
        self.writing = false;
        let Some((loc, ty)) = resolved else {
            return;
        };
        let base = self.body.locals[place.local.0 as usize]
            .name
            .clone()
            .unwrap_or_else(|| "tmp".into());
        let v = match v {
            Val::T(t) => Val::T(self.name_if_large(t, &ty, &base)),
            v => v,
        };
        if loc.path.is_empty() {
            st[loc.root] = v;
            return;
        }
        let (Val::T(old), Val::T(new)) = (&st[loc.root], &v) else {
            self.g
                .unsupported(span, "a write this verifier could not follow");
            return;
        };
        let updated = self.update(old.clone(), &loc.path, new.clone());
        // The whole updated value too: each write to `a[i].f` copies the old value into it.
        let root_ty = self.root_ty[loc.root].clone();
        st[loc.root] = Val::T(self.name_if_large(updated, &root_ty, &base));
    }

    /// A large value gets a name: a term copied into every later use would grow the queries
    /// exponentially (`x = x.wrapping_add(..)` in a chain repeats `x` three times).
    fn name_if_large(&mut self, t: T, ty: &Ty, base: &str) -> T {
        if !t.tree_size_exceeds(LARGE_TERM) {
            return t;
        }
        let s = self.g.sort(ty);
        let c = self.g.fresh(base, s);
        self.g.assume(eq(c.clone(), t));
        c
    }

    fn update(&mut self, t: T, path: &[PElem], v: T) -> T {
        let Some((first, rest)) = path.split_first() else {
            return v;
        };
        match first {
            PElem::Field { ty, variant, field } => {
                let s = self.g.sort(ty);
                let Some(d) = self.g.types.datatype(&s).cloned() else {
                    return t;
                };
                let (ctor, accs) = &d.ctors[*variant as usize];
                let mut args = Vec::new();
                for (j, (acc, _)) in accs.iter().enumerate() {
                    let cur = term::project(ctor, j, acc, t.clone());
                    if j as u32 == *field {
                        args.push(self.update(cur, rest, v.clone()));
                    } else {
                        args.push(cur);
                    }
                }
                term::app(ctor, args)
            }
            PElem::Index { ty, idx } => {
                let s = self.g.sort(ty);
                let data = self.g.types.seq_data(&s, t.clone());
                let cur = term::select(data.clone(), idx.clone());
                let new = self.update(cur, rest, v);
                let len = self.g.types.seq_len(&s, t);
                self.g
                    .types
                    .seq_mk(&s, len, term::store(data, idx.clone(), new))
            }
        }
    }

    // ---- values ----

    fn operand(&mut self, st: &mut State, op: &Operand, span: Span) -> Val {
        match op {
            Operand::Copy(p) | Operand::Move(p) => self.read_place(st, p, span),
            Operand::Const(c) => Val::T(self.constant(&c.value, &c.ty)),
        }
    }

    fn operand_term(&mut self, st: &mut State, op: &Operand, span: Span) -> T {
        match self.operand(st, op, span) {
            Val::T(t) => t,
            Val::Ptr(loc) => match self.read_loc(st, &loc, span) {
                Some(t) => t,
                None => {
                    let ty = self.operand_ty(st, op);
                    let s = self.g.sort(&ty);
                    unsupported_val(
                        self.g,
                        span,
                        "a reference this verifier could not follow",
                        s,
                    )
                }
            },
            Val::Undef => {
                let ty = self.operand_ty(st, op);
                let s = self.g.sort(&ty);
                unsupported_val(self.g, span, "a value this verifier could not follow", s)
            }
        }
    }

    fn constant(&mut self, c: &ConstValue, ty: &Ty) -> T {
        match c {
            ConstValue::Int(n) => term::unum(*n),
            ConstValue::NegInt(n) => term::neg(term::unum(*n)),
            ConstValue::Bool(b) => term::boolean(*b),
            ConstValue::Char(ch) => num(*ch as i128),
            ConstValue::Unit => self.g.unit_value(),
            ConstValue::Float(f) => self.g.lit(&vez_typeck::hir::LitValue::Float(*f), ty),
            ConstValue::Str(s) => self.g.str_literal(s.as_bytes()),
            ConstValue::ByteStr(b) => self.g.str_literal(b),
            ConstValue::Item(id) => self.g.const_value(*id),
        }
    }

    fn rvalue(&mut self, st: &mut State, rv: &Rvalue, dty: &Ty, span: Span) -> Val {
        match rv {
            Rvalue::Use(op) => self.operand(st, op, span),
            Rvalue::Ref(true, place) => {
                self.writing = true;
                let resolved = self.resolve(st, place, span);
                self.writing = false;
                match resolved {
                    Some((loc, _)) => Val::Ptr(loc),
                    None => Val::Undef,
                }
            }
            Rvalue::Ref(false, place) => match self.read_place(st, place, span) {
                Val::Ptr(loc) => match self.read_loc(st, &loc, span) {
                    Some(t) => Val::T(t),
                    None => Val::Undef,
                },
                v => v,
            },
            Rvalue::Binary(op, a, b) => {
                let aty = self.operand_ty(st, a);
                let at = self.operand_term(st, a, span);
                let bt = self.operand_term(st, b, span);
                Val::T(self.binary(*op, &aty, at, bt, span))
            }
            Rvalue::Unary(op, a) => {
                let aty = self.operand_ty(st, a);
                let at = self.operand_term(st, a, span);
                Val::T(match (op, &aty) {
                    (UnOp::Neg, Ty::Int(i)) => {
                        if i.signed() {
                            let msg = format!("arithmetic overflow in `{}`", self.g.snippet(span));
                            let c = not(eq(at.clone(), num(i.min_value())));
                            self.g.obligate("overflow", span, msg, c);
                        }
                        term::neg(at)
                    }
                    (UnOp::Neg, Ty::Float(_)) => {
                        let s = self.g.sort(&aty);
                        let name = format!("{}.neg", types::display(self.p, &aty));
                        self.g.uf(&name, vec![at], std::slice::from_ref(&s), &s)
                    }
                    (UnOp::Not, Ty::Int(i)) => ints::bit_not(*i, at),
                    (UnOp::Not, _) => not(at),
                    _ => at,
                })
            }
            Rvalue::Cast(a) => {
                let from = self.operand_ty(st, a);
                let at = self.operand_term(st, a, span);
                let lossy = match (&from, dty) {
                    (Ty::Int(f), Ty::Int(t)) => {
                        f.min_value() < t.min_value() || f.max_value() > t.max_value()
                    }
                    (Ty::Char, Ty::Int(t)) => t.max_value() < 0x10FFFF,
                    _ => false,
                };
                if lossy {
                    if let Ty::Int(t) = dty {
                        let msg =
                            format!("`{}` might not fit in `{}`", self.g.snippet(span), t.name());
                        self.g
                            .obligate("overflow", span, msg, ints::in_range(*t, at.clone()));
                    }
                }
                Val::T(self.g.cast_value(&from, dty, at, false))
            }
            Rvalue::Aggregate(kind, ops) => {
                let mut vals = Vec::new();
                for o in ops {
                    vals.push(self.operand_term(st, o, span));
                }
                Val::T(match kind {
                    vez_mir::AggregateKind::Tuple => {
                        let s = self.g.sort(dty);
                        match self.g.types.datatype(&s).cloned() {
                            Some(d) => term::app(&d.ctors[0].0, vals),
                            None => self.g.fresh("tuple", s),
                        }
                    }
                    vez_mir::AggregateKind::Adt(_, variant, _) => {
                        self.g.ctor_value(dty, *variant, vals)
                    }
                    vez_mir::AggregateKind::Array | vez_mir::AggregateKind::Vec => {
                        self.g.seq_literal(dty, vals)
                    }
                })
            }
            Rvalue::Repeat(op, n) => {
                let v = self.operand_term(st, op, span);
                Val::T(self.g.seq_repeat(dty, v, num(*n as i128)))
            }
            Rvalue::VecRepeat(op, n) => {
                let v = self.operand_term(st, op, span);
                let n = self.operand_term(st, n, span);
                // Past here the allocation succeeded: the run time ends the program on a
                // request above `isize::MAX` bytes (Rust's "capacity overflow").
                if types::elem_ty(self.p, dty).is_some_and(|e| types::never_zero_sized(self.p, &e))
                {
                    self.g.assume(term::le(n.clone(), num(i64::MAX as i128)));
                }
                Val::T(self.g.seq_repeat(dty, v, n))
            }
            Rvalue::Len(place) => {
                let ty = self.place_ty(st, place);
                let v = self.read_place(st, place, span);
                let t = match v {
                    Val::T(t) => t,
                    Val::Ptr(loc) => match self.read_loc(st, &loc, span) {
                        Some(t) => t,
                        None => return Val::Undef,
                    },
                    Val::Undef => return Val::Undef,
                };
                let s = self.g.sort(&ty);
                Val::T(self.g.types.seq_len(&s, t))
            }
            Rvalue::Discriminant(place) => {
                let ty = self.place_ty(st, place);
                match self.read_place(st, place, span) {
                    Val::T(t) => Val::T(self.g.discriminant(&ty, t)),
                    _ => Val::Undef,
                }
            }
            Rvalue::Coerce(c, op) => {
                let v = self.operand(st, op, span);
                match (c, v) {
                    (Coercion::MutToConst, Val::Ptr(loc)) => match self.read_loc(st, &loc, span) {
                        Some(t) => Val::T(t),
                        None => Val::Undef,
                    },
                    (Coercion::NeverToAny, _) => {
                        let s = self.g.sort(dty);
                        Val::T(self.g.fresh("never", s))
                    }
                    (_, v) => v,
                }
            }
            Rvalue::Format(_, ops) => {
                for o in ops {
                    self.operand(st, o, span);
                }
                Val::T(self.g.havoc("format", dty))
            }
            Rvalue::Clone(place) => match self.read_place(st, place, span) {
                Val::Ptr(loc) => match self.read_loc(st, &loc, span) {
                    Some(t) => Val::T(t),
                    None => Val::Undef,
                },
                v => v,
            },
        }
    }

    fn binary(&mut self, op: BinOp, aty: &Ty, a: T, b: T, span: Span) -> T {
        let aty = match aty {
            Ty::Ref(_, t) => (**t).clone(),
            t => t.clone(),
        };
        let overflow = |this: &mut Self, cond: T| {
            let msg = format!("arithmetic overflow in `{}`", this.g.snippet(span));
            this.g.obligate("overflow", span, msg, cond);
        };
        match (&aty, op) {
            (Ty::Int(i), BinOp::Add | BinOp::Sub | BinOp::Mul) => {
                let r = match op {
                    BinOp::Add => term::add(a, b),
                    BinOp::Sub => term::sub(a, b),
                    _ => term::mul(a, b),
                };
                overflow(self, ints::in_range(*i, r.clone()));
                r
            }
            (Ty::Int(i), BinOp::Div | BinOp::Rem) => {
                let msg = format!("possible division by zero in `{}`", self.g.snippet(span));
                self.g
                    .obligate("div-zero", span, msg, not(eq(b.clone(), num(0))));
                if i.signed() {
                    let c = not(and2(
                        eq(a.clone(), num(i.min_value())),
                        eq(b.clone(), num(-1)),
                    ));
                    overflow(self, c);
                }
                if op == BinOp::Div {
                    ints::trunc_div(i.signed(), a, b)
                } else {
                    ints::trunc_rem(i.signed(), a, b)
                }
            }
            (Ty::Int(i), BinOp::Shl | BinOp::Shr) => {
                let c = and2(
                    term::le(num(0), b.clone()),
                    term::lt(b.clone(), num(i.bits() as i128)),
                );
                let msg = format!(
                    "shift amount might reach the bit width in `{}`",
                    self.g.snippet(span)
                );
                self.g.obligate("overflow", span, msg, c);
                if op == BinOp::Shl {
                    ints::shl(*i, a, b)
                } else {
                    ints::shr(*i, a, b)
                }
            }
            (Ty::Int(i), BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) => {
                ints::bitwise(op, *i, a, b)
            }
            (Ty::Bool, BinOp::BitAnd | BinOp::And) => and2(a, b),
            (Ty::Bool, BinOp::BitOr | BinOp::Or) => term::or2(a, b),
            (Ty::Bool, BinOp::BitXor) => not(eq(a, b)),
            (Ty::Float(_), BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem) => {
                self.g.float_op(op, &aty, a, b)
            }
            (_, BinOp::Eq) if matches!(aty, Ty::Float(_)) => self.g.float_op(op, &aty, a, b),
            (_, BinOp::Ne) if matches!(aty, Ty::Float(_)) => {
                let e = self.g.float_op(BinOp::Eq, &aty, a, b);
                not(e)
            }
            (_, BinOp::Eq) => self.g.code_eq(&aty, a, b),
            (_, BinOp::Ne) => {
                let e = self.g.code_eq(&aty, a, b);
                not(e)
            }
            (_, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) => self.g.compare(op, &aty, a, b),
            _ => {
                let s = self.g.sort(&aty);
                unsupported_val(self.g, span, "this operation", s)
            }
        }
    }

    // ---- calls ----

    fn call(&mut self, st: &mut State, callee: &Callee, args: &[Operand], span: Span) -> Val {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.operand(st, a, span));
        }
        let (fid, tys) = match callee {
            Callee::Fn(f, tys) => (*f, tys.clone()),
            Callee::Print(..) => return Val::T(self.g.unit_value()),
            Callee::Launch(kernel) => {
                self.launch(st, *kernel, &vals, span);
                return Val::T(self.g.unit_value());
            }
        };
        let f = self.p.func(fid);
        let arg_tys: Vec<Ty> = f.param_tys().map(|t| t.subst(&tys)).collect();
        let ret = f.ret.subst(&tys);
        // Values of the arguments as the callee's specification sees them.
        let pre_vals = self.arg_values(st, &vals, span);
        let name = method_name(f).to_string();
        if self.kernel.is_some() && builtin(self.p, f) != Some(Builtin::Len) {
            self.shared_memory_escapes(st, &vals, span);
            if !f.attrs.from_prelude && reaches_barrier(self.p, fid, &mut HashSet::new()) {
                self.g.unsupported(
                    span,
                    "a call of a function that waits at `gpu::barrier()` (only a kernel's own barriers are checked)",
                );
            }
        }
        if let Some(b) = builtin(self.p, f) {
            if matches!(b, Builtin::Unwrap | Builtin::UnwrapErr) {
                let rty = match &arg_tys[0] {
                    Ty::Ref(_, t) => (**t).clone(),
                    t => t.clone(),
                };
                let v = self.g.unwrapped_variant(b, &rty);
                let c = self.g.is_variant(&rty, v, pre_vals[0].clone());
                let what = if b == Builtin::UnwrapErr {
                    "an `Ok`"
                } else if self.p.is_lang(&rty, self.p.lang.result) {
                    "an `Err`"
                } else {
                    "`None`"
                };
                let msg = format!("`{}` might be called on {what}", self.g.snippet(span));
                self.g.obligate("unwrap", span, msg, c);
            }
            if b == Builtin::Pow {
                if let Ty::Int(i) = &ret {
                    let (base, exp) = (pre_vals[0].clone(), pre_vals[1].clone());
                    if term::as_num(&base).is_none() && term::as_num(&exp).is_none() {
                        // Past the spelled-out exponents the power is unknown: say so
                        // rather than report an overflow that may not happen.
                        let small = or(vec![
                            term::le(exp.clone(), num(Gen::POW_SPELLED_OUT - 1)),
                            and2(
                                term::le(num(-1), base.clone()),
                                term::le(base.clone(), num(1)),
                            ),
                        ]);
                        let msg = format!(
                            "cannot bound `{}`: with a variable base, the verifier knows powers \
                             up to exponent {} (add a precondition on the exponent)",
                            self.g.snippet(span),
                            Gen::POW_SPELLED_OUT - 1
                        );
                        self.g.obligate("overflow", span, msg, small);
                    }
                    let exact = self.g.power(&ret, base, exp);
                    let msg = format!("arithmetic overflow in `{}`", self.g.snippet(span));
                    self.g
                        .obligate("overflow", span, msg, ints::in_range(*i, exact.clone()));
                    // The value is the power just built (not built a second time).
                    return Val::T(exact);
                }
            }
            let v = self
                .g
                .builtin_value(b, &arg_tys, &ret, pre_vals, span, false);
            return Val::T(v);
        }
        if f.attrs.from_prelude && f.attrs.intrinsic {
            if let Some(v) = self.exact_mutation(st, &name, &arg_tys, &vals, &pre_vals, span) {
                return v;
            }
        }
        let env = Env::for_call(self.p, fid, &tys, &pre_vals);
        // Preconditions.
        let saved = std::mem::replace(&mut self.g.wd, false);
        let range_index = matches!(
            name.as_str(),
            "index_range" | "index_range_inclusive" | "index_from"
        );
        let kind = if matches!(name.as_str(), "unwrap" | "expect") && f.attrs.from_prelude {
            "unwrap"
        } else if range_index && f.attrs.from_prelude {
            "bounds"
        } else {
            "precondition"
        };
        let what = if kind == "bounds" {
            format!("range might be out of bounds: `{}`", self.g.snippet(span))
        } else {
            format!("precondition of `{}` might not hold", f.name)
        };
        self.check_requires(f, &env, kind, &what, span);
        // Termination of direct recursion.
        if fid == self.fid && f.body.is_some() {
            let span_d = if f.contract.decreases.is_empty() {
                None
            } else {
                Some(
                    f.contract.decreases[0]
                        .span
                        .to(f.contract.decreases[f.contract.decreases.len() - 1].span),
                )
            };
            match span_d {
                Some(ds) => {
                    let old: Vec<T> = f
                        .contract
                        .decreases
                        .iter()
                        .map(|d| self.g.spec(d, &self.entry_env.clone()))
                        .collect();
                    let new: Vec<T> = f
                        .contract
                        .decreases
                        .iter()
                        .map(|d| self.g.spec(d, &env))
                        .collect();
                    let msg = format!(
                        "the measure might not decrease at the recursive call `{}`",
                        self.g.snippet(span)
                    );
                    self.g.obligate_labeled(
                        "decreases",
                        ds,
                        msg,
                        String::new(),
                        lex_decreases(&new, &old),
                        vec![(span, "recursive call".into())],
                    );
                }
                None if f.attrs.pure || f.attrs.ghost => {
                    let what = if f.attrs.pure { "#[pure]" } else { "#[ghost]" };
                    let msg = format!(
                        "a recursive {what} function needs #[decreases] to show it terminates"
                    );
                    self.g.obligate("decreases", span, msg, term::ff());
                }
                None => {}
            }
        }
        // A lemma's call is erased, which assumes it returns, and a pure function is an
        // axiom defining it by its body: a cycle of lemmas, or of pure functions, calling each
        // other would prove anything (only direct recursion has its `#[decreases]` checked).
        let caller = self.p.func(self.fid);
        let kind = if caller.attrs.ghost && f.attrs.ghost {
            Some("#[ghost]")
        } else if caller.attrs.pure && f.attrs.pure {
            Some("#[pure]")
        } else {
            None
        };
        if let Some(kind) = kind.filter(|_| fid != self.fid) {
            let same_kind = |g: &FnDef| {
                if kind == "#[ghost]" {
                    g.attrs.ghost
                } else {
                    g.attrs.pure
                }
            };
            if crate::callgraph::reaches(
                self.p,
                fid,
                self.fid,
                crate::callgraph::Through::Bodies,
                &same_kind,
            ) {
                let msg = format!(
                    "`{}` calls back into `{}`: mutual recursion between {kind} functions is not supported (its termination is not checked)",
                    f.name, caller.name
                );
                self.g.obligate("decreases", span, msg, term::ff());
            }
        }
        // Effects: `&mut` arguments get new values, the result is fresh (or the pure
        // function's value), then the postconditions are assumed.
        let mut post_vals = pre_vals.clone();
        for (i, v) in vals.iter().enumerate() {
            if let Val::Ptr(loc) = v {
                let ty = self.loc_ty(loc);
                let base = format!("{}:{}", self.root_name[loc.root], name);
                let h = self.g.havoc(&base, &ty);
                self.write_loc(st, loc, h.clone(), span);
                post_vals[i] = h;
            }
        }
        let result = if f.attrs.pure {
            let r = self.g.pure_app(fid, &tys, pre_vals.clone());
            let rr = self.g.range(&ret, &r);
            self.g.assume(rr);
            r
        } else {
            self.g.havoc(&format!("{name}()"), &ret)
        };
        let mut post = Env::for_call(self.p, fid, &tys, &post_vals);
        post.result = Some(result.clone());
        post.old = Some(Box::new(env));
        for e in &f.contract.ensures {
            let t = self.g.spec(e, &post);
            self.g.assume(t);
        }
        self.g.wd = saved;
        Val::T(result)
    }

    /// The values of call arguments (what a reference points to, for references).
    fn arg_values(&mut self, st: &State, vals: &[Val], span: Span) -> Vec<T> {
        vals.iter()
            .map(|v| match v {
                Val::T(t) => t.clone(),
                Val::Ptr(loc) => match self.read_loc(st, loc, span) {
                    Some(t) => t,
                    None => self.g.fresh("arg", Sort::Int),
                },
                Val::Undef => self.g.fresh("arg", Sort::Int),
            })
            .collect()
    }

    /// One obligation per precondition of `f` at a call or launch (`what: `clause``).
    fn check_requires(&mut self, f: &FnDef, env: &Env, kind: &'static str, what: &str, span: Span) {
        for r in &f.contract.requires {
            let t = self.g.spec(r, env);
            // A range index's precondition is the prelude's; the user's expression says it.
            let (msg, secondary) = if kind == "bounds" {
                (what.to_string(), vec![])
            } else {
                let msg = format!("{what}: `{}`", self.g.snippet(r.span));
                (msg, vec![(r.span, "the precondition".into())])
            };
            self.g
                .obligate_labeled(kind, span, msg, String::new(), t, secondary);
        }
    }

    /// The type of `gpu::thread_idx()` and its siblings.
    fn dim3_ty(&self) -> Ty {
        self.p
            .fns
            .iter()
            .find(|f| gpu_index_intrinsic(f).is_some())
            .map(|f| f.ret.clone())
            .unwrap_or(Ty::Error)
    }

    /// `kernel<<<grid, block>>>(args)`: the kernel's preconditions with `gpu::grid_dim()` and
    /// `gpu::block_dim()` bound to the launch's dimensions; then every buffer it may write
    /// holds arbitrary values of the same length.
    fn launch(&mut self, st: &mut State, kernel: FnId, vals: &[Val], span: Span) {
        let f = self.p.func(kernel);
        let tuple = Ty::Tuple(vec![Ty::Int(vez_typeck::ty::IntTy::U32); 3]);
        let mut dims = Vec::new();
        for v in vals.iter().take(2) {
            let t = match v {
                Val::T(t) => t.clone(),
                _ => self.g.fresh("dim", Sort::Int),
            };
            let xyz: Vec<T> = (0..3)
                .map(|i| self.g.field(&tuple, 0, i, t.clone()))
                .collect();
            dims.push(xyz);
        }
        let dim_ty = self.dim3_ty();
        let unused = self.g.fresh("launch.unused", Sort::Int);
        let ids = GpuIds {
            grid_dim: self.g.ctor_value(&dim_ty, 0, dims[0].clone()),
            block_dim: self.g.ctor_value(&dim_ty, 0, dims[1].clone()),
            thread_idx: self.g.ctor_value(&dim_ty, 0, vec![unused.clone(); 3]),
            block_idx: self.g.ctor_value(&dim_ty, 0, vec![unused; 3]),
        };
        let args = self.arg_values(st, &vals[2..], span);
        let env = Env::for_call(self.p, kernel, &[], &args);
        let saved_gpu = self.g.gpu.replace(ids);
        let saved_wd = std::mem::replace(&mut self.g.wd, false);
        let what = format!(
            "precondition of kernel `{}` might not hold for this launch",
            f.name
        );
        self.check_requires(f, &env, "precondition", &what, span);
        self.g.wd = saved_wd;
        self.g.gpu = saved_gpu;
        for v in &vals[2..] {
            if let Val::Ptr(loc) = v {
                let ty = self.loc_ty(loc);
                let old = self.read_loc(st, loc, span);
                let h = self.g.havoc("launch", &ty);
                if let (Some(old), true) = (old, types::is_seq(self.p, &ty)) {
                    let s = self.g.sort(&ty);
                    let same = eq(
                        self.g.types.seq_len(&s, h.clone()),
                        self.g.types.seq_len(&s, old),
                    );
                    self.g.assume(same);
                }
                self.write_loc(st, loc, h, span);
            }
        }
    }

    /// Exact effects of `Vec::push` and `swap` on sequences (no quantifiers needed).
    fn exact_mutation(
        &mut self,
        st: &mut State,
        name: &str,
        arg_tys: &[Ty],
        vals: &[Val],
        pre: &[T],
        span: Span,
    ) -> Option<Val> {
        let Some(Val::Ptr(loc)) = vals.first() else {
            return None;
        };
        let sty = match &arg_tys[0] {
            Ty::Ref(_, t) => (**t).clone(),
            _ => return None,
        };
        // A String is a byte sequence, but its `push` appends a char's encoding: its contract.
        if !types::is_seq(self.p, &sty) || self.p.is_lang(&sty, self.p.lang.string) {
            return None;
        }
        let s = self.g.sort(&sty);
        let seq = pre[0].clone();
        let len = self.g.types.seq_len(&s, seq.clone());
        let data = self.g.types.seq_data(&s, seq.clone());
        match name {
            "push" if pre.len() == 2 => {
                let new = self.g.types.seq_mk(
                    &s,
                    term::add(len.clone(), num(1)),
                    term::store(data, len.clone(), pre[1].clone()),
                );
                // A push that would take more than `isize::MAX` bytes ends the program as a
                // failed allocation; only zero-sized elements can count up to `usize::MAX`.
                let elem = types::elem_ty(self.p, &sty);
                if elem.is_some_and(|e| types::never_zero_sized(self.p, &e)) {
                    self.g.assume(term::lt(len.clone(), num(i64::MAX as i128)));
                } else {
                    let msg = "the vector might outgrow `usize`: its element type might be \
                               zero-sized (as a generic `T` might), so no memory bound limits it"
                        .to_string();
                    self.g
                        .obligate("overflow", span, msg, term::lt(len, num(u64::MAX as i128)));
                }
                self.write_loc(st, &loc.clone(), new, span);
                Some(Val::T(self.g.unit_value()))
            }
            "swap" if pre.len() == 3 => {
                let (a, b) = (pre[1].clone(), pre[2].clone());
                let inb = |x: &T| {
                    and2(
                        term::le(num(0), x.clone()),
                        term::lt(x.clone(), len.clone()),
                    )
                };
                let msg = format!(
                    "precondition of `swap` might not hold: `{}`",
                    self.g.snippet(span)
                );
                let in_bounds = and2(inb(&a), inb(&b));
                self.g
                    .obligate("precondition", span, msg, in_bounds.clone());
                let va = term::select(data.clone(), a.clone());
                let vb = term::select(data.clone(), b.clone());
                let nd = term::store(term::store(data, a, vb), b, va);
                let new = self.g.types.seq_mk(&s, len, nd);
                self.g.note_swap(&s, seq, new.clone(), in_bounds);
                self.write_loc(st, &loc.clone(), new, span);
                Some(Val::T(self.g.unit_value()))
            }
            _ => None,
        }
    }

    fn loc_ty(&self, loc: &Loc) -> Ty {
        let mut ty = self.root_ty[loc.root].clone();
        for pe in &loc.path {
            ty = match pe {
                PElem::Field { ty, variant, field } => self.g.field_ty(ty, *variant, *field),
                PElem::Index { ty, .. } => types::elem_ty(self.p, ty).unwrap_or(Ty::Error),
            };
        }
        ty
    }

    fn write_loc(&mut self, st: &mut State, loc: &Loc, v: T, span: Span) {
        if loc.path.is_empty() {
            st[loc.root] = Val::T(v);
            return;
        }
        match &st[loc.root] {
            Val::T(old) => {
                let u = self.update(old.clone(), &loc.path, v);
                st[loc.root] = Val::T(u);
            }
            _ => self
                .g
                .unsupported(span, "a write this verifier could not follow"),
        }
    }

    /// Shared memory handed to a function as a whole: its element accesses there would
    /// escape the race check, so the kernel cannot be verified.
    fn shared_memory_escapes(&mut self, st: &State, vals: &[Val], span: Span) {
        let escapes = vals.iter().any(|v| match v {
            Val::Ptr(loc) => self.gpu_memory.contains_key(&loc.root),
            Val::T(t) => self
                .gpu_memory
                .keys()
                .any(|r| matches!(&st[*r], Val::T(m) if m == t)),
            Val::Undef => false,
        });
        if escapes {
            self.g.unsupported(
                span,
                "passing shared GPU memory to a function (only indexing it is race-checked)",
            );
        }
    }

    /// Records an access to an element of shared memory (kernels only).
    fn note_access(&mut self, root: usize, idx: &T, span: Span) {
        let Some(k) = &mut self.kernel else { return };
        let Some((name, shared)) = self.gpu_memory.get(&root) else {
            return;
        };
        k.accesses.push(Access {
            memory: root,
            name: name.clone(),
            shared: *shared,
            index: idx.clone(),
            write: self.writing,
            span,
            pc: self.g.pc.clone(),
            prefix: self.g.assumptions.len(),
            block: self.cur_block,
        });
        self.shared_read = true;
    }

    /// A kernel's `gpu::shared::<T, N>()` array: one per block, so its elements are shared.
    fn note_shared_array(&mut self, callee: &Callee, dest: &Place, span: Span) {
        if !callee.is_prelude_fn(self.p, "gpu::shared") {
            return;
        }
        if self.kernel.is_none() {
            self.g
                .unsupported(span, "`gpu::shared` outside a `#[gpu::kernel]`");
        } else if dest.proj.is_empty() {
            let r = dest.local.0 as usize;
            self.gpu_memory.insert(r, (self.root_name[r].clone(), true));
        } else {
            self.g
                .unsupported(span, "a `gpu::shared` array stored into a field or element");
        }
    }
}

/// Whether a function, or one it calls, calls `gpu::barrier()`.
fn reaches_barrier(p: &Program, f: FnId, seen: &mut HashSet<FnId>) -> bool {
    if !seen.insert(f) {
        return false;
    }
    let Some(body) = vez_mir::build::lower_fn(p, f) else {
        return false;
    };
    body.blocks.iter().any(|b| match &b.term.kind {
        TerminatorKind::Call {
            callee: Callee::Fn(g, _),
            ..
        } => {
            p.func(*g).is_prelude("gpu::barrier")
                || (!p.func(*g).attrs.from_prelude && reaches_barrier(p, *g, seen))
        }
        _ => false,
    })
}

/// `new` is below `old` in the lexicographic order of non-negative integers.
pub fn lex_decreases(new: &[T], old: &[T]) -> T {
    let mut alts = Vec::new();
    let mut same = Vec::new();
    for (n, o) in new.iter().zip(old) {
        let mut c = same.clone();
        c.push(term::le(num(0), n.clone()));
        c.push(term::lt(n.clone(), o.clone()));
        alts.push(and(c));
        same.push(eq(n.clone(), o.clone()));
    }
    or(alts)
}
