//! Building the AST of loops that the type checker writes in terms of simpler ones (`chars()`
//! loops, `(a..b).rev()`, `(a..b).step_by(k)`), all at one span so diagnostics point at the user's code. Names
//! with `·` are hidden: no identifier can contain it, so user code cannot reach them.

use vez_syntax::ast;
use vez_syntax::Span;

pub(crate) struct AstAt {
    pub sp: Span,
}

impl AstAt {
    pub fn ident(&self, name: &str) -> ast::Ident {
        ast::Ident {
            name: name.to_string(),
            span: self.sp,
        }
    }

    pub fn expr(&self, kind: ast::ExprKind) -> ast::Expr {
        ast::Expr {
            kind,
            span: self.sp,
        }
    }

    pub fn path(&self, name: &str) -> ast::Path {
        ast::Path {
            segments: vec![ast::PathSegment {
                ident: self.ident(name),
                generics: None,
            }],
            span: self.sp,
        }
    }

    /// A call of a path function: `Vec::new()` is `call_path(&["Vec", "new"], vec![])`.
    pub fn call_path(&self, segments: &[&str], args: Vec<ast::Expr>) -> ast::Expr {
        let path = ast::Path {
            segments: segments
                .iter()
                .map(|n| ast::PathSegment {
                    ident: self.ident(n),
                    generics: None,
                })
                .collect(),
            span: self.sp,
        };
        self.expr(ast::ExprKind::Call(
            Box::new(self.expr(ast::ExprKind::Path(path))),
            args,
        ))
    }

    pub fn var(&self, name: &str) -> ast::Expr {
        self.expr(ast::ExprKind::Path(self.path(name)))
    }

    pub fn call(&self, recv: ast::Expr, method: &str, args: Vec<ast::Expr>) -> ast::Expr {
        self.expr(ast::ExprKind::MethodCall(Box::new(ast::MethodCall {
            receiver: recv,
            method: self.ident(method),
            generics: None,
            args,
        })))
    }

    pub fn bin(&self, op: ast::BinOp, a: ast::Expr, b: ast::Expr) -> ast::Expr {
        self.expr(ast::ExprKind::Binary(op, Box::new(a), Box::new(b)))
    }

    pub fn usize_lit(&self, value: u128) -> ast::Expr {
        self.expr(ast::ExprKind::Lit(ast::Lit::Int {
            value,
            suffix: Some(ast::IntSuffix::Usize),
        }))
    }

    pub fn stmt(&self, kind: ast::StmtKind) -> ast::Stmt {
        ast::Stmt {
            attrs: vec![],
            kind,
            span: self.sp,
        }
    }

    /// `expr;`
    pub fn semi(&self, expr: ast::Expr) -> ast::Stmt {
        self.stmt(ast::StmtKind::Expr { expr, semi: true })
    }

    pub fn let_(&self, pat: ast::Pat, init: ast::Expr) -> ast::Stmt {
        self.stmt(ast::StmtKind::Let(Box::new(ast::LetStmt {
            pat,
            ty: None,
            init: Some(init),
            els: None,
        })))
    }

    pub fn binding(&self, name: &str, mutable: bool) -> ast::Pat {
        ast::Pat {
            kind: ast::PatKind::Ident {
                name: self.ident(name),
                mutable,
                by_ref: false,
                sub: None,
            },
            span: self.sp,
        }
    }

    pub fn attr(&self, name: &str, arg: ast::Expr) -> ast::Attr {
        ast::Attr {
            path: self.path(name),
            args: Some(vec![arg]),
            span: self.sp,
        }
    }

    pub fn shared_ref(&self, e: ast::Expr) -> ast::Expr {
        self.expr(ast::ExprKind::Ref {
            mutable: false,
            expr: Box::new(e),
        })
    }

    /// `e as T` for a named type, or `e as _` with `None`.
    pub fn cast(&self, e: ast::Expr, ty: Option<&str>) -> ast::Expr {
        let kind = match ty {
            Some(name) => ast::TypeKind::Path(self.path(name)),
            None => ast::TypeKind::Infer,
        };
        let ty = ast::Type {
            kind,
            span: self.sp,
        };
        self.expr(ast::ExprKind::Cast(Box::new(e), Box::new(ty)))
    }

