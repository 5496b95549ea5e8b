//! The solver-agnostic term language (what Verus calls AIR): sorts, terms with SMT-LIB
//! symbols, smart constructors that fold constants, and printing to SMT-LIB2 text.

use std::fmt::Write as _;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sort {
    Int,
    Bool,
    /// A declared datatype or uninterpreted sort, by its (quoted) SMT name.
    Named(String),
    Array(Box<Sort>, Box<Sort>),
}

impl Sort {
    pub fn smt(&self) -> String {
        match self {
            Sort::Int => "Int".into(),
            Sort::Bool => "Bool".into(),
            Sort::Named(n) => n.clone(),
            Sort::Array(a, b) => format!("(Array {} {})", a.smt(), b.smt()),
        }
    }
}

pub type T = Arc<Term>;

#[derive(Debug, PartialEq, Eq, Hash)]
pub enum Term {
    /// A declared constant or a quantifier-bound variable (the symbol as printed).
    Var(String),
    /// A decimal integer, possibly negative.
    Num(i128),
    /// An integer outside `i128` (u128 values above `i128::MAX`).
    BigNum(u128),
    Bool(bool),
    /// A function application; the symbol is printed as is (`+`, `select`, `|f|`, `(_ is |C|)`).
    App(String, Vec<T>),
    Quant {
        forall: bool,
        vars: Vec<(String, Sort)>,
        triggers: Vec<Vec<T>>,
        body: T,
    },
}

pub fn var(name: &str) -> T {
    Arc::new(Term::Var(name.to_string()))
}
pub fn num(n: i128) -> T {
    Arc::new(Term::Num(n))
}
pub fn unum(n: u128) -> T {
    if n <= i128::MAX as u128 {
        num(n as i128)
    } else {
        Arc::new(Term::BigNum(n))
    }
}
pub fn tt() -> T {
    Arc::new(Term::Bool(true))
}
pub fn ff() -> T {
    Arc::new(Term::Bool(false))
}
pub fn boolean(b: bool) -> T {
    Arc::new(Term::Bool(b))
}
pub fn app(f: &str, args: Vec<T>) -> T {
    Arc::new(Term::App(f.to_string(), args))
}

pub fn as_bool(t: &T) -> Option<bool> {
    match **t {
        Term::Bool(b) => Some(b),
        _ => None,
    }
}
pub fn as_num(t: &T) -> Option<i128> {
    match **t {
        Term::Num(n) => Some(n),
        _ => None,
    }
}

