//! Patterns: resolution (a lone name is a binding unless it names a unit variant, unit struct
//! or constant), types, Rust's default binding modes (matching a non-reference pattern
//! through a reference binds by reference), and or-patterns binding the same names.

use crate::check::{FnCx, ValueRes};
use crate::hir::*;
use crate::resolve::{Binding, Def, Ns};
use crate::ty::{AdtId, Ty};
use vez_syntax::ast;
use vez_syntax::Diagnostic;

/// Names bound so far in one top-level pattern; or-alternatives after the first reuse them.
struct Binds {
    bound: Vec<(String, LocalId)>,
    /// In an or-alternative after the first: the first alternative's bindings.
    reuse: Option<Vec<(String, LocalId)>>,
}

impl FnCx<'_, '_> {
    /// Checks a pattern against the type it matches and declares its bindings in the current
    /// scope. `irrefutable` is for `let`, parameters and `for`.
    pub fn check_pattern(&mut self, p: &ast::Pat, expected: &Ty, irrefutable: bool) -> Pat {
        let mut b = Binds {
            bound: vec![],
            reuse: None,
        };
        let pat = self.pat(p, expected, BindingMode::ByValue, &mut b);
        if irrefutable && refutable(&pat, self) {
            self.err(
                Diagnostic::error("E0005", "refutable pattern in local binding", p.span)
                    .with_label("patterns that do not match every value are not allowed here")
                    .with_help("use `if let` or `match` instead"),
            );
        }
        pat
    }

    /// A lone name that denotes a unit variant, unit struct or constant (so a path pattern).
    fn ident_as_path(&mut self, name: &ast::Ident) -> Option<Def> {
        let b = self
            .cx
            .resolve_path(self.module, std::slice::from_ref(name), Ns::Value)
            .ok()?;
        match b.def {
            Def::Variant(adt, v)
                if self.cx.program.adts[adt.0 as usize].variants[v as usize].kind
                    == CtorKind::Unit =>
            {
                Some(b.def)
            }
            Def::Const(_) => Some(b.def),
            _ => None,
        }
    }

