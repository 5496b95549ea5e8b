//! `vez verify` and `vez report`: the front end, then verification conditions for every
//! function of the program. Each item's proof key is looked up in the certificate store;
//! the obligations of the others are decided by the solver on a pool of worker threads.
//! Results are reported as diagnostics (failed with a counterexample, or unknown), JSON, a
//! human summary, or an audit report built from the items' certificates.

use crate::pipeline::{self, front_end};
use crate::VerifyFormat as Format;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use vez_proofs::report::ReportItem;
use vez_proofs::{
    Assumption, Certificate, KeyContext, ObligationRecord, Report, ReportFormat, SolverInfo, Store,
    Summary, VerifyOptions,
};
use vez_solver::{CexValue, Options, Verdict};
use vez_syntax::{diag, Diagnostic, Severity, SourceMap, Span, Status};
use vez_typeck::hir::{FnId, Program};
use vez_vcgen::FnVc;

/// How a run uses the proof cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheMode {
    /// Take matching certificates instead of proving; store new complete proofs.
    Use,
    /// Neither read nor write the cache.
    Off,
    /// Prove every item again, report each cached certificate that no longer holds, and
    /// store the new proofs.
    Recheck,
}

pub struct VerifyOpts {
    pub solver: Options,
    pub jobs: usize,
    pub dump_smt: Option<PathBuf>,
    pub show_triggers: bool,
    pub cache: CacheMode,
    /// Where certificates are stored (default: `.vez/proofs/` in the project).
    pub cache_dir: Option<PathBuf>,
}

/// What a run prints.
#[derive(Clone, Debug)]
pub enum Output {
    /// Diagnostics as `--format` says, and the summary.
    Diagnostics(Format),
    /// An audit report on stdout or into a file; the summary line on stderr.
    Report(ReportFormat, Option<PathBuf>),
}

