//! Borrow checking: polonius-engine facts computed from MIR, solved with datafrog, reported as
//! rustc's errors (E0382, E0499, E0502, E0503, E0505, E0506, E0515, E0597, E0716, E0384,
//! E0381, E0507, E0596, E0594).
//!
//! Every reference layer in every local's type gets an origin ([`OTy`]). Assignments relate
//! the origins of the value to those of the destination (`subset_base`), borrows issue loans,
//! and accesses that conflict with a loan invalidate it; polonius reports the invalidations of
//! loans that are still live. Origins in the signature are universal (live everywhere), so a
//! loan of a local that flows into the returned reference is reported when the local dies.
//! Moves and initialisation use polonius' path facts.

mod facts;
mod mutability;

use vez_mir::{Body, Place, Proj};
use vez_syntax::Diagnostic;
use vez_typeck::hir::Program;

/// Borrow-checks one function body.
pub fn check_body(program: &Program, body: &Body) -> Vec<Diagnostic> {
    let mut diags = mutability::check(program, body);
    diags.extend(facts::check(program, body));
    diags
}

/// Borrow-checks every user function of a program (prelude functions are trusted library code
/// checked with the library).
pub fn check_program(program: &Program) -> Vec<Diagnostic> {
    let ids: Vec<_> = (0..program.fns.len() as u32)
        .map(vez_typeck::hir::FnId)
        .filter(|f| !program.func(*f).attrs.from_prelude)
        .collect();
    let mut out = Vec::new();
    for f in ids {
        if let Some(body) = vez_mir::build::lower_fn(program, f) {
            out.extend(
                check_body(program, &body)
                    .into_iter()
                    .map(|d| d.with_item(program.func(f).name.clone())),
            );
        }
    }
    out
}

/// A place as users wrote it (`v`, `p.0`, `*r`, `a[..]`); `None` for compiler temporaries.
pub(crate) fn place_name(body: &Body, p: &Place) -> Option<String> {
    let mut s = body.locals[p.local.0 as usize].name.clone()?;
    for pr in &p.proj {
        s = match pr {
            Proj::Deref => format!("*{s}"),
            Proj::Field(i) => format!("{s}.{i}"),
            Proj::Index(_) => format!("{s}[..]"),
            Proj::Downcast(_) => s,
        };
    }
    Some(s)
}
