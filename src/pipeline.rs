//! The pipeline behind the subcommands: find the programs, load, parse, check, report.

use crate::{Emit, Format};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use vez_syntax::{diag, loader, Diagnostic, Severity, SourceMap};

/// The programs a path stands for (see `vez check --help`).
pub fn programs(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() && vez_stdlib::is_stdlib_dir(path) {
        return Ok(vec![path.to_path_buf()]);
    }
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(format!("no such file or folder: `{}`", path.display()));
    }
    let main = path.join("main.zari");
    if main.is_file() {
        return Ok(vec![main]);
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_file() && p.extension().is_some_and(|x| x == "zari") {
            out.push(p);
        } else if p.join("main.zari").is_file() {
            out.push(p.join("main.zari"));
        }
    }
    if out.is_empty() {
        return Err(format!("no `.zari` files in `{}`", path.display()));
    }
    Ok(out)
}

/// Everything the front end learned about one program.
pub struct Checked {
    pub sources: SourceMap,
    pub diags: Vec<Diagnostic>,
    pub program: Option<vez_typeck::hir::Program>,
    pub items: Vec<ast_items::Item>,
    /// The standard library itself is the subject (`vez verify stdlib/`): its items are
    /// verified, not assumed.
    pub stdlib: bool,
}

mod ast_items {
    pub use vez_syntax::ast::Item;
}

/// Loads, parses and type-checks one program (the prelude included), or the standard
/// library from its folder.
pub fn front_end(root: &Path) -> Checked {
    front_end_with(root, true)
}

/// As [`front_end`]; without `prelude_bodies` only the prelude's signatures are checked, which
/// is all that checking a user program needs (`vez check`: nothing after it reads the
/// prelude's bodies or contracts).
fn front_end_with(root: &Path, prelude_bodies: bool) -> Checked {
    if root.is_dir() {
        return stdlib_front_end(root);
    }
    let timing = std::env::var_os("VEZ_TIMINGS").is_some();
    let t0 = Instant::now();
    let mut sources = SourceMap::new();
    let display = root.display().to_string();
    let (items, mut diags) = match loader::load_program(root, &display, &mut sources) {
        Ok(x) => x,
        Err(msg) => {
            let file = sources.add(root, display, String::new());
            let d = Diagnostic::error("io", msg, loader::file_start(file));
            return Checked {
                sources,
                diags: vec![d],
                program: None,
                items: vec![],
                stdlib: false,
            };
        }
    };
    if timing {
        eprintln!(
            "timing: load and parse {:.1} ms",
            t0.elapsed().as_secs_f64() * 1e3
        );
    }
    let tp = Instant::now();
    let prelude_src = vez_stdlib::prelude_source();
    let (prelude, prelude_diags) =
        loader::parse_text(vez_stdlib::PRELUDE_PATH, &prelude_src, &mut sources);
    diags.extend(prelude_diags);
    if timing {
        eprintln!(
            "timing: assemble and parse the prelude {:.1} ms",
            tp.elapsed().as_secs_f64() * 1e3
        );
    }
    type_and_borrow_check(
        sources,
        diags,
        (prelude, prelude_bodies),
        items,
        false,
        timing,
    )
}

/// The standard library's files in `dir` as the prelude of an empty program.
fn stdlib_front_end(dir: &Path) -> Checked {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let mut prelude = Vec::new();
    match vez_stdlib::read_stdlib_dir(dir) {
        Ok(parts) => {
            for (name, text) in parts {
                let (items, d) = loader::parse_text(&name, &text, &mut sources);
                prelude.extend(items);
                diags.extend(d);
            }
        }
        Err(msg) => {
            let file = sources.add(dir, dir.display().to_string(), String::new());
            diags.push(Diagnostic::error("io", msg, loader::file_start(file)));
        }
    }
    type_and_borrow_check(sources, diags, (prelude, true), vec![], true, false)
}

