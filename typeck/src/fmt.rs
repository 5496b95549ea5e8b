//! Format strings of `println!` and friends: `{}` (Display), `{:?}` (Debug), positional
//! `{0}`, captured names `{x}` / `{x:?}`, `{{` / `}}`, and Rust's format spec
//! `[[fill]align][sign]['#']['0'][width]['.' precision]type` with widths and precisions
//! written out or taken from arguments (`{:w$}`, `{:1$}`, `{:.*}`).

use crate::hir::{FmtAlign, FmtCount, FmtKind, FmtPiece, FmtSpec};

/// A placeholder's argument before it is numbered.
#[derive(Debug, PartialEq, Clone)]
pub enum ArgRef {
    Next,
    Index(usize),
    Name(String),
}

/// A width or precision before its argument is numbered.
#[derive(Debug, PartialEq, Clone)]
pub enum Count {
    Lit(usize),
    Arg(ArgRef),
}

/// A placeholder's spec before its arguments are numbered.
#[derive(Debug, PartialEq, Clone, Default)]
pub struct RawSpec {
    pub spec: FmtSpec,
    pub width: Option<Count>,
    pub precision: Option<Count>,
}

#[derive(Debug, PartialEq)]
pub enum Part {
    Lit(String),
    Arg(ArgRef, RawSpec),
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
                    Some((a, s)) => (a.trim(), parse_spec(s)?),
                    None => (inner.trim(), RawSpec::default()),
                };
                let r = arg_ref(arg)?;
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(Part::Arg(r, spec));
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(parts)
}

fn arg_ref(arg: &str) -> Result<ArgRef, String> {
    if arg.is_empty() {
        Ok(ArgRef::Next)
    } else if let Ok(i) = arg.parse::<usize>() {
        Ok(ArgRef::Index(i))
    } else if arg.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !arg.starts_with(|c: char| c.is_ascii_digit())
    {
        Ok(ArgRef::Name(arg.to_string()))
    } else {
        Err(format!(
            "invalid format string: invalid argument name `{arg}`"
        ))
    }
}

/// The part of a placeholder after `:`.
fn parse_spec(s: &str) -> Result<RawSpec, String> {
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut raw = RawSpec::default();
    let align_of = |c: Option<&char>| match c {
        Some('<') => Some(FmtAlign::Left),
        Some('^') => Some(FmtAlign::Center),
        Some('>') => Some(FmtAlign::Right),
        _ => None,
    };
    if let Some(a) = align_of(cs.get(1)) {
        raw.spec.fill = Some(cs[0]);
        raw.spec.align = Some(a);
        i = 2;
    } else if let Some(a) = align_of(cs.first()) {
        raw.spec.align = Some(a);
        i = 1;
    }
    match cs.get(i) {
        Some('+') => {
            raw.spec.plus = true;
            i += 1;
        }
        Some('-') => i += 1,
        _ => {}
    }
    if cs.get(i) == Some(&'#') {
        raw.spec.alternate = true;
        i += 1;
    }
    // `0` is the zero flag unless it is the argument number of a `0$` width.
    if cs.get(i) == Some(&'0') && cs.get(i + 1) != Some(&'$') {
        raw.spec.zero = true;
        i += 1;
    }
    let (width, next) = count(&cs, i)?;
    raw.width = width;
    i = next;
    if cs.get(i) == Some(&'.') {
        i += 1;
        if cs.get(i) == Some(&'*') {
            raw.precision = Some(Count::Arg(ArgRef::Next));
            i += 1;
        } else {
            // A `.` without a count is no precision, as rustc reads it.
            let (c, next) = count(&cs, i)?;
            raw.precision = c;
            i = next;
        }
    }
    let ty: String = cs[i..].iter().collect();
    raw.spec.kind = match ty.trim() {
        "" => FmtKind::Display,
        "?" => FmtKind::Debug,
        "x" => FmtKind::LowerHex,
        "X" => FmtKind::UpperHex,
        "o" => FmtKind::Octal,
        "b" => FmtKind::Binary,
        "e" => FmtKind::LowerExp,
        "E" => FmtKind::UpperExp,
        "x?" | "X?" => {
            return Err(format!(
                "unsupported format specification `:{s}`: VeZ has no hexadecimal `Debug`"
            ))
        }
        other => {
            return Err(format!(
                "invalid format string: unknown format trait `{other}`"
            ))
        }
    };
    Ok(raw)
}