    /// `place = value;`
    pub fn assign(&self, place: ast::Expr, value: ast::Expr) -> ast::Stmt {
        self.semi(self.expr(ast::ExprKind::Assign(Box::new(place), Box::new(value))))
    }

    /// `let name: TYPE = init;`
    pub fn let_typed(&self, name: &str, ty: &str, init: ast::Expr) -> ast::Stmt {
        self.stmt(ast::StmtKind::Let(Box::new(ast::LetStmt {
            pat: self.binding(name, false),
            ty: Some(ast::Type {
                kind: ast::TypeKind::Path(self.path(ty)),
                span: self.sp,
            }),
            init: Some(init),
            els: None,
        })))
    }

    /// `if cond { then } else { els }` with blocks of statements (no tail).
    pub fn if_else(&self, cond: ast::Expr, then: Vec<ast::Stmt>, els: Vec<ast::Stmt>) -> ast::Expr {
        let block = |stmts| ast::Block {
            stmts,
            tail: None,
            span: self.sp,
        };
        self.expr(ast::ExprKind::If(Box::new(ast::IfExpr {
            cond: ast::Cond::Expr(Box::new(cond)),
            then: block(then),
            els: Some(self.expr(ast::ExprKind::Block(block(els)))),
        })))
    }

    /// `if cond { a } else { b }` as a value.
    pub fn if_value(&self, cond: ast::Expr, a: ast::Expr, b: ast::Expr) -> ast::Expr {
        let block = |tail| ast::Block {
            stmts: vec![],
            tail: Some(Box::new(tail)),
            span: self.sp,
        };
        self.expr(ast::ExprKind::If(Box::new(ast::IfExpr {
            cond: ast::Cond::Expr(Box::new(cond)),
            then: block(a),
            els: Some(self.expr(ast::ExprKind::Block(block(b)))),
        })))
    }

    /// `panic!("message")`
    pub fn panic(&self, message: &str) -> ast::Expr {
        self.expr(ast::ExprKind::Macro(Box::new(ast::MacroCall {
            name: self.ident("panic"),
            args: ast::MacroArgs::List(vec![
                self.expr(ast::ExprKind::Lit(ast::Lit::Str(message.to_string())))
            ]),
        })))
    }

    /// `{ stmts; #[invariant(inv)] ATTRS while cond { first; BODY } }`, the loop at `span`
    /// (the user's `for`, whose attributes and body these are).
    #[allow(clippy::too_many_arguments)]
    pub fn while_in_block(
        &self,
        stmts: Vec<ast::Stmt>,
        inv: ast::Expr,
        attrs: &[ast::Attr],
        label: Option<&ast::Ident>,
        cond: ast::Expr,
        first: Vec<ast::Stmt>,
        body: &ast::Block,
        span: Span,
    ) -> ast::Expr {
        let mut loop_attrs = vec![self.attr("invariant", inv)];
        loop_attrs.extend(attrs.iter().cloned());
        let mut body_stmts = first;
        body_stmts.extend(body.stmts.iter().cloned());
        let mut stmts = stmts;
        stmts.push(self.stmt(ast::StmtKind::Expr {
            expr: ast::Expr {
                kind: ast::ExprKind::While(Box::new(ast::WhileExpr {
                    attrs: loop_attrs,
                    label: label.cloned(),
                    cond: ast::Cond::Expr(Box::new(cond)),
                    body: ast::Block {
                        stmts: body_stmts,
                        tail: body.tail.clone(),
                        span: body.span,
                    },
                })),
                span,
            },
            semi: false,
        }));
        ast::Expr {
            kind: ast::ExprKind::Block(ast::Block {
                stmts,
                tail: None,
                span,
            }),
            span,
        }
    }

    /// The name a lowered loop gives its counter: the user's when the pattern is a plain
    /// name (so invariants can name it), else `fallback`.
    pub fn counter_name(pat: &ast::Pat, fallback: &str) -> String {
        match &pat.kind {
            ast::PatKind::Ident {
                name,
                sub: None,
                by_ref: false,
                ..
            } => name.name.clone(),
            _ => fallback.to_string(),
        }
    }
}
