//! Match exhaustiveness and reachability: Maranget's usefulness algorithm over constructors
//! (enum variants, `bool`, single-constructor tuples/structs/references; integers, chars and
//! strings have infinitely many, so they need a wildcard). Reports E0004 with a witness and
//! warns about unreachable arms.

use crate::hir::*;
use crate::ty::Ty;
use vez_syntax::Diagnostic;

#[derive(Clone, Debug, PartialEq)]
enum Ctor {
    Variant(u32),
    Bool(bool),
    /// Tuples, structs and references: one constructor.
    Single,
    Const(PatConst),
    Range(PatConst, PatConst, bool),
    Named(ConstId),
}

#[derive(Clone, Debug)]
enum DPat {
    Wild,
    Ctor(Ctor, Vec<DPat>),
}

struct Checker<'p> {
    program: &'p Program,
}

fn as_i128(c: &PatConst) -> Option<i128> {
    match c {
        PatConst::Int(v) => Some(*v),
        PatConst::Char(c) => Some(*c as i128),
        _ => None,
    }
}

/// Whether `c` is covered by pattern constructor `row` (equal, or inside its range).
fn covers(row: &Ctor, c: &Ctor) -> bool {
    match (row, c) {
        (Ctor::Range(lo, hi, incl), Ctor::Const(v)) => match (as_i128(lo), as_i128(hi), as_i128(v))
        {
            (Some(l), Some(h), Some(x)) => l <= x && (x < h || *incl && x == h),
            _ => false,
        },
        _ => row == c,
    }
}

impl<'p> Checker<'p> {
    fn lower(&self, p: &Pat) -> Vec<DPat> {
        match &p.kind {
            PatKind::Wild => vec![DPat::Wild],
            PatKind::Binding { sub: None, .. } => vec![DPat::Wild],
            PatKind::Binding { sub: Some(s), .. } => self.lower(s),
            PatKind::Const(PatConst::Bool(b)) => vec![DPat::Ctor(Ctor::Bool(*b), vec![])],
            PatKind::Const(c) => vec![DPat::Ctor(Ctor::Const(c.clone()), vec![])],
            PatKind::Range { lo, hi, inclusive } => vec![DPat::Ctor(
                Ctor::Range(lo.clone(), hi.clone(), *inclusive),
                vec![],
            )],
            PatKind::ConstItem(c) => vec![DPat::Ctor(Ctor::Named(*c), vec![])],
            PatKind::Tuple(ps) => self.product(Ctor::Single, ps),
            PatKind::Variant {
                adt,
                variant,
                fields,
            } => {
                let c = if self.program.adt(*adt).is_enum {
                    Ctor::Variant(*variant)
                } else {
                    Ctor::Single
                };
                self.product(c, fields)
            }
            PatKind::Deref(q) => self
                .lower(q)
                .into_iter()
                .map(|d| DPat::Ctor(Ctor::Single, vec![d]))
                .collect(),
            PatKind::Or(ps) => ps.iter().flat_map(|q| self.lower(q)).collect(),
        }
    }

    /// Expands or-patterns inside the fields into one row each.
    fn product(&self, c: Ctor, ps: &[Pat]) -> Vec<DPat> {
        let mut acc: Vec<Vec<DPat>> = vec![vec![]];
        for p in ps {
            let alts = self.lower(p);
            let mut next = Vec::new();
            for prefix in &acc {
                for a in &alts {
                    let mut v = prefix.clone();
                    v.push(a.clone());
                    next.push(v);
                }
            }
            acc = next;
            if acc.len() > 4096 {
                acc.truncate(4096);
            }
        }
        acc.into_iter()
            .map(|fields| DPat::Ctor(c.clone(), fields))
            .collect()
    }

    /// All constructors of a type, when finitely many.
    fn all_ctors(&self, t: &Ty) -> Option<Vec<Ctor>> {
        match t {
            Ty::Bool => Some(vec![Ctor::Bool(false), Ctor::Bool(true)]),
            Ty::Tuple(_) | Ty::Ref(..) => Some(vec![Ctor::Single]),
            Ty::Adt(id, _) => {
                let adt = self.program.adt(*id);
                if adt.builtin {
                    None
                } else if adt.is_enum {
                    Some((0..adt.variants.len() as u32).map(Ctor::Variant).collect())
                } else {
                    Some(vec![Ctor::Single])
                }
            }
            Ty::Never => Some(vec![]),
            _ => None,
        }
    }