pub fn and(items: Vec<T>) -> T {
    let mut out = Vec::new();
    for t in items {
        match as_bool(&t) {
            Some(true) => {}
            Some(false) => return ff(),
            None => out.push(t),
        }
    }
    match out.len() {
        0 => tt(),
        1 => out.pop().expect("one"),
        _ => app("and", out),
    }
}
pub fn and2(a: T, b: T) -> T {
    and(vec![a, b])
}
pub fn or(items: Vec<T>) -> T {
    let mut out = Vec::new();
    for t in items {
        match as_bool(&t) {
            Some(false) => {}
            Some(true) => return tt(),
            None => out.push(t),
        }
    }
    match out.len() {
        0 => ff(),
        1 => out.pop().expect("one"),
        _ => app("or", out),
    }
}
pub fn or2(a: T, b: T) -> T {
    or(vec![a, b])
}
pub fn not(a: T) -> T {
    match &*a {
        Term::Bool(b) => boolean(!b),
        Term::App(f, args) if f == "not" => args[0].clone(),
        _ => app("not", vec![a]),
    }
}
pub fn implies(a: T, b: T) -> T {
    match (as_bool(&a), as_bool(&b)) {
        (Some(true), _) => b,
        (Some(false), _) | (_, Some(true)) => tt(),
        _ => app("=>", vec![a, b]),
    }
}
pub fn eq(a: T, b: T) -> T {
    if a == b {
        return tt();
    }
    match (&*a, &*b) {
        (Term::Num(x), Term::Num(y)) => boolean(x == y),
        (Term::Bool(x), Term::Bool(y)) => boolean(x == y),
        _ => app("=", vec![a, b]),
    }
}
pub fn ite(c: T, a: T, b: T) -> T {
    match as_bool(&c) {
        Some(true) => a,
        Some(false) => b,
        None if a == b => a,
        None => app("ite", vec![c, a, b]),
    }
}
fn arith(op: &str, a: T, b: T, f: impl Fn(i128, i128) -> Option<i128>) -> T {
    if let (Some(x), Some(y)) = (as_num(&a), as_num(&b)) {
        if let Some(r) = f(x, y) {
            return num(r);
        }
    }
    app(op, vec![a, b])
}
pub fn add(a: T, b: T) -> T {
    if as_num(&b) == Some(0) {
        return a;
    }
    arith("+", a, b, |x, y| x.checked_add(y))
}
pub fn sub(a: T, b: T) -> T {
    if as_num(&b) == Some(0) {
        return a;
    }
    arith("-", a, b, |x, y| x.checked_sub(y))
}
pub fn mul(a: T, b: T) -> T {
    arith("*", a, b, |x, y| x.checked_mul(y))
}
pub fn neg(a: T) -> T {
    match as_num(&a) {
        Some(x) if x != i128::MIN => num(-x),
        _ => app("-", vec![a]),
    }
}
pub fn lt(a: T, b: T) -> T {
    cmp("<", a, b, |x, y| x < y)
}
pub fn le(a: T, b: T) -> T {
    cmp("<=", a, b, |x, y| x <= y)
}
fn cmp(op: &str, a: T, b: T, f: impl Fn(i128, i128) -> bool) -> T {
    if let (Some(x), Some(y)) = (as_num(&a), as_num(&b)) {
        return boolean(f(x, y));
    }
    app(op, vec![a, b])
}
/// SMT-LIB `div`/`mod` (Euclidean; callers use them with positive divisors or fix signs).
pub fn div(a: T, b: T) -> T {
    arith("div", a, b, |x, y| (y > 0 && x >= 0).then(|| x / y))
}
pub fn modulo(a: T, b: T) -> T {
    arith("mod", a, b, |x, y| (y > 0 && x >= 0).then(|| x % y))
}
/// `(select arr idx)`, or the stored value when `arr` is a store at the very same index term.
pub fn select(arr: T, idx: T) -> T {
    if let Term::App(f, args) = &*arr {
        if f == "store" && args.len() == 3 && args[1] == idx {
            return args[2].clone();
        }
    }
    app("select", vec![arr, idx])
}

/// The accessor `acc` (field `index` of constructor `ctor`) applied to `t`, or that argument
/// itself when `t` is built by `ctor`: keeps read-after-update terms small (`p.x` of
/// `P { x: a, .. }` is `a`), which the solver would otherwise rewrite itself.
pub fn project(ctor: &str, index: usize, acc: &str, t: T) -> T {
    if let Term::App(f, args) = &*t {
        if f == ctor && index < args.len() {
            return args[index].clone();
        }
    }
    app(acc, vec![t])
}
pub fn store(arr: T, idx: T, v: T) -> T {
    app("store", vec![arr, idx, v])
}

pub fn quant(forall: bool, vars: Vec<(String, Sort)>, triggers: Vec<Vec<T>>, body: T) -> T {
    if vars.is_empty() || as_bool(&body).is_some() {
        return body;
    }
    Arc::new(Term::Quant {
        forall,
        vars,
        triggers,
        body,
    })
}

/// Quotes a name as an SMT-LIB symbol (`|...|`), dropping the characters a quoted symbol
/// cannot hold.
pub fn sym(name: &str) -> String {
    let clean: String = name.chars().filter(|c| *c != '|' && *c != '\\').collect();
    format!("|{clean}|")
}

