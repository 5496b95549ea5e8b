//! Verification-condition generation: one obligation per check site (overflow, bounds,
//! division, unwrap, assert, pre/postconditions, invariants, decreases, spec
//! well-definedness), expressed in a small solver-agnostic term language and printed as
//! SMT-LIB2 for any backend.
//!
//! - `term.rs`: sorts, terms, smart constructors, SMT-LIB printing, trigger selection.
//! - `types.rs`: source types as sorts and datatypes.
//! - `ints.rs`: machine integers over mathematical integers.
//! - `gen.rs`: the per-function generator (assumptions, obligations) and specifications.
//! - `exec.rs`: symbolic execution of a MIR body.
//!
//! A query is self-contained: the declarations, the definitions of the pure functions it
//! uses, the facts known at the obligation's program point, and the negated obligation. It
//! is unsatisfiable exactly when the obligation holds.

mod callgraph;
mod exec;
pub mod gen;
pub mod ints;
pub mod term;
pub mod types;

use std::fmt::Write as _;
pub use term::Sort;
use term::T;
use vez_mir::Body;
use vez_syntax::Span;
use vez_typeck::hir::{Bound, FnId, Program, StdTrait};

/// A value to report in a counterexample.
#[derive(Clone, Debug)]
pub struct CexVar {
    /// The source expression it shows (`x`, `p.x`, `a.len()`, `a[0]`).
    pub name: String,
    pub term: T,
    pub sort: Sort,
    /// Show only when the entry with this index is above the number (`a[k]` below `a.len()`).
    pub shown_if_below: Option<(usize, i128)>,
    /// A `char`'s code point, shown as the char literal (`'x'`).
    pub is_char: bool,
}

#[derive(Clone, Debug)]
pub struct Obligation {
    /// The conformance kind (`overflow`, `bounds`, `postcondition`, ...).
    pub kind: &'static str,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    /// How many of the function's assumptions hold at this point.
    pub prefix: usize,
    pub goal: T,
    pub cex: Vec<CexVar>,
}

/// Everything needed to prove one function.
pub struct FnVc {
    pub func: FnId,
    pub name: String,
    pub span: Span,
    pub decls: Vec<String>,
    pub axioms: Vec<T>,
    /// `Gen::membership`: in the full query only (see `Query::lighter`).
    pub membership: Vec<T>,
    pub assumptions: Vec<T>,
    pub obligations: Vec<Obligation>,
    /// Constructs the verifier does not handle (each makes the function `unknown`).
    pub unsupported: Vec<(Span, String)>,
    /// The triggers chosen for each quantifier (`--show-triggers`).
    pub triggers: Vec<(Span, String)>,
}

/// One obligation as an SMT-LIB2 script body (no `check-sat`), and the constants that hold
/// the counterexample values.
pub struct Query {
    pub smt: String,
    /// The same query without the multiset membership facts, where it has any: tried
    /// first. Its hypotheses are a subset of `smt`'s, so its `unsat` proves the obligation;
    /// any other answer leaves the verdict to `smt`.
    pub lighter: Option<String>,
    pub cex: Vec<CexSlot>,
}

impl Query {
    /// `lighter` as a query of its own, without counterexample slots (only its `unsat` is
    /// ever used).
    pub fn lighter_query(&self) -> Option<Query> {
        self.lighter.as_ref().map(|smt| Query {
            smt: smt.clone(),
            lighter: None,
            cex: Vec::new(),
        })
    }
}

/// A counterexample value of a query: the source name, the SMT constant that holds it.
pub struct CexSlot {
    pub name: String,
    pub smt: String,
    pub sort: Sort,
    pub shown_if_below: Option<(usize, i128)>,
    pub is_char: bool,
}

/// An access of thread A to an element of memory other threads share.
#[derive(Clone, Debug)]
pub struct Access {
    /// The memory, by the executor's root number; `name` is its source name.
    pub memory: usize,
    pub name: String,
    /// `gpu::shared` memory (one copy per block) rather than a global buffer.
    pub shared: bool,
    pub index: T,
    pub write: bool,
    pub span: Span,
    /// The path condition and the number of assumptions that hold at the access.
    pub pc: T,
    pub prefix: usize,
    /// The MIR block it happens in.
    pub block: u32,
}

/// A conditional branch of thread A: its block, the value it switches on, where it holds.
#[derive(Clone, Debug)]
pub struct Branch {
    pub block: u32,
    pub discr: T,
    pub pc: T,
    pub prefix: usize,
}

/// What the two-thread analysis of a kernel needs from the symbolic execution of one
/// arbitrary thread (thread A).
#[derive(Clone, Debug, Default)]
pub struct KernelTrace {
    /// Every constant of the conditions; `consts[..shared]` (parameters, launch dimensions)
    /// are the same for every thread, the rest are thread A's own.
    pub consts: Vec<(String, Sort)>,
    pub shared: usize,
    pub thread_idx: Vec<T>,
    pub block_idx: Vec<T>,
    pub accesses: Vec<Access>,
    pub branches: Vec<Branch>,
    /// Values chosen at loop headers: (header block, MIR local, the fresh value).
    pub loop_havocs: Vec<(u32, usize, T)>,
    /// The counterexample entries of the inputs.
    pub inputs_cex: Vec<CexVar>,
}

