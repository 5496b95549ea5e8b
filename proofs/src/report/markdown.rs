//! The audit report as Markdown (for pull requests and review tools).

use super::{cex_text, plural, Report};
use std::fmt::Write as _;

/// `|` and line breaks would break a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# VeZ proof report\n");
    let _ = writeln!(
        out,
        "**{}**: {}, {}: {} verified, {} failed, {} unknown; {} from the proof cache, {} in {:.0} ms.\n",
        r.verdict(),
        plural(s.items, "item"),
        plural(s.obligations, "obligation"),
        s.verified,
        s.failed,
        s.unknown,
        s.cached,
        plural(s.solver_calls, "solver call"),
        s.time_ms
    );
    let _ = writeln!(
        out,
        "VeZ {}, solver {} {}.\n",
        r.vez_version, r.solver.name, r.solver.version
    );
    let _ = writeln!(out, "## Assumptions\n");
    let all = r.assumptions();
    if all.is_empty() {
        let _ = writeln!(
            out,
            "None: no proof rests on a trusted or unverified item.\n"
        );
    }
    for a in &all {
        let _ = writeln!(out, "- {} `{}` ({})", a.kind, a.item, a.detail);
    }
    if !all.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "## Items\n");
    let _ = writeln!(
        out,
        "| item | at | status | obligations | solver | time | cached |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
    for it in &r.items {
        let c = &it.cert;
        let (v, f, u) = c.counts();
        let _ = writeln!(
            out,
            "| `{}` | {}:{} | {} | {} verified, {f} failed, {u} unknown | {} {} | {:.1} ms | {} |",
            cell(&c.item),
            cell(&c.file),
            c.line,
            c.status,
            v,
            c.solver.name,
            c.solver.version,
            c.time_ms,
            if it.cached { "yes" } else { "no" }
        );
    }
    for it in &r.items {
        let c = &it.cert;
        let _ = writeln!(
            out,
            "\n### `{}`: {}\n\n{}:{}:{}, key `{}`",
            c.item, c.status, c.file, c.line, c.column, c.key
        );
        if !c.assumptions.is_empty() {
            let list: Vec<String> = c
                .assumptions
                .iter()
                .map(|a| format!("{} `{}`", a.kind, a.item))
                .collect();
            let _ = writeln!(out, "\nRests on: {}.", list.join(", "));
        }
        if c.obligations.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n| obligation | at | status | time | details |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for o in &c.obligations {
            let details = match (&o.counterexample, &o.reason) {
                (Some(cex), _) => format!("counterexample: {}", cex_text(cex)),
                (None, Some(why)) => why.clone(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {}: {} | {}:{}:{} | {} | {:.1} ms | {} |",
                o.kind,
                cell(&o.message),
                o.file,
                o.line,
                o.column,
                o.status,
                o.time_ms,
                cell(&details)
            );
        }
    }
    out
}