    fn pat(&mut self, p: &ast::Pat, expected: &Ty, mode: BindingMode, b: &mut Binds) -> Pat {
        let span = p.span;
        let unit_def = match &p.kind {
            ast::PatKind::Ident {
                name,
                mutable: false,
                by_ref: false,
                sub: None,
            } => self.ident_as_path(name),
            _ => None,
        };
        // A string literal's type is itself a reference: as in rustc, it matches a `&str`
        // without peeling it (and a `&&str` is a type error: match `*t`).
        let str_lit = matches!(&p.kind, ast::PatKind::Lit(e)
            if matches!(e.kind, ast::ExprKind::Lit(ast::Lit::Str(_) | ast::Lit::ByteStr(_))));
        let transparent = unit_def.is_some()
            || matches!(
                p.kind,
                ast::PatKind::TupleStruct(..)
                    | ast::PatKind::Struct { .. }
                    | ast::PatKind::Tuple(_)
                    | ast::PatKind::Path(_)
                    | ast::PatKind::Lit(_)
                    | ast::PatKind::Range { .. }
            ) && !str_lit;
        if transparent {
            if let Ty::Ref(m, inner) = self.resolve(expected) {
                let inner_mode = match mode {
                    BindingMode::ByValue => BindingMode::ByRef { mutable: m },
                    BindingMode::ByRef { mutable } => BindingMode::ByRef {
                        mutable: mutable && m,
                    },
                };
                let inner_pat = self.pat(p, &inner, inner_mode, b);
                return Pat {
                    kind: PatKind::Deref(Box::new(inner_pat)),
                    ty: Ty::Ref(m, inner),
                    span,
                };
            }
        }
        let kind = match &p.kind {
            ast::PatKind::Wild => PatKind::Wild,
            ast::PatKind::Rest => {
                self.err(Diagnostic::error(
                    "Z0007",
                    "`..` patterns are allowed only inside tuple and tuple-struct patterns",
                    span,
                ));
                PatKind::Wild
            }
            ast::PatKind::Ident {
                name,
                mutable,
                by_ref,
                sub,
            } => {
                if let Some(def) = unit_def {
                    return self.path_def_pat(def, expected, mode, b, p);
                }
                // `ref x` / `ref mut x` bind a reference explicitly; otherwise the default
                // binding mode decides.
                let (ty, bmode) = match (by_ref, mode) {
                    (true, _) => (
                        Ty::Ref(*mutable, Box::new(expected.clone())),
                        BindingMode::ByRef { mutable: *mutable },
                    ),
                    (false, BindingMode::ByValue) => (expected.clone(), mode),
                    (false, BindingMode::ByRef { mutable }) => {
                        (Ty::Ref(mutable, Box::new(expected.clone())), mode)
                    }
                };
                let local = self.bind_name(name, ty, *mutable && !*by_ref, b);
                let sub = sub
                    .as_ref()
                    .map(|s| Box::new(self.pat(s, expected, mode, b)));
                PatKind::Binding {
                    local,
                    mode: bmode,
                    sub,
                }
            }
            ast::PatKind::Path(path) => match self.resolve_pattern_path(path) {
                Some(ValueRes::Ctor(adt, v, args)) => {
                    return self.ctor_pat(adt, v, args, &[], expected, mode, b, p)
                }
                Some(ValueRes::Const(c)) => {
                    let ct = self.cx.program.consts[c.0 as usize].ty.clone();
                    self.unify_pat(expected, &ct, p);
                    PatKind::ConstItem(c)
                }
                _ => {
                    self.err(Diagnostic::error("E0531", format!("cannot find unit struct, unit variant or constant `{}` in this scope", path.text()), path.span)
                            .with_label("not found in this scope"));
                    PatKind::Wild
                }
            },
            ast::PatKind::TupleStruct(path, pats) => match self.resolve_pattern_path(path) {
                Some(ValueRes::Ctor(adt, v, args)) => {
                    return self.ctor_pat(adt, v, args, pats, expected, mode, b, p)
                }
                _ => {
                    self.err(
                        Diagnostic::error(
                            "E0531",
                            format!(
                                "cannot find tuple struct or tuple variant `{}` in this scope",
                                path.text()
                            ),
                            path.span,
                        )
                        .with_label("not found in this scope"),
                    );
                    PatKind::Wild
                }
            },
            ast::PatKind::Struct { path, fields, rest } => {
                return self.struct_pat(path, fields, *rest, expected, mode, b, p)
            }
            ast::PatKind::Tuple(pats) => {
                let has_rest = pats.iter().any(|q| matches!(q.kind, ast::PatKind::Rest));
                let t = self.resolve(expected);
                let elems = match &t {
                    Ty::Tuple(ts) => ts.clone(),
                    _ if !has_rest => {
                        let ts: Vec<Ty> = pats.iter().map(|q| self.fresh(q.span)).collect();
                        self.unify_pat(expected, &Ty::Tuple(ts.clone()), p);
                        ts
                    }
                    _ => {
                        let n = self.tyname(&t);
                        self.err(
                            Diagnostic::error("E0308", "mismatched types", span)
                                .with_label(format!("expected `{n}`, found tuple")),
                        );
                        return Pat {
                            kind: PatKind::Wild,
                            ty: Ty::Error,
                            span,
                        };
                    }
                };
                match self.positional(pats, &elems, mode, b, p, "tuple") {
                    Some(ps) => PatKind::Tuple(ps),
                    None => PatKind::Wild,
                }
            }
            ast::PatKind::Slice(_) => {
                self.err(Diagnostic::error(
                    "Z0007",
                    "slice patterns are not supported",
                    span,
                ));
                PatKind::Wild
            }
            ast::PatKind::Lit(e) => {
                let (c, t) = self.pat_const(e);
                self.unify_pat(expected, &t, p);
                PatKind::Const(c)
            }
            ast::PatKind::Range { lo, hi, inclusive } => {
                let (l, t1) = self.pat_const(lo);
                let (h, t2) = self.pat_const(hi);
                self.unify_pat(&t1, &t2, p);
                self.unify_pat(expected, &t1, p);
                PatKind::Range {
                    lo: l,
                    hi: h,
                    inclusive: *inclusive,
                }
            }
            ast::PatKind::Ref { pat, .. } => match self.resolve(expected) {
                Ty::Ref(_, inner) => {
                    PatKind::Deref(Box::new(self.pat(pat, &inner, BindingMode::ByValue, b)))
                }
                t => {
                    let n = self.tyname(&t);
                    self.err(
                        Diagnostic::error("E0308", "mismatched types", span)
                            .with_label(format!("expected `{n}`, found `&_`")),
                    );
                    PatKind::Wild
                }
            },
            ast::PatKind::Or(alts) => {
                let before = b.bound.len();
                let first = self.pat(&alts[0], expected, mode, b);
                let first_names: Vec<(String, LocalId)> = b.bound[before..].to_vec();
                let mut out = vec![first];
                for alt in &alts[1..] {
                    let mut ab = Binds {
                        bound: vec![],
                        reuse: Some(first_names.clone()),
                    };
                    out.push(self.pat(alt, expected, mode, &mut ab));
                    for (n, _) in &first_names {
                        if !ab.bound.iter().any(|(m, _)| m == n) {
                            self.err(
                                Diagnostic::error(
                                    "E0408",
                                    format!("variable `{n}` is not bound in all patterns"),
                                    alt.span,
                                )
                                .with_label(format!("pattern doesn't bind `{n}`")),
                            );
                        }
                    }
                    for (n, _) in &ab.bound {
                        if !first_names.iter().any(|(m, _)| m == n) {
                            self.err(
                                Diagnostic::error(
                                    "E0408",
                                    format!("variable `{n}` is not bound in all patterns"),
                                    alts[0].span,
                                )
                                .with_label(format!("pattern doesn't bind `{n}`")),
                            );
                        }
                    }
                }
                PatKind::Or(out)
            }
        };
        Pat {
            kind,
            ty: expected.clone(),
            span,
        }
    }

