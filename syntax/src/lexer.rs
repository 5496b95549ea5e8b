//! The lexer: logos turns bytes into tokens; [`Lexer`] adapts them for the lalrpop parser.
//!
//! Two tokens depend on context, as in rustc:
//! - `>` immediately followed by `>` is [`Tok::GtJoint`], so `Vec<Vec<u8>>` closes two generic
//!   lists while `a >> b` is a shift (`GtJoint` then `>`).
//! - `>>>` is one token only inside a kernel launch `k<<<grid, block>>>(..)`, counted from `<<<`.

use logos::Logos;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum LexError {
    #[default]
    Invalid,
    UnterminatedComment,
}

fn block_comment<'a>(lex: &mut logos::Lexer<'a, RawTok<'a>>) -> logos::FilterResult<(), LexError> {
    // Block comments nest, as in Rust: count `/*` and `*/` until the outer one closes.
    let rest = lex.remainder().as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i + 1 < rest.len() {
        if rest[i] == b'/' && rest[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if rest[i] == b'*' && rest[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                lex.bump(i);
                return logos::FilterResult::Skip;
            }
        } else {
            i += 1;
        }
    }
    lex.bump(rest.len());
    logos::FilterResult::Error(LexError::UnterminatedComment)
}

#[derive(Logos, Debug, Clone, Copy, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
enum RawTok<'a> {
    #[token("/*", block_comment)]
    BlockComment,

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |l| l.slice())]
    Ident(&'a str),
    #[regex(r"[0-9][0-9_]*([iu](8|16|32|64|128|size)|f32|f64)?", |l| l.slice())]
    #[regex(r"0x[0-9a-fA-F_]+([iu](8|16|32|64|128|size))?", |l| l.slice())]
    #[regex(r"0o[0-7_]+([iu](8|16|32|64|128|size))?", |l| l.slice())]
    #[regex(r"0b[01_]+([iu](8|16|32|64|128|size))?", |l| l.slice())]
    Int(&'a str),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9_]+)?(f32|f64)?", |l| l.slice())]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9_]+(f32|f64)?", |l| l.slice())]
    Float(&'a str),
    #[regex(r#""([^"\\]|\\.|\\\n)*""#, |l| l.slice())]
    Str(&'a str),
    #[regex(r#"b"([^"\\]|\\.|\\\n)*""#, |l| l.slice())]
    ByteStr(&'a str),
    #[regex(r"'([^'\\\n]|\\.|\\u\{[0-9a-fA-F]{1,6}\}|\\x[0-9a-fA-F]{2})'", |l| l.slice())]
    Char(&'a str),
    #[regex(r"b'([^'\\\n]|\\.|\\x[0-9a-fA-F]{2})'", |l| l.slice())]
    Byte(&'a str),
    #[regex(r"'[A-Za-z_][A-Za-z0-9_]*", |l| l.slice())]
    Lifetime(&'a str),

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token("::")]
    PathSep,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("..=")]
    DotDotEq,
    #[token("->")]
    Arrow,
    #[token("=>")]
    FatArrow,
    #[token("#")]
    Pound,
    #[token("?")]
    Question,
    #[token("@")]
    At,
    #[token("!")]
    Bang,
    #[token("=")]
    Eq,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("==>")]
    Implies,
    #[token("<==>")]
    Iff,
    #[token("<<<")]
    LaunchOpen,
    /// `matches!(`: its second argument is a pattern, so the grammar needs to know.
    #[token("matches!(")]
    MatchesOpen,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("^")]
    Caret,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("<<")]
    Shl,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
    #[token("^=")]
    CaretEq,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("<<=")]
    ShlEq,
    #[regex(r"#\[[ \t]*trigger[ \t]*\]")]
    Trigger,
}

/// A token as the parser sees it. Keywords are recognised here, from identifiers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tok<'a> {
    Ident(&'a str),
    Int(&'a str),
    Float(&'a str),
    Str(&'a str),
    ByteStr(&'a str),
    Char(&'a str),
    Byte(&'a str),
    Lifetime(&'a str),
    /// A loop label: a lifetime followed by `:` and `loop`, `while` or `for` (the colon is
    /// part of this token, so that `break 'a` and an expression starting with a labeled loop
    /// need no lookahead in the parser).
    Label(&'a str),
    // keywords
    As,
    Break,
    Const,
    Continue,
    Crate,
    Else,
    Enum,
    False,
    Fn,
    For,
    If,
    Impl,
    In,
    Let,
    Loop,
    Match,
    Mod,
    Mut,
    Pub,
    Ref,
    Return,
    SelfValue,
    SelfType,
    Static,
    Struct,
    Super,
    Trait,
    True,
    Type,
    Use,
    Where,
    While,
    Underscore,
    // punctuation
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Colon,
    PathSep,
    Dot,
    DotDot,
    DotDotEq,
    Arrow,
    FatArrow,
    Pound,
    Question,
    At,
    Bang,
    Eq,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    GtJoint,
    Ge,
    Implies,
    Iff,
    LaunchOpen,
    MatchesOpen,
    LaunchClose,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Amp,
    Pipe,
    AndAnd,
    OrOr,
    Shl,
    PlusEq,
    MinusEq,
    StarEq,
    SlashEq,
    PercentEq,
    CaretEq,
    AmpEq,
    PipeEq,
    ShlEq,
    ShrEq,
    /// `#[trigger]` in a quantifier body: one token, so it never competes with statement attributes.
    Trigger,
}

fn keyword(s: &str) -> Option<Tok<'static>> {
    Some(match s {
        "as" => Tok::As,
        "break" => Tok::Break,
        "const" => Tok::Const,
        "continue" => Tok::Continue,
        "crate" => Tok::Crate,
        "else" => Tok::Else,
        "enum" => Tok::Enum,
        "false" => Tok::False,
        "fn" => Tok::Fn,
        "for" => Tok::For,
        "if" => Tok::If,
        "impl" => Tok::Impl,
        "in" => Tok::In,
        "let" => Tok::Let,
        "loop" => Tok::Loop,
        "match" => Tok::Match,
        "mod" => Tok::Mod,
        "mut" => Tok::Mut,
        "pub" => Tok::Pub,
        "ref" => Tok::Ref,
        "return" => Tok::Return,
        "self" => Tok::SelfValue,
        "Self" => Tok::SelfType,
        "static" => Tok::Static,
        "struct" => Tok::Struct,
        "super" => Tok::Super,
        "trait" => Tok::Trait,
        "true" => Tok::True,
        "type" => Tok::Type,
        "use" => Tok::Use,
        "where" => Tok::Where,
        "while" => Tok::While,
        "_" => Tok::Underscore,
        _ => return None,
    })
}

/// Converts one raw token; `None` for the block comment marker (never produced: skipped).
fn convert(raw: RawTok<'_>) -> Tok<'_> {
    use RawTok as R;
    match raw {
        R::BlockComment => unreachable!("block comments are skipped by their callback"),
        R::Ident(s) => keyword(s).unwrap_or(Tok::Ident(s)),
        R::Int(s) => Tok::Int(s),
        R::Float(s) => Tok::Float(s),
        R::Str(s) => Tok::Str(s),
        R::ByteStr(s) => Tok::ByteStr(s),
        R::Char(s) => Tok::Char(s),
        R::Byte(s) => Tok::Byte(s),
        R::Lifetime(s) => Tok::Lifetime(s),
        R::LParen => Tok::LParen,
        R::RParen => Tok::RParen,
        R::LBracket => Tok::LBracket,
        R::RBracket => Tok::RBracket,
        R::LBrace => Tok::LBrace,
        R::RBrace => Tok::RBrace,
        R::Comma => Tok::Comma,
        R::Semi => Tok::Semi,
        R::Colon => Tok::Colon,
        R::PathSep => Tok::PathSep,
        R::Dot => Tok::Dot,
        R::DotDot => Tok::DotDot,
        R::DotDotEq => Tok::DotDotEq,
        R::Arrow => Tok::Arrow,
        R::FatArrow => Tok::FatArrow,
        R::Pound => Tok::Pound,
        R::Question => Tok::Question,
        R::At => Tok::At,
        R::Bang => Tok::Bang,
        R::Eq => Tok::Eq,
        R::EqEq => Tok::EqEq,
        R::Ne => Tok::Ne,
        R::Lt => Tok::Lt,
        R::Le => Tok::Le,
        R::Gt => Tok::Gt,
        R::Ge => Tok::Ge,
        R::Implies => Tok::Implies,
        R::Iff => Tok::Iff,
        R::LaunchOpen => Tok::LaunchOpen,
        R::MatchesOpen => Tok::MatchesOpen,
        R::Plus => Tok::Plus,
        R::Minus => Tok::Minus,
        R::Star => Tok::Star,
        R::Slash => Tok::Slash,
        R::Percent => Tok::Percent,
        R::Caret => Tok::Caret,
        R::Amp => Tok::Amp,
        R::Pipe => Tok::Pipe,
        R::AndAnd => Tok::AndAnd,
        R::OrOr => Tok::OrOr,
        R::Shl => Tok::Shl,
        R::PlusEq => Tok::PlusEq,
        R::MinusEq => Tok::MinusEq,
        R::StarEq => Tok::StarEq,
        R::SlashEq => Tok::SlashEq,
        R::PercentEq => Tok::PercentEq,
        R::CaretEq => Tok::CaretEq,
        R::AmpEq => Tok::AmpEq,
        R::PipeEq => Tok::PipeEq,
        R::ShlEq => Tok::ShlEq,
        R::Trigger => Tok::Trigger,
    }
}

/// A lexical error at a byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalError {
    pub lo: usize,
    pub hi: usize,
    pub message: String,
}

pub type Spanned<'a> = Result<(usize, Tok<'a>, usize), LexicalError>;

/// The token stream the lalrpop parser pulls from.
pub struct Lexer<'a> {
    src: &'a str,
    inner: logos::Lexer<'a, RawTok<'a>>,
    /// Open `<<<` launches waiting for their `>>>`.
    launches: usize,
    /// A `>` of a `>>>` closer already consumed by the lookahead below.
    skip_gts: usize,
    /// The `>=` of a `>>=` already consumed.
    skip_ge: bool,
    /// The `:` of a loop label already consumed.
    skip_colon: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            src,
            inner: RawTok::lexer(src),
            launches: 0,
            skip_gts: 0,
            skip_ge: false,
            skip_colon: false,
        }
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        loop {
            let raw = self.inner.next()?;
            let span = self.inner.span();
            let raw = match raw {
                Ok(t) => t,
                Err(e) => {
                    let text = &self.src[span.clone()];
                    let message = match e {
                        LexError::UnterminatedComment => "unterminated block comment".to_string(),
                        LexError::Invalid if text.starts_with('"') || text.starts_with("b\"") => {
                            "unterminated double quote string".to_string()
                        }
                        LexError::Invalid if text.starts_with('\'') => {
                            "unterminated character literal".to_string()
                        }
                        LexError::Invalid => {
                            format!("unknown start of token: {}", text.escape_debug())
                        }
                    };
                    return Some(Err(LexicalError {
                        lo: span.start,
                        hi: span.end,
                        message,
                    }));
                }
            };
            if self.skip_gts > 0 && raw == RawTok::Gt {
                self.skip_gts -= 1;
                continue;
            }
            if self.skip_ge && raw == RawTok::Ge {
                self.skip_ge = false;
                continue;
            }
            if self.skip_colon && raw == RawTok::Colon {
                self.skip_colon = false;
                continue;
            }
            let tok = match raw {
                RawTok::LaunchOpen => {
                    self.launches += 1;
                    Tok::LaunchOpen
                }
                RawTok::Gt => {
                    let rest = &self.src[span.end..];
                    if self.launches > 0 && rest.starts_with(">>") {
                        self.launches -= 1;
                        self.skip_gts = 2;
                        return Some(Ok((span.start, Tok::LaunchClose, span.end + 2)));
                    } else if rest.starts_with(">=") {
                        self.skip_ge = true;
                        return Some(Ok((span.start, Tok::ShrEq, span.end + 2)));
                    } else if rest.starts_with('>') {
                        Tok::GtJoint
                    } else {
                        Tok::Gt
                    }
                }
                RawTok::Lifetime(name) if is_loop_label(&self.src[span.end..]) => {
                    self.skip_colon = true;
                    Tok::Label(name)
                }
                other => convert(other),
            };
            return Some(Ok((span.start, tok, span.end)));
        }
    }
}

/// Whether the text after a lifetime is `: loop`, `: while` or `: for` (a loop label).
fn is_loop_label(rest: &str) -> bool {
    let Some(after) = rest.trim_start().strip_prefix(':') else {
        return false;
    };
    if after.starts_with(':') {
        return false;
    }
    let after = after.trim_start();
    ["loop", "while", "for"].iter().any(|k| {
        after
            .strip_prefix(k)
            .is_some_and(|tail| !tail.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

/// All tokens of a source (for tests and tools).
pub fn tokens(src: &str) -> Vec<Spanned<'_>> {
    Lexer::new(src).collect()
}
