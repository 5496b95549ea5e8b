//! `vez verify`: the front end, then verification conditions for every function of the
//! program, each obligation decided by the solver on a pool of worker threads, reported as
//! diagnostics (failed with a counterexample, or unknown), JSON or a human summary.

use crate::pipeline::{self, front_end};
use crate::Format;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use vez_solver::{CexValue, Options, Verdict};
use vez_syntax::{diag, Diagnostic, Severity, SourceMap, Span, Status};
use vez_typeck::hir::{FnId, Program};
use vez_vcgen::FnVc;

pub struct VerifyOpts {
    pub solver: Options,
    pub jobs: usize,
    pub dump_smt: Option<PathBuf>,
    pub show_triggers: bool,
}

/// The verdict of one item.
struct ItemResult {
    name: String,
    status: &'static str,
    obligations: usize,
    time_ms: f64,
}

/// Counts over all programs.
#[derive(Default)]
pub struct Totals {
    pub items: usize,
    pub obligations: usize,
    pub verified: usize,
    pub failed: usize,
    pub unknown: usize,
}

/// Runs `f(i)` for `i` in `0..n` on `jobs` threads; results in index order.
fn parallel<R: Send>(n: usize, jobs: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<R>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(n.max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = f(i);
                if let Ok(mut o) = out.lock() {
                    o[i] = Some(r);
                }
            });
        }
    });
    out.into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.expect("every index ran"))
        .collect()
}

/// The functions `vez verify` proves: user code with a body, not `#[trusted]`.
fn verified_fns(p: &Program) -> Vec<FnId> {
    (0..p.fns.len() as u32)
        .map(FnId)
        .filter(|f| {
            let d = p.func(*f);
            !d.attrs.from_prelude && !d.attrs.trusted && !d.attrs.intrinsic && d.body.is_some()
        })
        .collect()
}

fn snippet(sources: &SourceMap, span: Span) -> String {
    sources
        .file(span.file)
        .text
        .get(span.range())
        .unwrap_or("")
        .to_string()
}

fn cex_json(cex: &[(String, CexValue)]) -> Vec<(String, Value)> {
    cex.iter()
        .map(|(k, v)| {
            let j = match v {
                CexValue::Bool(b) => json!(b),
                CexValue::Text(t) => json!(t),
                CexValue::Int(s) => match s.parse::<i64>() {
                    Ok(n) => json!(n),
                    Err(_) => match s.parse::<u64>() {
                        Ok(n) => json!(n),
                        Err(_) => json!(s),
                    },
                },
            };
            (k.clone(), j)
        })
        .collect()
}

fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