    fn bind_name(&mut self, name: &ast::Ident, ty: Ty, mutable: bool, b: &mut Binds) -> LocalId {
        if let Some(reuse) = &b.reuse {
            if let Some((_, l)) = reuse.iter().find(|(n, _)| *n == name.name) {
                let l = *l;
                let lt = self.locals[l.0 as usize].ty.clone();
                if !self.unify(&lt, &ty) {
                    let (x, y) = (self.tyname(&lt), self.tyname(&ty));
                    self.err(Diagnostic::error("E0308", "mismatched types", name.span).with_label(format!("expected `{x}`, found `{y}`"))
                        .with_note("in the same arm, a binding must have the same type in all alternatives"));
                }
                b.bound.push((name.name.clone(), l));
                return l;
            }
        }
        if b.bound.iter().any(|(n, _)| *n == name.name) {
            self.err(
                Diagnostic::error(
                    "E0416",
                    format!(
                        "identifier `{}` is bound more than once in the same pattern",
                        name.name
                    ),
                    name.span,
                )
                .with_label("used in a pattern more than once"),
            );
        }
        let l = self.new_local(&name.name, ty, mutable, name.span, LocalKind::Let);
        b.bound.push((name.name.clone(), l));
        l
    }

    fn unify_pat(&mut self, expected: &Ty, found: &Ty, p: &ast::Pat) {
        if !self.unify(expected, found) {
            let (x, y) = (self.tyname(expected), self.tyname(found));
            self.err(
                Diagnostic::error("E0308", "mismatched types", p.span)
                    .with_label(format!("expected `{x}`, found `{y}`"))
                    .with_note("this pattern's type must match the type of the value it matches"),
            );
        }
    }

