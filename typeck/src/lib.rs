//! Name resolution and type checking: turns the parsed program (with the prelude) into the
//! typed [`hir::Program`], reporting rustc's error codes. Specifications are checked too:
//! `result` and `old` only in `#[ensures]`, quantifiers and `==>` only in specifications,
//! only `#[pure]` calls inside them (VeZ's own `Z0xxx` codes, see docs/errors.md).

mod check;
mod convert;
mod desugar;
mod exhaustive;
mod fmt;
mod gpu_rules;
pub mod hir;
pub mod mono;
mod pat;
pub mod resolve;
pub mod ty;

use hir::*;
use resolve::{AssocDef, Def, GenericScope, ImplInfo, Import, ModId, Module, Ns, TyHead};
use std::collections::HashMap;
use ty::{AdtId, Ty};
use vez_syntax::ast;
use vez_syntax::{Diagnostic, Span};

/// Where a function came from, kept until its body is checked.
struct FnSrc<'a> {
    decl: &'a ast::FnDecl,
    /// A method declared in a trait (its `Self` is an implicit first generic parameter).
    trait_decl: Option<TraitId>,
    attrs: &'a [ast::Attr],
    module: ModId,
    impl_idx: Option<usize>,
    span: Span,
}

struct ConstSrc<'a> {
    decl: &'a ast::ConstDecl,
    module: ModId,
    impl_idx: Option<usize>,
}

/// Diagnostics that may be reported from parallel body checking.
#[derive(Default)]
pub struct Diags(std::sync::Mutex<Vec<Diagnostic>>);

impl Diags {
    pub fn push(&self, d: Diagnostic) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }
    pub fn extend(&self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend(ds);
    }
    fn into_inner(self) -> Vec<Diagnostic> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// The global state of type checking. During body checking it is shared read-only between
/// threads (diagnostics go through [`Diags`]).
pub struct Ctx<'a> {
    pub program: Program,
    pub modules: Vec<Module>,
    pub prelude_mod: ModId,
    pub diags: Diags,
    pub aliases: Vec<Ty>,
    pub impls: Vec<ImplInfo>,
    pub inherent: HashMap<TyHead, Vec<usize>>,
    fn_src: Vec<Option<FnSrc<'a>>>,
    const_src: Vec<ConstSrc<'a>>,
}

/// Type-checks a program: the prelude's items and the user's (modules already loaded).
pub fn check_program(prelude: &[ast::Item], user: &[ast::Item]) -> (Program, Vec<Diagnostic>) {
    check_program_with(prelude, user, true)
}

/// As [`check_program`]; without `prelude_bodies` the prelude's function bodies and contracts
/// are left unchecked (`body` and `contract` empty). `vez check` needs only the prelude's
/// signatures, and its bodies are checked once, when the library itself is verified.
pub fn check_program_with(
    prelude: &[ast::Item],
    user: &[ast::Item],
    prelude_bodies: bool,
) -> (Program, Vec<Diagnostic>) {
    let mut cx = Ctx {
        program: Program::default(),
        modules: vec![Module::default(), Module::default()],
        prelude_mod: ModId(1),
        diags: Diags::default(),
        aliases: Vec::new(),
        impls: Vec::new(),
        inherent: HashMap::new(),
        fn_src: Vec::new(),
        const_src: Vec::new(),
    };
    let timing = std::env::var_os("VEZ_TIMINGS").is_some();
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!(
                "timing:   {what} done at {:.1} ms",
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
    };
    let mut deferred_aliases = Vec::new();
    let mut impls = Vec::new();
    let mut adts = Vec::new();
    cx.collect(
        user,
        ModId(0),
        false,
        &mut adts,
        &mut impls,
        &mut deferred_aliases,
    );
    cx.collect(
        prelude,
        ModId(1),
        true,
        &mut adts,
        &mut impls,
        &mut deferred_aliases,
    );
    cx.find_lang_items();
    cx.resolve_imports();
    for (id, module, item) in &adts {
        cx.lower_adt_generics(*id, *module, item);
    }
    // Aliases after the generic parameters they apply (`type R = Result<(), E>`), before the
    // fields that name them.
    for (alias_idx, module, t) in deferred_aliases {
        let ty = cx.lower_ty(t, module, &GenericScope::default(), None);
        cx.aliases[alias_idx] = ty;
    }
    // Fields after every ADT's generic parameters are known (fields name other ADTs).
    for (id, module, item) in &adts {
        cx.lower_adt(*id, *module, item);
    }
    for (module, imp) in &impls {
        cx.collect_impl(*module, imp);
    }
    check::check_derives(&cx);
    lap("items, imports, types, impls");
    for i in 0..cx.fn_src.len() {
        cx.lower_signature(FnId(i as u32));
    }
    lap("signatures");
    for i in 0..cx.const_src.len() {
        cx.check_const(ConstId(i as u32));
    }
    lap("constants");
    cx.check_bodies(prelude_bodies);
    lap("bodies");
    for imp in &cx.impls {
        if let Some(t) = imp.trait_id {
            let methods = imp
                .items
                .iter()
                .filter_map(|(n, d)| match d {
                    AssocDef::Fn(f) => Some((n.clone(), *f)),
                    AssocDef::Const(_) => None,
                })
                .collect();
            cx.program.trait_impls.push(TraitImplDef {
                trait_id: t,
                self_ty: imp.self_ty.clone(),
                n_generics: imp.generics.len(),
                methods,
            });
        }
    }
    cx.diags.extend(gpu_rules::check_gpu_bodies(&cx.program));
    cx.program.main = match cx.modules[0].values.get("main").map(|b| &b.def) {
        Some(Def::Fn(f)) => Some(*f),
        _ => None,
    };
    let diags = std::mem::take(&mut cx.diags);
    (cx.program, diags.into_inner())
}

