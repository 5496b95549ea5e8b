//! Verification ui tests: every program under tests/verify/pass must verify completely (exit
//! 0, no diagnostics, nothing unknown), and every program under tests/verify/fail must be
//! rejected with exactly the marked diagnostics, in the conformance corpus' notation:
//!
//!   `//~ ERROR <kind>`                 a diagnostic of that kind starts on this line;
//!   `//~ ERROR <kind> cex: x = v, ..`  ... and its counterexample gives input `x` the value `v`.
//!
//! Every `failed` diagnostic must carry a non-empty counterexample.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "zari"))
        .collect();
    v.sort();
    v
}

type Marks = (BTreeSet<(u64, String)>, Vec<(u64, String, String, String)>);

fn marks(path: &Path) -> Marks {
    let text = std::fs::read_to_string(path).unwrap();
    let mut set = BTreeSet::new();
    let mut cex = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(pos) = line.find("//~ ERROR ") else {
            continue;
        };
        let rest = &line[pos + "//~ ERROR ".len()..];
        let (kind, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        set.insert((n as u64 + 1, kind.to_string()));
        if let Some(c) = tail.trim().strip_prefix("cex:") {
            // `x = 1, r = Ok(3)`: a piece without `=` continues the value.
            let mut pairs: Vec<String> = Vec::new();
            for piece in c.split(',') {
                match pairs.last_mut() {
                    Some(last) if !piece.contains('=') => {
                        last.push(',');
                        last.push_str(piece);
                    }
                    _ => pairs.push(piece.to_string()),
                }
            }
            for pair in pairs {
                let (k, v) = pair.split_once('=').unwrap();
                cex.push((
                    n as u64 + 1,
                    kind.to_string(),
                    k.trim().into(),
                    v.trim().into(),
                ));
            }
        }
    }
    (set, cex)
}

const PROOF_KINDS: [&str; 15] = [
    "overflow",
    "div-zero",
    "bounds",
    "unwrap",
    "panic",
    "assert",
    "precondition",
    "postcondition",
    "invariant",
    "invariant-init",
    "decreases",
    "race",
    "barrier",
    "spec",
    "unsupported",
];

/// `vez verify --format json PATH` with extra options, every item proved by the solver (no
/// proof cache): the exit status and the document.
fn verify_json(path: &Path, extra: &[&str]) -> Result<(Option<i32>, Value), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_vez"))
        .args(["verify", "--no-cache", "--format", "json"])
        .args(extra)
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    let doc = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("not JSON: {e}: {}", String::from_utf8_lossy(&out.stderr)))?;
    Ok((out.status.code(), doc))
}

/// The diagnostics with severity `error` (warnings and notes are not counted).
fn errors(doc: &Value) -> Vec<&Value> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect()
}

fn check(path: &Path) -> Result<(), String> {
    let (code, doc) = verify_json(path, &[])?;
    let diags = errors(&doc);
    let got: BTreeSet<(u64, String)> = diags
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let (want, cex) = marks(path);
    if want.is_empty() {
        let s = &doc["summary"];
        if code != Some(0)
            || !got.is_empty()
            || s["unknown"] != 0
            || s["failed"] != 0
            || s["verified"] == 0
        {
            return Err(format!(
                "expected to verify: exit {code:?}, got {got:?}, summary {s}"
            ));
        }
        return Ok(());
    }
    // Front-end errors (parse, type, borrow: not a proof kind) exit 2, proof failures 1.
    let front = want.iter().any(|(_, k)| !PROOF_KINDS.contains(&k.as_str()));
    let expected = if front { 2 } else { 1 };
    if code != Some(expected) {
        return Err(format!("expected exit {expected}, got {code:?}"));
    }
    if got != want {
        return Err(format!("expected {want:?}, got {got:?}"));
    }
    for d in &diags {
        if d["status"] == "failed" && d["counterexample"].as_object().is_none_or(|m| m.is_empty()) {
            return Err(format!(
                "line {}: failed without a counterexample",
                d["line"]
            ));
        }
        // Locals the front end introduced (`for·index`, `chars·i`) are no source names.
        if let Some(hidden) = d["counterexample"]
            .as_object()
            .and_then(|m| m.keys().find(|k| k.contains('·') || k.contains('$')))
        {
            return Err(format!(
                "line {}: counterexample names the hidden local `{hidden}`",
                d["line"]
            ));
        }
    }
    for (line, kind, var, val) in cex {
        let ok = diags.iter().any(|d| {
            d["line"] == line && d["kind"] == kind.as_str() && {
                let v = &d["counterexample"][var.as_str()];
                v.to_string().trim_matches('"') == val
            }
        });
        if !ok {
            return Err(format!(
                "line {line}: counterexample should give {var} = {val}"
            ));
        }
    }
    Ok(())
}

