//! The audit report of a run, built from its certificates: per item its obligations, their
//! status, solver and time, and the assumptions the proof rests on; and a summary.

mod html;
mod junit;
mod markdown;
mod sarif;

use crate::cert::{Certificate, SolverInfo};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
    Sarif,
    Junit,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportItem {
    #[serde(flatten)]
    pub cert: Certificate,
    /// Taken from the proof cache in this run (not re-proved).
    pub cached: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub items: usize,
    pub obligations: usize,
    pub verified: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Items whose certificate came from the cache.
    pub cached: usize,
    /// Queries sent to a solver in this run.
    pub solver_calls: usize,
    pub time_ms: f64,
}

#[derive(Clone, Debug)]
pub struct Report {
    pub vez_version: String,
    pub solver: SolverInfo,
    pub items: Vec<ReportItem>,
    pub summary: Summary,
    /// The verified code's own items taken on trust (`#[trusted]`, and the library's
    /// run-time primitives when it is the subject), listed whether or not a proof uses them.
    pub trusted: Vec<crate::cert::Assumption>,
}

impl Report {
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Markdown => markdown::render(self),
            ReportFormat::Html => html::render(self),
            ReportFormat::Json => self.json(),
            ReportFormat::Sarif => sarif::render(self),
            ReportFormat::Junit => junit::render(self),
        }
    }

    fn json(&self) -> String {
        let doc = json!({
            "vez_version": self.vez_version,
            "solver": self.solver,
            "summary": self.summary,
            "assumptions": self.assumptions(),
            "items": self.items,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// Every assumption of every item, once each: what the whole run rests on.
    pub fn assumptions(&self) -> Vec<crate::cert::Assumption> {
        let mut all: Vec<_> = self
            .items
            .iter()
            .flat_map(|i| i.cert.assumptions.iter().cloned())
            .chain(self.trusted.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The run's verdict in one word.
    pub fn verdict(&self) -> &'static str {
        if self.summary.failed + self.summary.unknown == 0 {
            "verified"
        } else {
            "not verified"
        }
    }
}

/// A counterexample as `x = 5, y = -1`.
pub(crate) fn cex_text(c: &serde_json::Map<String, serde_json::Value>) -> String {
    c.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k} = {s}"),
            other => format!("{k} = {other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
