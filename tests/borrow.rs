//! Borrow-checking ui tests with rustc as the oracle. VeZ without contracts is Rust, so each
//! program in tests/borrow is also compiled by rustc (`--edition 2021 --crate-type lib`,
//! after dropping VeZ-only attributes): VeZ and rustc must both report exactly the annotated
//! errors (`//~ ERROR E0xxx` on the line of the primary span), or both accept the program.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// VeZ-only syntax removed before handing a program to rustc.
fn to_rust(src: &str) -> String {
    const VEZ_ONLY: [&str; 8] = [
        "#[requires",
        "#[ensures",
        "#[invariant",
        "#[decreases",
        "#[pure]",
        "#[trusted]",
        "#[ghost]",
        "#[gpu::",
    ];
    src.lines()
        .map(|l| {
            if VEZ_ONLY.iter().any(|a| l.trim_start().starts_with(a)) {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn marks(src: &str) -> BTreeSet<(u64, String)> {
    src.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.split("//~ ERROR ").nth(1).map(|k| {
                (
                    i as u64 + 1,
                    k.split_whitespace().next().unwrap_or("").to_string(),
                )
            })
        })
        .collect()
}

fn vez_errors(file: &Path) -> BTreeSet<(u64, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_vez"))
        .args(["check", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("vez prints JSON");
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn rustc_errors(src: &str, dir: &Path, name: &str) -> BTreeSet<(u64, String)> {
    let rs = dir.join(format!("{name}.rs"));
    std::fs::write(&rs, to_rust(src)).unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "--error-format=json",
            "--emit=metadata",
            "-A",
            "warnings",
            "-o",
        ])
        .arg(dir.join(format!("{name}.rmeta")))
        .arg(&rs)
        .output()
        .expect("rustc runs");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|d| d["level"] == "error")
        .filter_map(|d| {
            let code = d["code"]["code"].as_str()?.to_string();
            let line = d["spans"]
                .as_array()?
                .iter()
                .find(|s| s["is_primary"] == true)?["line_start"]
                .as_u64()?;
            Some((line, code))
        })
        .collect()
}

#[test]
fn borrow_checking_agrees_with_rustc() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/borrow");
    let tmp = std::env::temp_dir().join(format!("vez-borrow-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "zari"))
        .collect();
    files.sort();
    let (mut accepted, mut rejected, mut failures) = (0, 0, Vec::new());
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let name = f.file_stem().unwrap().to_string_lossy().to_string();
        let want = marks(&src);
        let vez = vez_errors(f);
        let rustc = rustc_errors(&src, &tmp, &name);
        if want.is_empty() {
            accepted += 1;
        } else {
            rejected += 1;
        }
        if vez != want || rustc != want {
            failures.push(format!(
                "{name}: annotated {want:?}, vez {vez:?}, rustc {rustc:?}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        failures.is_empty(),
        "{} of {} borrow tests disagree:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    assert!(
        accepted >= 30 && rejected >= 30,
        "need 30 accepted and 30 rejected programs, have {accepted} and {rejected}"
    );
}