/// Counts over all programs of a run.
#[derive(Default)]
pub struct Totals {
    /// Items, obligations and verdicts, cached items and solver calls (`time_ms` is set at
    /// the end of the run).
    pub counts: Summary,
    /// Cached certificates that `--recheck` found no longer hold.
    pub broken_certificates: usize,
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

/// The functions `vez verify` proves: user code (or, for `vez verify stdlib/`, the library)
/// with a body, not `#[trusted]`.
fn verified_fns(p: &Program, stdlib: bool) -> Vec<FnId> {
    (0..p.fns.len() as u32)
        .map(FnId)
        .filter(|f| {
            let d = p.func(*f);
            d.attrs.from_prelude == stdlib
                && !d.attrs.trusted
                && !d.attrs.intrinsic
                && d.body.is_some()
        })
        .collect()
}

/// The items of the verified code taken on trust: `#[trusted]` functions and, for the
/// library, its compiler-provided primitives. Every report lists them, called or not.
pub fn trusted_items(p: &Program, stdlib: bool) -> Vec<Assumption> {
    let mut out: Vec<Assumption> = p
        .fns
        .iter()
        .filter(|d| d.attrs.from_prelude == stdlib)
        // Not body-less trait methods: they are declarations, not assumptions.
        .filter(|d| d.attrs.trusted || d.attrs.intrinsic)
        .map(trusted_assumption)
        .collect();
    out.sort();
    out.dedup();
    if stdlib {
        out = group_instances(out);
    }
    out
}

/// The library's integer and float methods are one template instantiated per type: each
/// trusted one is listed once, as `{integer}::pow` (every integer type) or
/// `{i128, u128}::wrapping_mul` (some of them).
fn group_instances(items: Vec<Assumption>) -> Vec<Assumption> {
    const FLOATS: [&str; 2] = ["f32", "f64"];
    let integers = vez_stdlib::INT_TYPES.map(|t| t.0);
    let mut groups: BTreeMap<(String, String, String), Vec<&'static str>> = BTreeMap::new();
    let mut out = Vec::new();
    for a in items {
        let ty = a.item.split_once("::").and_then(|(ty, method)| {
            let ty = integers.iter().chain(&FLOATS).find(|t| **t == ty)?;
            Some((*ty, method.to_string()))
        });
        match ty {
            Some((ty, method)) => groups
                .entry((method, a.kind, a.detail))
                .or_default()
                .push(ty),
            None => out.push(a),
        }
    }
    for ((method, kind, detail), mut tys) in groups {
        let order = |t: &&str| integers.iter().chain(&FLOATS).position(|x| x == t);
        tys.sort_by_key(order);
        let ty = if tys.len() == integers.len() {
            "{integer}".to_string()
        } else if tys == FLOATS {
            "{float}".to_string()
        } else {
            format!("{{{}}}", tys.join(", "))
        };
        out.push(Assumption {
            kind,
            item: format!("{ty}::{method}"),
            detail,
        });
    }
    out.sort();
    out
}

/// A trusted item as an assumption: a library run-time primitive or the program's own. A
/// library intrinsic without a contract is `builtin` instead: nothing is assumed of it but
/// the meaning the verifier and the code generator give it (`len` the length, `pow` the
/// exact power, `sqrt` an unknown float).
fn trusted_assumption(def: &vez_typeck::hir::FnDef) -> Assumption {
    let contract = !def.contract.requires.is_empty() || !def.contract.ensures.is_empty();
    let (kind, detail) = if !def.attrs.from_prelude {
        ("trusted", "#[trusted] in this program")
    } else if def.attrs.trusted || contract {
        ("trusted", "standard library run-time primitive")
    } else {
        (
            "builtin",
            "built-in operation: no contract, its meaning is the compiler's",
        )
    };
    Assumption {
        kind: kind.into(),
        item: def.name.clone(),
        detail: detail.into(),
    }
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

fn round1(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// The project a path belongs to: the nearest folder at or above it that holds `.vez/` or
/// `.git`, else the current folder. Its `.vez/proofs/` holds the certificates.
fn project_root(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    start
        .into_iter()
        .flat_map(Path::ancestors)
        .find(|d| d.join(".vez").is_dir() || d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What every program of a run shares: the solver pool, the certificate store, and what
/// goes into keys and certificates.
pub struct Session {
    pool: vez_solver::Pool,
    store: Option<Store>,
    mode: CacheMode,
    key_ctx: KeyContext,
    solver: SolverInfo,
    options: VerifyOptions,
    /// A failed cache write is reported once per run.
    write_warned: AtomicBool,
}

impl Session {
    pub fn new(path: &Path, opts: &VerifyOpts) -> Session {
        // The solver threads warm up while the front end parses and type-checks.
        let pool = vez_solver::Pool::new(opts.jobs, &opts.solver);
        let (name, version) = vez_solver::solver_info(&opts.solver);
        let options = VerifyOptions {
            timeout_ms: opts.solver.timeout_ms,
            rlimit: opts.solver.rlimit,
            seed: opts.solver.seed,
            overflow_checks: true,
        };
        let store = (opts.cache != CacheMode::Off).then(|| {
            let dir = opts
                .cache_dir
                .clone()
                .unwrap_or_else(|| project_root(path).join(".vez").join("proofs"));
            Store::new(dir)
        });
        Session {
            pool,
            store,
            mode: opts.cache,
            key_ctx: KeyContext {
                vez_version: env!("CARGO_PKG_VERSION").to_string(),
                solver: format!("{name} {version}"),
                options: options.canonical(),
            },
            solver: SolverInfo { name, version },
            options,
            write_warned: AtomicBool::new(false),
        }
    }

    fn save(&self, cert: &Certificate) {
        let Some(store) = &self.store else { return };
        if let Err(e) = store.save(cert) {
            if !self.write_warned.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "warning: cannot write the proof cache in `{}`: {e}; proofs are not cached",
                    store.dir().display()
                );
            }
        }
    }
}

pub fn verify(paths: &[PathBuf], output: &Output, opts: &VerifyOpts, color: bool) -> ExitCode {
    let mut roots = Vec::new();
    for path in paths {
        match pipeline::programs(path) {
            Ok(r) => roots.extend(r),
            Err(msg) => {
                eprintln!("error: {msg}");
                return ExitCode::from(2);
            }
        }
    }
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let start = Instant::now();
    let session = Session::new(&paths[0], opts);
    let mut json_diags = Vec::new();
    let mut json_items = Vec::new();
    let mut report_items = Vec::new();
    let mut totals = Totals::default();
    let mut front_errors = 0;
    let mut trusted: Vec<Assumption> = Vec::new();
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
            let out = verify_program(p, &c.sources, opts, &session, &mut totals, c.stdlib);
            trusted.extend(trusted_items(p, c.stdlib));
            diags.extend(out.diags);
            for it in out.items {
                let (v, f, u) = it.cert.counts();
                json_items.push(json!({
                    "name": it.cert.item, "status": it.cert.status, "obligations": v + f + u,
                    "time_ms": round1(it.cert.time_ms), "cached": it.cached, "key": it.cert.key,
                }));
                report_items.push(it);
            }
        }
        diag::sort(&mut diags);
        match output {
            Output::Diagnostics(Format::Json) => {
                json_diags.extend(diags.iter().map(|d| d.to_json(&c.sources)))
            }
            Output::Diagnostics(Format::Human) | Output::Report(..) => {
                for d in diags.iter().filter(|d| {
                    // A report carries the proof results; front-end errors still go to stderr.
                    matches!(output, Output::Diagnostics(_)) || d.status == Status::Error
                }) {
                    eprint!("{}", d.render(&c.sources, color));
                }
            }
            Output::Diagnostics(Format::Sarif | Format::Junit) => {
                for d in diags.iter().filter(|d| d.status == Status::Error) {
                    eprint!("{}", d.render(&c.sources, color));
                }
            }
        }
        std::mem::forget(c);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let summary = Summary {
        time_ms: round1(ms),
        ..totals.counts.clone()
    };
    let report = || Report {
        vez_version: env!("CARGO_PKG_VERSION").to_string(),
        solver: session.solver.clone(),
        items: report_items.clone(),
        summary: summary.clone(),
        trusted: trusted.clone(),
    };
    let summary_line = || {
        if front_errors > 0 {
            eprintln!(
                "error: could not verify {}: {front_errors} error{}",
                shown.join(" "),
                if front_errors == 1 { "" } else { "s" }
            );
        } else {
            print_summary(&totals, ms);
            for (kind, what) in [
                ("trusted", "trusted, not proved"),
                ("builtin", "built in, no contract assumed"),
            ] {
                let names: Vec<&str> = trusted
                    .iter()
                    .filter(|a| a.kind == kind)
                    .map(|a| a.item.as_str())
                    .collect();
                if !names.is_empty() {
                    eprintln!("{what} ({}): {}", names.len(), names.join(", "));
                }
            }
        }
    };
    match output {
        Output::Diagnostics(Format::Json) => {
            let mut s = serde_json::to_value(&summary).unwrap_or_default();
            s["broken_certificates"] = json!(totals.broken_certificates);
            let doc = json!({"diagnostics": json_diags, "items": json_items, "summary": s});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Output::Diagnostics(Format::Human) => summary_line(),
        Output::Diagnostics(Format::Sarif) => println!("{}", report().render(ReportFormat::Sarif)),
        Output::Diagnostics(Format::Junit) => println!("{}", report().render(ReportFormat::Junit)),
        Output::Report(format, file) => {
            let text = report().render(*format);
            match file {
                Some(f) => {
                    if let Err(e) = std::fs::write(f, text) {
                        eprintln!("error: cannot write `{}`: {e}", f.display());
                        return ExitCode::from(2);
                    }
                }
                None => print!("{text}"),
            }
            summary_line();
        }
    }
    if front_errors > 0 {
        ExitCode::from(2)
    } else if totals.counts.failed + totals.counts.unknown + totals.broken_certificates > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_summary(t: &Totals, ms: f64) {
    let cached = if t.counts.cached > 0 {
        format!(" ({} cached)", t.counts.cached)
    } else {
        String::new()
    };
    eprintln!(
        "{}: {} item{}{cached}, {} obligation{}: {} verified, {} failed, {} unknown ({:.0} ms)",
        if t.counts.failed + t.counts.unknown + t.broken_certificates == 0 {
            "verified"
        } else {
            "not verified"
        },
        t.counts.items,
        if t.counts.items == 1 { "" } else { "s" },
        t.counts.obligations,
        if t.counts.obligations == 1 { "" } else { "s" },
        t.counts.verified,
        t.counts.failed,
        t.counts.unknown,
        ms
    );
}

/// The results of one program.
pub struct ProgramOutcome {
    pub diags: Vec<Diagnostic>,
    pub items: Vec<ReportItem>,
    /// The (kind, span) of every proven obligation (code generation drops their checks).
    pub proven: HashSet<(String, Span)>,
    /// Every function the verified ones call.
    pub callees: BTreeSet<FnId>,
}

/// One function's conditions, what its proof uses, and what the cache holds for it.
struct Prepared {
    vc: FnVc,
    callees: BTreeSet<FnId>,
    key: String,
    cached: Result<Option<Certificate>, vez_proofs::LoadError>,
}

/// The functions a body calls or launches.
fn callees(body: &vez_mir::Body) -> BTreeSet<FnId> {
    body.blocks
        .iter()
        .filter_map(|b| match &b.term.kind {
            vez_mir::TerminatorKind::Call {
                callee: vez_mir::Callee::Fn(f, _) | vez_mir::Callee::Launch(f),
                ..
            } => Some(*f),
            _ => None,
        })
        .collect()
}

/// Where a span is, for certificates: file, line, column, end line, end column.
fn position(sources: &SourceMap, span: Span) -> (String, usize, usize, usize, usize) {
    let f = sources.file(span.file);
    let (l, c) = f.line_col(span.lo);
    let (el, ec) = f.line_col(span.hi);
    (f.display.clone(), l, c, el, ec)
}

fn record(
    sources: &SourceMap,
    span: Span,
    kind: &str,
    message: &str,
    status: &str,
) -> ObligationRecord {
    let (file, line, column, end_line, end_column) = position(sources, span);
    ObligationRecord {
        kind: kind.to_string(),
        message: message.to_string(),
        file,
        line,
        column,
        end_line,
        end_column,
        status: status.to_string(),
        reason: None,
        counterexample: None,
        time_ms: 0.0,
        query_sha256: Vec::new(),
    }
}

pub fn verify_program(
    p: &Program,
    sources: &SourceMap,
    opts: &VerifyOpts,
    session: &Session,
    totals: &mut Totals,
    stdlib: bool,
) -> ProgramOutcome {
    verify_fns(
        p,
        sources,
        opts,
        session,
        totals,
        stdlib,
        verified_fns(p, stdlib),
    )
}

/// As [`verify_program`], for the given functions only.
fn verify_fns(
    p: &Program,
    sources: &SourceMap,
    opts: &VerifyOpts,
    session: &Session,
    totals: &mut Totals,
    stdlib: bool,
    fns: Vec<FnId>,
) -> ProgramOutcome {
    let source = |s: Span| snippet(sources, s);
    let gen_start = Instant::now();
    let use_cache = session.mode != CacheMode::Off;
    // An internal error in one function must not take the others down: it becomes an
    // `unknown` verdict for that function.
    let prepared: Vec<Result<Option<Prepared>, FnId>> = parallel(fns.len(), opts.jobs, |i| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            vez_mir::build::lower_fn(p, fns[i]).map(|body| {
                let vc = if p.func(fns[i]).attrs.kernel {
                    vez_gpu::kernel_vc(p, &body, &source)
                } else {
                    vez_vcgen::generate(p, &body, &source)
                };
                let key = vez_proofs::item_key(&session.key_ctx, &vc);
                let cached = match &session.store {
                    Some(store) if use_cache => store.load(&key),
                    _ => Ok(None),
                };
                Prepared {
                    callees: callees(&body),
                    vc,
                    key,
                    cached,
                }
            })
        }))
        .map_err(|_| fns[i])
    });
    let gen_ms = gen_start.elapsed().as_secs_f64() * 1000.0;
    if std::env::var_os("VEZ_TIMINGS").is_some() {
        eprintln!("timing: MIR, verification conditions and keys {gen_ms:.1} ms");
    }
    let mut crashed = Vec::new();
    let mut items: Vec<Prepared> = Vec::new();
    for r in prepared {
        match r {
            Ok(Some(it)) => items.push(it),
            Ok(None) => {}
            Err(f) => crashed.push(f),
        }
    }
    let mut diags = Vec::new();
    for it in &items {
        if let Err(e) = &it.cached {
            diags.push(
                Diagnostic::warning(
                    "cache",
                    format!(
                        "ignoring a damaged proof cache entry {e}; proving `{}` again",
                        it.vc.name
                    ),
                    it.vc.span,
                )
                .with_item(it.vc.name.clone()),
            );
        }
    }
    if opts.show_triggers {
        for it in &items {
            for (span, t) in &it.vc.triggers {
                let f = sources.file(span.file);
                let (l, c) = f.line_col(span.lo);
                eprintln!("{}:{l}:{c}: trigger in `{}`: {t}", f.display, it.vc.name);
            }
        }
    }
    if let Some(dir) = &opts.dump_smt {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create `{}`: {e}", dir.display());
        }
    }
    // A matching certificate stands for the proof, unless asked to prove it again (or for
    // the queries themselves).
    let hit = |it: &Prepared| {
        session.mode == CacheMode::Use
            && opts.dump_smt.is_none()
            && matches!(it.cached, Ok(Some(_)))
    };
    let to_prove: Vec<usize> = (0..items.len()).filter(|&i| !hit(&items[i])).collect();
    // Functions in parallel; a function's obligations in order on one solver context.
    let batches: Vec<(Vec<vez_vcgen::Query>, Vec<String>)> =
        parallel(to_prove.len(), opts.jobs, |n| {
            let vc = &items[to_prove[n]].vc;
            let queries: Vec<vez_vcgen::Query> =
                (0..vc.obligations.len()).map(|k| vc.query(k)).collect();
            if let Some(dir) = &opts.dump_smt {
                for (k, q) in queries.iter().enumerate() {
                    let kind = vc.obligations[k].kind;
                    let file = dir.join(format!("{}-{k}-{kind}.smt2", file_stem(&vc.name)));
                    let _ = std::fs::write(file, vez_solver::script(q, &opts.solver));
                    if let Some(light) = q.lighter_query() {
                        let file =
                            dir.join(format!("{}-{k}-{kind}-lighter.smt2", file_stem(&vc.name)));
                        let _ = std::fs::write(file, vez_solver::script(&light, &opts.solver));
                    }
                }
            }
            let hashes = queries
                .iter()
                .map(|q| vez_proofs::sha256_hex(q.smt.as_bytes()))
                .collect();
            (queries, hashes)
        });
    let (batches, hashes): (Vec<_>, Vec<_>) = batches.into_iter().unzip();
    totals.counts.solver_calls += batches.iter().map(Vec::len).sum::<usize>();
    let per_fn = session.pool.check_batches(batches, &opts.solver);
    let mut fresh: HashMap<usize, (vez_solver::Batch, Vec<String>)> = to_prove
        .iter()
        .copied()
        .zip(per_fn.into_iter().zip(hashes))
        .collect();

    let mut out_items = Vec::new();
    let mut proven = HashSet::new();
    let mut status_of: HashMap<FnId, String> = HashMap::new();
    for f in crashed {
        let def = p.func(f);
        let msg = format!(
            "not verified: internal error while generating the conditions of `{}`",
            def.name
        );
        let mut d =
            Diagnostic::error("internal", msg.clone(), def.span).with_item(def.name.clone());
        d.status = Status::Unknown;
        diags.push(d);
        totals.counts.items += 1;
        totals.counts.unknown += 1;
        totals.counts.obligations += 1;
        let mut rec = record(sources, def.span, "internal", &msg, "unknown");
        rec.reason = Some("internal error".into());
        status_of.insert(f, "unknown".into());
        out_items.push((
            f,
            BTreeSet::new(),
            ReportItem {
                cert: certificate(session, sources, p, f, String::new(), vec![rec], 0.0),
                cached: false,
            },
        ));
    }
    let share_of_gen = gen_ms / items.len().max(1) as f64;
    for (i, it) in items.iter().enumerate() {
        let vc = &it.vc;
        // One obligation per (span, kind): the worst verdict of its checks.
        let mut groups: BTreeMap<(Span, &'static str), Vec<usize>> = BTreeMap::new();
        for (k, ob) in vc.obligations.iter().enumerate() {
            groups.entry((ob.span, ob.kind)).or_default().push(k);
        }
        let (records, time, cached) = match fresh.remove(&i) {
            None => {
                // A cache hit: every obligation was proved by the certificate's solver run.
                let cert = it.cached.as_ref().ok().and_then(Option::as_ref);
                let old = cert.map(|c| c.obligations.as_slice()).unwrap_or(&[]);
                let same_shape = old.len() == groups.len();
                let records: Vec<ObligationRecord> = groups
                    .iter()
                    .enumerate()
                    .map(|(g, ((span, kind), ks))| {
                        let ob = &vc.obligations[ks[0]];
                        let mut r = record(sources, *span, kind, &ob.message, "verified");
                        if same_shape {
                            r.time_ms = old[g].time_ms;
                            r.query_sha256 = old[g].query_sha256.clone();
                        }
                        r
                    })
                    .collect();
                for (span, kind) in groups.keys() {
                    proven.insert((kind.to_string(), *span));
                }
                (records, cert.map_or(0.0, |c| c.time_ms), true)
            }
            Some(((verdicts, wall), hashes)) => {
                let records = groups
                    .iter()
                    .map(|((span, kind), ks)| {
                        let worst = ks
                            .iter()
                            .copied()
                            .max_by_key(|&k| rank(&verdicts[k].0))
                            .unwrap_or(ks[0]);
                        let ob = &vc.obligations[worst];
                        let v = &verdicts[worst].0;
                        let mut r = record(sources, *span, kind, &ob.message, status_word(v));
                        r.time_ms = round1(ks.iter().map(|&k| verdicts[k].1).sum());
                        r.query_sha256 = ks.iter().map(|&k| hashes[k].clone()).collect();
                        match v {
                            Verdict::Verified => {
                                if vc.unsupported.is_empty() {
                                    proven.insert((kind.to_string(), *span));
                                }
                            }
                            Verdict::Failed(cex) => {
                                diags.push(failed_diag(vc, ob, cex, &snippet(sources, ob.span)));
                                let map: Map<String, Value> = cex_json(cex).into_iter().collect();
                                r.counterexample = Some(map);
                            }
                            Verdict::Unknown(why) => {
                                let mut d = Diagnostic::error(
                                    ob.kind,
                                    format!("{} (unknown: {why})", ob.message),
                                    ob.span,
                                )
                                .with_item(vc.name.clone());
                                d.status = Status::Unknown;
                                diags.push(d);
                                r.reason = Some(why.clone());
                            }
                        }
                        r
                    })
                    .collect();
                (records, share_of_gen + wall, false)
            }
        };
        let mut records: Vec<ObligationRecord> = records;
        for (span, what) in &vc.unsupported {
            let msg = format!("not verified: the verifier does not support {what}");
            let mut d =
                Diagnostic::error("unsupported", msg.clone(), *span).with_item(vc.name.clone());
            d.status = Status::Unknown;
            diags.push(d);
            let mut r = record(sources, *span, "unsupported", &msg, "unknown");
            r.reason = Some(format!("unsupported: {what}"));
            records.push(r);
        }
        let mut cert = certificate(session, sources, p, vc.func, it.key.clone(), records, time);
        if cached {
            if let Ok(Some(old)) = &it.cached {
                cert.proved_at = old.proved_at;
                cert.solver = old.solver.clone();
            }
        }
        if session.mode == CacheMode::Recheck
            && matches!(it.cached, Ok(Some(_)))
            && cert.status != "verified"
        {
            totals.broken_certificates += 1;
            diags.push(
                Diagnostic::error(
                    "certificate",
                    format!(
                        "the cached certificate of `{}` no longer holds: proving it again gave `{}`",
                        vc.name, cert.status
                    ),
                    vc.span,
                )
                .with_item(vc.name.clone()),
            );
        }
        let (nv, nf, nu) = cert.counts();
        totals.counts.items += 1;
        totals.counts.obligations += nv + nf + nu;
        totals.counts.verified += nv;
        totals.counts.failed += nf;
        totals.counts.unknown += nu;
        if cached {
            totals.counts.cached += 1;
        }
        status_of.insert(vc.func, cert.status.clone());
        out_items.push((vc.func, it.callees.clone(), ReportItem { cert, cached }));
    }
    // What each proof rests on, now that every item's status is known.
    let calls: HashMap<FnId, &BTreeSet<FnId>> = out_items.iter().map(|(f, c, _)| (*f, c)).collect();
    let rests_on: Vec<Vec<Assumption>> = out_items
        .iter()
        .map(|(f, _, _)| assumptions(p, *f, &calls, &status_of, stdlib))
        .collect();
    for ((_, _, item), a) in out_items.iter_mut().zip(rests_on) {
        item.cert.assumptions = a;
    }
    let callees = out_items
        .iter()
        .flat_map(|(_, c, _)| c.iter().copied())
        .collect();
    let items: Vec<ReportItem> = out_items.into_iter().map(|(_, _, item)| item).collect();
    // Each write waits for the disk (fsync), so they go in parallel.
    let new_proofs: Vec<&Certificate> = items
        .iter()
        .filter(|it| !it.cached && it.cert.status == "verified" && !it.cert.key.is_empty())
        .map(|it| &it.cert)
        .collect();
    parallel(new_proofs.len(), opts.jobs.max(4), |i| {
        session.save(new_proofs[i])
    });
    ProgramOutcome {
        diags,
        items,
        proven,
        callees,
    }
}

