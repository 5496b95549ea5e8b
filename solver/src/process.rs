//! SMT-LIB2 solver processes through rsmt2 (`z3 -in`, `cvc5`): the same query text as the
//! in-process backend, a per-query time limit passed to the solver, `get-value` for the
//! counterexample constants.

use crate::{count_asserts, shown, CexValue, Options, Verdict};
use rsmt2::{SmtConf, Solver};
use std::io::Write;
use vez_vcgen::{Query, Sort};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    Z3,
    Cvc5,
}

pub fn check(q: &Query, opts: &Options, which: Program) -> Verdict {
    match run(q, opts, which) {
        Ok(v) => v,
        Err(e) => Verdict::Unknown(format!("solver process: {e}")),
    }
}

fn run(q: &Query, opts: &Options, which: Program) -> Result<Verdict, String> {
    let mut conf = match which {
        Program::Z3 => {
            let mut c = SmtConf::z3("z3");
            c.option(format!("-t:{}", opts.timeout_ms));
            c
        }
        Program::Cvc5 => {
            let mut c = SmtConf::cvc4("cvc5");
            c.option(format!("--tlimit-per={}", opts.timeout_ms));
            c
        }
    };
    conf.models();
    let mut solver = Solver::new(conf, ()).map_err(|e| e.to_string())?;
    let mut script = String::new();
    match which {
        Program::Z3 => {
            script.push_str("(set-option :tactic.default_tactic smt)\n");
            script.push_str(&format!("(set-option :smt.random_seed {})\n", opts.seed));
            if opts.rlimit > 0 {
                script.push_str(&format!("(set-option :rlimit {})\n", opts.rlimit));
            }
            script.push_str(&q.smt);
        }
        Program::Cvc5 => {
            script.push_str("(set-logic ALL)\n");
            script.push_str(&format!("(set-option :seed {})\n", opts.seed));
            // cvc5 names Z3's `bv2int` by its SMT-LIB name.
            script.push_str(&q.smt.replace("(bv2int ", "(bv2nat "));
        }
    }
    if count_asserts(&script) != count_asserts(&q.smt) {
        return Err("query rewriting lost an assertion".into());
    }
    solver
        .write_all(script.as_bytes())
        .map_err(|e| e.to_string())?;
    match solver.check_sat_or_unk().map_err(|e| e.to_string())? {
        Some(false) => Ok(Verdict::Verified),
        None => Ok(Verdict::Unknown("the solver gave up or timed out".into())),
        Some(true) => {
            if q.cex.is_empty() {
                return Ok(Verdict::Failed(Vec::new()));
            }
            let names: Vec<&str> = q.cex.iter().map(|c| c.smt.as_str()).collect();
            let vals: Vec<(String, String)> =
                solver.get_values(names).map_err(|e| e.to_string())?;
            let parsed: Vec<Option<CexValue>> = q
                .cex
                .iter()
                .zip(vals)
                .map(|(slot, (_, v))| Some(value(&slot.sort, &v)))
                .collect();
            Ok(Verdict::Failed(shown(q, parsed)))
        }
    }
}

/// `(- 5)`, `true`, `(|Option<u32>::Some| 7)`.
fn value(sort: &Sort, v: &str) -> CexValue {
    let t = v.trim();
    match sort {
        Sort::Bool => CexValue::Bool(t == "true"),
        Sort::Int => {
            let n = t
                .strip_prefix("(-")
                .and_then(|r| r.strip_suffix(')'))
                .map(|r| format!("-{}", r.trim()))
                .unwrap_or_else(|| t.to_string());
            CexValue::Int(n)
        }
        _ => CexValue::Text(crate::pretty_value(t)),
    }
}
