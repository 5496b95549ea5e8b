//! Source types as SMT sorts. Integers and `char` are mathematical integers (with range facts
//! where values enter), `bool` is Bool; arrays, slices, `Vec`, `String`, `str` and `GpuBuffer`
//! are one `Seq` datatype per element sort (length plus an SMT array of contents); structs,
//! enums and tuples are datatypes; references and `Box` are their pointee's sort (value
//! semantics: a shared reference cannot change what it points to while it lives, and a `&mut`
//! is followed statically by the executor); floats, generic parameters and anything else
//! opaque are uninterpreted sorts. Only the sorts a function's query uses are declared, in the
//! order they were first needed (datatypes that refer to each other, as `Node` and
//! `Option<Box<Node>>` do, in one `declare-datatypes`), with names derived from the source
//! (stable across edits of unrelated items).

use crate::term::{self, app, Sort, T};
use std::collections::{BTreeMap, HashSet};
use vez_typeck::hir::{CtorKind, Program};
use vez_typeck::ty::{IntTy, Ty};

/// The shape of a datatype: constructors with their fields' accessor names and sorts.
#[derive(Clone, Debug)]
pub struct Datatype {
    pub name: String,
    pub ctors: Vec<(String, Vec<(String, Sort)>)>,
}

#[derive(Default)]
pub struct Types {
    /// Declarations in dependency order (SMT-LIB text).
    pub decls: Vec<String>,
    declared: HashSet<String>,
    /// Datatypes whose constructors are being built (outermost first), each with the lowest
    /// stack position its fields reach: a datatype that reaches below itself is part of a
    /// recursive group (`struct Node { next: Option<Box<Node>> }`), declared together.
    in_progress: Vec<(String, usize)>,
    /// Members of recursive groups waiting for their group's outermost datatype.
    pending: Vec<Datatype>,
    pub datatypes: BTreeMap<String, Datatype>,
    /// Uninterpreted functions declared on demand (name -> declaration).
    pub funs: BTreeMap<String, String>,
    pub fun_order: Vec<String>,
}

pub fn int_range(i: IntTy) -> (i128, u128) {
    (i.min_value(), i.max_value())
}

