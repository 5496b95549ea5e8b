//! VeZ's front end up to the AST: the lexer ([`lexer`]), the lalrpop grammar, the AST
//! ([`ast`]), `mod` file loading ([`loader`]), an AST printer ([`printer`]) and the one
//! diagnostic type of the compiler ([`diag`]) with its source map ([`span`]).

pub mod ast;
pub mod diag;
pub mod lexer;
pub mod loader;
mod parse_util;
pub mod printer;
pub mod span;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused)]
    grammar
);

pub use diag::{Diagnostic, Severity, Status};
pub use span::{FileId, SourceMap, Span};

use lalrpop_util::{ErrorRecovery, ParseError};
use lexer::{LexicalError, Tok};

/// Parses one file's text. Syntax errors are recovered from (at item and statement level),
/// so one run reports several; the AST holds `Error` nodes where they were.
pub fn parse_file(text: &str, file: FileId) -> (Vec<ast::Item>, Vec<Diagnostic>) {
    let mut recovered: Vec<ErrorRecovery<usize, Tok<'_>, LexicalError>> = Vec::new();
    let result = grammar::FileParser::new().parse(file, &mut recovered, lexer::Lexer::new(text));
    let mut diags: Vec<Diagnostic> = recovered.into_iter().map(|e| parse_error(e.error, text, file)).collect();
    let items = match result {
        Ok(items) => items,
        Err(e) => {
            diags.push(parse_error(e, text, file));
            Vec::new()
        }
    };
    // A recovery can report the same location twice; keep the first.
    diags.dedup_by_key(|d| d.span.lo);
    (items, diags)
}

/// Parses a block `{ ... }` on its own (tests and tools).
pub fn parse_block(text: &str, file: FileId) -> Result<ast::Block, Diagnostic> {
    let mut recovered = Vec::new();
    let r = grammar::BlockParser::new().parse(file, &mut recovered, lexer::Lexer::new(text));
    if let Some(e) = recovered.into_iter().next() {
        return Err(parse_error(e.error, text, file));
    }
    r.map_err(|e| parse_error(e, text, file))
}

fn describe_expected(name: &str) -> String {
    match name {
        "IDENT" => "identifier".into(),
        "INT" | "FLOAT" => "number".into(),
        "STR" | "BYTESTR" => "string literal".into(),
        "CHAR" | "BYTE" => "character literal".into(),
        "LIFETIME" => "lifetime".into(),
        "\">>j\"" => "`>`".into(),
        "\"#[trigger]\"" => "`#[trigger]`".into(),
        q => format!("`{}`", q.trim_matches('"')),
    }
}

fn expected_list(expected: &[String]) -> String {
    let mut names: Vec<String> = expected.iter().map(|e| describe_expected(e)).collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1 => format!("expected {}", names[0]),
        n if n <= 8 => format!("expected one of {}", names.join(", ")),
        n => format!("expected one of {} (and {} more)", names[..8].join(", "), n - 8),
    }
}

fn parse_error(e: ParseError<usize, Tok<'_>, LexicalError>, text: &str, file: FileId) -> Diagnostic {
    let (lo, hi, message, label) = match e {
        ParseError::InvalidToken { location } => (location, location + 1, "invalid token".to_string(), None),
        ParseError::UnrecognizedEof { location, expected } => {
            let exp = expected_list(&expected);
            (location, location, format!("{exp}, found end of file"), Some(exp))
        }
        ParseError::UnrecognizedToken { token: (l, _, r), expected } => {
            let exp = expected_list(&expected);
            let found = text.get(l..r).unwrap_or("?");
            (l, r, format!("{exp}, found `{found}`"), Some(format!("unexpected token")))
        }
        ParseError::ExtraToken { token: (l, _, r) } => {
            let found = text.get(l..r).unwrap_or("?");
            (l, r, format!("unexpected token `{found}`"), None)
        }
        ParseError::User { error } => (error.lo, error.hi, error.message, None),
    };
    let mut d = Diagnostic::error("parse", message, Span::new(file, lo, hi));
    if let Some(l) = label {
        d = d.with_label(l);
    }
    d
}
