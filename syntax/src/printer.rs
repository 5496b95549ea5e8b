//! Prints an AST back as VeZ source. Parenthesised expressions are kept as `Paren` nodes by
//! the parser, so printing operators without adding parentheses reproduces the same tree
//! (the round-trip test checks this over the corpus).

use crate::ast::*;
use std::fmt::Write;

pub fn print_items(items: &[Item]) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
    };
    for item in items {
        p.item(item);
    }
    p.out
}

pub fn print_expr(e: &Expr) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
    };
    p.expr(e);
    p.out
}

pub fn print_type(t: &Type) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
    };
    p.ty(t);
    p.out
}

struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }
    fn nl(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }
    fn sep<T>(&mut self, xs: &[T], sep: &str, mut f: impl FnMut(&mut Self, &T)) {
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                self.w(sep);
            }
            f(self, x);
        }
    }

    fn attr(&mut self, a: &Attr) {
        self.w("#[");
        self.path(&a.path);
        if let Some(args) = &a.args {
            self.w("(");
            self.sep(args, ", ", |p, e| p.expr(e));
            self.w(")");
        }
        self.w("]");
    }

    fn item(&mut self, item: &Item) {
        for a in &item.attrs {
            self.attr(a);
            self.nl();
        }
        if item.public {
            self.w("pub ");
        }
        match &item.kind {
            ItemKind::Fn(f) => self.fn_decl(f),
            ItemKind::Struct(s) => {
                self.w("struct ");
                self.w(&s.name.name);
                self.generics(&s.generics);
                match &s.data {
                    VariantData::Named(fields) => {
                        self.where_clause(&s.generics);
                        self.w(" ");
                        self.named_fields(fields);
                    }
                    VariantData::Tuple(tys) => {
                        self.w("(");
                        self.sep(tys, ", ", |p, t| p.ty(t));
                        self.w(");");
                    }
                    VariantData::Unit => self.w(";"),
                }
            }
            ItemKind::Enum(e) => {
                self.w("enum ");
                self.w(&e.name.name);
                self.generics(&e.generics);
                self.where_clause(&e.generics);
                self.w(" {");
                self.indent += 1;
                for v in &e.variants {
                    self.nl();
                    for a in &v.attrs {
                        self.attr(a);
                        self.w(" ");
                    }
                    self.w(&v.name.name);
                    match &v.data {
                        VariantData::Named(fields) => {
                            self.w(" ");
                            self.named_fields(fields);
                        }
                        VariantData::Tuple(tys) => {
                            self.w("(");
                            self.sep(tys, ", ", |p, t| p.ty(t));
                            self.w(")");
                        }
                        VariantData::Unit => {}
                    }
                    if let Some(d) = &v.discriminant {
                        self.w(" = ");
                        self.expr(d);
                    }
                    self.w(",");
                }
                self.indent -= 1;
                self.nl();
                self.w("}");
            }
            ItemKind::Impl(i) => {
                self.w("impl");
                self.generics(&i.generics);
                self.w(" ");
                if let Some(t) = &i.trait_ref {
                    self.path(t);
                    self.w(" for ");
                }
                self.ty(&i.self_ty);
                self.where_clause(&i.generics);
                self.item_block(&i.items);
            }
            ItemKind::Trait(t) => {
                self.w("trait ");
                self.w(&t.name.name);
                self.generics(&t.generics);
                if !t.supertraits.is_empty() {
                    self.w(": ");
                    self.sep(&t.supertraits, " + ", |p, b| p.path(b));
                }
                self.where_clause(&t.generics);
                self.item_block(&t.items);
            }
            ItemKind::Const(c) => {
                let _ = write!(self.out, "const {}: ", c.name.name);
                self.ty(&c.ty);
                self.w(" = ");
                self.expr(&c.value);
                self.w(";");
            }
            ItemKind::TypeAlias(t) => {
                let _ = write!(self.out, "type {}", t.name.name);
                self.generics(&t.generics);
                self.w(" = ");
                self.ty(&t.ty);
                self.w(";");
            }
            ItemKind::Mod(m) => {
                let _ = write!(self.out, "mod {}", m.name.name);
                match (&m.items, m.external) {
                    (Some(items), false) => self.item_block(items),
                    _ => self.w(";"),
                }
            }
            ItemKind::Use(u) => {
                self.w("use ");
                self.use_tree(u);
                self.w(";");
            }
            ItemKind::Error => self.w("/* error */"),
        }
        self.nl();
    }

    fn item_block(&mut self, items: &[Item]) {
        self.w(" {");
        self.indent += 1;
        for it in items {
            self.nl();
            self.item(it);
        }
        self.indent -= 1;
        self.nl();
        self.w("}");
    }

    fn named_fields(&mut self, fields: &[FieldDecl]) {
        self.w("{");
        self.indent += 1;
        for f in fields {
            self.nl();
            if f.public {
                self.w("pub ");
            }
            let _ = write!(self.out, "{}: ", f.name.name);
            self.ty(&f.ty);
            self.w(",");
        }
        self.indent -= 1;
        self.nl();
        self.w("}");
    }

    fn use_tree(&mut self, u: &UseTree) {
        match u {
            UseTree::Simple { path, alias } => {
                self.path(path);
                if let Some(a) = alias {
                    let _ = write!(self.out, " as {}", a.name);
                }
            }
            UseTree::Glob { prefix } => {
                self.path(prefix);
                self.w("::*");
            }
            UseTree::Nested { prefix, trees, .. } => {
                if let Some(p) = prefix {
                    self.path(p);
                    self.w("::");
                }
                self.w("{");
                self.sep(trees, ", ", |p, t| p.use_tree(t));
                self.w("}");
            }
        }
    }

    fn fn_decl(&mut self, f: &FnDecl) {
        let _ = write!(self.out, "fn {}", f.name.name);
        self.generics(&f.generics);
        self.w("(");
        let mut first = true;
        if let Some(s) = &f.self_param {
            self.w(match s.kind {
                SelfKind::Value { mutable: false } => "self",
                SelfKind::Value { mutable: true } => "mut self",
                SelfKind::Ref => "&self",
                SelfKind::RefMut => "&mut self",
            });
            first = false;
        }
        for prm in &f.params {
            if !first {
                self.w(", ");
            }
            first = false;
            self.pat(&prm.pat);
            self.w(": ");
            self.ty(&prm.ty);
        }
        self.w(")");
        if let Some(r) = &f.ret {
            self.w(" -> ");
            self.ty(r);
        }
        self.where_clause(&f.generics);
        match &f.body {
            Some(b) => {
                self.w(" ");
                self.block(b);
            }
            None => self.w(";"),
        }
    }

    fn generics(&mut self, g: &Generics) {
        if g.params.is_empty() {
            return;
        }
        self.w("<");
        self.sep(&g.params, ", ", |p, gp| match gp {
            GenericParam::Type { name, bounds } => {
                p.w(&name.name);
                if !bounds.is_empty() {
                    p.w(": ");
                    p.sep(bounds, " + ", |p, b| p.path(b));
                }
            }
            GenericParam::Lifetime(l) => p.w(&l.name),
            GenericParam::Const { name, ty } => {
                let _ = write!(p.out, "const {}: ", name.name);
                p.ty(ty);
            }
        });
        self.w(">");
    }

    fn where_clause(&mut self, g: &Generics) {
        if g.where_clauses.is_empty() {
            return;
        }
        self.w(" where ");
        self.sep(&g.where_clauses, ", ", |p, w| {
            p.ty(&w.ty);
            p.w(": ");
            p.sep(&w.bounds, " + ", |p, b| p.path(b));
        });
    }

    fn path(&mut self, path: &Path) {
        for (i, s) in path.segments.iter().enumerate() {
            if i > 0 {
                self.w("::");
            }
            self.w(&s.ident.name);
            if let Some(g) = &s.generics {
                self.w("::<");
                self.sep(g, ", ", |p, a| p.generic_arg(a));
                self.w(">");
            }
        }
    }

    fn type_path(&mut self, path: &Path) {
        for (i, s) in path.segments.iter().enumerate() {
            if i > 0 {
                self.w("::");
            }
            self.w(&s.ident.name);
            if let Some(g) = &s.generics {
                self.w("<");
                self.sep(g, ", ", |p, a| p.generic_arg(a));
                self.w(">");
            }
        }
    }

    fn generic_arg(&mut self, a: &GenericArg) {
        match a {
            GenericArg::Type(t) => self.ty(t),
            GenericArg::Const(e) => match &e.kind {
                ExprKind::Lit(_) => self.expr(e),
                _ => {
                    self.w("{ ");
                    self.expr(e);
                    self.w(" }");
                }
            },
            GenericArg::Lifetime(l) => self.w(&l.name),
        }
    }

    fn ty(&mut self, t: &Type) {
        match &t.kind {
            TypeKind::Path(p) => self.type_path(p),
            TypeKind::Ref {
                lifetime,
                mutable,
                ty,
            } => {
                self.w("&");
                if let Some(l) = lifetime {
                    self.w(&l.name);
                    self.w(" ");
                }
                if *mutable {
                    self.w("mut ");
                }
                self.ty(ty);
            }
            TypeKind::Slice(t) => {
                self.w("[");
                self.ty(t);
                self.w("]");
            }
            TypeKind::Array(t, n) => {
                self.w("[");
                self.ty(t);
                self.w("; ");
                self.expr(n);
                self.w("]");
            }
            TypeKind::Tuple(ts) => {
                self.w("(");
                self.sep(ts, ", ", |p, t| p.ty(t));
                if ts.len() == 1 {
                    self.w(",");
                }
                self.w(")");
            }
            TypeKind::Never => self.w("!"),
            TypeKind::Infer => self.w("_"),
        }
    }

    fn pat(&mut self, pat: &Pat) {
        match &pat.kind {
            PatKind::Wild => self.w("_"),
            PatKind::Rest => self.w(".."),
            PatKind::Ident {
                name,
                mutable,
                by_ref,
                sub,
            } => {
                if *by_ref {
                    self.w("ref ");
                }
                if *mutable {
                    self.w("mut ");
                }
                self.w(&name.name);
                if let Some(s) = sub {
                    self.w(" @ ");
                    self.pat(s);
                }
            }
            PatKind::Path(p) => self.path(p),
            PatKind::TupleStruct(p, ps) => {
                self.path(p);
                self.w("(");
                self.sep(ps, ", ", |p, x| p.pat(x));
                self.w(")");
            }
            PatKind::Struct { path, fields, rest } => {
                self.path(path);
                self.w(" { ");
                self.sep(fields, ", ", |p, f| {
                    if f.shorthand {
                        p.pat(&f.pat);
                    } else {
                        let _ = write!(p.out, "{}: ", f.name.name);
                        p.pat(&f.pat);
                    }
                });
                if *rest {
                    self.w(if fields.is_empty() { ".." } else { ", .." });
                }
                self.w(" }");
            }
            PatKind::Tuple(ps) => {
                self.w("(");
                self.sep(ps, ", ", |p, x| p.pat(x));
                if ps.len() == 1 {
                    self.w(",");
                }
                self.w(")");
            }
            PatKind::Slice(ps) => {
                self.w("[");
                self.sep(ps, ", ", |p, x| p.pat(x));
                self.w("]");
            }
            PatKind::Lit(e) => self.expr(e),
            PatKind::Range { lo, hi, inclusive } => {
                self.expr(lo);
                self.w(if *inclusive { "..=" } else { ".." });
                self.expr(hi);
            }
            PatKind::Ref { pat, .. } => {
                self.w("&");
                self.pat(pat);
            }
            PatKind::Or(ps) => self.sep(ps, " | ", |p, x| p.pat(x)),
        }
    }

    fn lit(&mut self, l: &Lit) {
        match l {
            Lit::Int { value, suffix } => {
                let _ = write!(self.out, "{value}");
                if let Some(s) = suffix {
                    self.w(s.as_str());
                }
            }
            Lit::Float { text, suffix } => {
                self.w(text);
                match suffix {
                    Some(FloatSuffix::F32) => self.w("f32"),
                    Some(FloatSuffix::F64) => self.w("f64"),
                    None => {}
                }
            }
            Lit::Bool(b) => self.w(if *b { "true" } else { "false" }),
            Lit::Char(c) => {
                let _ = write!(self.out, "'{}'", c.escape_default());
            }
            Lit::Byte(b) => {
                let _ = write!(self.out, "b'{}'", (*b as char).escape_default());
            }
            Lit::Str(s) => {
                let _ = write!(self.out, "\"{}\"", s.escape_default());
            }
            Lit::ByteStr(bs) => {
                let s: String = bs
                    .iter()
                    .map(|b| (*b as char).escape_default().to_string())
                    .collect();
                let _ = write!(self.out, "b\"{s}\"");
            }
        }
    }

    fn cond(&mut self, c: &Cond) {
        match c {
            Cond::Expr(e) => self.expr(e),
            Cond::Let(p, e) => {
                self.w("let ");
                self.pat(p);
                self.w(" = ");
                self.expr(e);
            }
        }
    }

    fn loop_label(&mut self, label: &Option<Ident>) {
        if let Some(l) = label {
            self.w(&l.name);
            self.w(": ");
        }
    }

    fn loop_attrs(&mut self, attrs: &[Attr]) {
        for a in attrs {
            self.attr(a);
            self.nl();
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Lit(l) => self.lit(l),
            ExprKind::Path(p) => self.path(p),
            ExprKind::Unary(op, x) => {
                self.w(match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "!",
                    UnOp::Deref => "*",
                });
                self.expr(x);
            }
            ExprKind::Binary(op, a, b) => {
                self.expr(a);
                let _ = write!(self.out, " {} ", op.as_str());
                self.expr(b);
            }
            ExprKind::Assign(a, b) => {
                self.expr(a);
                self.w(" = ");
                self.expr(b);
            }
            ExprKind::AssignOp(op, a, b) => {
                self.expr(a);
                let _ = write!(self.out, " {}= ", op.as_str());
                self.expr(b);
            }
            ExprKind::Cast(x, t) => {
                self.expr(x);
                self.w(" as ");
                self.ty(t);
            }
            ExprKind::Call(f, args) => {
                self.expr(f);
                self.w("(");
                self.sep(args, ", ", |p, a| p.expr(a));
                self.w(")");
            }
            ExprKind::MethodCall(x) => {
                let MethodCall {
                    receiver,
                    method,
                    generics,
                    args,
                } = &**x;
                self.expr(receiver);
                self.w(".");
                self.w(&method.name);
                if let Some(g) = generics {
                    self.w("::<");
                    self.sep(g, ", ", |p, a| p.generic_arg(a));
                    self.w(">");
                }
                self.w("(");
                self.sep(args, ", ", |p, a| p.expr(a));
                self.w(")");
            }
            ExprKind::Field(x, f) => {
                self.expr(x);
                self.w(".");
                self.w(&f.name);
            }
            ExprKind::TupleField(x, i, _) => {
                self.expr(x);
                let _ = write!(self.out, ".{i}");
            }
            ExprKind::Index(x, i) => {
                self.expr(x);
                self.w("[");
                self.expr(i);
                self.w("]");
            }
            ExprKind::Try(x) => {
                self.expr(x);
                self.w("?");
            }
            ExprKind::Ref { mutable, expr } => {
                self.w(if *mutable { "&mut " } else { "&" });
                self.expr(expr);
            }
            ExprKind::Tuple(xs) => {
                self.w("(");
                self.sep(xs, ", ", |p, a| p.expr(a));
                if xs.len() == 1 {
                    self.w(",");
                }
                self.w(")");
            }
            ExprKind::Array(xs) => {
                self.w("[");
                self.sep(xs, ", ", |p, a| p.expr(a));
                self.w("]");
            }
            ExprKind::ArrayRepeat(x, n) => {
                self.w("[");
                self.expr(x);
                self.w("; ");
                self.expr(n);
                self.w("]");
            }
            ExprKind::Struct(x) => {
                let StructLit { path, fields, base } = &**x;
                self.path(path);
                self.w(" { ");
                self.sep(fields, ", ", |p, f| {
                    if f.shorthand {
                        p.w(&f.name.name);
                    } else {
                        let _ = write!(p.out, "{}: ", f.name.name);
                        p.expr(&f.value);
                    }
                });
                if let Some(b) = base {
                    self.w(if fields.is_empty() { ".." } else { ", .." });
                    self.expr(b);
                }
                self.w(" }");
            }
            ExprKind::Block(b) => self.block(b),
            ExprKind::If(x) => {
                let IfExpr { cond, then, els } = &**x;
                self.w("if ");
                self.cond(cond);
                self.w(" ");
                self.block(then);
                if let Some(e) = els {
                    self.w(" else ");
                    self.expr(e);
                }
            }
            ExprKind::Match(s, arms) => {
                self.w("match ");
                self.expr(s);
                self.w(" {");
                self.indent += 1;
                for arm in arms {
                    self.nl();
                    self.pat(&arm.pat);
                    if let Some(g) = &arm.guard {
                        self.w(" if ");
                        self.expr(g);
                    }
                    self.w(" => ");
                    self.expr(&arm.body);
                    self.w(",");
                }
                self.indent -= 1;
                self.nl();
                self.w("}");
            }
            ExprKind::While(x) => {
                let WhileExpr {
                    attrs,
                    label,
                    cond,
                    body,
                } = &**x;
                self.loop_attrs(attrs);
                self.loop_label(label);
                self.w("while ");
                self.cond(cond);
                self.w(" ");
                self.block(body);
            }
            ExprKind::Loop(x) => {
                let LoopExpr { attrs, label, body } = &**x;
                self.loop_attrs(attrs);
                self.loop_label(label);
                self.w("loop ");
                self.block(body);
            }
            ExprKind::For(x) => {
                let ForExpr {
                    attrs,
                    label,
                    pat,
                    iter,
                    body,
                } = &**x;
                self.loop_attrs(attrs);
                self.loop_label(label);
                self.w("for ");
                self.pat(pat);
                self.w(" in ");
                self.expr(iter);
                self.w(" ");
                self.block(body);
            }
            ExprKind::Break(label, x) => {
                self.w("break");
                if let Some(l) = label {
                    self.w(" ");
                    self.w(&l.name);
                }
                if let Some(x) = x {
                    self.w(" ");
                    self.expr(x);
                }
            }
            ExprKind::Continue(label) => {
                self.w("continue");
                if let Some(l) = label {
                    self.w(" ");
                    self.w(&l.name);
                }
            }
            ExprKind::Return(x) => {
                self.w("return");
                if let Some(x) = x {
                    self.w(" ");
                    self.expr(x);
                }
            }
            ExprKind::Range { lo, hi, inclusive } => {
                if let Some(lo) = lo {
                    self.expr(lo);
                }
                self.w(if *inclusive { "..=" } else { ".." });
                if let Some(hi) = hi {
                    self.expr(hi);
                }
            }
            ExprKind::Closure(params, body) => {
                self.w("|");
                self.sep(params, ", ", |p, c| {
                    p.pat(&c.pat);
                    if let Some(t) = &c.ty {
                        p.w(": ");
                        p.ty(t);
                    }
                });
                self.w("| ");
                self.expr(body);
            }
            ExprKind::Macro(x) => {
                let MacroCall { name, args } = &**x;
                self.w(&name.name);
                self.w("!");
                match args {
                    MacroArgs::List(xs) => {
                        self.w(if name.name == "vec" { "[" } else { "(" });
                        self.sep(xs, ", ", |p, a| p.expr(a));
                        self.w(if name.name == "vec" { "]" } else { ")" });
                    }
                    MacroArgs::Repeat(x, n) => {
                        self.w("[");
                        self.expr(x);
                        self.w("; ");
                        self.expr(n);
                        self.w("]");
                    }
                }
            }
            ExprKind::Launch(x) => {
                let LaunchExpr {
                    kernel,
                    grid,
                    block,
                    args,
                } = &**x;
                self.path(kernel);
                self.w("<<<");
                self.expr(grid);
                self.w(", ");
                self.expr(block);
                self.w(">>>(");
                self.sep(args, ", ", |p, a| p.expr(a));
                self.w(")");
            }
            ExprKind::Trigger(x) => {
                self.w("#[trigger] ");
                self.expr(x);
            }
            ExprKind::Paren(x) => {
                self.w("(");
                self.expr(x);
                self.w(")");
            }
            ExprKind::Error => self.w("/* error */"),
        }
    }

    fn block(&mut self, b: &Block) {
        self.w("{");
        self.indent += 1;
        for s in &b.stmts {
            self.nl();
            for a in &s.attrs {
                self.attr(a);
                self.nl();
            }
            match &s.kind {
                StmtKind::Let(l) => {
                    let LetStmt { pat, ty, init, els } = &**l;
                    self.w("let ");
                    self.pat(pat);
                    if let Some(t) = ty {
                        self.w(": ");
                        self.ty(t);
                    }
                    if let Some(i) = init {
                        self.w(" = ");
                        self.expr(i);
                    }
                    if let Some(b) = els {
                        self.w(" else ");
                        self.block(b);
                    }
                    self.w(";");
                }
                StmtKind::Expr { expr, semi } => {
                    self.expr(expr);
                    if *semi {
                        self.w(";");
                    }
                }
                StmtKind::Error => self.w("/* error */;"),
            }
        }
        if let Some(t) = &b.tail {
            self.nl();
            self.expr(t);
        }
        self.indent -= 1;
        self.nl();
        self.w("}");
    }
}
