//! Solver backends: each obligation's SMT-LIB2 query is decided on its own solver
//! (isolated: every failing obligation is reported, not only the first), with a timeout, a
//! resource limit and a fixed random seed. A satisfiable query is a failed obligation; its
//! model gives the counterexample values, in source names. Timeouts, resource exhaustion,
//! incompleteness and malformed queries are `unknown`, never verified.
//!
//! Backends: Z3 in process through the `z3` crate (`z3_backend.rs`), and SMT-LIB2 solver
//! processes (z3, cvc5) through rsmt2 (`process.rs`), fed the same query text.

mod process;
mod z3_backend;

use vez_vcgen::Query;

#[derive(Clone, Debug, PartialEq)]
pub enum CexValue {
    /// A decimal integer (any size).
    Int(String),
    Bool(bool),
    /// Any other value, as the solver prints it (enum values, values of generic types).
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Verified,
    Failed(Vec<(String, CexValue)>),
    Unknown(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Z3 in this process.
    Z3,
    /// `z3 -in` as a child process.
    Z3Process,
    /// `cvc5` as a child process.
    Cvc5,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub backend: Backend,
    pub timeout_ms: u32,
    pub rlimit: u32,
    pub seed: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            backend: Backend::Z3,
            timeout_ms: 10_000,
            rlimit: 0,
            seed: 0,
        }
    }
}

/// The number of `(assert` commands a query holds (a backend that parsed fewer saw a
/// malformed query and must not answer).
pub fn count_asserts(smt: &str) -> usize {
    smt.lines().filter(|l| l.starts_with("(assert ")).count()
}

/// Decides a function's queries in order, each verdict with its time in ms. With the
/// in-process backend they share one fresh Z3 context (deterministic: nothing outside these
/// queries influences the solver); the process backends start one solver per query.
pub fn check_all(queries: &[Query], opts: &Options) -> Vec<(Verdict, f64)> {
    let program = match opts.backend {
        Backend::Z3 => return z3_backend::check_all(queries, opts),
        Backend::Z3Process => process::Program::Z3,
        Backend::Cvc5 => process::Program::Cvc5,
    };
    queries
        .iter()
        .map(|q| timed(|| process::check(q, opts, program)))
        .collect()
}

/// A verdict with the milliseconds it took.
pub(crate) fn timed(f: impl FnOnce() -> Verdict) -> (Verdict, f64) {
    let t = std::time::Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64() * 1000.0)
}

/// Initialises the in-process solver ahead of use (call on a background thread while the
/// front end runs).
pub fn warm_up(opts: &Options) {
    if opts.backend == Backend::Z3 {
        z3_backend::warm_up();
    }
}

/// The solver's name and version, for reports.
pub fn solver_version(opts: &Options) -> String {
    match opts.backend {
        Backend::Z3 => format!("z3 {}", z3::full_version()),
        Backend::Z3Process => process_version("z3", "--version"),
        Backend::Cvc5 => process_version("cvc5", "--version"),
    }
}

fn process_version(cmd: &str, flag: &str) -> String {
    std::process::Command::new(cmd)
        .arg(flag)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| format!("{cmd} (not found)"))
}

/// The script that reproduces a query with a command-line solver (`z3 FILE`).
pub fn script(q: &Query, opts: &Options) -> String {
    let mut s = String::new();
    s.push_str("(set-option :produce-models true)\n");
    s.push_str("(set-option :tactic.default_tactic smt)\n");
    s.push_str(&format!("(set-option :smt.random_seed {})\n", opts.seed));
    s.push_str(&q.smt);
    s.push_str("(check-sat)\n");
    s
}

/// Turns model values into a counterexample, keeping sequence elements below the length.
pub(crate) fn shown(q: &Query, vals: Vec<Option<CexValue>>) -> Vec<(String, CexValue)> {
    let mut out = Vec::new();
    for (i, slot) in q.cex.iter().enumerate() {
        let (name, guard) = (&slot.name, &slot.shown_if_below);
        let Some(v) = vals[i].clone() else { continue };
        if let Some((len_at, k)) = guard {
            let ok = match vals.get(*len_at) {
                Some(Some(CexValue::Int(n))) => n.parse::<i128>().is_ok_and(|n| n > *k),
                _ => false,
            };
            if !ok {
                continue;
            }
        }
        out.push((name.clone(), v));
    }
    out
}

/// `(|Option<u32>::Some| 7)` to `Option<u32>::Some(7)`.
pub(crate) fn pretty_value(s: &str) -> String {
    let s = s.replace('|', "");
    let t = s.trim();
    match t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => match inner.split_once(' ') {
            Some((head, args)) => format!(
                "{head}({})",
                args.split_whitespace().collect::<Vec<_>>().join(", ")
            ),
            None => inner.to_string(),
        },
        None => t.to_string(),
    }
}
