//! Monomorphisation: the set of function instances (a function with concrete generic
//! arguments) reachable from the roots, with trait method calls resolved to their impls.

use crate::hir::*;
use crate::ty::Ty;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub func: FnId,
    pub args: Vec<Ty>,
}

/// Matches a concrete type against an impl's self type, binding its parameters.
fn match_ty(pat: &Ty, t: &Ty, binds: &mut HashMap<u32, Ty>) -> bool {
    match (pat, t) {
        (Ty::Param(i, _), _) => match binds.get(i) {
            Some(b) => b == t,
            None => {
                binds.insert(*i, t.clone());
                true
            }
        },
        (Ty::Tuple(a), Ty::Tuple(b)) | (Ty::Adt(_, a), Ty::Adt(_, b)) if a.len() == b.len() => {
            (!matches!((pat, t), (Ty::Adt(x, _), Ty::Adt(y, _)) if x != y))
                && a.iter().zip(b).all(|(p, q)| match_ty(p, q, binds))
        }
        (Ty::Array(a, n), Ty::Array(b, m)) => match_ty(a, b, binds) && match_ty(n, m, binds),
        (Ty::Slice(a), Ty::Slice(b)) => match_ty(a, b, binds),
        (Ty::Ref(m1, a), Ty::Ref(m2, b)) => m1 == m2 && match_ty(a, b, binds),
        _ => pat == t,
    }
}

/// The arguments of an impl's `n` generic parameters that make its self type `t`.
pub fn impl_args(impl_self: &Ty, t: &Ty, n: usize) -> Option<Vec<Ty>> {
    let mut binds = HashMap::new();
    if !match_ty(impl_self, t, &mut binds) {
        return None;
    }
    (0..n as u32).map(|i| binds.get(&i).cloned()).collect()
}

/// Whether an impl for `impl_self` applies to the concrete type `t`.
pub fn matches_impl(impl_self: &Ty, t: &Ty) -> bool {
    match_ty(impl_self, t, &mut HashMap::new())
}

/// Instances reachable from `roots` (non-generic functions). Fails when instantiation does not
/// terminate (polymorphic recursion), as rustc's recursion limit does.
pub fn collect(program: &Program, roots: &[FnId]) -> Result<Vec<Instance>, String> {
    let mut seen: HashSet<Instance> = HashSet::new();
    let mut order = Vec::new();
    let mut work: Vec<Instance> = roots
        .iter()
        .map(|f| Instance {
            func: *f,
            args: vec![],
        })
        .collect();
    while let Some(inst) = work.pop() {
        if seen.contains(&inst) {
            continue;
        }
        if inst.args.iter().map(size).sum::<usize>() > TYPE_LENGTH_LIMIT || seen.len() > 100_000 {
            return Err(format!(
                "reached the recursion limit while instantiating `{}`",
                program.func(inst.func).name
            ));
        }
        seen.insert(inst.clone());
        order.push(inst.clone());
        let f = program.func(inst.func);
        let Some(body) = &f.body else { continue };
        body.walk(&mut |e| {
            let (func, generics) = match &e.kind {
                ExprKind::Call { func, generics, .. } => (*func, generics.clone()),
                ExprKind::Launch { kernel, .. } => (*kernel, vec![]),
                _ => return,
            };
            // Ghost functions are erased: code never calls them.
            if program.func(func).attrs.ghost {
                return;
            }
            let args: Vec<Ty> = generics.iter().map(|t| t.subst(&inst.args)).collect();
            work.push(resolve_trait_call(program, func, args));
        });
    }
    Ok(order)
}

/// A call of a trait's method declaration becomes a call of the implementing method; a
/// default method that the impl does not override stays the trait's (with `Self` bound).
pub fn resolve_trait_call(program: &Program, func: FnId, args: Vec<Ty>) -> Instance {
    let f = program.func(func);
    let declared_by_trait = |tr: TraitId| {
        program.traits[tr.0 as usize]
            .methods
            .iter()
            .any(|(_, m)| *m == func)
    };
    if let Some(tr) = f.trait_id.filter(|tr| declared_by_trait(*tr)) {
        if let Some(self_ty) = args.first() {
            for imp in &program.trait_impls {
                let mut binds = HashMap::new();
                if imp.trait_id == tr && match_ty(&imp.self_ty, self_ty, &mut binds) {
                    if let Some((_, m)) = imp
                        .methods
                        .iter()
                        .find(|(n, _)| program.func(func).name.ends_with(&format!("::{n}")))
                    {
                        let mut new_args: Vec<Ty> = (0..imp.n_generics as u32)
                            .map(|i| binds.get(&i).cloned().unwrap_or(Ty::Error))
                            .collect();
                        new_args.extend(args.into_iter().skip(1));
                        return Instance {
                            func: *m,
                            args: new_args,
                        };
                    }
                }
            }
        }
    }
    Instance { func, args }
}

/// The most type nodes an instance's arguments may have (rustc's "type length limit"): it
/// stops polymorphic recursion before its types grow exponentially.
const TYPE_LENGTH_LIMIT: usize = 512;

fn size(t: &Ty) -> usize {
    let mut n = 0;
    t.walk(&mut |_| n += 1);
    n
}
