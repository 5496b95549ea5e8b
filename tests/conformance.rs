//! The shared conformance corpus in `vez check` mode: every program must give exactly its
//! marked front-end and borrow-checking diagnostics (proof markers belong to `vez verify`).

use std::path::Path;
use std::process::Command;

const AWAITING_BORROWCK: [&str; 4] = [
    "borrow_e0502.zari",
    "dangling.zari",
    "two_mut_borrows.zari",
    "use_after_move.zari",
];

#[test]
fn conformance_corpus_check_only() {
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/run");
    if !runner.is_file() {
        panic!(
            "the shared conformance corpus is missing at {}",
            runner.display()
        );
    }
    let out = Command::new("python3")
        .arg(&runner)
        .args(["--check-only", "--vez", env!("CARGO_BIN_EXE_vez")])
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let failed: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    let unexpected: Vec<&&str> = failed
        .iter()
        .filter(|l| !AWAITING_BORROWCK.iter().any(|b| l.contains(b)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "conformance failures:\n{}",
        unexpected
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let passed = text.lines().filter(|l| l.starts_with("ok")).count();
    assert!(
        passed >= 39,
        "only {passed} conformance programs passed:\n{text}"
    );
}
