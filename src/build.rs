//! `vez build` and `vez run`: the front end, verification, then code generation through
//! LLVM. A program with failed or unknown obligations is refused unless
//! `--allow-unverified`; run-time checks are elided only for obligations that were proved,
//! and only when the whole program verified (a callee's proof assumes its callers meet its
//! precondition).

use crate::pipeline::{self, front_end};
use crate::verify::{verify_checked, VerifyOpts};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use vez_codegen::{Emit, Options, Proofs, Sources};
use vez_syntax::{diag, Severity, SourceMap, Span};
use vez_typeck::hir::Program;

/// `vez_codegen::compile`, passed in by the executable that links LLVM.
pub type CompileFn = fn(&Program, &Sources, &dyn Proofs, &Options, &Path) -> Result<(), String>;

pub struct BuildOpts {
    pub verify: VerifyOpts,
    pub opt_level: u8,
    pub debug_info: bool,
    pub emit: Emit,
    pub allow_unverified: bool,
    pub out: Option<PathBuf>,
    /// `vez run`: no summary line on success.
    pub quiet: bool,
}

/// Builds the program at `path`; the path of what was written, or the exit code to stop with.
pub fn build(
    path: &Path,
    opts: &BuildOpts,
    compile: CompileFn,
    color: bool,
) -> Result<PathBuf, ExitCode> {
    let roots = pipeline::programs(path).map_err(|msg| {
        eprintln!("error: {msg}");
        ExitCode::from(2)
    })?;
    let [root] = roots.as_slice() else {
        eprintln!(
            "error: `{}` holds {} programs; build one file or a folder with main.zari",
            path.display(),
            roots.len()
        );
        return Err(ExitCode::from(2));
    };
    let start = std::time::Instant::now();
    let mut c = front_end(root);
    let mut diags = std::mem::take(&mut c.diags);
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let Some(program) = c.program.take().filter(|_| errors == 0) else {
        diag::sort(&mut diags);
        for d in &diags {
            eprint!("{}", d.render(&c.sources, color));
        }
        eprintln!(
            "error: could not build {}: {} error{}",
            path.display(),
            errors.max(1),
            if errors == 1 { "" } else { "s" }
        );
        return Err(ExitCode::from(2));
    };
    let (vdiags, totals, proven) = verify_checked(root, &program, &c.sources, &opts.verify);
    diags.extend(vdiags);
    diag::sort(&mut diags);
    for d in &diags {
        eprint!("{}", d.render(&c.sources, color));
    }
    let unproven = totals.counts.failed + totals.counts.unknown;
    if unproven > 0 && !opts.allow_unverified {
        eprintln!(
            "error: not building {}: {} obligation{} not verified ({} failed, {} unknown); \
             `--allow-unverified` builds it with run-time checks",
            path.display(),
            unproven,
            if unproven == 1 { "" } else { "s" },
            totals.counts.failed,
            totals.counts.unknown
        );
        return Err(ExitCode::from(1));
    }
    // Checks go only when everything is proven: a callee's proof assumes its precondition.
    let proven: HashSet<(String, Span)> = if unproven == 0 {
        proven
    } else {
        HashSet::new()
    };
    let out = match &opts.out {
        Some(o) => o.clone(),
        None => default_output(root, opts.emit),
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create `{}`: {e}", dir.display());
            return Err(ExitCode::from(2));
        }
    }
    let sources = sources_for(c.sources, root);
    let copts = Options {
        opt_level: opts.opt_level,
        debug_info: opts.debug_info,
        emit: opts.emit,
    };
    if let Err(msg) = compile(&program, &sources, &proven, &copts, &out) {
        eprintln!("error: {msg}");
        return Err(ExitCode::from(2));
    }
    if !opts.quiet {
        eprintln!(
            "built {} ({} item{}, {} obligation{} verified{}) in {:.0} ms",
            out.display(),
            totals.counts.items,
            if totals.counts.items == 1 { "" } else { "s" },
            totals.counts.verified,
            if totals.counts.verified == 1 { "" } else { "s" },
            if unproven > 0 {
                // Not every obligation has a run-time check (a race, a postcondition).
                format!(", {unproven} not verified: every run-time check kept")
            } else {
                String::new()
            },
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(out)
}

/// `prog` for `prog.zari` (or the folder's name), with the extension of what is emitted.
fn default_output(root: &Path, emit: Emit) -> PathBuf {
    let stem = program_stem(root);
    let ext = match emit {
        Emit::Exe => "",
        Emit::LlvmIr => "ll",
        Emit::Asm => "s",
        Emit::Obj => "o",
        Emit::Ptx => "ptx",
        Emit::PtxIr => "nvptx.ll",
    };
    let mut p = PathBuf::from(stem);
    if !ext.is_empty() {
        p.set_extension(ext);
    }
    p
}

fn program_stem(root: &Path) -> String {
    let base = if root.file_name().is_some_and(|n| n == "main.zari") {
        root.parent().and_then(|p| p.file_name())
    } else {
        root.file_stem()
    };
    base.map(|s| s.to_string_lossy().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "main".into())
}

fn sources_for(sources: SourceMap, root: &Path) -> Sources {
    let sm = Rc::new(sources);
    let (a, b, c) = (sm.clone(), sm.clone(), sm);
    let file = root
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    // An absolute folder, so that gdb finds the source from anywhere.
    let abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let dir = abs
        .parent()
        .map(|p| p.display().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| ".".into());
    Sources {
        location: Box::new(move |s: Span| {
            let f = a.file(s.file);
            let (l, col) = f.line_col(s.lo);
            format!("{}:{l}:{col}", f.display)
        }),
        snippet: Box::new(move |s: Span| {
            b.file(s.file).text.get(s.range()).unwrap_or("").to_string()
        }),
        line_col: Rc::new(move |s: Span| {
            let (l, col) = c.file(s.file).line_col(s.lo);
            (l as u32, col as u32)
        }),
        main_file: (file, dir),
    }
}

/// `vez run`: builds into `.vez/build/` and runs the executable, passing its standard
/// streams and exit status through.
pub fn run(
    path: &Path,
    opts: &mut BuildOpts,
    args: &[String],
    compile: CompileFn,
    color: bool,
) -> ExitCode {
    use std::hash::{Hash, Hasher};
    let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    canon.hash(&mut h);
    let stem = pipeline::programs(path)
        .ok()
        .and_then(|r| r.first().map(|p| program_stem(p)))
        .unwrap_or_else(|| "main".into());
    let exe = PathBuf::from(".vez")
        .join("build")
        .join(format!("{stem}-{:016x}", h.finish()));
    opts.out = Some(exe);
    opts.emit = Emit::Exe;
    opts.quiet = true;
    let exe = match build(path, opts, compile, color) {
        Ok(e) => e,
        Err(code) => return code,
    };
    // A bare relative name would be looked up in PATH.
    let exe = if exe.is_relative() {
        Path::new(".").join(exe)
    } else {
        exe
    };
    match std::process::Command::new(&exe).args(args).status() {
        Ok(st) => match st.code() {
            Some(c) => ExitCode::from(c.clamp(0, 255) as u8),
            None => {
                use std::os::unix::process::ExitStatusExt;
                ExitCode::from(128 + st.signal().unwrap_or(0).clamp(0, 127) as u8)
            }
        },
        Err(e) => {
            eprintln!("error: cannot run `{}`: {e}", exe.display());
            ExitCode::from(2)
        }
    }
}
