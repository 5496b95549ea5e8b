//! The standard library verified as user code: `vez verify stdlib/` proves every item that has
//! a body and lists the run-time primitives it takes on trust; the programs of tests/stdlib/
//! prove their asserts from the library's contracts and print their `.stdout` when run.

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
    let trusted_line = stderr
        .lines()
        .find(|l| l.starts_with("trusted, not proved ("))
        .unwrap_or_else(|| panic!("no list of trusted items: {stderr}"));
    for primitive in [
        "Vec::push",
        "u8::wrapping_add",
        "Device::cuda",
        "gpu::barrier",
    ] {
        assert!(trusted_line.contains(primitive), "{trusted_line}");
    }
    // Items written in VeZ are proved, not trusted.
    for proved in [
        "Vec::insert",
        "[T]::reverse",
        "u64::isqrt",
        "Option::unwrap",
    ] {
        assert!(
            !trusted_line.contains(&format!(" {proved},")),
            "{trusted_line}"
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
    for proved in ["Vec::insert", "Vec::remove", "[T]::reverse", "u64::isqrt"] {
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
        let run = vez(&["run", path]);
        let expected = std::fs::read_to_string(Path::new(path).with_extension("stdout")).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            expected,
            "{path}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(run.status.code(), Some(0), "{path}");
    }
}