impl Types {
    pub fn sort_of(&mut self, p: &Program, ty: &Ty) -> Sort {
        match ty {
            Ty::Int(_) | Ty::Char => Sort::Int,
            Ty::Bool => Sort::Bool,
            Ty::Ref(_, t) => self.sort_of(p, t),
            Ty::Str => self.seq_sort(Sort::Int),
            Ty::Array(t, _) | Ty::Slice(t) => {
                let e = self.sort_of(p, t);
                self.seq_sort(e)
            }
            Ty::Adt(id, args) => {
                let lang = &p.lang;
                if Some(*id) == lang.vec || Some(*id) == lang.gpu_buffer {
                    let e = match args.first() {
                        Some(t) => self.sort_of(p, t),
                        None => Sort::Int,
                    };
                    return self.seq_sort(e);
                }
                if Some(*id) == lang.string {
                    return self.seq_sort(Sort::Int);
                }
                if Some(*id) == lang.boxed {
                    return match args.first() {
                        Some(t) => self.sort_of(p, t),
                        None => self.opaque("Box"),
                    };
                }
                let adt = &p.adts[id.0 as usize];
                if adt.builtin {
                    return self.opaque(&display(p, ty));
                }
                let name = term::sym(&display(p, ty));
                if self.is_known(&name) {
                    return Sort::Named(name);
                }
                let tname = display(p, ty);
                let frame = self.enter(&name);
                let mut ctors = Vec::new();
                for v in &adt.variants {
                    // A model shows values by constructor name, so a struct's names its
                    // fields (`Pt { x, y }`), which the counterexample printer fills in.
                    let cname = if adt.is_enum {
                        term::sym(&format!("{tname}::{}", v.name))
                    } else if v.kind == CtorKind::Named && !v.fields.is_empty() {
                        let names: Vec<&str> = v.fields.iter().map(|f| f.name.as_str()).collect();
                        term::sym(&format!("{tname} {{ {} }}", names.join(", ")))
                    } else {
                        term::sym(&format!("{tname}::mk"))
                    };
                    let mut fields = Vec::new();
                    for (i, f) in v.fields.iter().enumerate() {
                        let fty = f.ty.subst(args);
                        let s = self.sort_of(p, &fty);
                        let acc = term::sym(&if adt.is_enum {
                            format!("{tname}::{}.{i}", v.name)
                        } else {
                            format!("{tname}.{}", f.name)
                        });
                        fields.push((acc, s));
                    }
                    ctors.push((cname, fields));
                }
                self.leave(
                    frame,
                    Datatype {
                        name: name.clone(),
                        ctors,
                    },
                );
                Sort::Named(name)
            }
            Ty::Tuple(items) => {
                let tname = display(p, ty);
                let name = term::sym(&tname);
                if self.is_known(&name) {
                    return Sort::Named(name);
                }
                let frame = self.enter(&name);
                let cname = term::sym(&format!("{tname}::mk"));
                let mut fields = Vec::new();
                for (i, t) in items.iter().enumerate() {
                    let s = self.sort_of(p, t);
                    fields.push((term::sym(&format!("{tname}.{i}")), s));
                }
                self.leave(
                    frame,
                    Datatype {
                        name: name.clone(),
                        ctors: vec![(cname, fields)],
                    },
                );
                Sort::Named(name)
            }
            Ty::Never => self.sort_of(p, &Ty::unit()),
            Ty::Float(f) => self.opaque(f.name()),
            Ty::Param(_, n) => self.opaque(n),
            _ => self.opaque("?"),
        }
    }

    pub fn opaque(&mut self, name: &str) -> Sort {
        let s = term::sym(name);
        if self.declared.insert(s.clone()) {
            self.decls.push(format!("(declare-sort {s} 0)"));
        }
        Sort::Named(s)
    }

    pub fn seq_sort(&mut self, elem: Sort) -> Sort {
        let name = term::sym(&format!("Seq<{}>", strip(&elem.smt())));
        if !self.is_known(&name) {
            let base = &name[1..name.len() - 1];
            let frame = self.enter(&name);
            self.reach(&elem);
            self.leave(
                frame,
                Datatype {
                    name: name.clone(),
                    ctors: vec![(
                        term::sym(&format!("{base}::mk")),
                        vec![
                            (term::sym(&format!("{base}.len")), Sort::Int),
                            (
                                term::sym(&format!("{base}.data")),
                                Sort::Array(Box::new(Sort::Int), Box::new(elem)),
                            ),
                        ],
                    )],
                },
            );
        }
        Sort::Named(name)
    }

    pub fn fuel_sort(&mut self) -> Sort {
        let name = "Fuel".to_string();
        if !self.declared.contains(&name) {
            self.declare_datatype(Datatype {
                name: name.clone(),
                ctors: vec![
                    ("FZ".into(), vec![]),
                    (
                        "FS".into(),
                        vec![("FS.pred".into(), Sort::Named(name.clone()))],
                    ),
                ],
            });
        }
        Sort::Named(name)
    }

    /// Declared already, or being built further out (a recursive reference: noted).
    fn is_known(&mut self, name: &str) -> bool {
        if self.declared.contains(name) {
            return true;
        }
        match self.in_progress.iter().position(|(n, _)| n == name) {
            Some(pos) => {
                self.reached(pos);
                true
            }
            None => false,
        }
    }

    /// Notes that the datatype being built refers to the one at stack position `pos`.
    fn reached(&mut self, pos: usize) {
        if let Some(top) = self.in_progress.last_mut() {
            top.1 = top.1.min(pos);
        }
    }

