//! GPU kernels: the two-thread race and barrier analysis that turns a kernel's conditions
//! (as one arbitrary thread sees them, from `vez-vcgen`) into obligations about two distinct
//! threads, as GPUVerify and Faial do.
//!
//! Thread A is the symbolic execution vcgen did; thread B is a copy of it with every
//! thread-local constant renamed (parameters and launch dimensions are shared). An access pair
//! races when both threads can reach their accesses in the same barrier interval (or in
//! different blocks, which no barrier orders), one of them writes, and the indices can be
//! equal. Reads of memory other threads write give arbitrary values (GPUVerify's adversarial
//! abstraction), so thread A's view of the memory never hides another thread's write.
//!
//! NVPTX code generation lives in `vez-codegen` (it links LLVM; this crate is used by the
//! LLVM-free `vez verify`).

mod cfg;

use cfg::KernelCfg;
use std::collections::HashMap;
use vez_mir::Body;
use vez_syntax::Span;
use vez_typeck::hir::Program;
use vez_vcgen::term::{self, and, eq, implies, not, Term, T};
use vez_vcgen::{Access, CexVar, FnVc, KernelTrace, Obligation, Sort};

/// The verification conditions of a `#[gpu::kernel]`: those of one thread (bounds, overflow,
/// ...), then one `race` obligation per pair of accesses that could conflict and one
/// `barrier` obligation per branch that decides whether a barrier is reached.
pub fn kernel_vc(p: &Program, body: &Body, source: &(dyn Fn(Span) -> String + Sync)) -> FnVc {
    let (mut vc, trace) = vez_vcgen::generate_kernel(p, body, source);
    let cfg = KernelCfg::new(p, body);
    let mut two = TwoThreads::new(&vc, &trace);
    for (name, sort) in &trace.consts[trace.shared..] {
        vc.decls.push(format!(
            "(declare-fun {} () {})",
            b_symbol(name),
            sort.smt()
        ));
    }
    let mut obligations = race_obligations(&trace, &cfg, &mut two);
    obligations.extend(barrier_obligations(&trace, &cfg, &mut two, body));
    vc.obligations.extend(obligations);
    vc
}

/// Thread B: thread A's constants renamed, and its facts.
struct TwoThreads {
    map: HashMap<String, String>,
    memo: HashMap<*const Term, T>,
    assumptions: Vec<T>,
    /// Thread B's assumptions, renamed on demand (`renamed[i]` is assumption `i`).
    renamed: Vec<T>,
    same_block: T,
    distinct: T,
    threads_cex: Vec<CexVar>,
}

impl TwoThreads {
    fn new(vc: &FnVc, trace: &KernelTrace) -> Self {
        let mut map = HashMap::new();
        for (name, _) in &trace.consts[trace.shared..] {
            map.insert(name.clone(), b_symbol(name));
        }
        let mut two = TwoThreads {
            map,
            memo: HashMap::new(),
            assumptions: vc.assumptions.clone(),
            renamed: Vec::new(),
            same_block: term::tt(),
            distinct: term::tt(),
            threads_cex: Vec::new(),
        };
        let tb: Vec<T> = trace.thread_idx.iter().map(|t| two.b(t)).collect();
        let bb: Vec<T> = trace.block_idx.iter().map(|t| two.b(t)).collect();
        let pairs = |xs: &[T], ys: &[T]| -> T {
            and(xs
                .iter()
                .zip(ys)
                .map(|(x, y)| eq(x.clone(), y.clone()))
                .collect())
        };
        two.same_block = pairs(&trace.block_idx, &bb);
        two.distinct = not(and(vec![
            two.same_block.clone(),
            pairs(&trace.thread_idx, &tb),
        ]));
        for (who, block, thread) in [("A", &trace.block_idx, &trace.thread_idx), ("B", &bb, &tb)] {
            for (what, xs) in [("block_idx", block), ("thread_idx", thread)] {
                for (c, t) in ["x", "y", "z"].iter().zip(xs.iter()) {
                    two.threads_cex.push(CexVar {
                        name: format!("{who}.{what}.{c}"),
                        term: t.clone(),
                        sort: Sort::Int,
                        shown_if_below: None,
                        is_char: false,
                    });
                }
            }
        }
        two
    }

    /// Thread B's version of a term of thread A.
    fn b(&mut self, t: &T) -> T {
        term::rename(t, &self.map, &mut self.memo)
    }

    /// Thread B's facts where it has made `prefix` assumptions.
    fn b_facts(&mut self, prefix: usize) -> T {
        while self.renamed.len() < prefix {
            let a = self.assumptions[self.renamed.len()].clone();
            let r = self.b(&a);
            self.renamed.push(r);
        }
        and(self.renamed[..prefix].to_vec())
    }

    /// Equalities of the values of divergence-free locals chosen at these loop headers.
    fn uniform_at(&mut self, trace: &KernelTrace, cfg: &KernelCfg, headers: &[u32]) -> T {
        let mut eqs = Vec::new();
        for (h, local, v) in &trace.loop_havocs {
            if headers.contains(h) && !cfg.divergent.get(*local).copied().unwrap_or(true) {
                let vb = self.b(v);
                eqs.push(eq(v.clone(), vb));
            }
        }
        and(eqs)
    }
}

