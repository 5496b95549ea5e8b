//! Differential testing against rustc, the oracle for the Rust part of VeZ: random programs
//! (tests/differential/gen.rs) built by `rustc -O -C overflow-checks=on` and by
//! `vez build --allow-unverified` must print the same stdout and exit with the same code
//! (101 for a panic, as both report a failed check).
//!
//! `VEZ_DIFF_COUNT` (default 200) and `VEZ_DIFF_SEED` (default 0) choose the programs;
//! scripts/soak-differential runs thousands.

#[path = "differential/gen.rs"]
mod gen;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

fn vez() -> &'static str {
    env!("CARGO_BIN_EXE_vez")
}

/// Runs an executable with a time limit; (stdout, exit code or -signal).
fn run(exe: &Path) -> (String, i32) {
    let out = Command::new("timeout")
        .arg("20")
        .arg(exe)
        .output()
        .expect("run the program");
    let code = out.status.code().unwrap_or(-1);
    (String::from_utf8_lossy(&out.stdout).into_owned(), code)
}

/// One program: `Ok(())` when both agree, else a description of the difference.
fn check(seed: u64, dir: &Path) -> Result<i32, String> {
    let src = gen::program(seed);
    let zari = dir.join(format!("p{seed}.zari"));
    let rs = dir.join(format!("p{seed}.rs"));
    std::fs::write(&zari, &src).map_err(|e| e.to_string())?;
    let rust_src = format!("#![allow(warnings, arithmetic_overflow, unconditional_panic)]\n{src}");
    std::fs::write(&rs, rust_src).map_err(|e| e.to_string())?;
    let rust_exe = dir.join(format!("p{seed}-rs"));
    let vez_exe = dir.join(format!("p{seed}-vez"));
    let r = Command::new("rustc")
        .args(["-O", "-C", "overflow-checks=on", "--edition", "2021", "-o"])
        .arg(&rust_exe)
        .arg(&rs)
        .output()
        .map_err(|e| format!("rustc: {e}"))?;
    if !r.status.success() {
        return Err(format!(
            "seed {seed}: rustc rejects the generated program (a generator bug):\n{}\n{src}",
            String::from_utf8_lossy(&r.stderr)
        ));
    }
    let v = Command::new(vez())
        .args([
            "build",
            "--allow-unverified",
            "--timeout",
            "0.5",
            "--jobs",
            "1",
            "-o",
        ])
        .arg(&vez_exe)
        .arg(&zari)
        .output()
        .map_err(|e| format!("vez: {e}"))?;
    if !v.status.success() {
        let err = String::from_utf8_lossy(&v.stderr);
        let tail: String = err
            .lines()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        return Err(format!("seed {seed}: vez build failed:\n{tail}\n{src}"));
    }
    let (ro, rc) = run(&rust_exe);
    let (vo, vc) = run(&vez_exe);
    if ro != vo || rc != vc {
        return Err(format!(
            "seed {seed}: outputs differ\nrustc (exit {rc}):\n{ro}\nvez (exit {vc}):\n{vo}\n{src}"
        ));
    }
    for f in [&zari, &rs, &rust_exe, &vez_exe] {
        let _ = std::fs::remove_file(f);
    }
    Ok(rc)
}

#[test]
fn random_programs_agree_with_rustc() {
    let count: u64 = std::env::var("VEZ_DIFF_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let first: u64 = std::env::var("VEZ_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("vez-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let next = AtomicU64::new(first);
    let failures = Mutex::new(Vec::new());
    let panics = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= first + count {
                    break;
                }
                match check(seed, &dir) {
                    Ok(101) => {
                        panics.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(e) => failures.lock().unwrap().push(e),
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    let failures = failures.into_inner().unwrap();
    let panics = panics.into_inner();
    eprintln!(
        "differential: {count} programs (seeds {first}..{}), {panics} of them panic, {} disagreements",
        first + count,
        failures.len()
    );
    // Both outcomes must be exercised: a generator whose programs never (or always) panic
    // would not test run-time checks (or printing).
    assert!(
        count < 20 || (panics > 0 && panics < count),
        "the generator should make both panicking and completing programs"
    );
    // Every disagreeing seed on one line (each description starts `seed N:`), then the first
    // in full: a soak's report must let each one be rerun alone.
    let seeds: Vec<&str> = failures
        .iter()
        .filter_map(|f| f.split(':').next())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {count} programs disagree ({}); first:\n{}",
        failures.len(),
        seeds.join(", "),
        failures[0]
    );
}
