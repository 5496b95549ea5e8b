//! Helpers for the grammar's actions: node construction, literal decoding, block shaping.

use crate::ast::*;
use crate::lexer::{LexicalError, Tok};
use crate::span::{FileId, Span};
use lalrpop_util::ParseError;

type PResult<T> = Result<T, ParseError<usize, Tok<'static>, LexicalError>>;

pub fn mk(kind: ExprKind, file: FileId, l: usize, r: usize) -> Box<Expr> {
    Box::new(Expr {
        kind,
        span: Span::new(file, l, r),
    })
}

/// `matches!(e, PAT if guard)`: `match e { PAT if guard => true, _ => false }`.
pub fn matches(
    e: Box<Expr>,
    pat: Pat,
    guard: Option<Expr>,
    file: FileId,
    l: usize,
    r: usize,
) -> Box<Expr> {
    let span = Span::new(file, l, r);
    let lit = |b: bool| Expr {
        kind: ExprKind::Lit(Lit::Bool(b)),
        span,
    };
    let arms = vec![
        Arm {
            span: pat.span,
            pat,
            guard,
            body: lit(true),
        },
        Arm {
            pat: Pat {
                kind: PatKind::Wild,
                span,
            },
            guard: None,
            body: lit(false),
            span,
        },
    ];
    mk(ExprKind::Match(e, arms), file, l, r)
}

/// Binding power of a binary operator (higher binds tighter), as in Rust, with `==>` below
/// `||` (right-associative) and `<==>` below it.
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Mul | BinOp::Div | BinOp::Rem => 10,
        BinOp::Add | BinOp::Sub => 9,
        BinOp::Shl | BinOp::Shr => 8,
        BinOp::BitAnd => 7,
        BinOp::BitXor => 6,
        BinOp::BitOr => 5,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
        BinOp::And => 3,
        BinOp::Or => 2,
        BinOp::Implies => 1,
        BinOp::Iff => 0,
    }
}

/// Builds the tree of `first op1 e1 op2 e2 ...` by precedence climbing. Comparisons do not
/// chain (`a < b < c` is an error, as in Rust).
pub fn climb(
    first: Box<Expr>,
    rest: Vec<((BinOp, usize, usize), Box<Expr>)>,
    file: FileId,
) -> PResult<Box<Expr>> {
    let mut items = rest.into_iter().peekable();
    climb_from(first, &mut items, 0, file)
}

type OpIter = std::iter::Peekable<std::vec::IntoIter<((BinOp, usize, usize), Box<Expr>)>>;

fn climb_from(mut lhs: Box<Expr>, items: &mut OpIter, min: u8, file: FileId) -> PResult<Box<Expr>> {
    while let Some(((op, ol, oh), _)) = items.peek() {
        let (op, ol, oh) = (*op, *ol, *oh);
        let p = precedence(op);
        if p < min {
            break;
        }
        let (_, mut rhs) = items.next().expect("peeked");
        while let Some(((next, nl, nh), _)) = items.peek() {
            let q = precedence(*next);
            let right_assoc = *next == BinOp::Implies;
            if q > p || (q == p && right_assoc) {
                rhs = climb_from(rhs, items, if q > p { p + 1 } else { p }, file)?;
            } else if q == p && p == 4 {
                return user_error(*nl, *nh, "comparison operators cannot be chained".into());
            } else {
                break;
            }
        }
        if p == 4
            && matches!(&lhs.kind, ExprKind::Binary(x, ..) if x.is_comparison())
            && !matches!(lhs.kind, ExprKind::Paren(_))
        {
            return user_error(ol, oh, "comparison operators cannot be chained".into());
        }
        let span = Span::new(file, lhs.span.lo as usize, rhs.span.hi as usize);
        lhs = Box::new(Expr {
            kind: ExprKind::Binary(op, lhs, rhs),
            span,
        });
    }
    Ok(lhs)
}