fn type_and_borrow_check(
    sources: SourceMap,
    mut diags: Vec<Diagnostic>,
    (prelude, prelude_bodies): (Vec<vez_syntax::ast::Item>, bool),
    items: Vec<vez_syntax::ast::Item>,
    stdlib: bool,
    timing: bool,
) -> Checked {
    if diags.iter().any(|d| d.severity == Severity::Error) {
        // Type checking a tree with syntax errors would only add noise.
        return Checked {
            sources,
            diags,
            program: None,
            items,
            stdlib,
        };
    }
    let t1 = Instant::now();
    let (program, tdiags) = vez_typeck::check_program_with(&prelude, &items, prelude_bodies);
    if timing {
        eprintln!(
            "timing: type check {:.1} ms",
            t1.elapsed().as_secs_f64() * 1e3
        );
    }
    let typed = errors(&tdiags) == 0;
    diags.extend(tdiags);
    if typed {
        // Borrow checking needs a well-typed program.
        let t2 = Instant::now();
        diags.extend(vez_borrowck::check_program(&program));
        if timing {
            eprintln!(
                "timing: borrow check {:.1} ms",
                t2.elapsed().as_secs_f64() * 1e3
            );
        }
    }
    Checked {
        sources,
        diags,
        program: Some(program),
        items,
        stdlib,
    }
}

fn errors(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

pub fn check(path: &Path, format: Format, emit: Option<Emit>, color: bool) -> ExitCode {
    let roots = match programs(path) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let mut json_diags: Vec<Value> = Vec::new();
    let mut json_items: Vec<Value> = Vec::new();
    let (mut n_err, mut n_warn, mut n_items) = (0, 0, 0);
    for root in &roots {
        let mut c = front_end_with(root, false);
        diag::sort(&mut c.diags);
        if emit == Some(Emit::Ast) {
            print!("{}", vez_syntax::printer::print_items(&c.items));
        }
        if let (Some(Emit::Mir), Some(p)) = (emit, &c.program) {
            if errors(&c.diags) == 0 {
                for f in (0..p.fns.len() as u32)
                    .map(vez_typeck::hir::FnId)
                    .filter(|f| !p.func(*f).attrs.from_prelude)
                {
                    if let Some(body) = vez_mir::build::lower_fn(p, f) {
                        println!("{}", vez_mir::pretty(&body, p));
                    }
                }
            }
        }
        n_err += errors(&c.diags);
        n_warn += c
            .diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        if let Some(p) = &c.program {
            for f in p.fns.iter().filter(|f| !f.attrs.from_prelude) {
                n_items += 1;
                if format == Format::Json {
                    json_items.push(json!({"name": f.name, "kind": if f.attrs.kernel { "kernel" } else { "fn" }}));
                }
            }
        }
        match format {
            Format::Json => json_diags.extend(c.diags.iter().map(|d| d.to_json(&c.sources))),
            Format::Human => {
                for d in &c.diags {
                    eprint!("{}", d.render(&c.sources, color));
                }
            }
        }
        // The process ends soon: freeing a large AST and HIR node by node only costs time.
        std::mem::forget(c);
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    match format {
        Format::Json => {
            let doc = json!({
                "diagnostics": json_diags,
                "items": json_items,
                "summary": {"programs": roots.len(), "items": n_items, "errors": n_err, "warnings": n_warn, "time_ms": (ms * 10.0).round() / 10.0},
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Human => {
            if n_err > 0 {
                eprintln!(
                    "error: could not check {}: {n_err} error{}{}",
                    path.display(),
                    if n_err == 1 { "" } else { "s" },
                    if n_warn > 0 {
                        format!(", {n_warn} warning{}", if n_warn == 1 { "" } else { "s" })
                    } else {
                        String::new()
                    }
                );
            } else {
                eprintln!(
                    "checked {} program{}, {n_items} item{} in {ms:.1} ms: no errors{}",
                    roots.len(),
                    if roots.len() == 1 { "" } else { "s" },
                    if n_items == 1 { "" } else { "s" },
                    if n_warn > 0 {
                        format!(", {n_warn} warning{}", if n_warn == 1 { "" } else { "s" })
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    if n_err > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