fn attr_names(attrs: &[ast::Attr]) -> impl Iterator<Item = String> + '_ {
    attrs.iter().map(|a| a.path.text())
}

impl<'a> Ctx<'a> {
    fn collect(
        &mut self,
        items: &'a [ast::Item],
        m: ModId,
        prelude: bool,
        adts: &mut Vec<(AdtId, ModId, &'a ast::Item)>,
        impls: &mut Vec<(ModId, &'a ast::ImplDecl)>,
        aliases: &mut Vec<(usize, ModId, &'a ast::Type)>,
    ) {
        let prefix = self.modules[m.0 as usize].prefix.clone();
        for item in items {
            match &item.kind {
                ast::ItemKind::Fn(f) => {
                    let id = self.new_fn(
                        FnSrc {
                            decl: f,
                            trait_decl: None,
                            attrs: &item.attrs,
                            module: m,
                            impl_idx: None,
                            span: item.span,
                        },
                        format!("{prefix}{}", f.name.name),
                        item.public || prelude,
                    );
                    self.declare(m, Ns::Value, &f.name, Def::Fn(id), item.public);
                }
                ast::ItemKind::Struct(s) => {
                    let kind = match &s.data {
                        ast::VariantData::Named(_) => CtorKind::Named,
                        ast::VariantData::Tuple(_) => CtorKind::Tuple,
                        ast::VariantData::Unit => CtorKind::Unit,
                    };
                    let id = self.new_adt(
                        format!("{prefix}{}", s.name.name),
                        s.name.span,
                        false,
                        vec![(s.name.name.clone(), kind, s.name.span)],
                        item.public,
                    );
                    self.program.adts[id.0 as usize].builtin =
                        prelude && attr_names(&item.attrs).any(|a| a == "builtin");
                    self.declare(m, Ns::Type, &s.name, Def::Adt(id), item.public);
                    if kind != CtorKind::Named {
                        self.declare(m, Ns::Value, &s.name, Def::Variant(id, 0), item.public);
                    }
                    adts.push((id, m, item));
                }
                ast::ItemKind::Enum(e) => {
                    let vars = e
                        .variants
                        .iter()
                        .map(|v| {
                            let k = match &v.data {
                                ast::VariantData::Named(_) => CtorKind::Named,
                                ast::VariantData::Tuple(_) => CtorKind::Tuple,
                                ast::VariantData::Unit => CtorKind::Unit,
                            };
                            (v.name.name.clone(), k, v.name.span)
                        })
                        .collect();
                    let id = self.new_adt(
                        format!("{prefix}{}", e.name.name),
                        e.name.span,
                        true,
                        vars,
                        item.public,
                    );
                    self.declare(m, Ns::Type, &e.name, Def::Adt(id), item.public);
                    adts.push((id, m, item));
                }
                ast::ItemKind::Trait(t) => {
                    let id = TraitId(self.program.traits.len() as u32);
                    self.program.traits.push(TraitDef {
                        name: format!("{prefix}{}", t.name.name),
                        span: t.name.span,
                        methods: vec![],
                    });
                    self.declare(m, Ns::Type, &t.name, Def::Trait(id), item.public);
                    for ti in &t.items {
                        if let ast::ItemKind::Fn(f) = &ti.kind {
                            let fid = self.new_fn(
                                FnSrc {
                                    decl: f,
                                    trait_decl: Some(id),
                                    attrs: &ti.attrs,
                                    module: m,
                                    impl_idx: None,
                                    span: ti.span,
                                },
                                format!("{prefix}{}::{}", t.name.name, f.name.name),
                                true,
                            );
                            self.program.fns[fid.0 as usize].trait_id = Some(id);
                            self.program.traits[id.0 as usize]
                                .methods
                                .push((f.name.name.clone(), fid));
                        } else {
                            self.diags.push(Diagnostic::error(
                                "Z0007",
                                "traits may only contain methods",
                                ti.span,
                            ));
                        }
                    }
                }
                ast::ItemKind::Const(c) => {
                    let id = self.new_const(
                        ConstSrc {
                            decl: c,
                            module: m,
                            impl_idx: None,
                        },
                        format!("{prefix}{}", c.name.name),
                        c.name.span,
                    );
                    self.declare(m, Ns::Value, &c.name, Def::Const(id), item.public);
                }
                ast::ItemKind::TypeAlias(t) => {
                    if !t.generics.params.is_empty() {
                        self.diags.push(Diagnostic::error(
                            "Z0007",
                            "generic type aliases are not supported",
                            t.name.span,
                        ));
                    }
                    let idx = self.aliases.len();
                    self.aliases.push(Ty::Error);
                    self.declare(m, Ns::Type, &t.name, Def::Alias(idx), item.public);
                    aliases.push((idx, m, &t.ty));
                }
                ast::ItemKind::Mod(md) => {
                    let id = ModId(self.modules.len() as u32);
                    self.modules.push(Module {
                        name: md.name.name.clone(),
                        prefix: format!("{prefix}{}::", md.name.name),
                        parent: Some(m),
                        ..Module::default()
                    });
                    self.declare(m, Ns::Type, &md.name, Def::Mod(id), item.public);
                    if let Some(inner) = &md.items {
                        self.collect(inner, id, prelude, adts, impls, aliases);
                    }
                }
                ast::ItemKind::Use(u) => self.collect_use(m, u, &[], item.public, item.span),
                ast::ItemKind::Impl(i) => impls.push((m, i)),
                ast::ItemKind::Error => {}
            }
        }
    }

    fn collect_use(
        &mut self,
        m: ModId,
        u: &ast::UseTree,
        prefix: &[ast::Ident],
        public: bool,
        span: Span,
    ) {
        let join = |p: &ast::Path| {
            let mut v = prefix.to_vec();
            v.extend(p.segments.iter().map(|s| s.ident.clone()));
            v
        };
        match u {
            ast::UseTree::Simple { path, alias } => {
                self.modules[m.0 as usize].imports.push(Import {
                    path: join(path),
                    alias: alias.clone(),
                    glob: false,
                    public,
                    span,
                })
            }
            ast::UseTree::Glob { prefix: p } => self.modules[m.0 as usize].imports.push(Import {
                path: join(p),
                alias: None,
                glob: true,
                public,
                span,
            }),
            ast::UseTree::Nested {
                prefix: p, trees, ..
            } => {
                let base = p.as_ref().map(join).unwrap_or_else(|| prefix.to_vec());
                for t in trees {
                    self.collect_use(m, t, &base, public, span);
                }
            }
        }
    }

    fn new_fn(&mut self, src: FnSrc<'a>, name: String, public: bool) -> FnId {
        let id = FnId(self.program.fns.len() as u32);
        let span = src.decl.name.span;
        self.program.fns.push(FnDef {
            name,
            span,
            generics: vec![],
            self_ty: None,
            self_kind: src.decl.self_param.as_ref().map(|s| s.kind),
            params: vec![],
            ret: Ty::unit(),
            ret_span: span,
            ref_lifetimes: vec![],
            locals: vec![],
            contract: Contract::default(),
            attrs: FnAttrs {
                public,
                ..FnAttrs::default()
            },
            body: None,
            trait_id: None,
        });
        self.fn_src.push(Some(src));
        id
    }

    fn new_const(&mut self, src: ConstSrc<'a>, name: String, span: Span) -> ConstId {
        let id = ConstId(self.program.consts.len() as u32);
        self.program.consts.push(ConstDef {
            name,
            ty: Ty::Error,
            value: Expr {
                kind: ExprKind::Error,
                ty: Ty::Error,
                span,
            },
            span,
        });
        self.const_src.push(src);
        id
    }

    fn new_adt(
        &mut self,
        name: String,
        span: Span,
        is_enum: bool,
        variants: Vec<(String, CtorKind, Span)>,
        public: bool,
    ) -> AdtId {
        let id = AdtId(self.program.adts.len() as u32);
        self.program.adts.push(AdtDef {
            name,
            span,
            generics: vec![],
            is_enum,
            variants: variants
                .into_iter()
                .map(|(name, kind, span)| VariantDef {
                    name,
                    kind,
                    fields: vec![],
                    span,
                })
                .collect(),
            derives: vec![],
            builtin: false,
            public,
        });
        id
    }

    fn find_lang_items(&mut self) {
        let p = &self.modules[self.prelude_mod.0 as usize];
        let get = |n: &str| match p.types.get(n).map(|b| &b.def) {
            Some(Def::Adt(id)) => Some(*id),
            _ => None,
        };
        self.program.lang = LangItems {
            option: get("Option"),
            result: get("Result"),
            vec: get("Vec"),
            string: get("String"),
            boxed: get("Box"),
            gpu_buffer: get("GpuBuffer"),
            display: self.display_trait(),
        };
    }

    fn lower_adt_generics(&mut self, id: AdtId, m: ModId, item: &ast::Item) {
        let generics = match &item.kind {
            ast::ItemKind::Struct(s) => &s.generics,
            ast::ItemKind::Enum(e) => &e.generics,
            _ => return,
        };
        let (gdefs, _) = self.lower_generics(generics, m, &GenericScope::default());
        self.program.adts[id.0 as usize].generics = gdefs;
    }

    fn lower_adt(&mut self, id: AdtId, m: ModId, item: &ast::Item) {
        let (generics, variants): (&ast::Generics, Vec<&ast::VariantData>) = match &item.kind {
            ast::ItemKind::Struct(s) => (&s.generics, vec![&s.data]),
            ast::ItemKind::Enum(e) => (&e.generics, e.variants.iter().map(|v| &v.data).collect()),
            _ => return,
        };
        let scope = GenericScope {
            names: generics
                .params
                .iter()
                .filter_map(|p| match p {
                    ast::GenericParam::Type { name, .. } => Some((name.name.clone(), false)),
                    ast::GenericParam::Const { name, .. } => Some((name.name.clone(), true)),
                    ast::GenericParam::Lifetime(_) => None,
                })
                .collect(),
        };
        let self_ty = Ty::Adt(
            id,
            scope
                .names
                .iter()
                .enumerate()
                .map(|(i, (n, _))| Ty::Param(i as u32, n.clone()))
                .collect(),
        );
        for (vi, data) in variants.into_iter().enumerate() {
            let fields = match data {
                ast::VariantData::Named(fs) => {
                    let mut seen: HashMap<&str, Span> = HashMap::new();
                    fs.iter()
                        .map(|f| {
                            if let Some(prev) = seen.insert(&f.name.name, f.name.span) {
                                self.diags.push(
                                    Diagnostic::error(
                                        "E0124",
                                        format!("field `{}` is already declared", f.name.name),
                                        f.name.span,
                                    )
                                    .with_label("field already declared")
                                    .with_secondary(
                                        prev,
                                        format!("`{}` first declared here", f.name.name),
                                    ),
                                );
                            }
                            FieldDef {
                                name: f.name.name.clone(),
                                ty: self.lower_ty(&f.ty, m, &scope, Some(&self_ty)),
                                public: f.public,
                                span: f.span,
                            }
                        })
                        .collect()
                }
                ast::VariantData::Tuple(ts) => ts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| FieldDef {
                        name: i.to_string(),
                        ty: self.lower_ty(t, m, &scope, Some(&self_ty)),
                        public: true,
                        span: t.span,
                    })
                    .collect(),
                ast::VariantData::Unit => vec![],
            };
            self.program.adts[id.0 as usize].variants[vi].fields = fields;
        }
        // The borrow checker does not track lifetimes through fields yet: rather than accept a
        // reference it cannot check, reject it.
        for v in &self.program.adts[id.0 as usize].variants {
            for f in &v.fields {
                let mut has_ref = false;
                f.ty.walk(&mut |t| has_ref |= matches!(t, Ty::Ref(..)));
                if has_ref {
                    self.diags.push(Diagnostic::error("Z0007", format!("field `{}` holds a reference: references in struct and enum fields are not supported yet", f.name), f.span)
                        .with_help("store an owned value (or an index) instead"));
                }
            }
        }
        // Enum variant fields are as public as the enum.
        if self.program.adts[id.0 as usize].is_enum {
            for v in &mut self.program.adts[id.0 as usize].variants {
                v.fields.iter_mut().for_each(|f| f.public = true);
            }
        }
        let mut derives = Vec::new();
        for a in &item.attrs {
            if a.is("derive") {
                for arg in a.args.iter().flatten() {
                    let name = match &arg.kind {
                        ast::ExprKind::Path(p) => p.text(),
                        _ => String::new(),
                    };
                    match hir::StdTrait::from_name(&name) {
                        Some(t) if t != StdTrait::Display && t != StdTrait::Sized => derives.push(t),
                        _ => self.diags.push(Diagnostic::error("Z0006", format!("cannot derive `{name}`"), arg.span)
                            .with_label("derivable: Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default")),
                    }
                }
            } else if !(a.is("builtin") || a.is("allow") || a.is("doc")) {
                self.diags.push(Diagnostic::error(
                    "Z0006",
                    format!("unknown attribute `{}` on a type", a.path.text()),
                    a.span,
                ));
            }
        }
        if derives.contains(&StdTrait::Copy) && !derives.contains(&StdTrait::Clone) {
            self.diags.push(
                Diagnostic::error(
                    "E0277",
                    "the trait bound `Clone` is not satisfied",
                    item.span,
                )
                .with_label("`Copy` requires `Clone`: add `Clone` to the derive list"),
            );
        }
        self.program.adts[id.0 as usize].derives = derives;
    }

    fn collect_impl(&mut self, m: ModId, imp: &'a ast::ImplDecl) {
        let (generics, scope) = self.lower_generics(&imp.generics, m, &GenericScope::default());
        let self_ty = self.lower_ty(&imp.self_ty, m, &scope, None);
        let trait_id = match &imp.trait_ref {
            Some(p) => match self.lower_bound(p, m) {
                Some(Bound::User(t)) => Some(t),
                // `impl Display for T` (imported or by its full path) is the prelude's trait.
                Some(Bound::Std(StdTrait::Display)) if self.display_trait().is_some() => {
                    self.display_trait()
                }
                Some(Bound::Std(t)) => {
                    self.diags.push(Diagnostic::error(
                        "Z0007",
                        format!(
                            "implementing `{}` by hand is not supported; use #[derive({})]",
                            t.name(),
                            t.name()
                        ),
                        p.span,
                    ));
                    return;
                }
                None => return,
            },
            None => None,
        };
        let Some(head) = TyHead::of(&self_ty) else {
            if !self_ty.is_error() {
                self.diags.push(
                    Diagnostic::error(
                        "E0118",
                        "no nominal type found for inherent implementation",
                        imp.self_ty.span,
                    )
                    .with_label("impl requires a nominal type"),
                );
            }
            return;
        };
        let idx = self.impls.len();
        let mut items = HashMap::new();
        let type_name = vez_syntax::printer::print_type(&imp.self_ty);
        let type_name = type_name.split('<').next().unwrap_or("").to_string();
        for it in &imp.items {
            let (name, def) = match &it.kind {
                ast::ItemKind::Fn(f) => {
                    let fid = self.new_fn(
                        FnSrc {
                            decl: f,
                            trait_decl: None,
                            attrs: &it.attrs,
                            module: m,
                            impl_idx: Some(idx),
                            span: it.span,
                        },
                        format!("{type_name}::{}", f.name.name),
                        it.public || trait_id.is_some(),
                    );
                    self.program.fns[fid.0 as usize].trait_id = trait_id;
                    (f.name.clone(), AssocDef::Fn(fid))
                }
                ast::ItemKind::Const(c) => {
                    let cid = self.new_const(
                        ConstSrc {
                            decl: c,
                            module: m,
                            impl_idx: Some(idx),
                        },
                        format!("{type_name}::{}", c.name.name),
                        c.name.span,
                    );
                    (c.name.clone(), AssocDef::Const(cid))
                }
                _ => {
                    self.diags.push(Diagnostic::error(
                        "Z0007",
                        "impl blocks may only contain functions and constants",
                        it.span,
                    ));
                    continue;
                }
            };
            if items.contains_key(&name.name) || self.find_assoc(&self_ty, &name.name).is_some() {
                self.diags.push(
                    Diagnostic::error(
                        "E0592",
                        format!("duplicate definitions with name `{}`", name.name),
                        name.span,
                    )
                    .with_label(format!("duplicate definitions for `{}`", name.name)),
                );
                continue;
            }
            items.insert(name.name.clone(), def);
        }
        if let Some(t) = trait_id {
            let wanted: Vec<String> = self.program.traits[t.0 as usize]
                .methods
                .iter()
                .map(|(n, _)| n.clone())
                .collect();
            for w in &wanted {
                if !items.contains_key(w) && self.trait_default(t, w).is_none() {
                    self.diags.push(
                        Diagnostic::error(
                            "E0046",
                            format!("not all trait items implemented, missing: `{w}`"),
                            imp.self_ty.span,
                        )
                        .with_label(format!("missing `{w}` in implementation")),
                    );
                }
            }
            for (n, def) in &items {
                if !wanted.contains(n) {
                    let span = match def {
                        AssocDef::Fn(f) => self.program.fns[f.0 as usize].span,
                        AssocDef::Const(c) => self.program.consts[c.0 as usize].span,
                    };
                    self.diags.push(Diagnostic::error(
                        "E0407",
                        format!(
                            "method `{n}` is not a member of trait `{}`",
                            self.program.traits[t.0 as usize].name
                        ),
                        span,
                    ));
                }
            }
        }
        self.impls.push(ImplInfo {
            generics,
            self_ty,
            trait_id,
            items,
        });
        self.inherent.entry(head).or_default().push(idx);
    }

    /// Trait `t`'s method `name` when it is declared with a body (a provided, default method).
    fn trait_default(&self, t: TraitId, name: &str) -> Option<FnId> {
        let has_body = |f: FnId| {
            self.fn_src[f.0 as usize]
                .as_ref()
                .is_some_and(|src| src.decl.body.is_some())
        };
        self.program.traits[t.0 as usize]
            .methods
            .iter()
            .find(|(n, f)| n == name && has_body(*f))
            .map(|(_, f)| *f)
    }

    /// A trait's default method that an impl for `ty` does not override, as Rust's provided
    /// methods: the trait's own declaration, instantiated with `Self = ty` (impl index
    /// `usize::MAX`, as for a method found through a bound).
    pub fn default_trait_method(&self, ty: &Ty, name: &str) -> Option<(usize, AssocDef)> {
        let head = TyHead::of(ty)?;
        for &i in self.inherent.get(&head)? {
            let imp = &self.impls[i];
            let Some(t) = imp.trait_id else { continue };
            if imp.items.contains_key(name) || !mono::matches_impl(&imp.self_ty, ty) {
                continue;
            }
            if let Some(f) = self.trait_default(t, name) {
                return Some((usize::MAX, AssocDef::Fn(f)));
            }
        }
        None
    }

    /// An associated item named `name` of a type (inherent or trait impls); the impl index too.
    pub fn find_assoc(&self, ty: &Ty, name: &str) -> Option<(usize, AssocDef)> {
        let head = TyHead::of(ty)?;
        for &i in self.inherent.get(&head)? {
            if let Some(d) = self.impls[i].items.get(name) {
                return Some((i, d.clone()));
            }
        }
        None
    }

    /// The value of an integer constant, when it is a (possibly negated) literal.
    pub fn const_int_value(&self, c: ConstId) -> Option<i128> {
        let e = &self.const_src[c.0 as usize].decl.value;
        match &e.kind {
            ast::ExprKind::Lit(ast::Lit::Int { value, .. }) => i128::try_from(*value).ok(),
            ast::ExprKind::Unary(ast::UnOp::Neg, inner) => match &inner.kind {
                ast::ExprKind::Lit(ast::Lit::Int { value, .. }) => i128::try_from(*value)
                    .ok()
                    .map(|v| -v)
                    .or((*value == 1u128 << 127).then_some(i128::MIN)),
                _ => None,
            },
            _ => None,
        }
    }

    fn lower_signature(&mut self, id: FnId) {
        let Some(src) = &self.fn_src[id.0 as usize] else {
            return;
        };
        let (decl, module, impl_idx, src_attrs, trait_decl) = (
            src.decl,
            src.module,
            src.impl_idx,
            src.attrs,
            src.trait_decl,
        );
        let (outer_generics, outer_scope, self_ty) = match impl_idx {
            None if trait_decl.is_some() => {
                let t = trait_decl.expect("checked");
                let g = GenericParamDef {
                    name: "Self".into(),
                    is_const: false,
                    bounds: vec![Bound::User(t)],
                };
                (
                    vec![g],
                    GenericScope {
                        names: vec![("Self".into(), false)],
                    },
                    Some(Ty::Param(0, "Self".into())),
                )
            }
            Some(i) => {
                let imp = &self.impls[i];
                let scope = GenericScope {
                    names: imp
                        .generics
                        .iter()
                        .map(|g| (g.name.clone(), g.is_const))
                        .collect(),
                };
                (imp.generics.clone(), scope, Some(imp.self_ty.clone()))
            }
            None => (vec![], GenericScope::default(), None),
        };
        let (mut own, scope) = self.lower_generics(&decl.generics, module, &outer_scope);
        let mut generics = outer_generics;
        generics.append(&mut own);
        let mut locals = Vec::new();
        let mut params = Vec::new();
        if let Some(sp) = &decl.self_param {
            let Some(st) = &self_ty else {
                self.diags.push(
                    Diagnostic::error(
                        "E0424",
                        "`self` parameter is only allowed in associated functions",
                        sp.span,
                    )
                    .with_label("not semantically valid as function parameter"),
                );
                return;
            };
            let (ty, mutable) = match sp.kind {
                ast::SelfKind::Value { mutable } => (st.clone(), mutable),
                ast::SelfKind::Ref => (Ty::Ref(false, Box::new(st.clone())), false),
                ast::SelfKind::RefMut => (Ty::Ref(true, Box::new(st.clone())), false),
            };
            params.push(LocalId(locals.len() as u32));
            locals.push(LocalDecl {
                name: "self".into(),
                ty,
                mutable,
                span: sp.span,
                kind: LocalKind::Param,
            });
        }
        for p in &decl.params {
            let ty = self.lower_ty(&p.ty, module, &scope, self_ty.as_ref());
            let (name, mutable) = match &p.pat.kind {
                ast::PatKind::Ident {
                    name,
                    mutable,
                    sub: None,
                    by_ref: false,
                } => (name.name.clone(), *mutable),
                ast::PatKind::Wild => ("_".to_string(), false),
                _ => {
                    self.diags.push(Diagnostic::error(
                        "Z0007",
                        "parameters must be plain names (`x: T` or `mut x: T`)",
                        p.pat.span,
                    ));
                    ("_".to_string(), false)
                }
            };
            params.push(LocalId(locals.len() as u32));
            locals.push(LocalDecl {
                name,
                ty,
                mutable,
                span: p.pat.span,
                kind: LocalKind::Param,
            });
        }
        let ret = match &decl.ret {
            Some(t) => self.lower_ty(t, module, &scope, self_ty.as_ref()),
            None => Ty::unit(),
        };
        let ret_span = decl.ret.as_ref().map_or(decl.name.span, |t| t.span);
        let mut ref_lifetimes: Vec<Vec<Option<String>>> = Vec::new();
        if let Some(sp) = &decl.self_param {
            ref_lifetimes.push(
                if matches!(sp.kind, ast::SelfKind::Ref | ast::SelfKind::RefMut) {
                    vec![None]
                } else {
                    vec![]
                },
            );
        }
        for (p, l) in decl
            .params
            .iter()
            .zip(params.iter().skip(usize::from(decl.self_param.is_some())))
        {
            ref_lifetimes.push(written_lifetimes(&p.ty, &locals[l.0 as usize].ty));
        }
        ref_lifetimes.push(
            decl.ret
                .as_ref()
                .map(|t| written_lifetimes(t, &ret))
                .unwrap_or_default(),
        );
        let from_prelude = self.is_ancestor(self.prelude_mod, module);
        let has = |n: &str| src_attrs.iter().any(|a| a.path.text() == n);
        let f = &mut self.program.fns[id.0 as usize];
        // Flags are known before any body is checked, so calls may rely on them.
        f.attrs.pure = has("pure");
        f.attrs.trusted = has("trusted");
        f.attrs.ghost = has("ghost");
        f.attrs.kernel = has("gpu::kernel");
        f.attrs.device = has("gpu::device");
        f.attrs.intrinsic = from_prelude && has("intrinsic");
        f.attrs.from_prelude = from_prelude;
        f.generics = generics;
        f.self_ty = self_ty;
        f.params = params;
        f.locals = locals;
        f.ret = ret;
        f.ret_span = ret_span;
        f.ref_lifetimes = ref_lifetimes;
    }

    fn check_const(&mut self, id: ConstId) {
        let src = &self.const_src[id.0 as usize];
        let (decl, module, impl_idx) = (src.decl, src.module, src.impl_idx);
        let self_ty = impl_idx.map(|i| self.impls[i].self_ty.clone());
        let ty = self.lower_ty(&decl.ty, module, &GenericScope::default(), self_ty.as_ref());
        self.program.consts[id.0 as usize].ty = ty.clone();
        let value = check::check_const_value(self, module, self_ty, &decl.value, &ty);
        self.program.consts[id.0 as usize].value = value;
    }

    /// Checks every function body and contract (the prelude's only with `prelude_bodies`), on
    /// parallel threads when there are many; results are written back in function order, so
    /// output does not depend on scheduling.
    fn check_bodies(&mut self, prelude_bodies: bool) {
        let ids: Vec<FnId> = (0..self.fn_src.len() as u32)
            .map(FnId)
            .filter(|f| {
                self.fn_src[f.0 as usize].as_ref().is_some_and(|src| {
                    prelude_bodies || !self.is_ancestor(self.prelude_mod, src.module)
                })
            })
            .collect();
        let threads = vez_syntax::threads();
        let threads = if ids.len() >= 256 { threads } else { 1 };
        let chunk = ids.len().div_ceil(threads.max(1)).max(1);
        let this: &Ctx = self;
        let results: Vec<Vec<(FnId, check::FnResult)>> = if threads <= 1 {
            vec![ids.iter().map(|f| (*f, this.check_one(*f))).collect()]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = ids
                    .chunks(chunk)
                    .map(|part| {
                        scope.spawn(move || {
                            part.iter()
                                .map(|f| (*f, this.check_one(*f)))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        for (id, r) in results.into_iter().flatten() {
            self.diags.extend(r.diags);
            let def = &mut self.program.fns[id.0 as usize];
            def.locals = r.locals;
            def.contract = r.contract;
            def.attrs = r.attrs;
            def.body = r.body;
        }
    }

    fn check_one(&self, id: FnId) -> check::FnResult {
        let src = self.fn_src[id.0 as usize]
            .as_ref()
            .expect("filtered to functions with sources");
        let mut r = check::check_fn(self, id, src.decl, src.attrs, src.module, src.span);
        // Exhaustiveness needs final types: only for functions that type-checked.
        if r.diags
            .iter()
            .all(|d| d.severity != vez_syntax::Severity::Error)
        {
            exhaustive::check_fn(&self.program, r.body.as_ref(), &r.contract, &mut r.diags);
        }
        r
    }

    /// Display name of a type.
    pub fn ty_name(&self, t: &Ty) -> String {
        self.program.ty_name(t)
    }
}

/// The lifetimes written on the reference layers of a type, in pre-order; all `None` when the
/// written type does not show every layer of the resolved one (aliases).
fn written_lifetimes(t: &ast::Type, resolved: &Ty) -> Vec<Option<String>> {
    fn walk(t: &ast::Type, out: &mut Vec<Option<String>>) {
        match &t.kind {
            ast::TypeKind::Ref { lifetime, ty, .. } => {
                out.push(
                    lifetime
                        .as_ref()
                        .map(|l| l.name.trim_start_matches('\'').to_string()),
                );
                walk(ty, out);
            }
            ast::TypeKind::Path(p) => {
                for seg in &p.segments {
                    for a in seg.generics.iter().flatten() {
                        if let ast::GenericArg::Type(t) = a {
                            walk(t, out);
                        }
                    }
                }
            }
            ast::TypeKind::Tuple(ts) => ts.iter().for_each(|t| walk(t, out)),
            ast::TypeKind::Slice(e) | ast::TypeKind::Array(e, _) => walk(e, out),
            ast::TypeKind::Never | ast::TypeKind::Infer => {}
        }
    }
    let mut out = Vec::new();
    walk(t, &mut out);
    let mut layers = 0;
    resolved.walk(&mut |x| layers += usize::from(matches!(x, Ty::Ref(..))));
    if out.len() != layers {
        return vec![None; layers];
    }
    out
}
