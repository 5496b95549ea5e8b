//! Code generation: MIR to LLVM IR with inkwell (LLVM 19), LLVM's optimisation pipeline, an
//! object file, and a link by the system C compiler with the run-time library
//! (`runtime/vez_rt.c`) into an executable.
//!
//! - `layout.rs`: source types as LLVM types (enums as a tag and a payload).
//! - `func.rs`: one monomorphic function instance from its MIR body: places, rvalues,
//!   run-time checks (kept only where the verifier did not prove the obligation), calls and
//!   the compiler-supplied meaning of `#[intrinsic]` prelude functions.
//! - `helpers.rs`: per-type helper functions (Debug formatting, `==`, ordering, clone) and
//!   printing.
//! - `link.rs`: target machine, optimisation, object file, linking (with the GPU run-time
//!   library, the `vez-gpu-rt` crate, when the program uses the `gpu::` host API).
//! - `ptx.rs`: kernels to PTX (device mode of `func.rs`).
//! - `host_std.rs`: `std::process::exit`, `std::env::args()` and `Stdin::read_line`.
//! - `gpu_host.rs`: the host side of the GPU: `gpu::Device`, `GpuBuffer` transfers and
//!   `kernel<<<grid, block>>>(args)` launches of the PTX embedded in the executable.
//!
//! Memory is never freed (values are not dropped): a VeZ program's allocations live until it
//! exits.

mod func;
mod gpu_host;
mod helpers;
mod host_std;
mod layout;
mod link;
mod ptx;

use inkwell::context::Context;
use inkwell::targets::TargetMachine;
use std::collections::{HashSet, VecDeque};
use std::path::Path;
use vez_syntax::Span;
use vez_typeck::hir::Program;
use vez_typeck::mono::Instance;

pub use link::Emit;

/// What the verifier proved, as code generation asks it.
pub trait Proofs {
    /// Whether every obligation of this kind at this span was proved (the run-time check can
    /// go).
    fn proven(&self, kind: &str, span: Span) -> bool;
}

/// Keeps every run-time check.
pub struct NoProofs;

impl Proofs for NoProofs {
    fn proven(&self, _: &str, _: Span) -> bool {
        false
    }
}

/// The proven (kind, span) pairs.
impl Proofs for HashSet<(String, Span)> {
    fn proven(&self, kind: &str, span: Span) -> bool {
        self.contains(&(kind.to_string(), span))
    }
}

/// What code generation needs to know of the source files.
pub struct Sources {
    /// `file:line:col` of a span (panic locations).
    pub location: Box<dyn Fn(Span) -> String>,
    /// The source text of a span (`assertion failed: x > 0`).
    pub snippet: Box<dyn Fn(Span) -> String>,
    /// 1-based line and column of a span (debug line tables).
    pub line_col: std::rc::Rc<dyn Fn(Span) -> (u32, u32)>,
    /// The main file's name and folder (the debug compile unit).
    pub main_file: (String, String),
}

pub struct Options {
    /// 0 to 3.
    pub opt_level: u8,
    /// DWARF line tables.
    pub debug_info: bool,
    pub emit: Emit,
}

/// Compiles the program whose entry point is `main` into `out` (an executable, or the
/// requested intermediate form). `location` renders a span as `file:line:col`.
pub fn compile(
    p: &Program,
    src: &Sources,
    proofs: &dyn Proofs,
    opts: &Options,
    out: &Path,
) -> Result<(), String> {
    if matches!(opts.emit, Emit::Ptx | Emit::PtxIr) {
        return compile_kernels(p, src, proofs, opts, out);
    }
    let Some(main) = p.main else {
        return Err("the program has no `main` function".into());
    };
    let ctx = Context::create();
    let tm = link::target_machine(opts.opt_level)?;
    let mut cg = new_cg(&ctx, &tm, "vez", p, src, proofs);
    cg.kernels_ptx = embedded_ptx(p, src, proofs, opts.opt_level)?;
    if opts.debug_info {
        let lc = src.line_col.clone();
        cg.enable_debug_info(src.main_file.clone(), Box::new(move |s| lc(s)));
    }
    let entry = cg.instance(&Instance {
        func: main,
        args: vec![],
    })?;
    cg.drain()?;
    cg.emit_c_main(entry).map_err(String::from)?;
    cg.finish_debug_info();
    verify_and_emit(cg.into_module(), &tm, opts, out)
}