/// A width or precision at `cs[i..]`: digits, or an argument (`N$`, `name$`).
fn count(cs: &[char], i: usize) -> Result<(Option<Count>, usize), String> {
    let mut j = i;
    while j < cs.len() && (cs[j].is_alphanumeric() || cs[j] == '_') {
        j += 1;
    }
    let word: String = cs[i..j].iter().collect();
    if cs.get(j) == Some(&'$') && !word.is_empty() {
        return Ok((Some(Count::Arg(arg_ref(&word)?)), j + 1));
    }
    let digits: String = cs[i..].iter().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return Ok((None, i));
    }
    let n = digits.parse::<usize>().map_err(|_| {
        format!("invalid format string: the width or precision `{digits}` is too large")
    })?;
    if n > u16::MAX as usize {
        // rustc's limit: widths and precisions are `u16`.
        return Err(format!(
            "invalid format string: the width or precision `{digits}` is too large"
        ));
    }
    Ok((Some(Count::Lit(n)), i + digits.len()))
}

/// A format string's placeholders, numbered against the macro's arguments.
pub struct Numbered {
    pub pieces: Vec<FmtPiece>,
    /// Names of captured variables, the arguments after the explicit ones.
    pub captured: Vec<String>,
    /// Arguments used as widths or precisions.
    pub counts: Vec<usize>,
}