fn status_word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Verified => "verified",
        Verdict::Failed(_) => "failed",
        Verdict::Unknown(_) => "unknown",
    }
}

fn failed_diag(
    vc: &FnVc,
    ob: &vez_vcgen::Obligation,
    cex: &[(String, CexValue)],
    source: &str,
) -> Diagnostic {
    let mut d = Diagnostic::error(ob.kind, ob.message.clone(), ob.span).with_item(vc.name.clone());
    d.status = Status::Failed;
    let shown: Vec<String> = mentioned_first(cex, &format!("{source} {}", ob.message))
        .into_iter()
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
    d
}

/// The counterexample's entries about the variables that the failing code (its source text
/// and the message) names come first, plain variables before their lengths and elements, so
/// that the short label shows `k = ..` for `3 * k` rather than the first variables in scope.
fn mentioned_first<'a>(cex: &'a [(String, CexValue)], code: &str) -> Vec<&'a (String, CexValue)> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let named: HashSet<&str> = code
        .split(|c: char| !is_ident(c))
        .filter(|w| !w.is_empty())
        .collect();
    let rank = |k: &str| {
        let root = k.split(|c: char| !is_ident(c)).next().unwrap_or("");
        match (named.contains(root), root == k) {
            (true, true) => 0,
            (true, false) => 1,
            _ => 2,
        }
    };
    let mut sorted: Vec<_> = cex.iter().collect();
    sorted.sort_by_key(|(k, _)| rank(k));
    sorted
}

