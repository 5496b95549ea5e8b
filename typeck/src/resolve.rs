//! Name resolution of items: the module tree with its type and value namespaces, `use`
//! imports (resolved to a fixpoint), visibility, and lowering of written types to [`Ty`].

use crate::hir::*;
use crate::ty::{AdtId, FloatTy, IntTy, Ty};
use crate::Ctx;
use std::collections::HashMap;
use vez_syntax::ast;
use vez_syntax::{Diagnostic, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModId(pub u32);

#[derive(Clone, Debug, PartialEq)]
pub enum Def {
    Mod(ModId),
    Adt(AdtId),
    Trait(TraitId),
    Fn(FnId),
    Const(ConstId),
    /// An enum variant, or a struct's constructor (variant 0).
    Variant(AdtId, u32),
    Prim(Ty),
    Alias(usize),
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub def: Def,
    pub span: Span,
    pub public: bool,
    /// The module that declared it (for privacy).
    pub owner: ModId,
}

#[derive(Clone, Debug)]
pub struct Import {
    pub path: Vec<ast::Ident>,
    pub alias: Option<ast::Ident>,
    pub glob: bool,
    pub public: bool,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Module {
    pub name: String,
    /// Qualified prefix for item names (`geom::`), empty at the root.
    pub prefix: String,
    pub parent: Option<ModId>,
    pub types: HashMap<String, Binding>,
    pub values: HashMap<String, Binding>,
    pub imports: Vec<Import>,
}

/// Namespace to look a name up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ns {
    Type,
    Value,
}

/// What a type-position head lets us find methods by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TyHead {
    Adt(AdtId),
    Int(IntTy),
    Float(FloatTy),
    Bool,
    Char,
    Str,
    Slice,
}

impl TyHead {
    pub fn of(ty: &Ty) -> Option<TyHead> {
        Some(match ty {
            Ty::Adt(id, _) => TyHead::Adt(*id),
            Ty::Int(i) => TyHead::Int(*i),
            Ty::Float(f) => TyHead::Float(*f),
            Ty::Bool => TyHead::Bool,
            Ty::Char => TyHead::Char,
            Ty::Str => TyHead::Str,
            Ty::Slice(_) => TyHead::Slice,
            _ => return None,
        })
    }
}

/// An associated item of an impl block.
#[derive(Clone, Debug)]
pub enum AssocDef {
    Fn(FnId),
    Const(ConstId),
}

#[derive(Clone, Debug)]
pub struct ImplInfo {
    pub generics: Vec<GenericParamDef>,
    pub self_ty: Ty,
    pub trait_id: Option<TraitId>,
    pub items: HashMap<String, AssocDef>,
}

/// Generic parameters in scope while lowering types.
#[derive(Clone, Debug, Default)]
pub struct GenericScope {
    pub names: Vec<(String, bool)>,
}

impl GenericScope {
    pub fn lookup(&self, name: &str) -> Option<Ty> {
        self.names
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| Ty::Param(i as u32, name.to_string()))
    }
}

pub fn prim_type(name: &str) -> Option<Ty> {
    if let Some(i) = IntTy::from_name(name) {
        return Some(Ty::Int(i));
    }
    Some(match name {
        "bool" => Ty::Bool,
        "char" => Ty::Char,
        "str" => Ty::Str,
        "f32" => Ty::Float(FloatTy::F32),
        "f64" => Ty::Float(FloatTy::F64),
        _ => return None,
    })
}

