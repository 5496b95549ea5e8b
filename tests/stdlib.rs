//! The standard library verified as user code: `vez verify stdlib/` proves every item that has
//! a body and lists the run-time primitives it takes on trust; the programs of tests/stdlib/
//! prove their asserts from the library's contracts and print their `.stdout` when run (with
//! the arguments, input and exit status their `.args`, `.stdin` and `.status` files give).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vez(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vez"))
        .args(args)
        .output()
        .expect("run vez")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn stdlib_verifies_and_lists_its_trusted_primitives() {
    let dir = root().join("stdlib");
    let out = vez(&["verify", "--no-cache", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("verified: "), "{stderr}");
    let list = |prefix: &str| -> Vec<String> {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` list: {stderr}"));
        let names = line.split_once("): ").map_or("", |(_, n)| n);
        // Split at ", " outside the braces of `{i128, u128}::wrapping_mul`.
        let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
        for c in names.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(std::mem::take(&mut cur).trim().to_string());
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        out.push(cur.trim().to_string());
        out
    };
    let trusted = list("trusted, not proved (");
    let builtin = list("built in, no contract assumed (");
    // The bound: fewer than 30 trusted run-time primitives.
    assert!(trusted.len() < 30, "{} trusted: {trusted:?}", trusted.len());
    for primitive in [
        "Vec::push",
        "[T]::swap",
        "Device::cuda",
        "std::process::exit",
    ] {
        assert!(trusted.iter().any(|t| t == primitive), "{trusted:?}");
    }
    // Intrinsics without a contract are built in; template instances are listed once.
    for op in [
        "{integer}::pow",
        "{i128, u128}::wrapping_mul",
        "gpu::barrier",
        "Vec::len",
    ] {
        assert!(builtin.iter().any(|t| t == op), "{builtin:?}");
    }
    // Items written in VeZ are proved, neither trusted nor built in.
    for proved in [
        "Vec::insert",
        "Vec::clear",
        "[T]::reverse",
        "[T]::sort",
        "u64::isqrt",
        "u8::wrapping_add",
        "{integer}::wrapping_add",
        "{integer}::overflowing_mul",
        "{integer}::count_ones",
        "{float}::abs",
        "Option::unwrap",
    ] {
        assert!(
            !trusted.iter().chain(&builtin).any(|t| t == proved),
            "{proved}: {trusted:?} {builtin:?}"
        );
    }

    // The JSON report: every item verified, the trusted ones among its assumptions.
    let out = vez(&[
        "report",
        "--no-cache",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let items = doc["items"].as_array().unwrap();
    assert!(items.len() >= 60, "{} items", items.len());
    let names: Vec<&str> = items.iter().map(|i| i["item"].as_str().unwrap()).collect();
    for proved in [
        "Vec::insert",
        "Vec::remove",
        "[T]::reverse",
        "[T]::sort",
        "[T]::binary_search",
        "u64::isqrt",
        "u64::wrapping_mul",
        "i128::overflowing_mul",
        "u16::count_ones",
    ] {
        assert!(names.contains(&proved), "{proved} not among {names:?}");
    }
    assert!(items.iter().all(|i| i["status"] == "verified"));
    let trusted: Vec<&str> = doc["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "trusted")
        .map(|a| a["item"].as_str().unwrap())
        .collect();
    assert!(trusted.contains(&"Vec::push") && trusted.contains(&"Device::upload"));
    assert!(!trusted.contains(&"Vec::insert"));
}

fn programs() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(root().join("tests/stdlib"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "zari"))
        .collect();
    all.sort();
    all
}

#[test]
fn stdlib_programs_prove_from_the_contracts_and_run() {
    let all = programs();
    assert!(all.len() >= 3);
    for p in &all {
        let path = p.to_str().unwrap();
        let out = vez(&["verify", "--no-cache", path]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Optional beside it: `.args` (one line of arguments), `.stdin` (its input) and
        // `.status` (the exit status, else 0).
        let side = |ext: &str| std::fs::read_to_string(Path::new(path).with_extension(ext)).ok();
        let exe = std::env::temp_dir().join(format!(
            "vez-stdlib-{}-{}",
            std::process::id(),
            p.file_stem().unwrap().to_string_lossy()
        ));
        let built = vez(&["build", path, "-o", exe.to_str().unwrap()]);
        assert!(
            built.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        let args = side("args").unwrap_or_default();
        let mut child = Command::new(&exe)
            .args(args.split_whitespace())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin
                .write_all(side("stdin").unwrap_or_default().as_bytes())
                .unwrap();
        }
        let run = child.wait_with_output().unwrap();
        let expected = side("stdout").expect("a .stdout file");
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            expected,
            "{path}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let status: i32 = side("status").map_or(0, |s| s.trim().parse().unwrap());
        assert_eq!(run.status.code(), Some(status), "{path}");
        let _ = std::fs::remove_file(&exe);
    }
}

/// A program's own `#[trusted]` items are listed too, called or not; a trait method without
/// a body is a declaration, not an assumption.
#[test]
fn a_programs_trusted_items_are_listed() {
    let path = std::env::temp_dir().join(format!("vez-trusted-{}.zari", std::process::id()));
    std::fs::write(
        &path,
        "trait Shape {\n    fn area(&self) -> u32;\n}\n\n#[trusted]\n#[ensures(result > 0)]\n\
         fn magic() -> u32 {\n    1\n}\n\n#[trusted]\nfn unused() {}\n\nfn main() {\n    let _x = magic();\n}\n",
    )
    .unwrap();
    let out = vez(&["verify", "--no-cache", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("trusted, not proved (2): magic, unused"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(&path);
}

/// Every public function of the library is used by a test program that proves something
/// from it and runs: tests/stdlib/ for the host library, the GPU tests for `gpu::` and the
/// device API (run against the mock driver by tests/gpu.rs).
#[test]
fn every_public_function_has_a_test_program() {
    let read_dir = |dir: &str, ext: &str| -> String {
        let mut text = String::new();
        for e in std::fs::read_dir(root().join(dir)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == ext) {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap());
            }
        }
        text
    };
    let library = read_dir("stdlib", "zari");
    let tests = [
        read_dir("tests/stdlib", "zari"),
        read_dir("tests/verify/gpu/pass", "zari"),
        std::fs::read_to_string(root().join("tests/gpu.rs")).unwrap(),
    ]
    .concat();
    let mut missing = Vec::new();
    for line in library.lines() {
        let Some(rest) = line.trim_start().strip_prefix("pub fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // `T::try_from(x)` is what calls the range checks.
        let called = name.strip_suffix("_i128").or(name.strip_suffix("_u128"));
        let name = called.filter(|n| *n == "try_from").unwrap_or(&name);
        // Range indexing is what calls `index_range` and its siblings.
        let range_syntax = match name {
            "index_range" => Some(".."),
            "index_range_inclusive" => Some("..="),
            "index_from" => Some("..]"),
            _ => None,
        };
        let used = [".", "::", " ", "("].iter().any(|before| {
            tests.contains(&format!("{before}{name}("))
                || tests.contains(&format!("{before}{name}::<"))
        }) || range_syntax.is_some_and(|r| tests.contains(&format!("[1{r}")))
            // `for c in s.chars()` is what calls `vez_next_char`.
            || (name == "vez_next_char" && tests.contains(".chars() {"))
            // `s.chars().count()` is what calls `vez_char_count`.
            || (name == "vez_char_count" && tests.contains(".chars().count()"))
            // `for w in s.split_whitespace()` and `s.split(p)` call the steps.
            || (name == "vez_next_word" && tests.contains(".split_whitespace()"))
            || (name == "vez_split_step" && tests.contains(".split("));
        if !used {
            missing.push(name.to_string());
        }
    }
    assert!(missing.is_empty(), "no test program calls {missing:?}");
}