    fn field_tys(&self, c: &Ctor, t: &Ty) -> Vec<Ty> {
        match (c, t) {
            (Ctor::Single, Ty::Tuple(ts)) => ts.clone(),
            (Ctor::Single, Ty::Ref(_, inner)) => vec![(**inner).clone()],
            (Ctor::Single, Ty::Adt(id, args)) => self.program.adt(*id).variants[0]
                .fields
                .iter()
                .map(|f| f.ty.subst(args))
                .collect(),
            (Ctor::Variant(v), Ty::Adt(id, args)) => self.program.adt(*id).variants[*v as usize]
                .fields
                .iter()
                .map(|f| f.ty.subst(args))
                .collect(),
            _ => vec![],
        }
    }

    fn specialize(&self, rows: &[Vec<DPat>], c: &Ctor, arity: usize) -> Vec<Vec<DPat>> {
        let mut out = Vec::new();
        for r in rows {
            match &r[0] {
                DPat::Wild => {
                    let mut v = vec![DPat::Wild; arity];
                    v.extend_from_slice(&r[1..]);
                    out.push(v);
                }
                DPat::Ctor(rc, fields) if covers(rc, c) => {
                    let mut v = if fields.len() == arity {
                        fields.clone()
                    } else {
                        vec![DPat::Wild; arity]
                    };
                    v.extend_from_slice(&r[1..]);
                    out.push(v);
                }
                DPat::Ctor(..) => {}
            }
        }
        out
    }

    /// Is `v` useful against `rows`? If so, a witness (one pattern text per column).
    fn useful(
        &self,
        rows: &[Vec<DPat>],
        v: &[DPat],
        tys: &[Ty],
        depth: u32,
    ) -> Option<Vec<String>> {
        if v.is_empty() {
            return if rows.is_empty() { Some(vec![]) } else { None };
        }
        if depth > 64 {
            return None;
        }
        let t = &tys[0];
        match &v[0] {
            DPat::Ctor(c, fields) => {
                let ftys = self.field_tys(c, t);
                let arity = fields.len();
                let m = self.specialize(rows, c, arity);
                let mut nv = fields.clone();
                nv.extend_from_slice(&v[1..]);
                let mut ntys = if ftys.len() == arity {
                    ftys
                } else {
                    vec![Ty::Error; arity]
                };
                ntys.extend_from_slice(&tys[1..]);
                let w = self.useful(&m, &nv, &ntys, depth + 1)?;
                Some(self.rebuild(c, t, w, arity))
            }
            DPat::Wild => {
                let used: Vec<&Ctor> = rows
                    .iter()
                    .filter_map(|r| match &r[0] {
                        DPat::Ctor(c, _) => Some(c),
                        DPat::Wild => None,
                    })
                    .collect();
                let all = self.all_ctors(t);
                if let Some(all) = &all {
                    if !all.is_empty() && all.iter().all(|c| used.iter().any(|u| covers(u, c))) {
                        for c in all {
                            let ftys = self.field_tys(c, t);
                            let arity = ftys.len();
                            let m = self.specialize(rows, c, arity);
                            let mut nv = vec![DPat::Wild; arity];
                            nv.extend_from_slice(&v[1..]);
                            let mut ntys = ftys;
                            ntys.extend_from_slice(&tys[1..]);
                            if let Some(w) = self.useful(&m, &nv, &ntys, depth + 1) {
                                return Some(self.rebuild(c, t, w, arity));
                            }
                        }
                        return None;
                    }
                }
                let d: Vec<Vec<DPat>> = rows
                    .iter()
                    .filter(|r| matches!(r[0], DPat::Wild))
                    .map(|r| r[1..].to_vec())
                    .collect();
                let mut w = self.useful(&d, &v[1..], &tys[1..], depth + 1)?;
                let head = match &all {
                    Some(all) => match all.iter().find(|c| !used.iter().any(|u| covers(u, c))) {
                        Some(c) => {
                            let n = self.field_tys(c, t).len();
                            self.rebuild(c, t, vec!["_".to_string(); n], n).remove(0)
                        }
                        None => "_".to_string(),
                    },
                    None => "_".to_string(),
                };
                w.insert(0, head);
                Some(w)
            }
        }
    }

