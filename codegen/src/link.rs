//! The host target machine, LLVM's optimisation pipeline, object emission and the link by
//! the system C compiler with the run-time library.

use crate::Options;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::values::{AnyValueEnum, BasicValue, InstructionOpcode, Operand};
use inkwell::OptimizationLevel;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The vectorisers and unrolling at `-O2` and above, as clang and rustc set them (LLVM's C
/// API leaves the SLP vectoriser off unless asked).
fn pass_options(opt_level: u8) -> PassBuilderOptions {
    let o = PassBuilderOptions::create();
    let on = opt_level >= 2;
    o.set_loop_vectorization(on);
    o.set_loop_slp_vectorization(on);
    o.set_loop_interleaving(on);
    o.set_loop_unrolling(opt_level >= 1);
    o
}

/// What `vez build` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    Exe,
    LlvmIr,
    Asm,
    Obj,
    /// The kernels as PTX (NVPTX assembly).
    Ptx,
    /// The kernels as NVPTX LLVM IR (what `llc -march=nvptx64` takes).
    PtxIr,
}

const RUNTIME: &str = include_str!("../runtime/vez_rt.c");

/// LLVM's code generation level for `-O0` to `-O3`.
pub fn opt_level(opt: u8) -> OptimizationLevel {
    match opt {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        2 => OptimizationLevel::Default,
        _ => OptimizationLevel::Aggressive,
    }
}

pub fn target_machine(opt: u8) -> Result<TargetMachine, String> {
    Target::initialize_native(&InitializationConfig::default())
        .map_err(|e| format!("cannot initialise LLVM's native target: {e}"))?;
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
    let level = opt_level(opt);
    let cpu = TargetMachine::get_host_cpu_name();
    let features = TargetMachine::get_host_cpu_features();
    target
        .create_target_machine(
            &triple,
            cpu.to_str().unwrap_or("generic"),
            features.to_str().unwrap_or(""),
            level,
            RelocMode::PIC,
            CodeModel::Default,
        )
        .ok_or_else(|| "cannot create a target machine for this host".to_string())
}

/// LLVM options that the C API has no call for, set once per process (LLVM parses its
/// command line into globals, and a second parse of the same flag is an error).
///
/// `-force-ordered-reductions` lets the loop vectoriser vectorise a loop that sums floats
/// (`sum += a(i, j) * v[j]`): the terms are computed several lanes at a time and still
/// added one by one in source order, so the result is the same to the last bit. Without it
/// such a loop runs one term at a time (rustc and clang leave it off on x86).
fn set_llvm_options() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let args = [c"vez".as_ptr(), c"-force-ordered-reductions".as_ptr()];
        // SAFETY: the pointers are to NUL-terminated static strings that outlive the call,
        // and `Once` keeps this to one call per process, before any pipeline runs.
        unsafe {
            inkwell::llvm_sys::support::LLVMParseCommandLineOptions(
                args.len() as i32,
                args.as_ptr(),
                c"".as_ptr(),
            );
        }
    });
}

/// LLVM's `default<On>` pipeline, then the proven guards it kept become assumptions.
pub fn optimize(module: &Module, tm: &TargetMachine, opt_level: u8) -> Result<(), String> {
    set_llvm_options();
    let passes = format!("default<O{}>", opt_level.min(3));
    module
        .run_passes(&passes, tm, pass_options(opt_level))
        .map_err(|e| format!("LLVM optimisation failed: {}", e.to_string()))?;
    strip_proven_guards(module)
}

