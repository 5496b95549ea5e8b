//! Which functions reach which through their calls: what keeps the axioms of pure functions
//! and the erased calls of lemmas from proving themselves.

use std::collections::HashSet;
use vez_typeck::hir::{Expr, ExprKind, FnDef, FnId, Program};

/// Where calls are looked for: bodies only, or bodies and contracts (`requires`, `ensures`,
/// `decreases`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Through {
    Bodies,
    BodiesAndContracts,
}

/// Whether `from` is `to` or reaches it through calls of functions that `follow` admits.
pub fn reaches(
    p: &Program,
    from: FnId,
    to: FnId,
    through: Through,
    follow: &dyn Fn(&FnDef) -> bool,
) -> bool {
    let mut seen = HashSet::new();
    let mut todo = vec![from];
    while let Some(f) = todo.pop() {
        if f == to {
            return true;
        }
        if !seen.insert(f) {
            continue;
        }
        let def = p.func(f);
        let mut visit = |e: &Expr| {
            if let ExprKind::Call { func, .. } = &e.kind {
                if follow(p.func(*func)) {
                    todo.push(*func);
                }
            }
        };
        if let Some(body) = &def.body {
            body.walk(&mut visit);
        }
        if through == Through::BodiesAndContracts {
            let c = &def.contract;
            for e in c.requires.iter().chain(&c.ensures).chain(&c.decreases) {
                e.walk(&mut visit);
            }
        }
    }
    false
}

/// Whether the axiom that defines pure function `f` by its body might contradict itself
/// (`f(x) == f(x) + 1`): `f` calls itself without a `#[decreases]`, or is in a cycle with
/// other pure functions, whose termination is not checked.
pub fn unchecked_recursion(p: &Program, f: FnId) -> bool {
    let def = p.func(f);
    let Some(body) = &def.body else {
        return false;
    };
    let mut callees = Vec::new();
    body.walk(&mut |e: &Expr| {
        if let ExprKind::Call { func, .. } = &e.kind {
            if p.func(*func).attrs.pure {
                callees.push(*func);
            }
        }
    });
    callees.iter().any(|&g| {
        if g == f {
            def.contract.decreases.is_empty()
        } else {
            reaches(p, g, f, Through::Bodies, &|d| d.attrs.pure)
        }
    })
}
