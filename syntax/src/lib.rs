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
/// so one run reports several; the AST holds `Error` nodes where they were. Large files are
/// split at top-level item boundaries and the parts parsed on parallel threads.
pub fn parse_file(text: &str, file: FileId) -> (Vec<ast::Item>, Vec<Diagnostic>) {
    let tokens: Vec<lexer::Spanned<'_>> = lexer::Lexer::new(text).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunks = if tokens.len() >= PARALLEL_MIN_TOKENS && threads > 1 {
        split_points(&tokens, threads)
    } else {
        vec![]
    };
    if chunks.is_empty() {
        return parse_tokens(tokens, text, file);
    }
    let mut parts: Vec<Vec<lexer::Spanned<'_>>> = Vec::with_capacity(chunks.len() + 1);
    let mut rest = tokens;
    for cut in chunks.iter().rev() {
        parts.push(rest.split_off(*cut));
    }
    parts.push(rest);
    parts.reverse();
    let results: Vec<(Vec<ast::Item>, Vec<Diagnostic>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|p| scope.spawn(move || parse_tokens(p, text, file)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| (Vec::new(), Vec::new())))
            .collect()
    });
    let mut items = Vec::new();
    let mut diags = Vec::new();
    for (i, d) in results {
        items.extend(i);
        diags.extend(d);
    }
    (items, diags)
}

/// Worker threads for parallel phases: `VEZ_THREADS` if set, else the available cores (max 8).
pub fn threads() -> usize {
    std::env::var("VEZ_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 8)
}

/// Below this many tokens one thread parses the whole file.
const PARALLEL_MIN_TOKENS: usize = 50_000;

/// Token indices where the stream can be cut into `n` parts of about equal size: each cut
/// is at bracket depth 0, right after a `}` or `;` that ends an item and before a token
/// that starts one. Empty when the file has a lexical error or no such places.
fn split_points(tokens: &[lexer::Spanned<'_>], n: usize) -> Vec<usize> {
    let mut boundaries = Vec::new();
    let mut depth: i64 = 0;
    for (i, t) in tokens.iter().enumerate() {
        let Ok((_, tok, _)) = t else { return vec![] };
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
            Tok::RParen | Tok::RBracket | Tok::RBrace => depth -= 1,
            _ => {}
        }
        if depth == 0 && matches!(tok, Tok::RBrace | Tok::Semi) {
            if let Some(Ok((_, next, _))) = tokens.get(i + 1) {
                if matches!(
                    next,
                    Tok::Fn
                        | Tok::Pub
                        | Tok::Pound
                        | Tok::Struct
                        | Tok::Enum
                        | Tok::Impl
                        | Tok::Trait
                        | Tok::Const
                        | Tok::Static
                        | Tok::Mod
                        | Tok::Use
                        | Tok::Type
                ) {
                    boundaries.push(i + 1);
                }
            }
        }
    }
    let mut cuts = Vec::new();
    for k in 1..n {
        let want = tokens.len() * k / n;
        if let Some(&b) = boundaries.iter().find(|&&b| b >= want) {
            if cuts.last().is_none_or(|&c| b > c) {
                cuts.push(b);
            }
        }
    }
    cuts
}

fn parse_tokens<'a>(
    tokens: Vec<lexer::Spanned<'a>>,
    text: &str,
    file: FileId,
) -> (Vec<ast::Item>, Vec<Diagnostic>) {
    let mut recovered: Vec<ErrorRecovery<usize, Tok<'a>, LexicalError>> = Vec::new();
    let result = grammar::FileParser::new().parse(file, &mut recovered, tokens);
    let mut diags: Vec<Diagnostic> = recovered
        .into_iter()
        .map(|e| parse_error(e.error, text, file))
        .collect();
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
        n => format!(
            "expected one of {} (and {} more)",
            names[..8].join(", "),
            n - 8
        ),
    }
}

fn parse_error(
    e: ParseError<usize, Tok<'_>, LexicalError>,
    text: &str,
    file: FileId,
) -> Diagnostic {
    let (lo, hi, message, label) = match e {
        ParseError::InvalidToken { location } => {
            (location, location + 1, "invalid token".to_string(), None)
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let exp = expected_list(&expected);
            (
                location,
                location,
                format!("{exp}, found end of file"),
                Some(exp),
            )
        }
        ParseError::UnrecognizedToken {
            token: (l, _, r),
            expected,
        } => {
            let exp = expected_list(&expected);
            let found = text.get(l..r).unwrap_or("?");
            (
                l,
                r,
                format!("{exp}, found `{found}`"),
                Some("unexpected token".to_string()),
            )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_parse_equals_whole_parse() {
        let mut src = String::new();
        for i in 0..3000 {
            src.push_str(&format!("#[requires(x > {i})]\nfn f{i}(x: u32) -> u32 {{ let y = [x; 2]; if y[0] > 1 {{ y[1] }} else {{ {i} }} }}\nstruct S{i} {{ a: u8 }}\nimpl S{i} {{ fn g(&self) -> u8 {{ self.a }} }}\n"));
        }
        let tokens: Vec<lexer::Spanned<'_>> = lexer::Lexer::new(&src).collect();
        assert!(
            tokens.len() >= PARALLEL_MIN_TOKENS,
            "test input too small to split"
        );
        assert!(!split_points(&tokens, 4).is_empty());
        let whole = parse_tokens(tokens, &src, FileId(0));
        let split = parse_file(&src, FileId(0));
        assert!(whole.1.is_empty() && split.1.is_empty());
        assert_eq!(format!("{:?}", whole.0), format!("{:?}", split.0));
    }

    #[test]
    fn errors_in_split_parts_are_all_reported() {
        let mut src = String::new();
        for i in 0..4000 {
            if i % 1000 == 7 {
                src.push_str(&format!("fn bad{i}( -> u32 {{ 0 }}\n"));
            } else {
                src.push_str(&format!("fn f{i}(x: u32) -> u32 {{ x + {i} }}\n"));
            }
        }
        let (_, diags) = parse_file(&src, FileId(0));
        assert_eq!(
            diags.len(),
            4,
            "{:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
}