/// A generator over an empty module for the target machine.
fn new_cg<'ctx, 'p>(
    ctx: &'ctx Context,
    tm: &TargetMachine,
    name: &str,
    p: &'p Program,
    src: &'p Sources,
    proofs: &'p dyn Proofs,
) -> func::Cg<'ctx, 'p> {
    let module = ctx.create_module(name);
    module.set_triple(&tm.get_triple());
    module.set_data_layout(&tm.get_target_data().get_data_layout());
    func::Cg::new(
        ctx,
        module,
        p,
        tm.get_target_data(),
        &*src.location,
        &*src.snippet,
        proofs,
    )
}

fn verify_and_emit(
    module: inkwell::module::Module,
    tm: &TargetMachine,
    opts: &Options,
    out: &Path,
) -> Result<(), String> {
    module
        .verify()
        .map_err(|e| format!("internal error: invalid LLVM IR: {}", e.to_string()))?;
    link::emit(&module, tm, opts, out)
}

/// The program's GPU kernels (and the device functions they call) as one PTX module, or as
/// its NVPTX LLVM IR.
fn compile_kernels(
    p: &Program,
    src: &Sources,
    proofs: &dyn Proofs,
    opts: &Options,
    out: &Path,
) -> Result<(), String> {
    if ptx::kernels(p).is_empty() {
        return Err("the program has no `#[gpu::kernel]` function".into());
    }
    let ctx = Context::create();
    let tm = ptx::target_machine(opts.opt_level)?;
    let module = kernel_module(&ctx, &tm, p, src, proofs)?;
    verify_and_emit(module, &tm, opts, out)
}

/// The PTX text of the program's kernels (NUL-terminated, as the CUDA driver loads it), for
/// an executable that launches them; `None` when the program has no kernels.
fn embedded_ptx(
    p: &Program,
    src: &Sources,
    proofs: &dyn Proofs,
    opt_level: u8,
) -> Result<Option<Vec<u8>>, String> {
    if ptx::kernels(p).is_empty() {
        return Ok(None);
    }
    let ctx = Context::create();
    let tm = ptx::target_machine(opt_level)?;
    let module = kernel_module(&ctx, &tm, p, src, proofs)?;
    module
        .verify()
        .map_err(|e| format!("internal error: invalid LLVM IR: {}", e.to_string()))?;
    link::optimize(&module, &tm, opt_level)?;
    let buf = tm
        .write_to_memory_buffer(&module, inkwell::targets::FileType::Assembly)
        .map_err(|e| format!("cannot generate PTX: {}", e.to_string()))?;
    let mut text = buf.as_slice().to_vec();
    text.retain(|b| *b != 0);
    text.push(0);
    Ok(Some(text))
}

/// One module with an entry point per kernel, generated for the NVPTX target.
fn kernel_module<'ctx>(
    ctx: &'ctx Context,
    tm: &TargetMachine,
    p: &Program,
    src: &Sources,
    proofs: &dyn Proofs,
) -> Result<inkwell::module::Module<'ctx>, String> {
    let mut cg = new_cg(ctx, tm, "vez-kernels", p, src, proofs);
    cg.device = true;
    for k in ptx::kernels(p) {
        cg.kernel_entry(k).map_err(String::from)?;
    }
    cg.drain()?;
    let missing = cg.undefined_device_calls();
    if !missing.is_empty() {
        return Err(format!(
            "GPU code cannot call the host run-time library (it uses {}): kernels may use \
             scalars, arrays, `GpuBuffer` indexing and `#[gpu::device]` functions",
            missing.join(", ")
        ));
    }
    Ok(cg.into_module())
}

/// The functions still to generate, in discovery order (deterministic output).
#[derive(Default)]
pub(crate) struct Worklist {
    pub queue: VecDeque<Instance>,
}