/// A certificate for this run's verdict on one item.
fn certificate(
    session: &Session,
    sources: &SourceMap,
    p: &Program,
    f: FnId,
    key: String,
    obligations: Vec<ObligationRecord>,
    time_ms: f64,
) -> Certificate {
    let def = p.func(f);
    let (file, line, column, _, _) = position(sources, def.span);
    let status = if obligations.iter().any(|o| o.status == "failed") {
        "failed"
    } else if obligations.iter().any(|o| o.status != "verified") {
        "unknown"
    } else {
        "verified"
    };
    Certificate {
        format: vez_proofs::cert::FORMAT.to_string(),
        item: def.name.clone(),
        item_kind: if def.attrs.kernel {
            "kernel"
        } else if def.self_ty.is_some() {
            "method"
        } else {
            "fn"
        }
        .to_string(),
        key,
        status: status.to_string(),
        file,
        line,
        column,
        obligations,
        solver: session.solver.clone(),
        options: session.options.clone(),
        vez_version: env!("CARGO_PKG_VERSION").to_string(),
        time_ms: round1(time_ms),
        proved_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        assumptions: Vec::new(),
    }
}

/// Everything `f`'s proof takes on trust, through the functions it reaches: each
/// `#[trusted]` or compiler-provided item (its contract is assumed, its body never proved),
/// each standard-library item (proved separately, by `vez verify stdlib/`), and each
/// function of the program whose own proof is incomplete in this run.
fn assumptions(
    p: &Program,
    f: FnId,
    calls: &HashMap<FnId, &BTreeSet<FnId>>,
    status_of: &HashMap<FnId, String>,
    stdlib: bool,
) -> Vec<Assumption> {
    let mut out = BTreeSet::new();
    let mut seen = HashSet::from([f]);
    let mut work: Vec<FnId> = calls
        .get(&f)
        .map_or(Vec::new(), |c| c.iter().copied().collect());
    while let Some(g) = work.pop() {
        if !seen.insert(g) {
            continue;
        }
        let def = p.func(g);
        let assumption = |kind: &str, detail: &str| Assumption {
            kind: kind.to_string(),
            item: def.name.clone(),
            detail: detail.to_string(),
        };
        if def.attrs.trusted || def.attrs.intrinsic || def.body.is_none() {
            out.insert(trusted_assumption(def));
            continue;
        }
        if def.attrs.from_prelude && !stdlib {
            out.insert(assumption(
                "library",
                "standard library, proved by `vez verify stdlib/`",
            ));
            continue;
        }
        match status_of.get(&g).map(String::as_str) {
            Some("verified") => {}
            Some(status) => {
                out.insert(assumption("unverified-dependency", status));
            }
            None => {
                out.insert(assumption("unverified-dependency", "not verified"));
            }
        }
        if let Some(next) = calls.get(&g) {
            work.extend(next.iter().copied());
        }
    }
    out.into_iter().collect()
}