    fn resolve_pattern_path(&mut self, path: &ast::Path) -> Option<ValueRes> {
        let idents: Vec<ast::Ident> = path.segments.iter().map(|s| s.ident.clone()).collect();
        if let Ok(Binding { def, .. }) = self.cx.resolve_path(self.module, &idents, Ns::Value) {
            return match def {
                Def::Variant(adt, v) => {
                    let n = self.cx.program.adts[adt.0 as usize].generics.len();
                    let args = (0..n).map(|_| self.fresh(path.span)).collect();
                    Some(ValueRes::Ctor(adt, v, args))
                }
                Def::Const(c) => Some(ValueRes::Const(c)),
                _ => None,
            };
        }
        // `Self::V`, `Enum::<T>::V`, `Type::CONST`: resolve like an expression path.
        let d = self.diags.len();
        let r = self.resolve_value_quiet(path);
        self.diags.truncate(d);
        r
    }

    #[allow(clippy::too_many_arguments)]
    fn ctor_pat(
        &mut self,
        adt: AdtId,
        v: u32,
        args: Vec<Ty>,
        pats: &[ast::Pat],
        expected: &Ty,
        mode: BindingMode,
        b: &mut Binds,
        p: &ast::Pat,
    ) -> Pat {
        let adt_ty = Ty::Adt(adt, args.clone());
        self.unify_pat(expected, &adt_ty, p);
        let var = self.cx.program.adts[adt.0 as usize].variants[v as usize].clone();
        let fields: Vec<Ty> = var.fields.iter().map(|f| f.ty.subst(&args)).collect();
        let is_tuple_pat = matches!(p.kind, ast::PatKind::TupleStruct(..));
        if is_tuple_pat && var.kind != CtorKind::Tuple {
            self.err(Diagnostic::error(
                "E0532",
                format!(
                    "expected tuple struct or tuple variant, found {} `{}`",
                    if var.kind == CtorKind::Unit {
                        "unit variant"
                    } else {
                        "struct variant"
                    },
                    var.name
                ),
                p.span,
            ));
            return Pat {
                kind: PatKind::Wild,
                ty: adt_ty,
                span: p.span,
            };
        }
        if !is_tuple_pat && var.kind != CtorKind::Unit {
            self.err(
                Diagnostic::error(
                    "E0533",
                    format!(
                        "expected unit struct, unit variant or constant, found {} `{}`",
                        if var.kind == CtorKind::Tuple {
                            "tuple variant"
                        } else {
                            "struct variant"
                        },
                        var.name
                    ),
                    p.span,
                )
                .with_help(if var.kind == CtorKind::Tuple {
                    format!("use `{}(..)`", var.name)
                } else {
                    format!("use `{} {{ .. }}`", var.name)
                }),
            );
            return Pat {
                kind: PatKind::Wild,
                ty: adt_ty,
                span: p.span,
            };
        }
        let sub = match self.positional(pats, &fields, mode, b, p, &var.name) {
            Some(s) => s,
            None => fields
                .iter()
                .map(|t| Pat {
                    kind: PatKind::Wild,
                    ty: t.clone(),
                    span: p.span,
                })
                .collect(),
        };
        Pat {
            kind: PatKind::Variant {
                adt,
                variant: v,
                fields: sub,
            },
            ty: adt_ty,
            span: p.span,
        }
    }

    fn path_def_pat(
        &mut self,
        def: Def,
        expected: &Ty,
        mode: BindingMode,
        b: &mut Binds,
        p: &ast::Pat,
    ) -> Pat {
        match def {
            Def::Variant(adt, v) => {
                let n = self.cx.program.adts[adt.0 as usize].generics.len();
                let args = (0..n).map(|_| self.fresh(p.span)).collect();
                self.ctor_pat(adt, v, args, &[], expected, mode, b, p)
            }
            Def::Const(c) => {
                let ct = self.cx.program.consts[c.0 as usize].ty.clone();
                self.unify_pat(expected, &ct, p);
                Pat {
                    kind: PatKind::ConstItem(c),
                    ty: expected.clone(),
                    span: p.span,
                }
            }
            _ => Pat {
                kind: PatKind::Wild,
                ty: expected.clone(),
                span: p.span,
            },
        }
    }