/// Turns every `br %ok, %next, %guard` whose `%guard` block starts by calling
/// `vez_proven_guard` (the failure branch of a check the verifier proved) into
/// `assume(%ok); br %next`, and deletes the guard blocks left without predecessors.
/// Entering such a block means making that call, which happens only if a proven check
/// fails: never. A guard call LLVM placed after other code (which might not return) is left
/// as it is, a call that aborts and is never made.
fn strip_proven_guards(module: &Module) -> Result<(), String> {
    let Some(guard) = module.get_function("vez_proven_guard") else {
        return Ok(());
    };
    let mut guard_blocks = HashSet::new();
    let mut use_ = guard.as_global_value().as_pointer_value().get_first_use();
    while let Some(u) = use_ {
        if let AnyValueEnum::InstructionValue(call) = u.get_user() {
            let first = call.get_parent().and_then(|bb| {
                let mut i = bb.get_first_instruction();
                while i.is_some_and(|i| i.get_opcode() == InstructionOpcode::Phi) {
                    i = i.and_then(|i| i.get_next_instruction());
                }
                i.map(|i| (bb, i))
            });
            if let Some((bb, i)) = first {
                if i == call {
                    guard_blocks.insert(bb);
                }
            }
        }
        use_ = u.get_next_use();
    }
    if guard_blocks.is_empty() {
        return Ok(());
    }
    let ctx = module.get_context();
    let b = ctx.create_builder();
    let assume = Intrinsic::find("llvm.assume")
        .and_then(|i| i.get_declaration(module, &[]))
        .ok_or("internal error: no llvm.assume")?;
    let err = |e: inkwell::builder::BuilderError| format!("internal error: {e}");
    for f in module.get_functions() {
        for bb in f.get_basic_blocks() {
            let Some(br) = bb.get_terminator() else {
                continue;
            };
            if br.get_opcode() != InstructionOpcode::Br || br.get_num_operands() != 3 {
                continue;
            }
            // A conditional branch's operands: the condition, the false and the true target.
            let (Some(Operand::Value(cond)), Some(Operand::Block(no)), Some(Operand::Block(yes))) =
                (br.get_operand(0), br.get_operand(1), br.get_operand(2))
            else {
                continue;
            };
            let cond = cond.into_int_value();
            b.position_before(&br);
            let next = if guard_blocks.contains(&no) && !guard_blocks.contains(&yes) {
                b.build_call(assume, &[cond.into()], "").map_err(err)?;
                yes
            } else if guard_blocks.contains(&yes) && !guard_blocks.contains(&no) {
                let holds = b.build_not(cond, "holds").map_err(err)?;
                b.build_call(assume, &[holds.into()], "").map_err(err)?;
                no
            } else {
                continue;
            };
            b.build_unconditional_branch(next).map_err(err)?;
            br.erase_from_basic_block();
        }
    }
    for bb in guard_blocks {
        if bb.get_first_use().is_none() {
            // SAFETY: nothing branches to the block any more, and it defines no value used
            // elsewhere (a call that returns nothing, then `unreachable`).
            unsafe { bb.delete() }.map_err(|()| "internal error: cannot delete a guard block")?;
        }
    }
    Ok(())
}

pub fn emit(module: &Module, tm: &TargetMachine, opts: &Options, out: &Path) -> Result<(), String> {
    optimize(module, tm, opts.opt_level)?;
    match opts.emit {
        Emit::LlvmIr | Emit::PtxIr => module
            .print_to_file(out)
            .map_err(|e| format!("cannot write `{}`: {}", out.display(), e.to_string())),
        Emit::Asm | Emit::Ptx => tm
            .write_to_file(module, FileType::Assembly, out)
            .map_err(|e| format!("cannot write `{}`: {}", out.display(), e.to_string())),
        Emit::Obj => tm
            .write_to_file(module, FileType::Object, out)
            .map_err(|e| format!("cannot write `{}`: {}", out.display(), e.to_string())),
        Emit::Exe => {
            let obj = out.with_extension("o");
            tm.write_to_file(module, FileType::Object, &obj)
                .map_err(|e| format!("cannot write `{}`: {}", obj.display(), e.to_string()))?;
            let rt = runtime_object()?;
            let cc = c_compiler();
            let mut cmd = Command::new(&cc);
            cmd.arg(&obj).arg(&rt).arg("-o").arg(out).arg("-lm");
            if uses_gpu_runtime(module) {
                cmd.arg(gpu_runtime_lib()?);
                // What the Rust standard library inside it needs (`--print native-static-libs`).
                cmd.args(["-ldl", "-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lc"]);
                // Only the parts of it the program calls; without `-g`, none of the Rust
                // standard library's debug information (10 MB down to 0.4 MB).
                cmd.arg("-Wl,--gc-sections");
                if !opts.debug_info {
                    cmd.arg("-Wl,--strip-debug");
                }
            }
            if opts.debug_info {
                cmd.arg("-g");
            }
            let res = cmd
                .output()
                .map_err(|e| format!("cannot run the linker `{cc}`: {e}"))?;
            let _ = std::fs::remove_file(&obj);
            if !res.status.success() {
                return Err(format!(
                    "linking failed:\n{}",
                    String::from_utf8_lossy(&res.stderr)
                ));
            }
            Ok(())
        }
    }
}