/// Verification of one checked program before code generation: its diagnostics, counts and
/// the (kind, span) of every proven obligation.
pub fn verify_checked(
    root: &Path,
    p: &Program,
    sources: &SourceMap,
    opts: &VerifyOpts,
) -> (Vec<Diagnostic>, Totals, HashSet<(String, Span)>) {
    let session = Session::new(root, opts);
    let mut totals = Totals::default();
    let out = verify_program(p, sources, opts, &session, &mut totals, false);
    let mut proven = out.proven;
    // The library functions the program reaches are proved too (once, then from the cache),
    // so that code generation can drop their checks as well. Their counts stay out of the
    // program's; if one of them does not verify, all of them keep their checks.
    let library = library_reached(p, &out.callees);
    if !library.is_empty() {
        let mut lib_totals = Totals::default();
        let lib = verify_fns(p, sources, opts, &session, &mut lib_totals, true, library);
        if lib_totals.counts.failed + lib_totals.counts.unknown == 0 {
            proven.extend(lib.proven);
        }
    }
    (out.diags, totals, proven)
}

/// The standard library functions with a body to prove that `calls` reach, directly or
/// through one another.
fn library_reached(p: &Program, calls: &BTreeSet<FnId>) -> Vec<FnId> {
    let mut seen: BTreeSet<FnId> = BTreeSet::new();
    let mut work: Vec<FnId> = calls.iter().copied().collect();
    while let Some(f) = work.pop() {
        let d = p.func(f);
        if !d.attrs.from_prelude || d.attrs.trusted || d.attrs.intrinsic || !seen.insert(f) {
            continue;
        }
        if let Some(body) = vez_mir::build::lower_fn(p, f) {
            work.extend(callees(&body));
        }
    }
    seen.into_iter()
        .filter(|f| p.func(*f).body.is_some())
        .collect()
}

fn rank(v: &Verdict) -> u8 {
    match v {
        Verdict::Verified => 0,
        Verdict::Unknown(_) => 1,
        Verdict::Failed(_) => 2,
    }
}