/// The inputs of a counterexample without thread A's own indices (both threads' are added).
fn inputs_cex(trace: &KernelTrace) -> Vec<CexVar> {
    trace
        .inputs_cex
        .iter()
        .filter(|c| !c.name.starts_with("thread_idx.") && !c.name.starts_with("block_idx."))
        .cloned()
        .collect()
}

/// `|x|` as thread B's `|x#B|`.
fn b_symbol(name: &str) -> String {
    match name.strip_prefix('|').and_then(|n| n.strip_suffix('|')) {
        Some(inner) => format!("|{inner}#B|"),
        None => format!("|{name}#B|"),
    }
}

fn race_obligations(trace: &KernelTrace, cfg: &KernelCfg, two: &mut TwoThreads) -> Vec<Obligation> {
    let mut out = Vec::new();
    let acc = &trace.accesses;
    for i in 0..acc.len() {
        for j in i..acc.len() {
            let (a, b) = (&acc[i], &acc[j]);
            if a.memory != b.memory || !(a.write || b.write) {
                continue;
            }
            // Thread A makes the write (the roles are symmetric).
            let (a, b) = if a.write { (a, b) } else { (b, a) };
            let may_share = cfg.may_share_interval(a.block, b.block);
            if a.shared && !may_share {
                continue;
            }
            let same_iteration = cfg.same_iteration_loops(a.block, b.block);
            let uniform = two.uniform_at(trace, cfg, &same_iteration);
            let same_block = two.same_block.clone();
            let threads = if a.shared {
                and(vec![same_block, uniform])
            } else if may_share {
                implies(same_block, uniform)
            } else {
                not(same_block)
            };
            let b_facts = two.b_facts(b.prefix);
            let b_pc = two.b(&b.pc);
            let b_index = two.b(&b.index);
            let hyp = and(vec![
                b_facts,
                a.pc.clone(),
                b_pc,
                two.distinct.clone(),
                threads,
            ]);
            let goal = implies(hyp, not(eq(a.index.clone(), b_index)));
            out.push(race_obligation(trace, two, a, b, goal));
        }
    }
    out
}

fn race_obligation(
    trace: &KernelTrace,
    two: &TwoThreads,
    a: &Access,
    b: &Access,
    goal: T,
) -> Obligation {
    let what = |x: &Access| if x.write { "written" } else { "read" };
    let memory = if a.shared {
        format!("shared array `{}`", a.name)
    } else {
        format!("buffer `{}`", a.name)
    };
    let mut secondary = Vec::new();
    if b.span != a.span {
        secondary.push((b.span, format!("{} by thread B", what(b))));
    }
    let mut cex = inputs_cex(trace);
    cex.extend(two.threads_cex.iter().cloned());
    cex.push(CexVar {
        name: format!("{} index", a.name),
        term: a.index.clone(),
        sort: Sort::Int,
        shown_if_below: None,
        is_char: false,
    });
    Obligation {
        kind: "race",
        span: a.span,
        message: format!(
            "data race on {memory}: two threads may access the same element with no barrier between them, and one writes"
        ),
        label: if b.span == a.span {
            "written here by threads A and B".into()
        } else {
            "written here by thread A".into()
        },
        secondary,
        prefix: a.prefix,
        goal,
        cex,
    }
}

fn barrier_obligations(
    trace: &KernelTrace,
    cfg: &KernelCfg,
    two: &mut TwoThreads,
    body: &Body,
) -> Vec<Obligation> {
    let mut out = Vec::new();
    for &barrier in &cfg.barriers {
        let barrier_span = body.blocks[barrier as usize].term.span;
        for br in &trace.branches {
            if !cfg.controls(br.block, barrier) {
                continue;
            }
            let lockstep = cfg.lockstep_loops(br.block);
            let uniform = two.uniform_at(trace, cfg, &lockstep);
            let b_facts = two.b_facts(br.prefix);
            let b_pc = two.b(&br.pc);
            let b_discr = two.b(&br.discr);
            let hyp = and(vec![
                b_facts,
                br.pc.clone(),
                b_pc,
                two.same_block.clone(),
                two.distinct.clone(),
                uniform,
            ]);
            let goal = implies(hyp, eq(br.discr.clone(), b_discr));
            let branch_span = body.blocks[br.block as usize].term.span;
            let mut cex = inputs_cex(trace);
            cex.extend(two.threads_cex.iter().cloned());
            out.push(Obligation {
                kind: "barrier",
                span: barrier_span,
                message: "barrier divergence: `gpu::barrier()` might be reached by only some threads of a block".into(),
                label: "not reached by every thread of the block".into(),
                secondary: vec![(branch_span, "this condition may differ between threads of a block".into())],
                prefix: br.prefix,
                goal,
                cex,
            });
        }
    }
    out
}
