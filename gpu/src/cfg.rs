//! What the two-thread analysis needs to know about a kernel's control-flow graph: where its
//! barriers are, which barrier interval each block can be in, which branches decide whether
//! a barrier is reached (control dependence), and which locals hold the same value in every
//! thread of a block (uniformity).

use std::collections::HashSet;
use vez_mir::{Body, Operand, Place, Proj, Rvalue, StatementKind, TerminatorKind};
use vez_typeck::hir::Program;
use vez_typeck::ty::Ty;

pub struct KernelCfg {
    /// Blocks whose terminator is a call of `gpu::barrier()`.
    pub barriers: Vec<u32>,
    /// For each block, the barriers (`Some(block)`) or the kernel entry (`None`) from which
    /// it can be reached without passing another barrier: the intervals it can be in.
    starts: Vec<HashSet<Option<u32>>>,
    /// Natural loops: header and member blocks.
    pub loops: Vec<(u32, HashSet<u32>)>,
    /// For each loop header: the blocks reached from it before any barrier.
    pre: Vec<HashSet<u32>>,
    /// Whether every iteration of the loop passes a barrier.
    synchronized: Vec<bool>,
    /// For each loop: whether it contains a barrier, and the blocks reachable from its header.
    lockstep: Vec<(bool, HashSet<u32>)>,
    /// For each block: the blocks a branch there decides whether they run (control
    /// dependence, up to the branch's immediate post-dominator).
    region: Vec<HashSet<u32>>,
    /// Locals whose value may differ between two threads of a block.
    pub divergent: Vec<bool>,
}

impl KernelCfg {
    pub fn new(p: &Program, body: &Body) -> KernelCfg {
        let n = body.blocks.len();
        let succ: Vec<Vec<u32>> = body
            .blocks
            .iter()
            .map(|b| b.term.successors().iter().map(|s| s.0).collect())
            .collect();
        let barriers: Vec<u32> = (0..n as u32)
            .filter(|&b| {
                matches!(&body.blocks[b as usize].term.kind,
                    TerminatorKind::Call { callee, .. } if callee.is_prelude_fn(p, "gpu::barrier"))
            })
            .collect();
        let is_barrier = |b: u32| barriers.contains(&b);
        // Intervals: a forward data flow where a barrier block starts a new one.
        let mut starts: Vec<HashSet<Option<u32>>> = vec![HashSet::new(); n];
        starts[0].insert(None);
        let mut changed = true;
        while changed {
            changed = false;
            for b in 0..n {
                let out: HashSet<Option<u32>> = if is_barrier(b as u32) {
                    [Some(b as u32)].into()
                } else {
                    starts[b].clone()
                };
                for &s in &succ[b] {
                    for x in &out {
                        changed |= starts[s as usize].insert(*x);
                    }
                }
            }
        }
        let mut loops: Vec<(u32, HashSet<u32>)> = body.loop_forest().loops.into_iter().collect();
        loops.sort_by_key(|(h, _)| *h);
        let mut pre = Vec::new();
        let mut synchronized = Vec::new();
        for (h, blocks) in &loops {
            let reach = reach_from(&succ, *h, is_barrier);
            // A back edge taken from a block reached before any barrier closes an iteration
            // that passed none.
            let sync = !blocks
                .iter()
                .any(|&b| reach.contains(&b) && !is_barrier(b) && succ[b as usize].contains(h));
            pre.push(reach);
            synchronized.push(sync);
        }
        let lockstep = loops
            .iter()
            .map(|(h, blocks)| {
                let has_barrier = barriers.iter().any(|x| blocks.contains(x));
                (has_barrier, reach_from(&succ, *h, |_| false))
            })
            .collect();
        let region = control_regions(body, &succ);
        let mut cfg = KernelCfg {
            barriers,
            starts,
            loops,
            pre,
            synchronized,
            lockstep,
            region,
            divergent: Vec::new(),
        };
        cfg.divergent = cfg.divergence(p, body);
        cfg
    }