/// Numbers the placeholders against `n_args` explicit arguments, the last of which are
/// `named` (`x = e`); other names are captured variables and get indices after them
/// (returned in order, for the caller to add as arguments). Also returns the indices of the
/// arguments used as widths or precisions (they must be `usize`).
pub fn number(parts: Vec<Part>, n_args: usize, named: &[String]) -> Result<Numbered, String> {
    let mut next = 0;
    let mut captured: Vec<String> = Vec::new();
    let mut used = vec![false; n_args];
    let mut counts = Vec::new();
    let mut pieces = Vec::new();
    let mut placeholders = 0;
    for p in parts {
        match p {
            Part::Lit(s) => pieces.push(FmtPiece::Lit(s)),
            Part::Arg(r, raw) => {
                placeholders += 1;
                let mut resolve = |r: ArgRef| -> Result<usize, String> {
                    let index = match r {
                        ArgRef::Next => {
                            next += 1;
                            next - 1
                        }
                        ArgRef::Index(i) => i,
                        ArgRef::Name(n) => match named.iter().position(|c| *c == n) {
                            Some(i) => n_args - named.len() + i,
                            None => match captured.iter().position(|c| *c == n) {
                                Some(i) => n_args + i,
                                None => {
                                    captured.push(n);
                                    n_args + captured.len() - 1
                                }
                            },
                        },
                    };
                    if index < n_args {
                        used[index] = true;
                    } else if index >= n_args + captured.len() {
                        return Err(format!(
                            "{placeholders} positional argument{} in format string, but there {}",
                            if placeholders == 1 { "" } else { "s" },
                            match n_args {
                                0 => "are no arguments".to_string(),
                                1 => "is 1 argument".to_string(),
                                n => format!("are {n} arguments"),
                            }
                        ));
                    }
                    Ok(index)
                };
                let mut spec = raw.spec;
                let mut count = |c: Option<Count>| -> Result<Option<FmtCount>, String> {
                    Ok(match c {
                        None => None,
                        Some(Count::Lit(n)) => Some(FmtCount::Lit(n)),
                        Some(Count::Arg(r)) => {
                            let i = resolve(r)?;
                            counts.push(i);
                            Some(FmtCount::Arg(i))
                        }
                    })
                };
                // `{:.*}` takes its precision before the value, as Rust does.
                spec.width = count(raw.width)?;
                spec.precision = count(raw.precision)?;
                let index = resolve(r)?;
                pieces.push(FmtPiece::Arg { index, spec });
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
    Ok(Numbered {
        pieces,
        captured,
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        let p = parse("a {} b {:?} {{x}} {name} {0}").unwrap();
        let Numbered {
            pieces,
            captured: cap,
            counts,
        } = number(p, 2, &[]).unwrap();
        assert_eq!(cap, vec!["name".to_string()]);
        assert!(counts.is_empty());
        assert_eq!(
            pieces
                .iter()
                .filter(|p| matches!(p, FmtPiece::Arg { .. }))
                .count(),
            4
        );
        assert!(pieces.contains(&FmtPiece::Lit(" {x} ".into())));
        assert!(number(parse("{} {}").unwrap(), 1, &[]).is_err());
        assert!(number(parse("{}").unwrap(), 2, &[]).is_err());
        assert!(parse("}").is_err());
        assert!(parse("{:y}").is_err());
        assert!(parse("{:.}").is_ok());
    }

    fn spec_of(s: &str, n_args: usize) -> (usize, FmtSpec) {
        let pieces = number(parse(s).unwrap(), n_args, &[]).unwrap().pieces;
        match pieces.into_iter().next() {
            Some(FmtPiece::Arg { index, spec }) => (index, spec),
            other => panic!("no placeholder: {other:?}"),
        }
    }

    #[test]
    fn specs() {
        let (_, s) = spec_of("{:*^+#09.3x}", 1);
        assert_eq!(s.fill, Some('*'));
        assert_eq!(s.align, Some(FmtAlign::Center));
        assert!(s.plus && s.alternate && s.zero);
        assert_eq!(s.width, Some(FmtCount::Lit(9)));
        assert_eq!(s.precision, Some(FmtCount::Lit(3)));
        assert_eq!(s.kind, FmtKind::LowerHex);
        // A fill character that is itself an alignment or a zero.
        let (_, s) = spec_of("{:<<5}", 1);
        assert_eq!((s.fill, s.align), (Some('<'), Some(FmtAlign::Left)));
        let (_, s) = spec_of("{:0>5}", 1);
        assert_eq!((s.fill, s.zero), (Some('0'), false));
        // `{:.*}` takes the precision first; `0$` is a width argument, not the zero flag.
        let (i, s) = spec_of("{:.*}", 2);
        assert_eq!((i, s.precision), (1, Some(FmtCount::Arg(0))));
        let (i, s) = spec_of("{1:0$}", 2);
        assert_eq!((i, s.zero, s.width), (1, false, Some(FmtCount::Arg(0))));
        let Numbered {
            pieces,
            captured: cap,
            counts,
        } = number(parse("{:w$.p$?}").unwrap(), 1, &[]).unwrap();
        assert_eq!(cap, vec!["w".to_string(), "p".to_string()]);
        assert_eq!(counts, vec![1, 2]);
        assert!(matches!(&pieces[0], FmtPiece::Arg { index: 0, spec } if spec.is_debug()));
        // Named arguments are the last explicit ones; other names are captured.
        let named = ["w".to_string()];
        let Numbered {
            pieces,
            captured: cap,
            counts,
        } = number(parse("{x:>w$} {}").unwrap(), 2, &named).unwrap();
        assert_eq!((cap, counts), (vec!["x".to_string()], vec![1]));
        assert!(matches!(&pieces[0], FmtPiece::Arg { index: 2, .. }));
        assert!(matches!(&pieces[2], FmtPiece::Arg { index: 0, .. }));
    }
}