impl Ctx<'_> {
    pub fn is_ancestor(&self, anc: ModId, mut m: ModId) -> bool {
        loop {
            if m == anc {
                return true;
            }
            match self.modules[m.0 as usize].parent {
                Some(p) => m = p,
                None => return false,
            }
        }
    }

    fn visible(&self, b: &Binding, from: ModId) -> bool {
        b.public || self.is_ancestor(b.owner, from) || b.owner == self.prelude_mod
    }

    /// Declares a name in a module namespace, reporting E0428 on duplicates.
    pub fn declare(&mut self, m: ModId, ns: Ns, name: &ast::Ident, def: Def, public: bool) {
        let b = Binding {
            def,
            span: name.span,
            public,
            owner: m,
        };
        let table = match ns {
            Ns::Type => &mut self.modules[m.0 as usize].types,
            Ns::Value => &mut self.modules[m.0 as usize].values,
        };
        if let Some(prev) = table.get(&name.name) {
            let prev_span = prev.span;
            let what = if ns == Ns::Type { "type" } else { "value" };
            self.diags.push(
                Diagnostic::error(
                    "E0428",
                    format!("the name `{}` is defined multiple times", name.name),
                    name.span,
                )
                .with_label(format!("`{}` redefined here", name.name))
                .with_secondary(
                    prev_span,
                    format!("previous definition of the {what} `{}` here", name.name),
                ),
            );
            return;
        }
        table.insert(name.name.clone(), b);
    }

    /// Looks a single name up in a module (its items, then the prelude for non-prelude modules).
    pub fn lookup_in_scope(&self, m: ModId, name: &str, ns: Ns) -> Option<Binding> {
        let module = &self.modules[m.0 as usize];
        let table = if ns == Ns::Type {
            &module.types
        } else {
            &module.values
        };
        if let Some(b) = table.get(name) {
            return Some(b.clone());
        }
        if ns == Ns::Type {
            if let Some(t) = prim_type(name) {
                return Some(Binding {
                    def: Def::Prim(t),
                    span: Span::default(),
                    public: true,
                    owner: m,
                });
            }
        }
        let p = &self.modules[self.prelude_mod.0 as usize];
        let table = if ns == Ns::Type { &p.types } else { &p.values };
        table.get(name).filter(|b| b.public).cloned()
    }

    fn lookup_member(&self, m: ModId, name: &str, ns: Ns) -> Option<Binding> {
        let module = &self.modules[m.0 as usize];
        let table = if ns == Ns::Type {
            &module.types
        } else {
            &module.values
        };
        table.get(name).cloned()
    }

    /// Resolves the module-level part of a path: every segment but the last must name a
    /// module (or `crate`, `super`, `self`); returns the module and the last segment's binding.
    /// Enum variants and associated items are handled by the caller when this fails.
    // The error is the cold path; a boxed diagnostic would only add noise at every use.
    #[allow(clippy::result_large_err)]
    pub fn resolve_path(
        &self,
        from: ModId,
        segs: &[ast::Ident],
        ns: Ns,
    ) -> Result<Binding, Diagnostic> {
        let mut cur: Option<ModId> = None;
        for (i, seg) in segs.iter().enumerate() {
            let last = i + 1 == segs.len();
            let name = seg.name.as_str();
            let base = cur.unwrap_or(from);
            let special = match name {
                "crate" if i == 0 => Some(ModId(0)),
                "self" if i == 0 && !last => Some(from),
                "super" if cur.is_none() || i > 0 => match self.modules[base.0 as usize].parent {
                    Some(p) => Some(p),
                    None => {
                        return Err(Diagnostic::error(
                            "E0433",
                            "failed to resolve: there are too many leading `super` keywords",
                            seg.span,
                        )
                        .with_label("there are too many leading `super` keywords"))
                    }
                },
                _ => None,
            };
            if let Some(m) = special {
                if last {
                    return Ok(Binding {
                        def: Def::Mod(m),
                        span: seg.span,
                        public: true,
                        owner: m,
                    });
                }
                cur = Some(m);
                continue;
            }
            let want = if last { ns } else { Ns::Type };
            let found = match cur {
                None => self.lookup_in_scope(from, name, want),
                Some(m) => self.lookup_member(m, name, want),
            };
            let Some(b) = found else {
                if last {
                    let (code, what) = if ns == Ns::Type {
                        ("E0412", "type")
                    } else {
                        ("E0425", "value")
                    };
                    let place = match cur {
                        Some(m) if !self.modules[m.0 as usize].name.is_empty() => {
                            format!("module `{}`", self.modules[m.0 as usize].name)
                        }
                        _ => "this scope".to_string(),
                    };
                    return Err(Diagnostic::error(
                        code,
                        format!("cannot find {what} `{name}` in {place}"),
                        seg.span,
                    )
                    .with_label("not found in this scope"));
                }
                return Err(Diagnostic::error(
                    "E0433",
                    format!("failed to resolve: use of undeclared crate or module `{name}`"),
                    seg.span,
                )
                .with_label(format!("use of undeclared crate or module `{name}`")));
            };
            if cur.is_some() && !self.visible(&b, from) {
                let what = match b.def {
                    Def::Fn(_) => "function",
                    Def::Const(_) => "constant",
                    Def::Mod(_) => "module",
                    _ => "item",
                };
                return Err(Diagnostic::error(
                    "E0603",
                    format!("{what} `{name}` is private"),
                    seg.span,
                )
                .with_label("private item"));
            }
            if last {
                return Ok(b);
            }
            match b.def {
                Def::Mod(m) => cur = Some(m),
                // `Type::item` and `Enum::Variant` are the caller's to resolve.
                _ => {
                    return Err(Diagnostic::error(
                        "E0433",
                        format!("failed to resolve: `{name}` is not a module"),
                        seg.span,
                    ))
                }
            }
        }
        Err(Diagnostic::error(
            "E0433",
            "failed to resolve: empty path",
            Span::default(),
        ))
    }

    /// Resolves all `use` declarations, repeating until nothing changes (imports may go
    /// through other imports); what never resolves is E0432.
    pub fn resolve_imports(&mut self) {
        let mut pending: Vec<(ModId, Import)> = Vec::new();
        for (i, m) in self.modules.iter_mut().enumerate() {
            for imp in m.imports.drain(..) {
                pending.push((ModId(i as u32), imp));
            }
        }
        loop {
            let before = pending.len();
            let mut still = Vec::new();
            for (m, imp) in pending {
                if !self.try_import(m, &imp) {
                    still.push((m, imp));
                }
            }
            pending = still;
            if pending.len() == before {
                break;
            }
        }
        for (_, imp) in pending {
            let last = imp.path.last().map(|s| s.name.clone()).unwrap_or_default();
            let span = imp.path.last().map_or(imp.span, |s| s.span);
            self.diags.push(
                Diagnostic::error(
                    "E0432",
                    format!(
                        "unresolved import `{}`",
                        imp.path
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join("::")
                    ),
                    span,
                )
                .with_label(format!("no `{last}` found")),
            );
        }
    }

    /// The binding a full path names in either namespace, including enum variants.
    fn import_target(&self, m: ModId, path: &[ast::Ident], ns: Ns) -> Option<Binding> {
        if let Ok(b) = self.resolve_path(m, path, ns) {
            return Some(b);
        }
        // `Enum::Variant`
        if path.len() >= 2 {
            if let Ok(Binding {
                def: Def::Adt(adt),
                public,
                owner,
                ..
            }) = self.resolve_path(m, &path[..path.len() - 1], Ns::Type)
            {
                let last = &path[path.len() - 1];
                if let Some(vi) = self.program.adts[adt.0 as usize]
                    .variants
                    .iter()
                    .position(|v| v.name == last.name)
                {
                    if self.program.adts[adt.0 as usize].is_enum {
                        return Some(Binding {
                            def: Def::Variant(adt, vi as u32),
                            span: last.span,
                            public,
                            owner,
                        });
                    }
                }
            }
        }
        None
    }

    fn try_import(&mut self, m: ModId, imp: &Import) -> bool {
        if imp.glob {
            let target_mod = match self.resolve_path(m, &imp.path, Ns::Type) {
                Ok(Binding {
                    def: Def::Mod(t), ..
                }) => Some(t),
                Ok(Binding {
                    def: Def::Adt(adt), ..
                }) => {
                    // `use Enum::*`
                    let vars: Vec<String> = self.program.adts[adt.0 as usize]
                        .variants
                        .iter()
                        .map(|v| v.name.clone())
                        .collect();
                    for (i, name) in vars.into_iter().enumerate() {
                        let b = Binding {
                            def: Def::Variant(adt, i as u32),
                            span: imp.span,
                            public: imp.public,
                            owner: m,
                        };
                        self.modules[m.0 as usize]
                            .values
                            .entry(name.clone())
                            .or_insert(b.clone());
                        self.modules[m.0 as usize].types.entry(name).or_insert(b);
                    }
                    return true;
                }
                _ => None,
            };
            let Some(t) = target_mod else { return false };
            let (types, values): (Vec<_>, Vec<_>) = {
                let tm = &self.modules[t.0 as usize];
                (
                    tm.types
                        .iter()
                        .filter(|(_, b)| b.public || self.is_ancestor(b.owner, m))
                        .map(|(k, b)| (k.clone(), b.clone()))
                        .collect(),
                    tm.values
                        .iter()
                        .filter(|(_, b)| b.public || self.is_ancestor(b.owner, m))
                        .map(|(k, b)| (k.clone(), b.clone()))
                        .collect(),
                )
            };
            let module = &mut self.modules[m.0 as usize];
            for (k, b) in types {
                module.types.entry(k).or_insert(Binding {
                    public: imp.public,
                    owner: m,
                    ..b
                });
            }
            for (k, b) in values {
                module.values.entry(k).or_insert(Binding {
                    public: imp.public,
                    owner: m,
                    ..b
                });
            }
            return true;
        }
        let ty = self.import_target(m, &imp.path, Ns::Type);
        let val = self.import_target(m, &imp.path, Ns::Value);
        if ty.is_none() && val.is_none() {
            return false;
        }
        let name = imp
            .alias
            .as_ref()
            .or(imp.path.last())
            .expect("import path has a segment");
        let rebind = |b: Binding| Binding {
            span: name.span,
            public: imp.public,
            owner: m,
            ..b
        };
        let module = &mut self.modules[m.0 as usize];
        if let Some(b) = ty {
            module.types.insert(name.name.clone(), rebind(b));
        }
        if let Some(b) = val {
            module.values.insert(name.name.clone(), rebind(b));
        }
        true
    }

    /// Lowers a written type. `self_ty` is what `Self` means; `infer` allows `_`.
    pub fn lower_ty(&self, t: &ast::Type, m: ModId, g: &GenericScope, self_ty: Option<&Ty>) -> Ty {
        match &t.kind {
            ast::TypeKind::Path(p) => self.lower_path_ty(p, m, g, self_ty),
            ast::TypeKind::Ref { mutable, ty, .. } => {
                Ty::Ref(*mutable, Box::new(self.lower_ty(ty, m, g, self_ty)))
            }
            ast::TypeKind::Slice(e) => Ty::Slice(Box::new(self.lower_ty(e, m, g, self_ty))),
            ast::TypeKind::Array(e, n) => {
                let elem = self.lower_ty(e, m, g, self_ty);
                let len = self.const_len(n, m, g);
                Ty::Array(Box::new(elem), Box::new(len))
            }
            ast::TypeKind::Tuple(ts) => {
                Ty::Tuple(ts.iter().map(|t| self.lower_ty(t, m, g, self_ty)).collect())
            }
            ast::TypeKind::Never => Ty::Never,
            ast::TypeKind::Infer => {
                self.diags.push(
                    Diagnostic::error(
                        "E0121",
                        "the placeholder `_` is not allowed within types on item signatures",
                        t.span,
                    )
                    .with_label("not allowed in type signatures"),
                );
                Ty::Error
            }
        }
    }

    /// An array length: a literal, a const generic parameter, or a constant item.
    pub fn const_len(&self, e: &ast::Expr, m: ModId, g: &GenericScope) -> Ty {
        match &e.kind {
            ast::ExprKind::Lit(ast::Lit::Int { value, .. }) => return Ty::ConstVal(*value as u64),
            ast::ExprKind::Path(p) => {
                if let Some(id) = p.as_ident() {
                    if let Some(t) = g.lookup(&id.name) {
                        return t;
                    }
                }
                let segs: Vec<ast::Ident> = p.segments.iter().map(|s| s.ident.clone()).collect();
                if let Ok(Binding {
                    def: Def::Const(c), ..
                }) = self.resolve_path(m, &segs, Ns::Value)
                {
                    if let Some(v) = self.const_int_value(c) {
                        return Ty::ConstVal(v as u64);
                    }
                }
            }
            _ => {}
        }
        self.diags.push(
            Diagnostic::error(
                "E0435",
                "array length must be a literal, a constant or a const generic parameter",
                e.span,
            )
            .with_label("not a constant length"),
        );
        Ty::Error
    }

    fn lower_generic_args(
        &self,
        args: &[ast::GenericArg],
        m: ModId,
        g: &GenericScope,
        self_ty: Option<&Ty>,
    ) -> Vec<Ty> {
        args.iter()
            .filter_map(|a| match a {
                ast::GenericArg::Type(t) => Some(self.lower_ty(t, m, g, self_ty)),
                ast::GenericArg::Const(e) => Some(self.const_len(e, m, g)),
                ast::GenericArg::Lifetime(_) => None,
            })
            .collect()
    }

    pub fn lower_path_ty(
        &self,
        p: &ast::Path,
        m: ModId,
        g: &GenericScope,
        self_ty: Option<&Ty>,
    ) -> Ty {
        if let [seg] = p.segments.as_slice() {
            if seg.ident.name == "Self" {
                return match self_ty {
                    Some(t) => t.clone(),
                    None => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0411",
                                "cannot find type `Self` in this scope",
                                seg.ident.span,
                            )
                            .with_label(
                                "`Self` is only available in impls, traits, and type definitions",
                            ),
                        );
                        Ty::Error
                    }
                };
            }
            if let Some(t) = g.lookup(&seg.ident.name) {
                return t;
            }
        }
        let segs: Vec<ast::Ident> = p.segments.iter().map(|s| s.ident.clone()).collect();
        let b = match self.resolve_path(m, &segs, Ns::Type) {
            Ok(b) => b,
            Err(d) => {
                self.diags.push(d);
                return Ty::Error;
            }
        };
        let last = p.segments.last().expect("path has a segment");
        let args = last
            .generics
            .as_deref()
            .map(|a| self.lower_generic_args(a, m, g, self_ty))
            .unwrap_or_default();
        match b.def {
            Def::Prim(t) => {
                if !args.is_empty() {
                    self.diags.push(Diagnostic::error(
                        "E0109",
                        "type arguments are not allowed on builtin type",
                        last.ident.span,
                    ));
                }
                t
            }
            Def::Adt(id) => {
                let want = self.program.adts[id.0 as usize].generics.len();
                if args.len() != want {
                    let name = self.program.adts[id.0 as usize].name.clone();
                    self.diags.push(Diagnostic::error("E0107", format!("struct takes {want} generic argument{} but {} generic argument{} supplied", if want == 1 { "" } else { "s" }, args.len(), if args.len() == 1 { " was" } else { "s were" }), last.ident.span)
                        .with_label(format!("expected {want} generic argument{} for `{name}`", if want == 1 { "" } else { "s" })));
                    return Ty::Adt(id, vec![Ty::Error; want]);
                }
                Ty::Adt(id, args)
            }
            Def::Alias(i) => self.aliases[i].clone(),
            Def::Variant(..) | Def::Fn(_) | Def::Const(_) | Def::Mod(_) | Def::Trait(_) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0573",
                        format!("expected type, found `{}`", p.text()),
                        p.span,
                    )
                    .with_label("not a type"),
                );
                Ty::Error
            }
        }
    }

    /// Resolves a trait bound (`Copy`, `Ord`, a user trait).
    /// An item of the prelude by its path (`["std", "fmt", "Display"]`).
    pub fn prelude_item(&self, path: &[&str]) -> Option<Def> {
        let (last, mods) = path.split_last()?;
        let mut m = self.prelude_mod;
        for name in mods {
            match self.modules[m.0 as usize].types.get(*name).map(|b| &b.def) {
                Some(Def::Mod(id)) => m = *id,
                _ => return None,
            }
        }
        self.modules[m.0 as usize]
            .types
            .get(*last)
            .map(|b| b.def.clone())
    }

    /// The prelude's `std::fmt::Display`, the one standard trait written by hand.
    pub fn display_trait(&self) -> Option<TraitId> {
        match self.prelude_item(&["std", "fmt", "Display"]) {
            Some(Def::Trait(t)) => Some(t),
            _ => None,
        }
    }

    pub fn lower_bound(&self, p: &ast::Path, m: ModId) -> Option<Bound> {
        if let Some(id) = p.as_ident() {
            if let Some(t) = StdTrait::from_name(&id.name) {
                return Some(Bound::Std(t));
            }
        }
        // The standard traits by their full paths (`std::fmt::Debug`, `core::cmp::Ord`).
        if let [root, module, name] = &p.segments[..] {
            let home = |t: StdTrait| match t {
                StdTrait::Debug | StdTrait::Display => "fmt",
                StdTrait::Copy | StdTrait::Sized => "marker",
                StdTrait::Clone => "clone",
                StdTrait::Default => "default",
                StdTrait::PartialEq | StdTrait::Eq | StdTrait::PartialOrd | StdTrait::Ord => "cmp",
            };
            if matches!(root.ident.name.as_str(), "std" | "core") {
                if let Some(t) = StdTrait::from_name(&name.ident.name) {
                    if module.ident.name == home(t) {
                        return Some(Bound::Std(t));
                    }
                }
            }
        }
        let segs: Vec<ast::Ident> = p.segments.iter().map(|s| s.ident.clone()).collect();
        match self.resolve_path(m, &segs, Ns::Type) {
            Ok(Binding {
                def: Def::Trait(t), ..
            }) => Some(Bound::User(t)),
            Ok(_) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0404",
                        format!("expected trait, found `{}`", p.text()),
                        p.span,
                    )
                    .with_label("not a trait"),
                );
                None
            }
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0405",
                        format!("cannot find trait `{}` in this scope", p.text()),
                        p.span,
                    )
                    .with_label("not found in this scope"),
                );
                None
            }
        }
    }

    /// Generic parameter definitions with their bounds (from `<T: A + B>` and `where`).
    pub fn lower_generics(
        &self,
        gs: &ast::Generics,
        m: ModId,
        outer: &GenericScope,
    ) -> (Vec<GenericParamDef>, GenericScope) {
        let mut scope = outer.clone();
        let mut defs = Vec::new();
        for p in &gs.params {
            match p {
                ast::GenericParam::Type { name, .. } => {
                    scope.names.push((name.name.clone(), false));
                    defs.push(GenericParamDef {
                        name: name.name.clone(),
                        is_const: false,
                        bounds: vec![],
                    });
                }
                ast::GenericParam::Const { name, .. } => {
                    scope.names.push((name.name.clone(), true));
                    defs.push(GenericParamDef {
                        name: name.name.clone(),
                        is_const: true,
                        bounds: vec![],
                    });
                }
                ast::GenericParam::Lifetime(_) => {}
            }
        }
        let offset = outer.names.len();
        let mut i = 0;
        for p in &gs.params {
            if let ast::GenericParam::Type { bounds, .. } = p {
                for b in bounds {
                    if let Some(b) = self.lower_bound(b, m) {
                        defs[i].bounds.push(b);
                    }
                }
            }
            if !matches!(p, ast::GenericParam::Lifetime(_)) {
                i += 1;
            }
        }
        for w in &gs.where_clauses {
            let target = match &w.ty.kind {
                ast::TypeKind::Path(p) => p
                    .as_ident()
                    .and_then(|id| scope.names.iter().position(|(n, _)| *n == id.name)),
                _ => None,
            };
            match target {
                Some(idx) if idx >= offset => {
                    for b in &w.bounds {
                        if let Some(b) = self.lower_bound(b, m) {
                            defs[idx - offset].bounds.push(b);
                        }
                    }
                }
                _ => self.diags.push(Diagnostic::error(
                    "E0412",
                    "`where` clauses may only bound the item's own type parameters",
                    w.ty.span,
                )),
            }
        }
        (defs, scope)
    }
}