// The grammar passes boxed values on purpose: boxes keep the parser's stack slots small.
#[allow(clippy::boxed_local)]
pub fn arm(
    head: Box<(Pat, Option<Expr>)>,
    body: Expr,
    file: FileId,
    l: usize,
    r: usize,
) -> Box<Arm> {
    let (pat, guard) = *head;
    Box::new(Arm {
        pat,
        guard,
        body,
        span: Span::new(file, l, r),
    })
}

/// Unboxes a list that the grammar built boxed (boxing keeps the parser's stack slots small).
pub fn unbox<T>(v: Vec<Box<T>>) -> Vec<T> {
    v.into_iter().map(|b| *b).collect()
}

pub fn with_where(mut g: Generics, w: Vec<WherePredicate>) -> Generics {
    g.where_clauses = w;
    g
}

#[allow(clippy::boxed_local)]
/// An expression statement; loop attributes (`#[invariant]`, `#[decreases]`) move onto the loop.
pub fn expr_stmt(attrs: Vec<Attr>, mut e: Box<Expr>, semi: bool, span: Span) -> Stmt {
    let slot = match &mut e.kind {
        ExprKind::While(w) => Some(&mut w.attrs),
        ExprKind::Loop(l) => Some(&mut l.attrs),
        ExprKind::For(f) => Some(&mut f.attrs),
        _ => None,
    };
    let attrs = match slot {
        Some(a) => {
            *a = attrs;
            vec![]
        }
        None => attrs,
    };
    Stmt {
        attrs,
        kind: StmtKind::Expr { expr: *e, semi },
        span,
    }
}

/// A block whose last statement is a block-like expression without `;` gets it as its value,
/// as in Rust (`{ if c { 1 } else { 2 } }` has the value of the `if`).
pub fn block(mut stmts: Vec<Stmt>, tail: Option<Box<Expr>>, span: Span) -> Block {
    let tail = match tail {
        Some(t) => Some(t),
        None => match stmts.last() {
            Some(Stmt {
                kind: StmtKind::Expr { semi: false, .. },
                attrs,
                ..
            }) if attrs.is_empty() => match stmts.pop().map(|s| s.kind) {
                Some(StmtKind::Expr { expr, .. }) => Some(Box::new(expr)),
                _ => None,
            },
            _ => None,
        },
    };
    Block { stmts, tail, span }
}

fn user_error<T>(lo: usize, hi: usize, message: String) -> PResult<T> {
    Err(ParseError::User {
        error: LexicalError { lo, hi, message },
    })
}

/// Splits an integer token into value and suffix (`0xFFu8`, `1_000`, `7i64`).
pub fn int_lit(s: &str, l: usize, r: usize) -> PResult<Lit> {
    let (radix, body) = match s.get(..2) {
        Some("0x") => (16, &s[2..]),
        Some("0o") => (8, &s[2..]),
        Some("0b") => (2, &s[2..]),
        _ => (10, s),
    };
    // A suffix starts at the first `i`/`u` (or `f` for decimal floats written like `1f32`).
    let cut = body
        .find(['i', 'u'])
        .or_else(|| if radix == 10 { body.find('f') } else { None });
    let (digits, suffix) = match cut {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if suffix == "f32" || suffix == "f64" {
        let suffix = Some(if suffix == "f32" {
            FloatSuffix::F32
        } else {
            FloatSuffix::F64
        });
        return Ok(Lit::Float {
            text: digits,
            suffix,
        });
    }
    if digits.is_empty() {
        return user_error(l, r, format!("no valid digits found for number `{s}`"));
    }
    let value = match u128::from_str_radix(&digits, radix) {
        Ok(v) => v,
        Err(_) => return user_error(l, r, format!("integer literal `{s}` is too large")),
    };
    let suffix = if suffix.is_empty() {
        None
    } else {
        match IntSuffix::parse(suffix) {
            Some(x) => Some(x),
            None => {
                return user_error(
                    l,
                    r,
                    format!("invalid suffix `{suffix}` for number literal"),
                )
            }
        }
    };
    Ok(Lit::Int { value, suffix })
}

pub fn float_lit(s: &str, _l: usize, _r: usize) -> PResult<Lit> {
    let (text, suffix) = if let Some(t) = s.strip_suffix("f32") {
        (t, Some(FloatSuffix::F32))
    } else if let Some(t) = s.strip_suffix("f64") {
        (t, Some(FloatSuffix::F64))
    } else {
        (s, None)
    };
    Ok(Lit::Float {
        text: text.chars().filter(|c| *c != '_').collect(),
        suffix,
    })
}

/// Decodes the escapes of a quoted string or char literal body.
fn unescape(body: &str, l: usize, r: usize) -> PResult<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('\n') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(v) if v < 0x80 => out.push(v as char),
                    _ => return user_error(l, r, format!("invalid escape `\\x{hex}`")),
                }
            }
            Some('u') => {
                if chars.next() != Some('{') {
                    return user_error(l, r, "invalid unicode escape: expected `{`".into());
                }
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        return user_error(l, r, format!("invalid unicode escape `\\u{{{hex}}}`"))
                    }
                }
            }
            other => {
                let shown = other.map(String::from).unwrap_or_default();
                return user_error(l, r, format!("unknown character escape: `\\{shown}`"));
            }
        }
    }
    Ok(out)
}