    /// Sub-patterns by position, with at most one `..` standing for the fields it skips.
    fn positional(
        &mut self,
        pats: &[ast::Pat],
        tys: &[Ty],
        mode: BindingMode,
        b: &mut Binds,
        p: &ast::Pat,
        what: &str,
    ) -> Option<Vec<Pat>> {
        let rest = pats
            .iter()
            .position(|q| matches!(q.kind, ast::PatKind::Rest));
        let explicit = pats.len() - rest.map_or(0, |_| 1);
        if rest.is_none() && explicit != tys.len() || rest.is_some() && explicit > tys.len() {
            let s = |n: usize| if n == 1 { "" } else { "s" };
            let code = if what == "tuple" { "E0308" } else { "E0023" };
            self.err(Diagnostic::error(code, format!("this pattern has {explicit} field{}, but the corresponding {} has {} field{}", s(explicit), if what == "tuple" { "tuple".to_string() } else { format!("`{what}`") }, tys.len(), s(tys.len())), p.span)
                .with_label(format!("expected {} field{}, found {explicit}", tys.len(), s(tys.len()))));
            for q in pats {
                if !matches!(q.kind, ast::PatKind::Rest) {
                    let t = self.fresh(q.span);
                    self.pat(q, &t, mode, b);
                }
            }
            return None;
        }
        let mut out = Vec::with_capacity(tys.len());
        let mut ti = 0;
        for q in pats {
            if matches!(q.kind, ast::PatKind::Rest) {
                let skip = tys.len() - explicit;
                for _ in 0..skip {
                    out.push(Pat {
                        kind: PatKind::Wild,
                        ty: tys[ti].clone(),
                        span: q.span,
                    });
                    ti += 1;
                }
                continue;
            }
            out.push(self.pat(q, &tys[ti], mode, b));
            ti += 1;
        }
        Some(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn struct_pat(
        &mut self,
        path: &ast::Path,
        fields: &[ast::FieldPat],
        rest: bool,
        expected: &Ty,
        mode: BindingMode,
        b: &mut Binds,
        p: &ast::Pat,
    ) -> Pat {
        let idents: Vec<ast::Ident> = path.segments.iter().map(|s| s.ident.clone()).collect();
        let target = match self.cx.resolve_path(self.module, &idents, Ns::Type) {
            Ok(Binding {
                def: Def::Adt(id), ..
            }) if !self.cx.program.adts[id.0 as usize].is_enum => {
                let n = self.cx.program.adts[id.0 as usize].generics.len();
                Some((
                    id,
                    0,
                    (0..n).map(|_| self.fresh(p.span)).collect::<Vec<_>>(),
                ))
            }
            _ => match self.resolve_pattern_path(path) {
                Some(ValueRes::Ctor(adt, v, args)) => Some((adt, v, args)),
                _ => None,
            },
        };
        let Some((adt, v, args)) = target else {
            self.err(Diagnostic::error(
                "E0422",
                format!(
                    "cannot find struct, variant or union type `{}` in this scope",
                    path.text()
                ),
                path.span,
            ));
            return Pat {
                kind: PatKind::Wild,
                ty: expected.clone(),
                span: p.span,
            };
        };
        let adt_ty = Ty::Adt(adt, args.clone());
        self.unify_pat(expected, &adt_ty, p);
        let var = self.cx.program.adts[adt.0 as usize].variants[v as usize].clone();
        let mut sub: Vec<Option<Pat>> = vec![None; var.fields.len()];
        for f in fields {
            let Some(i) = var.fields.iter().position(|fd| fd.name == f.name.name) else {
                self.err(
                    Diagnostic::error(
                        "E0026",
                        format!(
                            "variant `{}` does not have a field named `{}`",
                            var.name, f.name.name
                        ),
                        f.name.span,
                    )
                    .with_label("variant does not have this field"),
                );
                continue;
            };
            let t = var.fields[i].ty.subst(&args);
            sub[i] = Some(self.pat(&f.pat, &t, mode, b));
        }
        let missing: Vec<String> = var
            .fields
            .iter()
            .zip(&sub)
            .filter(|(_, s)| s.is_none())
            .map(|(f, _)| format!("`{}`", f.name))
            .collect();
        if !rest && !missing.is_empty() {
            self.err(
                Diagnostic::error(
                    "E0027",
                    format!(
                        "pattern does not mention field{} {}",
                        if missing.len() == 1 { "" } else { "s" },
                        missing.join(", ")
                    ),
                    p.span,
                )
                .with_label(format!(
                    "missing field{} {}",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ))
                .with_help("include the missing fields, or ignore them with `..`"),
            );
        }
        let fields = sub
            .into_iter()
            .zip(&var.fields)
            .map(|(s, f)| {
                s.unwrap_or_else(|| Pat {
                    kind: PatKind::Wild,
                    ty: f.ty.subst(&args),
                    span: p.span,
                })
            })
            .collect();
        Pat {
            kind: PatKind::Variant {
                adt,
                variant: v,
                fields,
            },
            ty: adt_ty,
            span: p.span,
        }
    }

    /// A literal pattern's constant and type.
    fn pat_const(&mut self, e: &ast::Expr) -> (PatConst, Ty) {
        if let ast::ExprKind::Path(path) = &e.kind {
            // A named integer constant as a range bound.
            return match self.resolve_value_quiet(path) {
                Some(ValueRes::Const(c)) => {
                    let ty = self.cx.program.consts[c.0 as usize].ty.clone();
                    match self.cx.const_int_value(c) {
                        Some(v) => (PatConst::Int(v), ty),
                        None => {
                            self.err(Diagnostic::error("Z0007", format!("constant `{}` has no literal integer value usable in a pattern", path.text()), e.span));
                            (PatConst::Int(0), Ty::Error)
                        }
                    }
                }
                _ => {
                    self.err(Diagnostic::error(
                        "E0531",
                        format!("cannot find constant `{}` in this scope", path.text()),
                        e.span,
                    ));
                    (PatConst::Int(0), Ty::Error)
                }
            };
        }
        let (neg, lit) = match &e.kind {
            ast::ExprKind::Unary(ast::UnOp::Neg, inner) => match &inner.kind {
                ast::ExprKind::Lit(l) => (true, l),
                _ => return (PatConst::Int(0), Ty::Error),
            },
            ast::ExprKind::Lit(l) => (false, l),
            _ => return (PatConst::Int(0), Ty::Error),
        };
        let x = self.check_expr(&ast::Expr {
            kind: ast::ExprKind::Lit(lit.clone()),
            span: e.span,
        });
        let c = match lit {
            ast::Lit::Int { value, .. } => match i128::try_from(*value) {
                Ok(v) => PatConst::Int(if neg { -v } else { v }),
                Err(_) => PatConst::BigUint(*value),
            },
            ast::Lit::Byte(v) => PatConst::Int(*v as i128),
            ast::Lit::Bool(v) => PatConst::Bool(*v),
            ast::Lit::Char(c) => PatConst::Char(*c),
            ast::Lit::Str(s) => PatConst::Str(s.clone()),
            ast::Lit::Float { .. } | ast::Lit::ByteStr(_) => {
                self.err(Diagnostic::error(
                    "Z0007",
                    "this literal cannot be used in a pattern",
                    e.span,
                ));
                PatConst::Int(0)
            }
        };
        (c, x.ty)
    }
}

/// Whether a pattern can fail to match (for `let`): anything but bindings, wildcards,
/// tuples, derefs and single-variant structs of irrefutable parts.
fn refutable(p: &Pat, fcx: &FnCx) -> bool {
    match &p.kind {
        PatKind::Wild => false,
        PatKind::Binding { sub, .. } => sub.as_ref().is_some_and(|s| refutable(s, fcx)),
        PatKind::Tuple(ps) => ps.iter().any(|q| refutable(q, fcx)),
        PatKind::Deref(q) => refutable(q, fcx),
        PatKind::Variant { adt, fields, .. } => {
            fcx.cx.program.adts[adt.0 as usize].variants.len() != 1
                || fields.iter().any(|q| refutable(q, fcx))
        }
        PatKind::Or(ps) => ps.iter().all(|q| refutable(q, fcx)),
        PatKind::Const(_) | PatKind::Range { .. } | PatKind::ConstItem(_) => true,
    }
}
