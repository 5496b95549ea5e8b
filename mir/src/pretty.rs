//! A readable text form of MIR (`vez check --emit mir`), close to rustc's `-Zunpretty=mir`.

use crate::*;
use std::fmt::Write;
use vez_typeck::hir::Program;

pub fn pretty(body: &Body, program: &Program) -> String {
    let mut out = String::new();
    let ty = |t: &Ty| program.ty_name(t);
    let args: Vec<String> = (1..=body.arg_count)
        .map(|i| format!("_{i}: {}", ty(body.local_ty(Local(i as u32)))))
        .collect();
    let _ = writeln!(
        out,
        "fn {}({}) -> {} {{",
        body.name,
        args.join(", "),
        ty(body.local_ty(RETURN_PLACE))
    );
    for (i, d) in body.locals.iter().enumerate().skip(body.arg_count + 1) {
        let name = d
            .name
            .as_deref()
            .map(|n| format!("  // {n}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    let {}_{i}: {};{name}",
            if d.mutable { "mut " } else { "" },
            ty(&d.ty)
        );
    }
    for (b, data) in body.blocks.iter().enumerate() {
        if is_dead(body, b) {
            continue;
        }
        let header = if body.loops.iter().any(|l| l.header.0 as usize == b) {
            "  // loop header"
        } else {
            ""
        };
        let _ = writeln!(out, "\n    bb{b}: {{{header}");
        for s in &data.stmts {
            let _ = writeln!(out, "        {};", stmt(&s.kind, program));
        }
        let _ = writeln!(out, "        {};", term(&data.term.kind, program));
        let _ = writeln!(out, "    }}");
    }
    out.push_str("}\n");
    out
}

/// Blocks that nothing jumps to (left behind after `return`, `break`, ...), except the entry.
fn is_dead(body: &Body, b: usize) -> bool {
    b != 0
        && !body
            .blocks
            .iter()
            .any(|d| d.term.successors().iter().any(|s| s.0 as usize == b))
}

pub fn place(p: &Place) -> String {
    let mut s = format!("_{}", p.local.0);
    for pr in &p.proj {
        s = match pr {
            Proj::Deref => format!("(*{s})"),
            Proj::Field(i) => format!("{s}.{i}"),
            Proj::Index(l) => format!("{s}[_{}]", l.0),
            Proj::Downcast(v) => format!("({s} as variant#{v})"),
        };
    }
    s
}

fn operand(o: &Operand, program: &Program) -> String {
    match o {
        Operand::Copy(p) => place(p),
        Operand::Move(p) => format!("move {}", place(p)),
        Operand::Const(c) => {
            let v = match &c.value {
                ConstValue::Int(i) => format!("{i}"),
                ConstValue::NegInt(i) => format!("-{i}"),
                ConstValue::Float(f) => format!("{f:?}"),
                ConstValue::Bool(b) => b.to_string(),
                ConstValue::Char(ch) => format!("{ch:?}"),
                ConstValue::Str(s) => format!("{s:?}"),
                ConstValue::ByteStr(b) => format!("b{:?}", String::from_utf8_lossy(b)),
                ConstValue::Unit => "()".into(),
                ConstValue::Item(id) => program.consts[id.0 as usize].name.clone(),
            };
            format!("const {v}_{}", program.ty_name(&c.ty))
        }
    }
}

fn list(ops: &[Operand], program: &Program) -> String {
    ops.iter()
        .map(|o| operand(o, program))
        .collect::<Vec<_>>()
        .join(", ")
}

fn stmt(s: &StatementKind, program: &Program) -> String {
    match s {
        StatementKind::Assign(p, rv) => {
            let r = match rv {
                Rvalue::Use(o) => operand(o, program),
                Rvalue::Ref(m, q) => format!("&{}{}", if *m { "mut " } else { "" }, place(q)),
                Rvalue::Binary(op, a, b) => format!(
                    "{}({}, {})",
                    op.as_str(),
                    operand(a, program),
                    operand(b, program)
                ),
                Rvalue::Unary(op, a) => format!("{op:?}({})", operand(a, program)),
                Rvalue::Cast(a) => format!("{} as _", operand(a, program)),
                Rvalue::Aggregate(k, ops) => match k {
                    AggregateKind::Tuple => format!("({})", list(ops, program)),
                    AggregateKind::Array => format!("[{}]", list(ops, program)),
                    AggregateKind::Vec => format!("vec![{}]", list(ops, program)),
                    AggregateKind::Adt(id, v, _) => {
                        let adt = program.adt(*id);
                        format!(
                            "{}::{}({})",
                            adt.name,
                            adt.variants[*v as usize].name,
                            list(ops, program)
                        )
                    }
                },
                Rvalue::Repeat(o, n) => format!("[{}; {n}]", operand(o, program)),
                Rvalue::VecRepeat(o, n) => {
                    format!("vec![{}; {}]", operand(o, program), operand(n, program))
                }
                Rvalue::Len(q) => format!("Len({})", place(q)),
                Rvalue::Discriminant(q) => format!("discriminant({})", place(q)),
                Rvalue::Coerce(c, o) => format!("{} as {c:?}", operand(o, program)),
                Rvalue::Format(_, ops) => format!("format!({})", list(ops, program)),
                Rvalue::Clone(q) => format!("clone({})", place(q)),
            };
            format!("{} = {r}", place(p))
        }
        StatementKind::StorageLive(l) => format!("StorageLive(_{})", l.0),
        StatementKind::StorageDead(l) => format!("StorageDead(_{})", l.0),
    }
}

fn term(t: &TerminatorKind, program: &Program) -> String {
    match t {
        TerminatorKind::Goto(b) => format!("goto -> bb{}", b.0),
        TerminatorKind::SwitchInt {
            discr,
            targets,
            otherwise,
        } => {
            let ts: Vec<String> = targets
                .iter()
                .map(|(v, b)| format!("{v}: bb{}", b.0))
                .collect();
            format!(
                "switchInt({}) -> [{}, otherwise: bb{}]",
                operand(discr, program),
                ts.join(", "),
                otherwise.0
            )
        }
        TerminatorKind::Return => "return".into(),
        TerminatorKind::Call {
            callee,
            args,
            dest,
            target,
        } => {
            let f = match callee {
                Callee::Fn(id, _) => program.func(*id).name.clone(),
                Callee::Print(k, _) => format!("{k:?}"),
                Callee::Launch(id) => format!("launch {}", program.func(*id).name),
            };
            let t = target.map_or(String::new(), |b| format!(" -> bb{}", b.0));
            format!("{} = {f}({}){t}", place(dest), list(args, program))
        }
        TerminatorKind::Assert { cond, target, .. } => {
            format!("assert({}) -> bb{}", operand(cond, program), target.0)
        }
        TerminatorKind::Panic { kind, .. } => format!("panic({kind:?})"),
        TerminatorKind::Unreachable => "unreachable".into(),
    }
}