/// Generates the verification conditions of one function body.
pub fn generate(p: &Program, body: &Body, source: &(dyn Fn(Span) -> String + Sync)) -> FnVc {
    let f = p.func(body.func);
    let mut g = gen::Gen::new(p, source, f.name.clone());
    g.current = Some(body.func);
    g.eq_params = eq_params(f);
    g.ord_params = ord_params(f);
    exec::Exec::new(&mut g, p, body.func, body).run();
    finish(body, g)
}

/// The conditions of a `#[gpu::kernel]` as seen by one arbitrary thread, and the trace the
/// race and barrier analysis (`vez-gpu`) builds two-thread obligations from.
pub fn generate_kernel(
    p: &Program,
    body: &Body,
    source: &(dyn Fn(Span) -> String + Sync),
) -> (FnVc, KernelTrace) {
    let f = p.func(body.func);
    let mut g = gen::Gen::new(p, source, f.name.clone());
    g.current = Some(body.func);
    g.eq_params = eq_params(f);
    g.ord_params = ord_params(f);
    let trace = exec::Exec::new(&mut g, p, body.func, body).run_kernel();
    (finish(body, g), trace)
}

/// The function's generic parameters bounded by `Eq` or `Ord`.
fn eq_params(f: &vez_typeck::hir::FnDef) -> Vec<u32> {
    params_bounded_by(f, &[StdTrait::Eq, StdTrait::Ord])
}

/// The function's generic parameters bounded by `Ord`.
fn ord_params(f: &vez_typeck::hir::FnDef) -> Vec<u32> {
    params_bounded_by(f, &[StdTrait::Ord])
}

fn params_bounded_by(f: &vez_typeck::hir::FnDef, traits: &[StdTrait]) -> Vec<u32> {
    (0..f.generics.len() as u32)
        .filter(|i| {
            f.generics[*i as usize]
                .bounds
                .iter()
                .any(|b| matches!(b, Bound::Std(t) if traits.contains(t)))
        })
        .collect()
}

fn finish(body: &Body, g: gen::Gen) -> FnVc {
    let f = g.p.func(body.func);
    let mut decls = g.types.decls.clone();
    for name in &g.types.fun_order {
        decls.push(g.types.funs[name].clone());
    }
    for (c, s) in &g.consts {
        decls.push(format!("(declare-fun {c} () {})", s.smt()));
    }
    FnVc {
        func: body.func,
        name: f.name.clone(),
        span: f.span,
        decls,
        axioms: g.axioms,
        membership: g.membership,
        assumptions: g.assumptions,
        obligations: g.obligations,
        unsupported: g.unsupported,
        triggers: g.triggers_log,
    }
}

impl FnVc {
    pub fn query(&self, i: usize) -> Query {
        let ob = &self.obligations[i];
        let mut s = String::new();
        for d in &self.decls {
            s.push_str(d);
            s.push('\n');
        }
        for a in &self.axioms {
            s.push_str("(assert ");
            a.write_smt(&mut s);
            s.push_str(")\n");
        }
        let cut = s.len();
        for a in &self.membership {
            s.push_str("(assert ");
            a.write_smt(&mut s);
            s.push_str(")\n");
        }
        let membership = cut..s.len();
        for a in &self.assumptions[..ob.prefix] {
            s.push_str("(assert ");
            a.write_smt(&mut s);
            s.push_str(")\n");
        }
        let mut facts: Vec<&T> = self.assumptions[..ob.prefix].iter().collect();
        facts.push(&ob.goal);
        let lemmas = term::product_lemmas(&facts);
        if !lemmas.is_empty() {
            s.push_str(
                "; monotonicity of the products above (valid facts of integer arithmetic)\n",
            );
        }
        for l in &lemmas {
            s.push_str("(assert ");
            l.write_smt(&mut s);
            s.push_str(")\n");
        }
        let _ = writeln!(
            s,
            "; obligation: {} ({})",
            ob.kind,
            ob.message.replace('\n', " ")
        );
        s.push_str("(assert (not ");
        ob.goal.write_smt(&mut s);
        s.push_str("))\n");
        let mut cex = Vec::new();
        for (k, c) in ob.cex.iter().enumerate() {
            let name = format!("|cex!{k}|");
            let _ = writeln!(s, "(declare-fun {name} () {})", c.sort.smt());
            s.push_str(&format!("(assert (= {name} "));
            c.term.write_smt(&mut s);
            s.push_str("))\n");
            cex.push(CexSlot {
                name: c.name.clone(),
                smt: name,
                sort: c.sort.clone(),
                shown_if_below: c.shown_if_below,
                is_char: c.is_char,
            });
        }
        let lighter = (!membership.is_empty()).then(|| {
            let mut l = s.clone();
            l.replace_range(membership, "");
            l
        });
        Query {
            smt: s,
            lighter,
            cex,
        }
    }
}
