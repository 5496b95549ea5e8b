//! The certificate of one item: what was proved, by which solver, with which options, in how
//! long, and on what it rests.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The format tag every certificate carries; a stored entry with another one is ignored.
pub const FORMAT: &str = "vez-certificate/1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Certificate {
    pub format: String,
    /// The item's qualified name (`Counter::bump`).
    pub item: String,
    /// `fn`, `method` or `kernel`.
    pub item_kind: String,
    /// The key this certificate is stored under (see `key.rs`).
    pub key: String,
    /// `verified` (every obligation proved), `failed` or `unknown`.
    pub status: String,
    /// The item's position when it was proved (reports use the current one).
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub obligations: Vec<ObligationRecord>,
    pub solver: SolverInfo,
    pub options: VerifyOptions,
    pub vez_version: String,
    /// Wall time of the item's proof in milliseconds.
    pub time_ms: f64,
    /// When it was proved, in seconds since the Unix epoch.
    pub proved_at: u64,
    pub assumptions: Vec<Assumption>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ObligationRecord {
    /// The proof kind (`overflow`, `bounds`, `postcondition`, ...).
    pub kind: String,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// `verified`, `failed` or `unknown`.
    pub status: String,
    /// Why an obligation is unknown (timeout, unsupported construct, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a failed obligation: input values (in source terms) that reach the failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Map<String, Value>>,
    pub time_ms: f64,
    /// SHA-256 of each SMT-LIB query that decided it (one per check at this place; none for
    /// an obligation that never reached the solver).
    pub query_sha256: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SolverInfo {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct VerifyOptions {
    pub timeout_ms: u32,
    pub rlimit: u32,
    pub seed: u32,
    /// Arithmetic overflow is checked (always, in this version).
    pub overflow_checks: bool,
}

impl VerifyOptions {
    /// The canonical form that goes into keys.
    pub fn canonical(&self) -> String {
        format!(
            "timeout_ms={} rlimit={} seed={} overflow_checks={}",
            self.timeout_ms, self.rlimit, self.seed, self.overflow_checks
        )
    }
}

/// Something a proof takes on trust.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Assumption {
    /// `trusted` (a `#[trusted]` item or run-time primitive whose contract is assumed) or
    /// `unverified-dependency` (a callee whose own proof is incomplete).
    pub kind: String,
    pub item: String,
    /// The callee's status for a dependency; `standard library` or `user` for trusted ones.
    pub detail: String,
}

impl Certificate {
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s: &str| self.obligations.iter().filter(|o| o.status == s).count();
        (n("verified"), n("failed"), n("unknown"))
    }
}