impl Term {
    pub fn write_smt(&self, out: &mut String) {
        match self {
            Term::Var(v) => out.push_str(v),
            Term::Num(n) if *n < 0 => {
                let _ = write!(out, "(- {})", n.unsigned_abs());
            }
            Term::Num(n) => {
                let _ = write!(out, "{n}");
            }
            Term::BigNum(n) => {
                let _ = write!(out, "{n}");
            }
            Term::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Term::App(f, args) => {
                if args.is_empty() {
                    out.push_str(f);
                    return;
                }
                out.push('(');
                out.push_str(f);
                for a in args {
                    out.push(' ');
                    a.write_smt(out);
                }
                out.push(')');
            }
            Term::Quant {
                forall,
                vars,
                triggers,
                body,
            } => {
                out.push_str(if *forall { "(forall (" } else { "(exists (" });
                for (i, (v, s)) in vars.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    let _ = write!(out, "({v} {})", s.smt());
                }
                out.push_str(") ");
                if triggers.is_empty() {
                    body.write_smt(out);
                } else {
                    out.push_str("(! ");
                    body.write_smt(out);
                    for t in triggers {
                        out.push_str(" :pattern (");
                        for (i, p) in t.iter().enumerate() {
                            if i > 0 {
                                out.push(' ');
                            }
                            p.write_smt(out);
                        }
                        out.push(')');
                    }
                    out.push(')');
                }
                out.push(')');
            }
        }
    }
    pub fn smt(&self) -> String {
        let mut s = String::new();
        self.write_smt(&mut s);
        s
    }
    /// Whether the term, printed as a tree (shared subterms repeated), has more than `limit`
    /// nodes; stops counting early.
    pub fn tree_size_exceeds(&self, limit: usize) -> bool {
        fn count(t: &Term, left: &mut usize) -> bool {
            if *left == 0 {
                return true;
            }
            *left -= 1;
            match t {
                Term::App(_, args) => args.iter().any(|a| count(a, left)),
                Term::Quant { body, .. } => count(body, left),
                _ => false,
            }
        }
        let mut left = limit;
        count(self, &mut left)
    }
    /// Whether the variable occurs free-or-bound anywhere in the term.
    pub fn mentions(&self, v: &str) -> bool {
        match self {
            Term::Var(x) => x == v,
            Term::App(_, args) => args.iter().any(|a| a.mentions(v)),
            Term::Quant { body, .. } => body.mentions(v),
            _ => false,
        }
    }
}

/// Symbols that may not appear in a trigger (interpreted arithmetic and logic).
fn interpreted(f: &str) -> bool {
    matches!(
        f,
        "+" | "-"
            | "*"
            | "div"
            | "mod"
            | "<"
            | "<="
            | ">"
            | ">="
            | "="
            | "and"
            | "or"
            | "not"
            | "=>"
            | "ite"
            | "distinct"
    ) || f.starts_with("(_ int2bv")
        || f.starts_with("bv")
        || f == "bv2int"
}

/// Chooses triggers for a quantifier over `vars` as Verus and Dafny do: the smallest
/// uninterpreted applications (array reads, function calls, datatype accessors) that mention
/// bound variables and contain no interpreted symbol around them; one term that covers every
/// variable if there is one, else a multi-trigger covering them all. Empty when none exists
/// (the solver then picks its own).
pub fn choose_triggers(vars: &[String], body: &T) -> Vec<Vec<T>> {
    let mut cands: Vec<T> = Vec::new();
    collect_candidates(body, vars, &mut cands);
    cands.sort_by_key(|t| t.smt());
    cands.dedup();
    let covers = |t: &T| vars.iter().filter(|v| t.mentions(v)).count();
    let full: Vec<T> = cands
        .iter()
        .filter(|t| covers(t) == vars.len())
        .cloned()
        .collect();
    if !full.is_empty() {
        // Prefer the smallest such terms (a[i] over f(a[i])).
        let min = full.iter().map(|t| t.smt().len()).min().unwrap_or(0);
        return full
            .into_iter()
            .filter(|t| t.smt().len() == min)
            .map(|t| vec![t])
            .collect();
    }
    let mut multi: Vec<T> = Vec::new();
    for v in vars {
        if multi.iter().any(|t| t.mentions(v)) {
            continue;
        }
        if let Some(t) = cands.iter().find(|t| t.mentions(v)) {
            multi.push(t.clone());
        } else {
            return Vec::new();
        }
    }
    vec![multi]
}

fn collect_candidates(t: &T, vars: &[String], out: &mut Vec<T>) {
    match &**t {
        Term::App(f, args) => {
            for a in args {
                collect_candidates(a, vars, out);
            }
            if !interpreted(f) && vars.iter().any(|v| t.mentions(v)) && clean_pattern(t) {
                out.push(t.clone());
            }
        }
        Term::Quant { body, .. } => collect_candidates(body, vars, out),
        _ => {}
    }
}