    /// Whether accesses in blocks `a` and `b` can fall in the same barrier interval.
    pub fn may_share_interval(&self, a: u32, b: u32) -> bool {
        !self.starts[a as usize].is_disjoint(&self.starts[b as usize])
    }

    /// Loops (by header) that two threads of a block in the same barrier interval, at blocks
    /// `a` and `b`, must be in the same iteration of: every iteration passes a barrier and
    /// neither thread passed one since the header.
    pub fn same_iteration_loops(&self, a: u32, b: u32) -> Vec<u32> {
        self.loops
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                self.synchronized[*i] && self.pre[*i].contains(&a) && self.pre[*i].contains(&b)
            })
            .map(|(_, (h, _))| *h)
            .collect()
    }

    /// Loops (by header) that contain a barrier and from which block `b` can be reached:
    /// threads of a block that all reached their barriers together are in lockstep there.
    pub fn lockstep_loops(&self, b: u32) -> Vec<u32> {
        self.loops
            .iter()
            .zip(&self.lockstep)
            .filter(|(_, (has_barrier, reach))| *has_barrier && reach.contains(&b))
            .map(|((h, _), _)| *h)
            .collect()
    }

    /// Whether the branch at `branch` decides whether block `b` runs.
    pub fn controls(&self, branch: u32, b: u32) -> bool {
        self.region[branch as usize].contains(&b)
    }

    /// Locals that may differ between threads of one block: what depends on `thread_idx`,
    /// on memory other threads write, or is assigned under a branch that does; and every
    /// local that is borrowed mutably (its writes through the reference are not followed).
    fn divergence(&self, p: &Program, body: &Body) -> Vec<bool> {
        let nl = body.locals.len();
        let mut div = vec![false; nl];
        // Memory other threads write: `&mut GpuBuffer` parameters and `gpu::shared` arrays.
        let mut memory = vec![false; nl];
        for (i, l) in body.locals.iter().enumerate().skip(1).take(body.arg_count) {
            if let Ty::Ref(true, inner) = &l.ty {
                memory[i] = p.is_lang(inner, p.lang.gpu_buffer);
            }
        }
        for b in &body.blocks {
            if let TerminatorKind::Call { callee, dest, .. } = &b.term.kind {
                if callee.is_prelude_fn(p, "gpu::shared") {
                    memory[dest.local.0 as usize] = true;
                }
            }
            for s in &b.stmts {
                if let StatementKind::Assign(_, Rvalue::Ref(true, pl)) = &s.kind {
                    div[pl.local.0 as usize] = true;
                }
            }
        }
        let place_div = |div: &[bool], pl: &Place| {
            let mut d = div[pl.local.0 as usize];
            let mut through_memory = memory[pl.local.0 as usize];
            for pr in &pl.proj {
                if let Proj::Index(i) = pr {
                    d |= div[i.0 as usize] || through_memory;
                    through_memory = false;
                }
            }
            d
        };
        let op_div = |div: &[bool], op: &Operand| match op {
            Operand::Copy(pl) | Operand::Move(pl) => place_div(div, pl),
            Operand::Const(_) => false,
        };
        let mut divergent_blocks: HashSet<u32> = HashSet::new();
        loop {
            let mut changed = false;
            for (bi, b) in body.blocks.iter().enumerate() {
                let under = divergent_blocks.contains(&(bi as u32));
                for s in &b.stmts {
                    let StatementKind::Assign(dest, rv) = &s.kind else {
                        continue;
                    };
                    let d = under
                        || place_div(&div, dest)
                        || match rv {
                            Rvalue::Use(o)
                            | Rvalue::Unary(_, o)
                            | Rvalue::Cast(o)
                            | Rvalue::Repeat(o, _)
                            | Rvalue::Coerce(_, o) => op_div(&div, o),
                            Rvalue::Binary(_, a, c) | Rvalue::VecRepeat(a, c) => {
                                op_div(&div, a) || op_div(&div, c)
                            }
                            Rvalue::Aggregate(_, os) | Rvalue::Format(_, os) => {
                                os.iter().any(|o| op_div(&div, o))
                            }
                            Rvalue::Ref(_, pl)
                            | Rvalue::Len(pl)
                            | Rvalue::Discriminant(pl)
                            | Rvalue::Clone(pl) => place_div(&div, pl),
                        };
                    let l = dest.local.0 as usize;
                    if d && !div[l] {
                        div[l] = true;
                        changed = true;
                    }
                }
                if let TerminatorKind::Call {
                    callee, args, dest, ..
                } = &b.term.kind
                {
                    let d = under
                        || callee.is_prelude_fn(p, "gpu::thread_idx")
                        || args.iter().any(|a| op_div(&div, a));
                    let l = dest.local.0 as usize;
                    if d && !div[l] {
                        div[l] = true;
                        changed = true;
                    }
                }
                if let TerminatorKind::SwitchInt { discr, .. } = &b.term.kind {
                    if op_div(&div, discr) {
                        for &x in &self.region[bi] {
                            changed |= divergent_blocks.insert(x);
                        }
                    }
                }
            }
            if !changed {
                return div;
            }
        }
    }
}

