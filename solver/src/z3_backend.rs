//! Z3 in process. Each query gets a fresh solver on the calling thread's context.

use crate::{count_asserts, shown, CexValue, Options, Verdict};
use vez_vcgen::{Query, Sort};
use z3::ast::{Bool, Int};
use z3::{Params, SatResult, Solver};

static GLOBAL: std::sync::Once = std::sync::Once::new();

/// Decides queries in order on one fresh context: the context's history (and with it the
/// solver's choices) depends only on these queries, never on scheduling.
pub fn check_all(
    queries: &mut dyn FnMut(usize) -> Option<Query>,
    opts: &Options,
    out: &mut Vec<(Verdict, f64)>,
) {
    GLOBAL.call_once(|| z3::set_global_param("tactic.default_tactic", "smt"));
    let mut results = Vec::new();
    // `with_z3_config` wants Send + Sync closures; the query source is neither, so the queries
    // are built first.
    let mut qs = Vec::new();
    let mut k = 0;
    while let Some(q) = queries(k) {
        qs.push(q);
        k += 1;
    }
    if qs.is_empty() {
        return;
    }
    z3::with_z3_config(&z3::Config::new(), || {
        qs.iter()
            .map(|q| {
                let t = std::time::Instant::now();
                let v = decide(q, opts);
                (v, t.elapsed().as_secs_f64() * 1000.0)
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .for_each(|r| results.push(r));
    out.extend(results);
}

pub fn check(q: &Query, opts: &Options) -> Verdict {
    // Z3's SMT core (as Dafny and Verus use it): the default tactic for pure nonlinear
    // integer problems (nlsat) loops on facts such as `2 * s == i * (i + 1)`.
    GLOBAL.call_once(|| z3::set_global_param("tactic.default_tactic", "smt"));
    // A fresh context per query: a reused context's term numbering depends on the queries
    // it saw before, and with it the solver's choices (verdicts would depend on scheduling).
    z3::with_z3_config(&z3::Config::new(), || decide(q, opts))
}

fn decide(q: &Query, opts: &Options) -> Verdict {
    let solver = Solver::new();
    let mut p = Params::new();
    if opts.timeout_ms > 0 {
        p.set_u32("timeout", opts.timeout_ms);
    }
    if opts.rlimit > 0 {
        p.set_u32("rlimit", opts.rlimit);
    }
    p.set_u32("random_seed", opts.seed);
    solver.set_params(&p);
    solver.from_string(q.smt.as_bytes().to_vec());
    // A malformed query is dropped silently by the parser: never answer for it.
    let parsed = solver.get_assertions().len();
    let expected = count_asserts(&q.smt);
    if parsed != expected {
        return Verdict::Unknown(format!(
            "internal error: the solver parsed {parsed} of {expected} assertions"
        ));
    }
    match solver.check() {
        SatResult::Unsat => Verdict::Verified,
        SatResult::Unknown => Verdict::Unknown(
            solver
                .get_reason_unknown()
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "the solver gave up".into()),
        ),
        SatResult::Sat => {
            let Some(model) = solver.get_model() else {
                return Verdict::Failed(Vec::new());
            };
            // Values of other sorts: found by name among the model's constants.
            let mut texts = std::collections::HashMap::new();
            for d in model.iter() {
                if d.arity() == 0 {
                    let n = d.name();
                    if n.starts_with("cex!") {
                        if let Some(v) = model.get_const_interp(&d.apply(&[])) {
                            texts.insert(n, v.to_string());
                        }
                    }
                }
            }
            let vals: Vec<Option<CexValue>> = q
                .cex
                .iter()
                .map(|slot| {
                    let name = slot.smt.trim_matches('|');
                    match &slot.sort {
                        Sort::Bool => model
                            .eval(&Bool::new_const(name), true)
                            .and_then(|b| b.as_bool())
                            .map(CexValue::Bool),
                        Sort::Int => model
                            .eval(&Int::new_const(name), true)
                            .map(|v| CexValue::Int(int_text(&v.to_string()))),
                        _ => texts
                            .get(name)
                            .map(|t| CexValue::Text(crate::pretty_value(t))),
                    }
                })
                .collect();
            Verdict::Failed(shown(q, vals))
        }
    }
}

/// `(- 5)` to `-5`.
fn int_text(s: &str) -> String {
    let t = s.trim();
    if let Some(inner) = t.strip_prefix("(-").and_then(|r| r.strip_suffix(')')) {
        format!("-{}", inner.trim())
    } else {
        t.to_string()
    }
}

/// Initialises Z3's process-wide state (tens of milliseconds, once per process) so that it
/// can overlap with the front end instead of delaying the first function's proof.
pub fn warm_up() {
    GLOBAL.call_once(|| z3::set_global_param("tactic.default_tactic", "smt"));
    z3::with_z3_config(&z3::Config::new(), || {
        let s = Solver::new();
        s.from_string("(declare-fun warm () Int) (assert (> warm 0))");
        let _ = s.check();
    });
}