    /// Puts a constructor back around the first `arity` witness columns.
    fn rebuild(&self, c: &Ctor, t: &Ty, mut w: Vec<String>, arity: usize) -> Vec<String> {
        let args: Vec<String> = w.drain(..arity.min(w.len())).collect();
        let text = match (c, t) {
            (Ctor::Bool(b), _) => b.to_string(),
            (Ctor::Single, Ty::Tuple(_)) => format!("({})", args.join(", ")),
            (Ctor::Single, Ty::Ref(..)) => format!("&{}", args.first().map_or("_", |s| s.as_str())),
            (Ctor::Single, Ty::Adt(id, _)) => self.variant_text(*id, 0, &args),
            (Ctor::Variant(v), Ty::Adt(id, _)) => self.variant_text(*id, *v, &args),
            _ => "_".to_string(),
        };
        w.insert(0, text);
        w
    }

    fn variant_text(&self, id: crate::ty::AdtId, v: u32, args: &[String]) -> String {
        let adt = self.program.adt(id);
        let var = &adt.variants[v as usize];
        let in_prelude =
            Some(id) == self.program.lang.option || Some(id) == self.program.lang.result;
        let name = if !adt.is_enum || in_prelude {
            var.name.clone()
        } else {
            format!("{}::{}", adt.name, var.name)
        };
        match var.kind {
            CtorKind::Unit => name,
            CtorKind::Tuple => format!("{name}({})", args.join(", ")),
            CtorKind::Named => {
                if args.iter().all(|a| a == "_") {
                    format!("{name} {{ .. }}")
                } else {
                    let fs: Vec<String> = var
                        .fields
                        .iter()
                        .zip(args)
                        .map(|(f, a)| format!("{}: {a}", f.name))
                        .collect();
                    format!("{name} {{ {} }}", fs.join(", "))
                }
            }
        }
    }

    fn check_match(
        &self,
        scrut_ty: &Ty,
        arms: &[Arm],
        span: vez_syntax::Span,
        diags: &mut Vec<Diagnostic>,
    ) {
        let mut rows: Vec<Vec<DPat>> = Vec::new();
        let tys = vec![scrut_ty.clone()];
        for arm in arms {
            let alts = self.lower(&arm.pat);
            let reachable = alts.iter().any(|a| {
                self.useful(&rows, std::slice::from_ref(a), &tys, 0)
                    .is_some()
            });
            if !reachable && !scrut_ty.references_error() {
                diags.push(
                    Diagnostic::warning(
                        "unreachable_patterns",
                        "unreachable pattern",
                        arm.pat.span,
                    )
                    .with_label("no value can reach this arm"),
                );
            }
            if arm.guard.is_none() {
                rows.extend(alts.into_iter().map(|a| vec![a]));
            }
        }
        if let Some(w) = self.useful(&rows, &[DPat::Wild], &tys, 0) {
            let pat = w.first().cloned().unwrap_or_else(|| "_".into());
            diags.push(Diagnostic::error("E0004", format!("non-exhaustive patterns: `{pat}` not covered"), span)
                .with_label(format!("pattern `{pat}` not covered"))
                .with_help("ensure that all possible cases are being handled by adding a match arm with a wildcard pattern or an explicit pattern"));
        }
    }
}

/// Checks every `match` in a function's body and contract.
pub fn check_fn(
    program: &Program,
    body: Option<&Expr>,
    contract: &Contract,
    diags: &mut Vec<Diagnostic>,
) {
    let c = Checker { program };
    let mut visit = |e: &Expr| {
        if let ExprKind::Match(s, arms) = &e.kind {
            c.check_match(&s.ty, arms, s.span, diags);
        }
    };
    if let Some(b) = body {
        b.walk(&mut visit);
    }
    for e in contract.requires.iter().chain(&contract.ensures) {
        e.walk(&mut visit);
    }
}