/// Blocks reachable from `from` (itself included), not going on from blocks where `stop`.
fn reach_from(succ: &[Vec<u32>], from: u32, stop: impl Fn(u32) -> bool) -> HashSet<u32> {
    let mut seen: HashSet<u32> = [from].into();
    let mut work = vec![from];
    while let Some(b) = work.pop() {
        if stop(b) {
            continue;
        }
        for &s in &succ[b as usize] {
            if seen.insert(s) {
                work.push(s);
            }
        }
    }
    seen
}

/// For each branching block, the blocks between it and its immediate post-dominator. Paths
/// that end in a panic are ignored: a thread that fails stops the kernel, so it cannot
/// leave the others waiting at a barrier that matters.
fn control_regions(body: &Body, succ: &[Vec<u32>]) -> Vec<HashSet<u32>> {
    let n = succ.len();
    let all: HashSet<u32> = (0..n as u32).collect();
    let returns = |b: usize| matches!(body.blocks[b].term.kind, TerminatorKind::Return);
    // Post-dominator sets; blocks that only panic keep "everything" (they constrain nothing).
    let mut pdom: Vec<HashSet<u32>> = (0..n)
        .map(|b| {
            if returns(b) {
                [b as u32].into()
            } else {
                all.clone()
            }
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for b in (0..n).rev() {
            if returns(b) || succ[b].is_empty() {
                continue;
            }
            let mut inter: Option<HashSet<u32>> = None;
            for &s in &succ[b] {
                inter = Some(match inter {
                    None => pdom[s as usize].clone(),
                    Some(i) => i.intersection(&pdom[s as usize]).copied().collect(),
                });
            }
            let mut new = inter.unwrap_or_default();
            new.insert(b as u32);
            if new != pdom[b] {
                pdom[b] = new;
                changed = true;
            }
        }
    }
    (0..n)
        .map(|b| {
            if succ[b].len() < 2 {
                return HashSet::new();
            }
            let strict: HashSet<u32> = pdom[b].iter().copied().filter(|&x| x != b as u32).collect();
            // The immediate post-dominator: the strict one that all the others post-dominate.
            let ipdom = strict
                .iter()
                .copied()
                .find(|&c| strict.iter().all(|&o| pdom[c as usize].contains(&o)));
            let mut region = HashSet::new();
            let mut work: Vec<u32> = succ[b].clone();
            while let Some(x) = work.pop() {
                if Some(x) == ipdom || !region.insert(x) {
                    continue;
                }
                work.extend(succ[x as usize].iter().copied());
            }
            region
        })
        .collect()
}
