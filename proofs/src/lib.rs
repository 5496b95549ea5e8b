//! Proof certificates: what a proof of one item rests on, a crash-safe store of them under
//! `.vez/proofs/`, and the audit reports built from them.
//!
//! - `key.rs`: the SHA-256 key of an item's proof, over everything its verdict depends on.
//! - `cert.rs`: the certificate of one item (obligations, solver, options, assumptions).
//! - `store.rs`: content-addressed certificate files, written by write-fsync-rename and
//!   checksummed; an entry that does not check out is reported and ignored.
//! - `report/`: the audit report of a run (Markdown, HTML, JSON, SARIF 2.1.0, JUnit XML).

pub mod cert;
pub mod key;
pub mod report;
pub mod store;

pub use cert::{Assumption, Certificate, ObligationRecord, SolverInfo, VerifyOptions};
pub use key::{item_key, sha256_hex, KeyContext};
pub use report::{Report, ReportFormat, Summary};
pub use store::{LoadError, Store};