pub fn verify(path: &Path, format: Format, opts: &VerifyOpts, color: bool) -> ExitCode {
    let roots = match pipeline::programs(path) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    // The solver threads warm up while the front end parses and type-checks.
    let pool = vez_solver::Pool::new(opts.jobs, &opts.solver);
    let mut json_diags = Vec::new();
    let mut json_items = Vec::new();
    let mut totals = Totals::default();
    let mut front_errors = 0;
    for root in &roots {
        let mut c = front_end(root);
        let errs = c
            .diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let mut diags = std::mem::take(&mut c.diags);
        if errs > 0 || c.program.is_none() {
            front_errors += errs.max(1);
        } else if let Some(p) = &c.program {
            let (d, items, _) = verify_program(p, &c.sources, opts, &pool, &mut totals);
            diags.extend(d);
            for it in items {
                json_items.push(json!({
                    "name": it.name, "status": it.status, "obligations": it.obligations,
                    "time_ms": (it.time_ms * 10.0).round() / 10.0, "cached": false,
                }));
            }
        }
        diag::sort(&mut diags);
        match format {
            Format::Json => json_diags.extend(diags.iter().map(|d| d.to_json(&c.sources))),
            Format::Human => {
                for d in &diags {
                    eprint!("{}", d.render(&c.sources, color));
                }
            }
        }
        std::mem::forget(c);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let summary = json!({
        "items": totals.items, "obligations": totals.obligations, "verified": totals.verified,
        "failed": totals.failed, "unknown": totals.unknown, "cached": 0,
        "time_ms": (ms * 10.0).round() / 10.0,
    });
    match format {
        Format::Json => {
            let doc = json!({"diagnostics": json_diags, "items": json_items, "summary": summary});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Human => {
            if front_errors > 0 {
                eprintln!(
                    "error: could not verify {}: {front_errors} error{}",
                    path.display(),
                    if front_errors == 1 { "" } else { "s" }
                );
            } else {
                eprintln!(
                    "{}: {} item{}, {} obligation{}: {} verified, {} failed, {} unknown ({:.0} ms)",
                    if totals.failed + totals.unknown == 0 {
                        "verified"
                    } else {
                        "not verified"
                    },
                    totals.items,
                    if totals.items == 1 { "" } else { "s" },
                    totals.obligations,
                    if totals.obligations == 1 { "" } else { "s" },
                    totals.verified,
                    totals.failed,
                    totals.unknown,
                    ms
                );
            }
        }
    }
    if front_errors > 0 {
        ExitCode::from(2)
    } else if totals.failed + totals.unknown > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn verify_program(
    p: &Program,
    sources: &SourceMap,
    opts: &VerifyOpts,
    pool: &vez_solver::Pool,
    totals: &mut Totals,
) -> (Vec<Diagnostic>, Vec<ItemResult>, HashSet<(String, Span)>) {
    let fns = verified_fns(p);
    let source = |s: Span| snippet(sources, s);
    let gen_start = Instant::now();
    // An internal error in one function must not take the others down: it becomes an
    // `unknown` verdict for that function.
    let vcs: Vec<Result<Option<FnVc>, FnId>> = parallel(fns.len(), opts.jobs, |i| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            vez_mir::build::lower_fn(p, fns[i]).map(|body| vez_vcgen::generate(p, &body, &source))
        }))
        .map_err(|_| fns[i])
    });
    let gen_ms = gen_start.elapsed().as_secs_f64() * 1000.0;
    let mut crashed = Vec::new();
    let vcs: Vec<FnVc> = vcs
        .into_iter()
        .filter_map(|r| match r {
            Ok(vc) => vc,
            Err(f) => {
                crashed.push(f);
                None
            }
        })
        .collect();
    if opts.show_triggers {
        for vc in &vcs {
            for (span, t) in &vc.triggers {
                let f = sources.file(span.file);
                let (l, c) = f.line_col(span.lo);
                eprintln!("{}:{l}:{c}: trigger in `{}`: {t}", f.display, vc.name);
            }
        }
    }
    if let Some(dir) = &opts.dump_smt {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create `{}`: {e}", dir.display());
        }
    }
    // Functions in parallel; a function's obligations in order on one solver context.
    let batches: Vec<Vec<vez_vcgen::Query>> = parallel(vcs.len(), opts.jobs, |i| {
        let vc = &vcs[i];
        let queries: Vec<vez_vcgen::Query> =
            (0..vc.obligations.len()).map(|k| vc.query(k)).collect();
        if let Some(dir) = &opts.dump_smt {
            for (k, q) in queries.iter().enumerate() {
                let kind = vc.obligations[k].kind;
                let file = dir.join(format!("{}-{k}-{kind}.smt2", file_stem(&vc.name)));
                let _ = std::fs::write(file, vez_solver::script(q, &opts.solver));
            }
        }
        queries
    });
    let per_fn = pool.check_batches(batches, &opts.solver);
    // Each function's time: its share of generation plus its wall time with the solver.
    let fn_ms: Vec<f64> = per_fn.iter().map(|(_, t)| *t).collect();
    let results: Vec<(Verdict, f64)> = per_fn.into_iter().flat_map(|(v, _)| v).collect();
    let mut diags = Vec::new();
    let mut items = Vec::new();
    let mut proven = HashSet::new();
    for f in crashed {
        let def = p.func(f);
        let mut d = Diagnostic::error(
            "internal",
            format!(
                "not verified: internal error while generating the conditions of `{}`",
                def.name
            ),
            def.span,
        )
        .with_item(def.name.clone());
        d.status = Status::Unknown;
        diags.push(d);
        totals.items += 1;
        totals.unknown += 1;
        items.push(ItemResult {
            name: def.name.clone(),
            status: "unknown",
            obligations: 0,
            time_ms: 0.0,
        });
    }
    let mut w = 0;
    for (fi, vc) in vcs.iter().enumerate() {
        // One diagnostic per (kind, span): the worst verdict of its checks.
        let mut groups: BTreeMap<(Span, &'static str), (usize, &Verdict)> = BTreeMap::new();
        let time = gen_ms / vcs.len().max(1) as f64 + fn_ms[fi];
        for k in 0..vc.obligations.len() {
            let (v, _) = &results[w];
            w += 1;
            let ob = &vc.obligations[k];
            let e = groups.entry((ob.span, ob.kind)).or_insert((k, v));
            if rank(v) > rank(e.1) {
                *e = (k, v);
            }
        }
        let (mut nf, mut nu, mut nv) = (0, 0, 0);
        for ((_, _), (k, v)) in &groups {
            let ob = &vc.obligations[*k];
            match v {
                Verdict::Verified => {
                    nv += 1;
                    if vc.unsupported.is_empty() {
                        proven.insert((ob.kind.to_string(), ob.span));
                    }
                }
                Verdict::Failed(cex) => {
                    nf += 1;
                    let mut d = Diagnostic::error(ob.kind, ob.message.clone(), ob.span)
                        .with_item(vc.name.clone());
                    d.status = Status::Failed;
                    let shown: Vec<String> = cex
                        .iter()
                        .take(3)
                        .map(|(k, v)| match v {
                            CexValue::Int(n) | CexValue::Text(n) => format!("{k} = {n}"),
                            CexValue::Bool(b) => format!("{k} = {b}"),
                        })
                        .collect();
                    let when = if shown.is_empty() {
                        "fails".to_string()
                    } else {
                        format!("fails when {}", shown.join(", "))
                    };
                    d = d.with_label(if ob.label.is_empty() {
                        when
                    } else {
                        format!("{} {when}", ob.label)
                    });
                    for (s, m) in &ob.secondary {
                        d = d.with_secondary(*s, m.clone());
                    }
                    d.counterexample = Some(cex_json(cex));
                    diags.push(d);
                }
                Verdict::Unknown(why) => {
                    nu += 1;
                    let mut d = Diagnostic::error(
                        ob.kind,
                        format!("{} (unknown: {why})", ob.message),
                        ob.span,
                    )
                    .with_item(vc.name.clone());
                    d.status = Status::Unknown;
                    diags.push(d);
                }
            }
        }
        for (span, what) in &vc.unsupported {
            nu += 1;
            let mut d = Diagnostic::error(
                "unsupported",
                format!("not verified: the verifier does not support {what}"),
                *span,
            )
            .with_item(vc.name.clone());
            d.status = Status::Unknown;
            diags.push(d);
        }
        let status = if nf > 0 {
            "failed"
        } else if nu > 0 {
            "unknown"
        } else {
            "verified"
        };
        totals.items += 1;
        totals.obligations += nf + nu + nv;
        totals.verified += nv;
        totals.failed += nf;
        totals.unknown += nu;
        items.push(ItemResult {
            name: vc.name.clone(),
            status,
            obligations: nf + nu + nv,
            time_ms: time,
        });
    }
    (diags, items, proven)
}

/// Verification of one checked program before code generation: its diagnostics, counts and
/// the (kind, span) of every proven obligation.
pub fn verify_checked(
    p: &Program,
    sources: &SourceMap,
    opts: &VerifyOpts,
) -> (Vec<Diagnostic>, Totals, HashSet<(String, Span)>) {
    let pool = vez_solver::Pool::new(opts.jobs, &opts.solver);
    let mut totals = Totals::default();
    let (d, _, proven) = verify_program(p, sources, opts, &pool, &mut totals);
    (d, totals, proven)
}

fn rank(v: &Verdict) -> u8 {
    match v {
        Verdict::Verified => 0,
        Verdict::Unknown(_) => 1,
        Verdict::Failed(_) => 2,
    }
}
