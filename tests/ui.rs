//! Front-end ui tests: every program under tests/ui is checked with `vez check --format json`
//! and its diagnostics compared with the annotations in its files:
//!
//!   `//~ ERROR <kind> <message part>` – an error of that kind starts on this line, and its
//!                                       message (or label) contains the given text;
//!   `//~ WARN <kind> <message part>`  – the same for a warning.
//!
//! The set of (file, line, kind) reported must equal the set annotated; a program without
//! annotations must check cleanly (exit 0, no diagnostics). A folder with `main.zari` is one
//! program (annotations may be in any of its files).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Mark {
    file: String,
    line: usize,
    kind: String,
    severity: String,
    text: String,
}

fn programs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.join("main.zari").is_file() {
                out.push(p.join("main.zari"));
            } else {
                programs(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "zari") {
            out.push(p);
        }
    }
}

fn marks_in(file: &Path, rel: &str) -> Vec<Mark> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("//~ ") else {
            continue;
        };
        let rest = line[pos + 4..].trim();
        let (severity, rest) = match rest.split_once(' ') {
            Some(("ERROR", r)) => ("error", r),
            Some(("WARN", r)) => ("warning", r),
            _ => panic!("{}:{}: bad annotation", file.display(), i + 1),
        };
        let (kind, text) = rest.split_once(' ').unwrap_or((rest, ""));
        out.push(Mark {
            file: rel.to_string(),
            line: i + 1,
            kind: kind.to_string(),
            severity: severity.to_string(),
            text: text.trim().to_string(),
        });
    }
    out
}

fn check_program(vez: &str, root: &Path) -> Result<usize, String> {
    let dir = root.parent().unwrap();
    let folder_program = root.file_name().unwrap() == "main.zari";
    let files: Vec<PathBuf> = if folder_program {
        let mut v = Vec::new();
        programs_all(dir, &mut v);
        v
    } else {
        vec![root.to_path_buf()]
    };
    let rel = |p: &Path| {
        p.strip_prefix(dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let marks: Vec<Mark> = files.iter().flat_map(|f| marks_in(f, &rel(f))).collect();
    let out = Command::new(vez)
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .map_err(|e| e.to_string())?;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))?;
    let diags = doc["diagnostics"].as_array().cloned().unwrap_or_default();
    let got: BTreeSet<(String, usize, String)> = diags
        .iter()
        .map(|d| {
            let f = d["file"].as_str().unwrap_or("");
            let f = Path::new(f)
                .strip_prefix(dir)
                .map(|p| p.to_string_lossy().to_string())
                .unwrap_or_else(|_| {
                    Path::new(f)
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default()
                });
            (
                f,
                d["line"].as_u64().unwrap_or(0) as usize,
                d["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, usize, String)> = marks
        .iter()
        .map(|m| (m.file.clone(), m.line, m.kind.clone()))
        .collect();
    if got != want {
        let msgs: Vec<String> = diags
            .iter()
            .map(|d| format!("{}:{} {} {}", d["file"], d["line"], d["kind"], d["message"]))
            .collect();
        return Err(format!(
            "missing {:?}, unexpected {:?}\n  reported: {msgs:#?}",
            want.difference(&got).collect::<Vec<_>>(),
            got.difference(&want).collect::<Vec<_>>()
        ));
    }
    for m in &marks {
        let ok = diags.iter().any(|d| {
            let line_ok = d["line"].as_u64() == Some(m.line as u64)
                && d["kind"] == m.kind.as_str()
                && d["severity"] == m.severity.as_str();
            let text = format!(
                "{} {}",
                d["message"].as_str().unwrap_or(""),
                d["label"].as_str().unwrap_or("")
            );
            line_ok && text.contains(&m.text)
        });
        if !ok {
            return Err(format!(
                "{}:{}: no {} `{}` whose message contains {:?}",
                m.file, m.line, m.severity, m.kind, m.text
            ));
        }
    }
    let has_errors = marks.iter().any(|m| m.severity == "error");
    let code = out.status.code().unwrap_or(-1);
    if has_errors && code != 2 || !has_errors && code != 0 {
        return Err(format!("exit status {code}"));
    }
    Ok(marks.len())
}

fn programs_all(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            programs_all(&p, out);
        } else if p.extension().is_some_and(|x| x == "zari") {
            out.push(p);
        }
    }
}

#[test]
fn front_end_ui_tests() {
    let vez = env!("CARGO_BIN_EXE_vez");
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut progs = Vec::new();
    programs(&ui, &mut progs);
    let mut failures = Vec::new();
    let (mut failing_programs, mut passing_programs) = (0, 0);
    for p in &progs {
        match check_program(vez, p) {
            Ok(0) => passing_programs += 1,
            Ok(_) => failing_programs += 1,
            Err(e) => failures.push(format!(
                "{}: {e}",
                p.strip_prefix(&ui).unwrap_or(p).display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} ui tests failed:\n{}",
        failures.len(),
        progs.len(),
        failures.join("\n")
    );
    assert!(
        failing_programs >= 40,
        "only {failing_programs} ui tests expect errors"
    );
    assert!(
        passing_programs >= 10,
        "only {passing_programs} ui tests expect success"
    );
}