pub fn str_lit(s: &str, l: usize, r: usize) -> PResult<String> {
    unescape(&s[1..s.len() - 1], l, r)
}

pub fn char_lit(s: &str, l: usize, r: usize) -> PResult<char> {
    let text = unescape(&s[1..s.len() - 1], l, r)?;
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => user_error(
            l,
            r,
            "character literal may only contain one codepoint".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::{parse_file, FileId};

    /// The expression `e` of `fn f() { e }`, fully parenthesised by its tree.
    fn shape(src: &str) -> String {
        let text = format!("fn f() {{ {src} }}");
        let (items, diags) = parse_file(&text, FileId(0));
        assert!(
            diags.is_empty(),
            "{src}: {:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        let crate::ast::ItemKind::Fn(f) = &items[0].kind else {
            panic!()
        };
        let tail = f.body.as_ref().unwrap().tail.as_ref().unwrap();
        paren(tail, &text)
    }

    fn paren(e: &crate::ast::Expr, text: &str) -> String {
        match &e.kind {
            crate::ast::ExprKind::Binary(op, a, b) => {
                format!("({} {} {})", paren(a, text), op.as_str(), paren(b, text))
            }
            _ => text[e.span.lo as usize..e.span.hi as usize].to_string(),
        }
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(shape("1 + 2 * 3"), "(1 + (2 * 3))");
        assert_eq!(shape("a - b - c"), "((a - b) - c)");
        assert_eq!(shape("x >> k & 1 == 1"), "(((x >> k) & 1) == 1)");
        assert_eq!(shape("a | b ^ c & d"), "(a | (b ^ (c & d)))");
        assert_eq!(shape("a && b || c && d"), "((a && b) || (c && d))");
        assert_eq!(shape("a || b ==> c"), "((a || b) ==> c)");
        assert_eq!(shape("a ==> b ==> c"), "(a ==> (b ==> c))");
        assert_eq!(shape("a <==> b ==> c"), "(a <==> (b ==> c))");
        assert_eq!(shape("p <==> q <==> r"), "((p <==> q) <==> r)");
        assert_eq!(shape("x as u64 * 2 < n"), "((x as u64 * 2) < n)");
        assert_eq!(shape("-a * b"), "(-a * b)");
        assert_eq!(shape("a << 1 + b"), "(a << (1 + b))");
    }

    #[test]
    fn comparisons_do_not_chain() {
        for src in [
            "fn f() -> bool { a < b < c }",
            "fn f() -> bool { a == b != c }",
            "fn f() -> bool { x + a < b > c }",
        ] {
            let (_, diags) = parse_file(src, FileId(0));
            assert!(
                diags
                    .iter()
                    .any(|d| d.message.contains("cannot be chained")),
                "{src}"
            );
        }
        let (_, diags) = parse_file("fn f() -> bool { (a < b) == c }", FileId(0));
        assert!(diags.is_empty());
    }
}