/// Whether the module calls the GPU run-time library (`vez_gpu_*`).
fn uses_gpu_runtime(module: &Module) -> bool {
    module
        .get_functions()
        .any(|f| f.get_name().to_bytes().starts_with(b"vez_gpu_"))
}

/// The GPU run-time library, `libvez_gpu_rt.a`: `$VEZ_GPU_RT`, else beside the running
/// compiler (cargo builds it into the same folder as `vez`).
fn gpu_runtime_lib() -> Result<PathBuf, String> {
    const NAME: &str = "libvez_gpu_rt.a";
    if let Some(p) = std::env::var_os("VEZ_GPU_RT") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the compiler: {e}"))?;
    let mut dirs = exe.ancestors().skip(1).take(2);
    dirs.find_map(|d| Some(d.join(NAME)).filter(|p| p.exists()))
        .ok_or_else(|| {
            format!(
                "the program launches GPU kernels, but the GPU run-time library `{NAME}` is not \
                 beside `{}`: build it with `cargo build --release` (or set VEZ_GPU_RT)",
                exe.display()
            )
        })
}

/// `cc` (Debian's gcc or clang), else clang-19 from LLVM 19.
fn c_compiler() -> String {
    for c in ["cc", "clang-19", "clang", "gcc"] {
        if Command::new(c).arg("--version").output().is_ok() {
            return c.to_string();
        }
    }
    "cc".to_string()
}

/// The run-time library's object file, compiled once per version of its source into the
/// temporary folder (written to a unique name, then renamed, so concurrent builds are safe).
fn runtime_object() -> Result<PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    RUNTIME.hash(&mut h);
    let dir = std::env::temp_dir().join("vez-runtime");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let obj = dir.join(format!("vez_rt-{:016x}.o", h.finish()));
    if obj.exists() {
        return Ok(obj);
    }
    let tag = format!("{}-{:?}", std::process::id(), std::thread::current().id());
    let tag: String = tag.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let src = dir.join(format!("vez_rt-{tag}.c"));
    let tmp = dir.join(format!("vez_rt-{tag}.o"));
    std::fs::write(&src, RUNTIME).map_err(|e| format!("cannot write `{}`: {e}", src.display()))?;
    let cc = c_compiler();
    let res = Command::new(&cc)
        .args(["-O2", "-c", "-fPIC"])
        .arg(&src)
        .arg("-o")
        .arg(&tmp)
        .output()
        .map_err(|e| format!("cannot run the C compiler `{cc}`: {e}"))?;
    let _ = std::fs::remove_file(&src);
    if !res.status.success() {
        return Err(format!(
            "cannot compile the run-time library:\n{}",
            String::from_utf8_lossy(&res.stderr)
        ));
    }
    std::fs::rename(&tmp, &obj).map_err(|e| format!("cannot write `{}`: {e}", obj.display()))?;
    Ok(obj)
}