fn run_dir(sub: &str, min: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/verify")
        .join(sub);
    let all = files(&dir);
    assert!(
        all.len() >= min,
        "expected at least {min} programs in {sub}/"
    );
    run_all(all);
}

fn run_all(all: Vec<PathBuf>) {
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(p) = all.get(i) else { break };
                if let Err(e) = check(p) {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{}: {e}", p.display()));
                }
            });
        }
    });
    let f = failures.into_inner().unwrap();
    assert!(
        f.is_empty(),
        "{} of {} failed:\n{}",
        f.len(),
        all.len(),
        f.join("\n")
    );
}

#[test]
fn programs_that_must_verify() {
    run_dir("pass", 40);
}

#[test]
fn programs_that_must_fail() {
    run_dir("fail", 40);
}

/// Race-free GPU kernels (tiled transpose and matrix multiply in shared memory, stencils,
/// per-block histograms, scans and reductions with barriers, launches from host code).
#[test]
fn gpu_kernels_that_must_verify() {
    run_dir("gpu/pass", 15);
}

/// Racy and divergent GPU kernels, each rejected with exactly its `race`, `barrier`,
/// `bounds`, `overflow` or launch `precondition` diagnostics.
#[test]
fn gpu_kernels_that_must_fail() {
    run_dir("gpu/fail", 15);
}

/// A hard nonlinear assertion under a tiny timeout: `unknown` and exit 1, never verified.
#[test]
fn a_timeout_is_unknown_never_verified() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify/timeout/fermat.zari");
    let (code, doc) = verify_json(&path, &["--timeout", "0.05"]).unwrap();
    assert_eq!(code, Some(1));
    let asserts: Vec<&Value> = errors(&doc)
        .into_iter()
        .filter(|d| d["kind"] == "assert")
        .collect();
    assert_eq!(asserts.len(), 1, "{doc}");
    assert_eq!(asserts[0]["status"], "unknown");
    assert_eq!(doc["summary"]["unknown"], 1);
    assert_eq!(doc["items"][0]["status"], "unknown");
}

/// The shared conformance corpus in verify mode, without `vez run` (the code generation
/// issue): verdicts, lines, kinds and counterexample values as the conformance runner
/// checks them.
#[test]
fn conformance_corpus_verdicts() {
    let all = corpus();
    assert!(all.len() >= 30, "the conformance corpus is missing");
    run_all(all);
}

/// The programs of the shared corpus (folder programs included).
fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance");
    let mut all = Vec::new();
    for sub in ["pass", "fail"] {
        for p in files(&root.join(sub)) {
            all.push(p);
        }
        let multi = root.join(sub).join("multi/main.zari");
        if multi.is_file() {
            all.push(multi);
        }
    }
    all
}