fn clean_pattern(t: &T) -> bool {
    match &**t {
        Term::App(f, args) => !interpreted(f) && args.iter().all(clean_pattern),
        Term::Quant { .. } => false,
        _ => true,
    }
}

/// Replaces free constants by others (`map` from symbol to symbol), sharing unchanged
/// subterms. `memo` is keyed by node address, so a term that is a DAG is walked once per node.
pub fn rename(
    t: &T,
    map: &std::collections::HashMap<String, String>,
    memo: &mut std::collections::HashMap<*const Term, T>,
) -> T {
    let key = Arc::as_ptr(t);
    if let Some(r) = memo.get(&key) {
        return r.clone();
    }
    let r = match &**t {
        Term::Var(v) => match map.get(v) {
            Some(n) => var(n),
            None => t.clone(),
        },
        Term::App(f, args) => {
            let new: Vec<T> = args.iter().map(|a| rename(a, map, memo)).collect();
            if new.iter().zip(args).all(|(a, b)| Arc::ptr_eq(a, b)) {
                t.clone()
            } else {
                app(f, new)
            }
        }
        Term::Quant {
            forall,
            vars,
            triggers,
            body,
        } => {
            // Bound names never collide with constants (`x!1`), so no capture is possible.
            let body2 = rename(body, map, memo);
            let trig2: Vec<Vec<T>> = triggers
                .iter()
                .map(|g| g.iter().map(|x| rename(x, map, memo)).collect())
                .collect();
            Arc::new(Term::Quant {
                forall: *forall,
                vars: vars.clone(),
                triggers: trig2,
                body: body2,
            })
        }
        _ => t.clone(),
    };
    memo.insert(key, r.clone());
    r
}

/// The most products whose pairs get monotonicity lemmas (their number is quadratic).
const MAX_LEMMA_PRODUCTS: usize = 24;

/// Valid lemmas that let the solver reason about products of variables linearly: for two
/// products `x*d` and `y*d` with a common factor `d >= 0`, `x < y` implies
/// `x*d + d <= y*d`. This is what row-major indexing needs (`row * n + col` is in bounds
/// of `m * n` and injective when `col < n`), and what Z3's nonlinear arithmetic finds slowly.
/// Products under quantifiers are left alone (they may mention bound variables).
pub fn product_lemmas(terms: &[&T]) -> Vec<T> {
    fn collect(t: &T, seen: &mut std::collections::HashSet<*const Term>, out: &mut Vec<T>) {
        if !seen.insert(Arc::as_ptr(t)) {
            return;
        }
        if let Term::App(f, args) = &**t {
            if f == "*"
                && args.len() == 2
                && args.iter().all(|a| as_num(a).is_none())
                && !out.contains(t)
            {
                out.push(t.clone());
            }
            for a in args {
                collect(a, seen, out);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut products = Vec::new();
    for t in terms {
        collect(t, &mut seen, &mut products);
    }
    if products.len() > MAX_LEMMA_PRODUCTS {
        return Vec::new();
    }
    let factors = |p: &T| match &**p {
        Term::App(_, a) => (a[0].clone(), a[1].clone()),
        _ => unreachable!("only products are collected"),
    };
    let mut out = Vec::new();
    for i in 0..products.len() {
        for j in i + 1..products.len() {
            let (p, q) = (&products[i], &products[j]);
            let ((a1, b1), (a2, b2)) = (factors(p), factors(q));
            let shared = if b1 == b2 {
                Some((b1, a1, a2))
            } else if a1 == a2 {
                Some((a1, b1, b2))
            } else if a1 == b2 {
                Some((a1, b1, a2))
            } else if b1 == a2 {
                Some((b1, a1, b2))
            } else {
                None
            };
            let Some((d, x, y)) = shared else { continue };
            let d_nonneg = le(num(0), d.clone());
            for (x, y, px, py) in [(&x, &y, p, q), (&y, &x, q, p)] {
                out.push(implies(
                    and2(d_nonneg.clone(), lt(x.clone(), y.clone())),
                    le(add(px.clone(), d.clone()), py.clone()),
                ));
            }
        }
    }
    out
}
