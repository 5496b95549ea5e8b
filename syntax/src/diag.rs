//! The one diagnostic type of the whole compiler, its rustc-style rendering (ariadne) and
//! its JSON form (the shape `../shared/conformance/README.md` documents).

use crate::span::{SourceMap, Span};
use ariadne::{CharSet, Color, Config, IndexType, Label as ALabel, Report, ReportKind};
use serde_json::{json, Value};
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
    Help,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
            Severity::Help => "help",
        }
    }
}

/// How a diagnostic ended: `error` for front-end and borrow errors; `failed` and
/// `unknown` are the verifier's (a counterexample was found / the solver gave up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Error,
    Failed,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Error => "error",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub status: Status,
    /// The machine-readable kind: a rustc error code (`E0308`), `parse`, or a proof kind
    /// (`overflow`, `bounds`, ...). It is `kind` in JSON and the bracketed code for people.
    pub kind: String,
    pub message: String,
    pub span: Span,
    /// Text under the primary span.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Vec<String>,
    /// The item (function, method) the diagnostic belongs to, if any.
    pub item: Option<String>,
    /// For a failed proof: the values (in source terms) that reach the failure.
    pub counterexample: Option<Vec<(String, Value)>>,
}

impl Diagnostic {
    pub fn error(kind: impl Into<String>, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            status: Status::Error,
            kind: kind.into(),
            message: message.into(),
            span,
            label: None,
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
            item: None,
            counterexample: None,
        }
    }

    pub fn warning(kind: impl Into<String>, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn with_item(mut self, item: impl Into<String>) -> Diagnostic {
        self.item = Some(item.into());
        self
    }

    /// rustc-style rendering: `error[E0308]: mismatched types` with the source excerpt.
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        // rustc's header: `error[E0308]: mismatched types` (the kind in brackets, when it is a code).
        let header = if self.kind.is_empty() || self.kind == "parse" {
            self.severity.as_str().to_string()
        } else {
            format!("{}[{}]", self.severity.as_str(), self.kind)
        };
        let color_of = if !color {
            Color::Primary
        } else {
            match self.severity {
                Severity::Error => Color::Red,
                Severity::Warning => Color::Yellow,
                Severity::Note | Severity::Help => Color::Cyan,
            }
        };
        let name = |s: Span| sources.file(s.file).display.clone();
        let config = Config::default()
            .with_color(color)
            .with_index_type(IndexType::Byte)
            .with_char_set(CharSet::Ascii);
        let mut report = Report::build(
            ReportKind::Custom(&header, color_of),
            (name(self.span), self.span.range()),
        )
        .with_config(config)
        .with_message(&self.message);
        let mut primary = ALabel::new((name(self.span), self.span.range())).with_order(-1);
        if let Some(l) = &self.label {
            primary = primary.with_message(l);
        }
        report = report.with_label(primary);
        for l in &self.labels {
            report = report
                .with_label(ALabel::new((name(l.span), l.span.range())).with_message(&l.message));
        }
        for n in &self.notes {
            report = report.with_note(n);
        }
        if let Some(c) = &self.counterexample {
            let parts: Vec<String> = c
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k} = {s}"),
                    v => format!("{k} = {v}"),
                })
                .collect();
            if !parts.is_empty() {
                report = report.with_note(format!("counterexample: {}", parts.join(", ")));
            }
        }
        for h in &self.help {
            report = report.with_help(h);
        }
        let files: Vec<(String, String)> = sources
            .files()
            .map(|(_, f)| (f.display.clone(), f.text.clone()))
            .collect();
        let mut out = Vec::new();
        if report
            .finish()
            .write(ariadne::sources(files), &mut out)
            .is_err()
        {
            // Rendering can only fail on an I/O error into a Vec; fall back to a plain line.
            let (line, col) = sources.file(self.span.file).line_col(self.span.lo);
            let mut s = String::new();
            let _ = writeln!(
                s,
                "{}[{}]: {} at {}:{}:{}",
                self.severity.as_str(),
                self.kind,
                self.message,
                name(self.span),
                line,
                col
            );
            return s;
        }
        let text = String::from_utf8_lossy(&out).into_owned();
        // ariadne colours custom report kinds even with colour off.
        if color {
            text
        } else {
            strip_ansi(&text)
        }
    }

    /// The JSON object of one diagnostic (1-based lines and columns).
    pub fn to_json(&self, sources: &SourceMap) -> Value {
        let file = sources.file(self.span.file);
        let (line, column) = file.line_col(self.span.lo);
        let (end_line, end_column) = file.line_col(self.span.hi);
        let labels: Vec<Value> = self
            .labels
            .iter()
            .map(|l| {
                let f = sources.file(l.span.file);
                let (line, column) = f.line_col(l.span.lo);
                json!({"file": f.display, "line": line, "column": column, "message": l.message})
            })
            .collect();
        let mut v = json!({
            "kind": self.kind,
            "severity": self.severity.as_str(),
            "status": self.status.as_str(),
            "file": file.display,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "message": self.message,
        });
        let obj = v.as_object_mut().expect("json! object");
        if let Some(item) = &self.item {
            obj.insert("item".into(), json!(item));
        }
        if let Some(c) = &self.counterexample {
            let map: serde_json::Map<String, Value> = c.iter().cloned().collect();
            obj.insert("counterexample".into(), Value::Object(map));
        }
        if let Some(l) = &self.label {
            obj.insert("label".into(), json!(l));
        }
        if !labels.is_empty() {
            obj.insert("labels".into(), Value::Array(labels));
        }
        if !self.notes.is_empty() {
            obj.insert("notes".into(), json!(self.notes));
        }
        if !self.help.is_empty() {
            obj.insert("help".into(), json!(self.help));
        }
        v
    }
}

/// Removes ANSI escape sequences (`ESC [ ... letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Sorts diagnostics by file and position, the order people and tests expect.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.span.file, d.span.lo, d.span.hi));
}