    /// Notes every datatype being built that `s` names (a sequence's element sort).
    fn reach(&mut self, s: &Sort) {
        match s {
            Sort::Named(n) => {
                if let Some(pos) = self.in_progress.iter().position(|(m, _)| m == n) {
                    self.reached(pos);
                }
            }
            Sort::Array(a, b) => {
                self.reach(a);
                self.reach(b);
            }
            Sort::Int | Sort::Bool => {}
        }
    }

    /// Starts building datatype `name`; the frame is what [`Self::leave`] needs back.
    fn enter(&mut self, name: &str) -> (usize, usize) {
        let pos = self.in_progress.len();
        self.in_progress.push((name.to_string(), pos));
        (pos, self.pending.len())
    }

    /// Finishes a datatype: declared now if it reaches nothing further out (with the members
    /// of its recursive group collected meanwhile), else left for its group.
    fn leave(&mut self, (pos, pending_from): (usize, usize), d: Datatype) {
        let (_, low) = self.in_progress.pop().expect("entered");
        if low < pos {
            self.pending.push(d);
            self.reached(low);
            return;
        }
        let mut group = self.pending.split_off(pending_from);
        group.insert(0, d);
        self.declare_datatypes(group);
    }

    fn declare_datatype(&mut self, d: Datatype) {
        self.declare_datatypes(vec![d]);
    }

    /// One `declare-datatypes` for a group of (mutually recursive) datatypes.
    fn declare_datatypes(&mut self, group: Vec<Datatype>) {
        let names: Vec<String> = group.iter().map(|d| format!("({} 0)", d.name)).collect();
        let mut s = format!("(declare-datatypes ({}) (", names.join(" "));
        for (k, d) in group.iter().enumerate() {
            if k > 0 {
                s.push(' ');
            }
            s.push('(');
            for (i, (c, fields)) in d.ctors.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                s.push('(');
                s.push_str(c);
                for (a, srt) in fields {
                    s.push_str(&format!(" ({a} {})", srt.smt()));
                }
                s.push(')');
            }
            s.push(')');
        }
        s.push_str("))");
        self.decls.push(s);
        for d in group {
            self.declared.insert(d.name.clone());
            self.datatypes.insert(d.name.clone(), d);
        }
    }

    pub fn datatype(&self, s: &Sort) -> Option<&Datatype> {
        match s {
            Sort::Named(n) => self.datatypes.get(n),
            _ => None,
        }
    }

    /// Declares an uninterpreted function once.
    pub fn fun(&mut self, name: &str, args: &[Sort], ret: &Sort) {
        if !self.funs.contains_key(name) {
            let a: Vec<String> = args.iter().map(|s| s.smt()).collect();
            self.funs.insert(
                name.to_string(),
                format!("(declare-fun {name} ({}) {})", a.join(" "), ret.smt()),
            );
            self.fun_order.push(name.to_string());
        }
    }

    pub fn seq_len(&self, seq_sort: &Sort, t: T) -> T {
        let n = seq_name(seq_sort);
        let mk = term::sym(&format!("{n}::mk"));
        term::project(&mk, 0, &term::sym(&format!("{n}.len")), t)
    }
    pub fn seq_data(&self, seq_sort: &Sort, t: T) -> T {
        let n = seq_name(seq_sort);
        let mk = term::sym(&format!("{n}::mk"));
        term::project(&mk, 1, &term::sym(&format!("{n}.data")), t)
    }
    pub fn seq_mk(&self, seq_sort: &Sort, len: T, data: T) -> T {
        let n = seq_name(seq_sort);
        app(&term::sym(&format!("{n}::mk")), vec![len, data])
    }
}

fn strip(s: &str) -> String {
    s.replace('|', "")
}

/// A sequence sort's name without the SMT quotes (a prefix for names derived from it).
pub fn seq_name(s: &Sort) -> String {
    strip(&s.smt())
}

