//! Proof certificates: keys hashing everything a proof depends on, a crash-safe store
//! under `.vez/proofs/`, and audit reports (md, html, json, sarif, junit). Filled by issue 6.
