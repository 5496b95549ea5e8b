//! Format strings of `println!` and friends: `{}` (Display), `{:?}` (Debug), positional
//! `{0}`, captured names `{x}` / `{x:?}`, and `{{` / `}}`.

use crate::hir::FmtPiece;

/// A placeholder's argument before it is numbered.
#[derive(Debug, PartialEq)]
pub enum ArgRef {
    Next,
    Index(usize),
    Name(String),
}

#[derive(Debug, PartialEq)]
pub enum Part {
    Lit(String),
    Arg(ArgRef, bool),
}

/// Splits a format string; errors are messages for the string literal's span.
pub fn parse(s: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '}' => return Err("invalid format string: unmatched `}` found".into()),
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => inner.push(c),
                        None => {
                            return Err(
                                "invalid format string: expected `}` but string was terminated"
                                    .into(),
                            )
                        }
                    }
                }
                let (arg, spec) = match inner.split_once(':') {
                    Some((a, s)) => (a.trim(), s),
                    None => (inner.trim(), ""),
                };
                let debug = match spec {
                    "" => false,
                    "?" => true,
                    other => return Err(format!("unsupported format specification `:{other}`: VeZ supports `{{}}` and `{{:?}}`")),
                };
                let r = if arg.is_empty() {
                    ArgRef::Next
                } else if let Ok(i) = arg.parse::<usize>() {
                    ArgRef::Index(i)
                } else if arg.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    ArgRef::Name(arg.to_string())
                } else {
                    return Err(format!(
                        "invalid format string: invalid argument name `{arg}`"
                    ));
                };
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(Part::Arg(r, debug));
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(parts)
}

/// Numbers the placeholders against `n_args` explicit arguments; captured names get indices
/// after them (returned in order, for the caller to add as arguments).
pub fn number(parts: Vec<Part>, n_args: usize) -> Result<(Vec<FmtPiece>, Vec<String>), String> {
    let mut next = 0;
    let mut captured: Vec<String> = Vec::new();
    let mut used = vec![false; n_args];
    let mut pieces = Vec::new();
    for p in parts {
        match p {
            Part::Lit(s) => pieces.push(FmtPiece::Lit(s)),
            Part::Arg(r, debug) => {
                let index = match r {
                    ArgRef::Next => {
                        next += 1;
                        next - 1
                    }
                    ArgRef::Index(i) => i,
                    ArgRef::Name(n) => match captured.iter().position(|c| *c == n) {
                        Some(i) => n_args + i,
                        None => {
                            captured.push(n);
                            n_args + captured.len() - 1
                        }
                    },
                };
                if index < n_args {
                    used[index] = true;
                } else if index >= n_args + captured.len() {
                    let count = pieces
                        .iter()
                        .filter(|p| matches!(p, FmtPiece::Arg { .. }))
                        .count()
                        + 1;
                    return Err(format!(
                        "{count} positional argument{} in format string, but there {}",
                        if count == 1 { "" } else { "s" },
                        match n_args {
                            0 => "are no arguments".to_string(),
                            1 => "is 1 argument".to_string(),
                            n => format!("are {n} arguments"),
                        }
                    ));
                }
                pieces.push(FmtPiece::Arg { index, debug });
            }
        }
    }
    if let Some(unused) = used.iter().position(|u| !u) {
        let extra = used.iter().filter(|u| !**u).count();
        return Err(format!(
            "{} argument{} never used (argument {})",
            extra,
            if extra == 1 { "" } else { "s" },
            unused + 1
        ));
    }
    Ok((pieces, captured))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        let p = parse("a {} b {:?} {{x}} {name} {0}").unwrap();
        let (pieces, cap) = number(p, 2).unwrap();
        assert_eq!(cap, vec!["name".to_string()]);
        assert_eq!(
            pieces
                .iter()
                .filter(|p| matches!(p, FmtPiece::Arg { .. }))
                .count(),
            4
        );
        assert!(pieces.contains(&FmtPiece::Lit(" {x} ".into())));
        assert!(number(parse("{} {}").unwrap(), 1).is_err());
        assert!(number(parse("{}").unwrap(), 2).is_err());
        assert!(parse("{:>5}").is_err());
        assert!(parse("}").is_err());
    }
}