/// The element sort of a `Seq` sort.
pub fn seq_elem(types: &Types, s: &Sort) -> Option<Sort> {
    let d = types.datatype(s)?;
    match &d.ctors.first()?.1.get(1)?.1 {
        Sort::Array(_, e) => Some((**e).clone()),
        _ => None,
    }
}

/// Types as users write them (the names SMT symbols derive from).
pub fn display(p: &Program, ty: &Ty) -> String {
    vez_typeck::ty::TyDisplay {
        ty,
        adt_name: &|id| p.adts[id.0 as usize].name.clone(),
    }
    .to_string()
}

/// Whether values of the type are sequences in the encoding.
pub fn is_seq(p: &Program, ty: &Ty) -> bool {
    match ty {
        Ty::Array(..) | Ty::Slice(_) | Ty::Str => true,
        Ty::Ref(_, t) => is_seq(p, t),
        Ty::Adt(id, args) => {
            let l = &p.lang;
            Some(*id) == l.vec
                || Some(*id) == l.gpu_buffer
                || Some(*id) == l.string
                || (Some(*id) == l.boxed && args.first().is_some_and(|t| is_seq(p, t)))
        }
        _ => false,
    }
}

/// Element type of an array, slice, `Vec` or `GpuBuffer` (through references).
pub fn elem_ty(p: &Program, ty: &Ty) -> Option<Ty> {
    match ty {
        Ty::Array(t, _) | Ty::Slice(t) => Some((**t).clone()),
        Ty::Str => Some(Ty::Int(IntTy::U8)),
        Ty::Ref(_, t) => elem_ty(p, t),
        Ty::Adt(id, args) => {
            let l = &p.lang;
            if Some(*id) == l.string {
                Some(Ty::Int(IntTy::U8))
            } else if Some(*id) == l.vec || Some(*id) == l.gpu_buffer {
                args.first().cloned()
            } else if Some(*id) == l.boxed {
                args.first().and_then(|t| elem_ty(p, t))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether every value of `ty` occupies at least one byte. Rust allocates at most
/// `isize::MAX` bytes, so a sequence of such elements has at most `isize::MAX` of them; a
/// zero-sized element type (`()`, an empty struct, possibly a generic `T`) has no such bound.
pub fn never_zero_sized(p: &Program, ty: &Ty) -> bool {
    fn go(p: &Program, ty: &Ty, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match ty {
            Ty::Int(_) | Ty::Char | Ty::Bool | Ty::Float(_) | Ty::Ref(..) => true,
            Ty::Tuple(items) => items.iter().any(|t| go(p, t, depth + 1)),
            Ty::Array(t, _) => ty.array_len().is_some_and(|n| n > 0) && go(p, t, depth + 1),
            Ty::Adt(id, args) => {
                let l = &p.lang;
                if [l.vec, l.string, l.boxed, l.gpu_buffer].contains(&Some(*id)) {
                    return true;
                }
                let adt = &p.adts[id.0 as usize];
                if adt.builtin {
                    return false;
                }
                match adt.variants.as_slice() {
                    [v] => v.fields.iter().any(|f| go(p, &f.ty.subst(args), depth + 1)),
                    vs => vs.len() >= 2,
                }
            }
            _ => false,
        }
    }
    go(p, ty, 0)
}

/// The type reached by dereferencing (references, `Box`; `Vec`/`String` deref to slices).
pub fn deref_ty(p: &Program, ty: &Ty) -> Ty {
    match ty {
        Ty::Ref(_, t) => (**t).clone(),
        Ty::Adt(id, args) if Some(*id) == p.lang.boxed => {
            args.first().cloned().unwrap_or(Ty::Error)
        }
        Ty::Adt(id, args) if Some(*id) == p.lang.vec => {
            Ty::Slice(Box::new(args.first().cloned().unwrap_or(Ty::Error)))
        }
        Ty::Adt(id, _) if Some(*id) == p.lang.string => Ty::Str,
        _ => ty.clone(),
    }
}