fn verdicts(path: &Path, solver: &str) -> (Option<i32>, Vec<(u64, String, String)>) {
    let (code, doc) = verify_json(path, &["--solver", solver]).unwrap();
    let mut v: Vec<(u64, String, String)> = errors(&doc)
        .into_iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["kind"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    (code, v)
}

/// The SMT-LIB process backends (z3 and cvc5 through rsmt2) give the in-process backend's
/// verdicts on the corpus.
#[test]
fn backends_agree_on_the_corpus() {
    let has = |cmd: &str| Command::new(cmd).arg("--version").output().is_ok();
    for path in corpus() {
        let reference = verdicts(&path, "z3");
        for solver in ["z3-process", "cvc5"] {
            let cmd = if solver == "cvc5" { "cvc5" } else { "z3" };
            if !has(cmd) {
                panic!("`{cmd}` is not installed (scripts/setup installs it)");
            }
            assert_eq!(
                verdicts(&path, solver),
                reference,
                "{} with {solver}",
                path.display()
            );
        }
    }
}

/// `--dump-smt` writes one file per obligation that `z3 FILE` decides as the verifier did;
/// the same program gives byte-identical queries, and adding or renaming an unrelated
/// function changes no other function's query.
#[test]
fn dumped_queries_are_reproducible_and_stable() {
    let tmp = std::env::temp_dir().join(format!("vez-dump-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let base = "#[requires(x < 100)]\n#[ensures(result > x)]\nfn next(x: u32) -> u32 {\n    x + 1\n}\n\nfn bad(a: u8) -> u8 {\n    a * 2\n}\n";
    let edited = format!("fn unrelated_renamed(q: i64) -> i64 {{\n    q / 3\n}}\n\n{base}");
    let dump = |name: &str, src: &str| -> std::collections::BTreeMap<String, String> {
        let file = tmp.join(format!("{name}.zari"));
        std::fs::write(&file, src).unwrap();
        let dir = tmp.join(name);
        Command::new(env!("CARGO_BIN_EXE_vez"))
            .args(["verify", "--dump-smt"])
            .arg(&dir)
            .arg(&file)
            .output()
            .unwrap();
        std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| {
                let n = e.file_name().to_string_lossy().to_string();
                (n, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect()
    };
    let a = dump("a", base);
    let b = dump("b", base);
    let c = dump("c", &edited);
    assert_eq!(a, b, "the same program must give byte-identical queries");
    for (name, text) in &a {
        assert_eq!(
            c.get(name),
            Some(text),
            "{name} changed after an unrelated edit"
        );
    }
    // z3 reproduces every verdict: `bad` overflows (sat), the rest is proved (unsat).
    for name in a.keys() {
        let out = Command::new("z3")
            .arg(tmp.join("a").join(name))
            .output()
            .unwrap();
        let answer = String::from_utf8_lossy(&out.stdout);
        let want = if name.starts_with("bad-") {
            "sat"
        } else {
            "unsat"
        };
        assert_eq!(answer.lines().next(), Some(want), "{name}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `--show-triggers` prints the trigger chosen for each quantifier.
#[test]
fn triggers_are_printed() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify/pass/forall_slice_zero.zari");
    let out = Command::new(env!("CARGO_BIN_EXE_vez"))
        .args(["verify", "--show-triggers"])
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("trigger in `zero`: (select"), "{err}");
    assert_eq!(out.status.code(), Some(0));
}

/// `vez verify --format json` of `source`, written to a file of its own in the temporary
/// folder (`name` tells the tests' files apart).
fn verify_source(name: &str, source: &str) -> (Option<i32>, Value) {
    let dir = std::env::temp_dir().join(format!("vez-verify-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.zari"));
    std::fs::write(&path, source).unwrap();
    verify_json(&path, &[]).unwrap()
}

/// A failing index names the indexed operand, not the whole expression it sits in, and its
/// columns are that operand's.
#[test]
fn bounds_failures_name_the_indexed_operand() {
    let (code, doc) = verify_source(
        "bounds",
        "fn pick(a: &[i32], i: usize, j: usize) -> bool {\n    a[i] < a[j]\n}\n\
         fn flag(b: &[bool], k: usize) -> u8 {\n    if b[k] { 1 } else { 0 }\n}\n\
         fn store(v: &mut Vec<u8>, m: usize, x: u8) {\n    v[m] = x;\n}\n\
         fn mix(w: &[u32], n: usize, t: u32) -> u32 {\n    let mut s = t;\n    s ^= w[n];\n    s\n}\nfn main() {}\n",
    );
    assert_eq!(code, Some(1));
    let mut got: Vec<(String, u64)> = errors(&doc)
        .iter()
        .map(|d| {
            (
                d["message"].as_str().unwrap_or("").to_string(),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    // Also the condition of an `if`, the element an assignment stores into and the right
    // operand of a compound assignment.
    assert_eq!(
        got,
        [
            ("index out of bounds: `a[i]`".to_string(), 5),
            ("index out of bounds: `a[j]`".to_string(), 12),
            ("index out of bounds: `b[k]`".to_string(), 8),
            ("index out of bounds: `v[m]`".to_string(), 5),
            ("index out of bounds: `w[n]`".to_string(), 10)
        ]
    );
}

/// The short label shows first the variables that the failing expression names: for
/// `3 * k` it is `k`, not the first parameters in scope.
#[test]
fn failure_labels_show_the_failing_expressions_variables_first() {
    let (code, doc) = verify_source(
        "label",
        "fn f(a: u64, b: u64, c: u64, k: u64) -> u64 {\n    a + (b & c) - a + 3 * k\n}\nfn main() {}\n",
    );
    assert_eq!(code, Some(1));
    let labels: Vec<(&str, &str)> = errors(&doc)
        .iter()
        .map(|d| {
            (
                d["message"].as_str().unwrap_or(""),
                d["label"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let (_, label) = labels
        .iter()
        .find(|(m, _)| *m == "arithmetic overflow in `3 * k`")
        .unwrap_or_else(|| panic!("no failure for `3 * k` in {labels:?}"));
    assert!(label.starts_with("fails when k = "), "{label}");
}
