//! Mutability errors, which need no loans: assigning twice to an immutable variable (E0384,
//! with a maybe-initialised dataflow), borrowing as mutable (E0596) or assigning through
//! (E0594) something not declared mutable or behind a `&` reference.

use vez_mir::*;
use vez_syntax::{Diagnostic, Span};
use vez_typeck::hir::Program;
use vez_typeck::ty::Ty;

/// Why a place cannot be mutated, if it cannot.
fn immutability(body: &Body, p: &Place) -> Option<String> {
    // The innermost dereference decides: through `&mut` or a `Box`, fine; through `&`, not.
    if let Some(i) = p.proj.iter().rposition(|x| *x == Proj::Deref) {
        let base = Place {
            local: p.local,
            proj: p.proj[..i].to_vec(),
        };
        let ty = place_ty(body, &base);
        return match ty {
            Some(Ty::Ref(false, _)) => Some(format!(
                "it is behind a `&` reference{}",
                crate::place_name(body, &base)
                    .map(|n| format!(" (`{n}`)"))
                    .unwrap_or_default()
            )),
            _ => None,
        };
    }
    let d = &body.locals[p.local.0 as usize];
    match &d.name {
        Some(n) if !d.mutable => Some(format!("`{n}` is not declared as mutable")),
        _ => None,
    }
}

/// The type of a place whose projections are only fields of tuples, derefs and indexes
/// (enough for the deref base of a mutability check); `None` when it cannot tell.
fn place_ty(body: &Body, p: &Place) -> Option<Ty> {
    let mut t = body.local_ty(p.local).clone();
    for pr in &p.proj {
        t = match (pr, &t) {
            (Proj::Deref, Ty::Ref(_, x)) => (**x).clone(),
            (Proj::Field(i), Ty::Tuple(ts)) => ts.get(*i as usize)?.clone(),
            (Proj::Index(_), Ty::Array(x, _) | Ty::Slice(x)) => (**x).clone(),
            _ => return None,
        };
    }
    Some(t)
}

pub fn check(_program: &Program, body: &Body) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let n = body.locals.len();
    // Maybe-initialised locals at each block entry (parameters are initialised).
    let mut entry: Vec<Option<Vec<bool>>> = vec![None; body.blocks.len()];
    let mut init = vec![false; n];
    init.iter_mut()
        .skip(1)
        .take(body.arg_count)
        .for_each(|x| *x = true);
    entry[0] = Some(init);
    let mut work = vec![0usize];
    let mut reported = std::collections::HashSet::new();
    let mut rounds = 0;
    while let Some(b) = work.pop() {
        rounds += 1;
        if rounds > 100_000 {
            break;
        }
        let mut state = entry[b].clone().expect("queued blocks have a state");
        let data = &body.blocks[b];
        for s in &data.stmts {
            match &s.kind {
                StatementKind::Assign(p, rv) => {
                    if let Rvalue::Ref(true, q) = rv {
                        if let Some(why) = immutability(body, q) {
                            if reported.insert((s.span.lo, 596)) {
                                let what =
                                    crate::place_name(body, q).unwrap_or_else(|| "value".into());
                                diags.push(
                                    Diagnostic::error(
                                        "E0596",
                                        format!("cannot borrow `{what}` as mutable, as {why}"),
                                        s.span,
                                    )
                                    .with_label("cannot borrow as mutable"),
                                );
                            }
                        }
                    }
                    assign(body, p, s.span, &mut state, &mut diags, &mut reported);
                }
                StatementKind::StorageDead(l) => state[l.0 as usize] = false,
                StatementKind::StorageLive(_) => {}
            }
        }
        if let TerminatorKind::Call { dest, .. } = &data.term.kind {
            assign(
                body,
                dest,
                data.term.span,
                &mut state,
                &mut diags,
                &mut reported,
            );
        }
        for s in data.term.successors() {
            let s = s.0 as usize;
            let merged = match &entry[s] {
                None => Some(state.clone()),
                Some(old) => {
                    let m: Vec<bool> = old.iter().zip(&state).map(|(a, b)| *a || *b).collect();
                    if m == *old {
                        None
                    } else {
                        Some(m)
                    }
                }
            };
            if let Some(m) = merged {
                entry[s] = Some(m);
                work.push(s);
            }
        }
    }
    diags
}

fn assign(
    body: &Body,
    p: &Place,
    span: Span,
    state: &mut [bool],
    diags: &mut Vec<Diagnostic>,
    reported: &mut std::collections::HashSet<(u32, u32)>,
) {
    let d = &body.locals[p.local.0 as usize];
    if p.proj.is_empty() {
        if let Some(n) = &d.name {
            if !d.mutable && state[p.local.0 as usize] && reported.insert((span.lo, 384)) {
                let is_arg = (p.local.0 as usize) >= 1 && (p.local.0 as usize) <= body.arg_count;
                let msg = if is_arg {
                    format!("cannot assign to immutable argument `{n}`")
                } else {
                    format!("cannot assign twice to immutable variable `{n}`")
                };
                diags.push(
                    Diagnostic::error("E0384", msg, span)
                        .with_label(if is_arg {
                            "cannot assign to immutable argument"
                        } else {
                            "cannot assign twice to immutable variable"
                        })
                        .with_secondary(
                            d.span,
                            format!("help: consider making this binding mutable: `mut {n}`"),
                        ),
                );
            }
        }
        state[p.local.0 as usize] = true;
    } else if let Some(why) = immutability(body, p) {
        if reported.insert((span.lo, 594)) {
            let what = crate::place_name(body, p).unwrap_or_else(|| "value".into());
            diags.push(
                Diagnostic::error(
                    "E0594",
                    format!("cannot assign to `{what}`, as {why}"),
                    span,
                )
                .with_label("cannot assign"),
            );
        }
    }
}
