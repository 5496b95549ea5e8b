//! SARIF 2.1.0 as GitHub code scanning reads it: one rule per proof kind (id, name, short and
//! full description), one result per obligation with its location (a URI relative to the
//! source root), failed obligations as `kind: fail` with the counterexample as a code flow
//! whose `state` holds the variable values, and proven obligations as `kind: pass` (as
//! GNATprove reports them).

use super::{cex_text, Report};
use crate::cert::ObligationRecord;
use serde_json::{json, Map, Value};

/// What each proof kind means (rule descriptions).
fn describe(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "overflow" => ("Arithmetic overflow", "An integer operation or cast whose result does not fit its type."),
        "div-zero" => ("Division by zero", "A division or remainder whose divisor may be zero (or that overflows, such as MIN / -1)."),
        "bounds" => ("Index out of bounds", "An index into an array, slice or Vec that may be at or past its length."),
        "unwrap" => ("Failing unwrap", "An unwrap or expect of an Option or Result that may be None or Err."),
        "panic" => ("Reachable panic", "A panic, unreachable or unimplemented that may be reached."),
        "assert" => ("Failing assertion", "An assert that may not hold."),
        "precondition" => ("Precondition", "A call whose callee's #[requires] may not hold."),
        "postcondition" => ("Postcondition", "A function whose #[ensures] may not hold when it returns."),
        "invariant" => ("Loop invariant preservation", "A loop invariant that an iteration may not preserve."),
        "invariant-init" => ("Loop invariant initialisation", "A loop invariant that may not hold when the loop is entered."),
        "decreases" => ("Termination", "A #[decreases] measure that may not decrease, or may go below zero."),
        "race" => ("Data race", "Two GPU threads that may access the same element in the same barrier interval, one of them writing."),
        "barrier" => ("Barrier divergence", "A barrier that the threads of a block may not all reach."),
        "spec" => ("Ill-defined specification", "A specification that may be undefined (out-of-bounds index, division by zero)."),
        "unsupported" => ("Unsupported construct", "A construct the verifier does not handle; the item is not verified."),
        "internal" => ("Internal error", "The verifier failed on this item; the item is not verified."),
        _ => ("Verification condition", "A verification condition of the VeZ verifier."),
    }
}

/// `a/b c.zari` as a relative URI (`a/b%20c.zari`); an absolute path under the current folder
/// is made relative to it.
fn uri(file: &str) -> String {
    let path = std::path::Path::new(file);
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| path.to_path_buf());
    let text = rel.to_string_lossy().replace('\\', "/");
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if rel.is_absolute() {
        format!("file://{out}")
    } else {
        out
    }
}

fn location(o: &ObligationRecord, message: Option<String>) -> Value {
    let mut phys = json!({
        "artifactLocation": {"uri": uri(&o.file)},
        "region": {
            "startLine": o.line, "startColumn": o.column,
            "endLine": o.end_line.max(o.line), "endColumn": o.end_column.max(1),
        },
    });
    if !std::path::Path::new(&o.file).is_absolute() {
        phys["artifactLocation"]["uriBaseId"] = json!("%SRCROOT%");
    }
    let mut loc = json!({"physicalLocation": phys});
    if let Some(m) = message {
        loc["message"] = json!({"text": m});
    }
    loc
}

pub fn render(r: &Report) -> String {
    let mut kinds: Vec<&str> = r
        .items
        .iter()
        .flat_map(|i| i.cert.obligations.iter().map(|o| o.kind.as_str()))
        .collect();
    kinds.sort();
    kinds.dedup();
    let rules: Vec<Value> = kinds
        .iter()
        .map(|k| {
            let (short, full) = describe(k);
            json!({
                "id": k,
                "name": short.replace(' ', ""),
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    let mut results = Vec::new();
    for it in &r.items {
        let c = &it.cert;
        for o in &c.obligations {
            let rule_index = kinds.iter().position(|k| *k == o.kind).unwrap_or(0);
            let mut res = json!({
                "ruleId": o.kind,
                "ruleIndex": rule_index,
                "locations": [location(o, None)],
                "properties": {
                    "status": o.status, "item": c.item, "cached": it.cached,
                    "solver": format!("{} {}", c.solver.name, c.solver.version),
                    "timeMs": (o.time_ms * 10.0).round() / 10.0,
                    "querySha256": o.query_sha256,
                },
            });
            res["locations"][0]["logicalLocations"] =
                json!([{"fullyQualifiedName": c.item, "kind": "function"}]);
            match o.status.as_str() {
                "verified" => {
                    res["kind"] = json!("pass");
                    res["level"] = json!("none");
                    res["message"] = json!({"text": format!("proved: {}", o.message)});
                }
                status => {
                    res["kind"] = json!("fail");
                    res["level"] = json!("error");
                    let mut text = o.message.clone();
                    if let Some(why) = &o.reason {
                        text = format!("{text} ({status}: {why})");
                    }
                    if let Some(cex) = &o.counterexample {
                        text = format!("{text}; fails when {}", cex_text(cex));
                        let state: Map<String, Value> = cex
                            .iter()
                            .map(|(k, v)| {
                                let t = match v {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                };
                                (k.clone(), json!({"text": t}))
                            })
                            .collect();
                        res["codeFlows"] = json!([{
                            "message": {"text": "counterexample: input values that reach the failure"},
                            "threadFlows": [{"locations": [{
                                "location": location(o, Some(o.message.clone())),
                                "state": state,
                                "kinds": ["exit"],
                            }]}],
                        }]);
                    }
                    res["message"] = json!({ "text": text });
                }
            }
            results.push(res);
        }
    }
    let s = &r.summary;
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "VeZ",
                "version": r.vez_version,
                "semanticVersion": r.vez_version,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "properties": {"solver": format!("{} {}", r.solver.name, r.solver.version)},
            }],
            "results": results,
            "properties": {
                "items": s.items, "obligations": s.obligations, "verified": s.verified,
                "failed": s.failed, "unknown": s.unknown, "cached": s.cached,
                "solverCalls": s.solver_calls, "timeMs": (s.time_ms * 10.0).round() / 10.0,
                "assumptions": r.assumptions(),
            },
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
