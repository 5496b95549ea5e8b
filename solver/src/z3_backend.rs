//! Z3 in process. Each query gets a fresh solver on the calling thread's context.

use crate::{count_asserts, shown, CexValue, Options, Verdict};
use vez_vcgen::{Query, Sort};
use z3::ast::{Bool, Int};
use z3::{Params, SatResult, Solver};

static GLOBAL: std::sync::Once = std::sync::Once::new();

/// Decides queries in order on one fresh context: the context's history (and with it the
/// solver's choices) depends only on these queries, never on scheduling or on other
/// functions (a context reused across functions made verdicts vary between runs).
pub fn check_all(queries: &[Query], opts: &Options) -> Vec<(Verdict, f64)> {
    if queries.is_empty() {
        return Vec::new();
    }
    init();
    let decide_all = || {
        queries
            .iter()
            .map(|q| crate::timed(|| decide(q, opts)))
            .collect()
    };
    if DEFAULT_UNUSED.replace(false) {
        decide_all()
    } else {
        z3::with_z3_config(&z3::Config::new(), decide_all)
    }
}

thread_local! {
    /// Whether this thread's default Z3 context (created by the `z3` crate on first use, with
    /// the default configuration, as `with_z3_config` makes ours) has not decided anything
    /// yet. A thread's first function runs on it: creating a context costs ~15 ms, and the
    /// default one exists anyway once any context is set up on the thread.
    static DEFAULT_UNUSED: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Z3's SMT core (as Dafny and Verus use it): the default tactic for pure nonlinear integer
/// problems (nlsat) loops on facts such as `2 * s == i * (i + 1)`.
fn init() {
    GLOBAL.call_once(|| z3::set_global_param("tactic.default_tactic", "smt"));
}

/// `q.lighter` first, where there is one: its `unsat` is a proof; otherwise `q` decides.
fn decide(q: &Query, opts: &Options) -> Verdict {
    if let Some(light) = q.lighter_query() {
        if decide_one(&light, opts) == Verdict::Verified {
            return Verdict::Verified;
        }
    }
    decide_one(q, opts)
}

fn decide_one(q: &Query, opts: &Options) -> Verdict {
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

/// Creates this thread's default context (tens of milliseconds) while the front end runs,
/// instead of delaying the first function's proof. Nothing is decided on it here, so it is
/// still fresh for that function.
pub fn warm_up() {
    init();
    drop(z3::Context::thread_local());
}
