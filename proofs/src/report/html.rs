//! The audit report as one self-contained HTML file: inline style, no script, no network.

use super::{cex_text, Report};
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:80em}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.verified{color:#176f2c}.failed{color:#b00020;font-weight:bold}.unknown{color:#9a6700;font-weight:bold}\
.cex{font-family:monospace;background:#fff0f0}code{font-family:monospace}#summary td{font-size:1.2em}\
details{margin:.3em 0}summary{cursor:pointer}";

pub fn render(r: &Report) -> String {
    let s = &r.summary;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>VeZ proof report</title><style>{STYLE}</style></head><body>\n"
    );
    let verdict_class = if r.verdict() == "verified" {
        "verified"
    } else {
        "failed"
    };
    let _ = writeln!(
        o,
        "<h1>VeZ proof report: <span id=\"verdict\" class=\"{verdict_class}\">{}</span></h1>",
        r.verdict()
    );
    let _ = writeln!(
        o,
        "<p>VeZ {}, solver {} {}.</p>",
        esc(&r.vez_version),
        esc(&r.solver.name),
        esc(&r.solver.version)
    );
    let _ = writeln!(o, "<h2>Summary</h2><table id=\"summary\"><tr>");
    let figures = [
        ("items", s.items),
        ("obligations", s.obligations),
        ("verified", s.verified),
        ("failed", s.failed),
        ("unknown", s.unknown),
        ("cached", s.cached),
        ("solver-calls", s.solver_calls),
    ];
    for (name, _) in figures {
        let _ = write!(o, "<th>{}</th>", name.replace('-', " "));
    }
    o.push_str("<th>time</th></tr><tr>");
    for (name, n) in figures {
        let _ = write!(o, "<td id=\"summary-{name}\">{n}</td>");
    }
    let _ = writeln!(o, "<td>{:.0} ms</td></tr></table>", s.time_ms);

    let _ = writeln!(o, "<h2>Assumptions</h2>");
    let all = r.assumptions();
    if all.is_empty() {
        let _ = writeln!(
            o,
            "<p id=\"assumptions\">None: no proof rests on a trusted or unverified item.</p>"
        );
    } else {
        let _ = writeln!(o, "<ul id=\"assumptions\">");
        for a in &all {
            let _ = writeln!(
                o,
                "<li>{} <code>{}</code> ({})</li>",
                esc(&a.kind),
                esc(&a.item),
                esc(&a.detail)
            );
        }
        let _ = writeln!(o, "</ul>");
    }

    let _ = writeln!(
        o,
        "<h2>Items</h2><table id=\"items\"><tr><th>item</th><th>at</th><th>status</th>\
         <th>obligations</th><th>solver</th><th>time</th><th>cached</th></tr>"
    );
    for (n, it) in r.items.iter().enumerate() {
        let c = &it.cert;
        let (v, f, u) = c.counts();
        let _ = writeln!(
            o,
            "<tr><td><a href=\"#item-{n}\"><code>{}</code></a></td><td>{}:{}</td><td class=\"{}\">{}</td>\
             <td>{v} verified, {f} failed, {u} unknown</td><td>{} {}</td><td>{:.1} ms</td><td>{}</td></tr>",
            esc(&c.item),
            esc(&c.file),
            c.line,
            esc(&c.status),
            esc(&c.status),
            esc(&c.solver.name),
            esc(&c.solver.version),
            c.time_ms,
            if it.cached { "yes" } else { "no" }
        );
    }
    let _ = writeln!(o, "</table>");

    for (n, it) in r.items.iter().enumerate() {
        let c = &it.cert;
        let _ = writeln!(
            o,
            "<section class=\"item\" id=\"item-{n}\" data-status=\"{}\"><h3><code>{}</code>: \
             <span class=\"{}\">{}</span></h3><p>{}:{}:{} · key <code>{}</code></p>",
            esc(&c.status),
            esc(&c.item),
            esc(&c.status),
            esc(&c.status),
            esc(&c.file),
            c.line,
            c.column,
            esc(&c.key)
        );
        if !c.assumptions.is_empty() {
            let list: Vec<String> = c
                .assumptions
                .iter()
                .map(|a| format!("{} <code>{}</code>", esc(&a.kind), esc(&a.item)))
                .collect();
            let _ = writeln!(o, "<p>Rests on: {}.</p>", list.join(", "));
        }
        if !c.obligations.is_empty() {
            let _ = writeln!(
                o,
                "<table class=\"obligations\"><tr><th>obligation</th><th>at</th><th>status</th>\
                 <th>time</th><th>details</th></tr>"
            );
            for ob in &c.obligations {
                let details = match (&ob.counterexample, &ob.reason) {
                    (Some(cex), _) => format!(
                        "<span class=\"cex\">counterexample: {}</span>",
                        esc(&cex_text(cex))
                    ),
                    (None, Some(why)) => esc(why),
                    _ => String::new(),
                };
                let _ = writeln!(
                    o,
                    "<tr><td>{}: {}</td><td>{}:{}:{}</td><td class=\"{}\">{}</td><td>{:.1} ms</td><td>{}</td></tr>",
                    esc(&ob.kind),
                    esc(&ob.message),
                    esc(&ob.file),
                    ob.line,
                    ob.column,
                    esc(&ob.status),
                    esc(&ob.status),
                    ob.time_ms,
                    details
                );
            }
            let _ = writeln!(o, "</table>");
        }
        let _ = writeln!(o, "</section>");
    }
    o.push_str("</body></html>\n");
    o
}
