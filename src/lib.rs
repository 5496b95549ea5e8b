//! The `vez` command line, shared by its two executables: `vez`, which links no LLVM so
//! that `check` and `verify` start fast (libLLVM costs ~20 ms per process), and `vez-llvm`,
//! the same command with code generation, to which `vez build` and `vez run` hand over.

mod build;
mod pipeline;
mod verify;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// VeZ: a verification-first compiler for a small Rust-like language (`.zari` files).
#[derive(Parser)]
#[command(name = "vez", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics on stderr
    Human,
    /// one JSON document on stdout: diagnostics and a summary
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// rustc-style diagnostics on stderr
    Human,
    /// one JSON document on stdout: diagnostics, items and a summary
    Json,
    /// SARIF 2.1.0 on stdout (GitHub code scanning): every obligation, proven ones as `pass`
    Sarif,
    /// JUnit XML on stdout: one test case per obligation
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    /// Markdown
    Md,
    /// one self-contained HTML file
    Html,
    /// the certificates and a summary as JSON
    Json,
    /// SARIF 2.1.0
    Sarif,
    /// JUnit XML
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// the parsed program, printed back as source
    Ast,
    /// the MIR of every function (control-flow graphs, as the borrow checker sees them)
    Mir,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SolverChoice {
    /// Z3 in process (the `z3` crate)
    Z3,
    /// `z3` as a child process, through SMT-LIB2 (rsmt2)
    Z3Process,
    /// `cvc5` as a child process, through SMT-LIB2 (rsmt2)
    Cvc5,
}

/// What the verifier is given (shared by verify, build and run).
#[derive(Args)]
struct SolverArgs {
    /// Per-obligation solver timeout in seconds (fractions allowed)
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Solver resource limit per obligation (0: none); deterministic, unlike time
    #[arg(long, default_value_t = 0)]
    rlimit: u32,
    /// Solver backend
    #[arg(long, value_enum, default_value_t = SolverChoice::Z3)]
    solver: SolverChoice,
    /// Solver random seed
    #[arg(long, default_value_t = 0)]
    seed: u32,
    /// Worker threads (default: all cores)
    #[arg(long)]
    jobs: Option<usize>,
    /// Neither read nor write proof certificates
    #[arg(long, conflicts_with = "recheck")]
    no_cache: bool,
    /// Prove every item again and report each cached certificate that no longer holds
    #[arg(long)]
    recheck: bool,
    /// Where proof certificates are kept (default: .vez/proofs/ in the project: the nearest
    /// folder above the program with .vez/ or .git, else the current folder)
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitCode {
    /// a linked executable
    Exe,
    /// LLVM IR text (.ll)
    LlvmIr,
    /// assembly (.s)
    Asm,
    /// an object file (.o)
    Obj,
    /// the `#[gpu::kernel]` functions as PTX for NVIDIA GPUs (.ptx)
    Ptx,
    /// the kernels as NVPTX LLVM IR, what `llc -march=nvptx64` compiles (.nvptx.ll)
    PtxIr,
}

/// Code generation flags (shared by build and run).
#[derive(Args)]
struct CodegenArgs {
    /// Optimisation level 0-3
    #[arg(short = 'O', long = "opt-level", default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    /// Emit DWARF line tables (gdb shows source lines)
    #[arg(short = 'g')]
    debug_info: bool,
    /// Build even when obligations fail or are unknown; each unproven check stays a
    /// run-time check that panics as a Rust debug build would
    #[arg(long)]
    allow_unverified: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve names and type-check a program, without proving anything.
    ///
    /// PATH is a `.zari` file, or a folder: a folder with `main.zari` is one program rooted
    /// there; any other folder holds independent programs (each `.zari` file directly in it,
    /// and each subfolder's `main.zari`).
    ///
    /// Exit status: 0 when the program is well-formed (warnings allowed); 2 for a usage error
    /// or any parse, name-resolution or type error.
    #[command(
        after_help = "Exit status:\n  0  no errors\n  2  usage, parse, resolution or type errors"
    )]
    Check {
        /// A `.zari` file or a folder (default: the current folder)
        path: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also print an intermediate form of each program on stdout
        #[arg(long, value_enum)]
        emit: Option<Emit>,
    },
    /// Prove every function of a program: contracts, loop invariants, and the absence of
    /// overflow, out-of-bounds indexing, division by zero, failing unwraps and asserts.
    ///
    /// Every obligation ends `verified` (the solver proved it), `failed` (with a
    /// counterexample) or `unknown` (timeout, solver gave up, or a construct the verifier does
    /// not support): unknown never counts as verified.
    ///
    /// Each completely proved item leaves a certificate in the proof cache; an item whose
    /// proof key (its verification conditions, the solver and its options) matches one is
    /// not proved again, and counts as `cached`.
    #[command(
        after_help = "Exit status:\n  0  every obligation verified\n  1  an obligation failed or is unknown\n  2  usage, parse, resolution, type or borrow errors"
    )]
    Verify {
        /// `.zari` files or folders (default: the current folder)
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
        format: VerifyFormat,
        #[command(flatten)]
        solver: SolverArgs,
        /// Write every obligation as an SMT-LIB2 file into DIR (`z3 FILE` reproduces it)
        #[arg(long, value_name = "DIR")]
        dump_smt: Option<PathBuf>,
        /// Print the trigger chosen for every quantifier
        #[arg(long)]
        show_triggers: bool,
    },
    /// Write the audit report of a program's proofs, built from the items' certificates
    /// (items without a valid certificate are proved first): per item its obligations,
    /// status, solver, time and the assumptions it rests on, and a summary.
    #[command(
        after_help = "Exit status:\n  0  every obligation verified\n  1  an obligation failed or is unknown\n  2  usage, parse, resolution, type or borrow errors, or the report cannot be written"
    )]
    Report {
        /// `.zari` files or folders (default: the current folder)
        paths: Vec<PathBuf>,
        /// Report format
        #[arg(long, value_enum, default_value_t = ReportFormatArg::Md)]
        format: ReportFormatArg,
        /// Write the report into FILE instead of stdout
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// Verify a program, then compile it to a native executable through LLVM 19.
    ///
    /// Checks whose obligations were proved are emitted without their run-time test. A
    /// program with failed or unknown obligations is refused unless --allow-unverified.
    #[command(
        after_help = "Exit status:\n  0  built\n  1  obligations not verified (nothing built)\n  2  usage, parse, type or borrow errors, or code generation errors"
    )]
    Build {
        /// A `.zari` file or a folder with main.zari
        path: PathBuf,
        /// Output path (default: the program's name in the current folder)
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// What to write
        #[arg(long, value_enum, default_value_t = EmitCode::Exe)]
        emit: EmitCode,
        #[command(flatten)]
        codegen: CodegenArgs,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// Verify, build into .vez/build/ and run a program, passing its output and exit
    /// status through (arguments after `--` go to the program).
    #[command(
        after_help = "Exit status: the program's own, or\n  1  obligations not verified (nothing run)\n  2  usage, parse, type or borrow errors, or code generation errors"
    )]
    Run {
        /// A `.zari` file or a folder with main.zari
        path: PathBuf,
        #[command(flatten)]
        codegen: CodegenArgs,
        #[command(flatten)]
        solver: SolverArgs,
        /// Arguments for the program
        #[arg(last = true)]
        args: Vec<String>,
    },
}

impl SolverArgs {
    fn options(&self) -> Result<vez_solver::Options, ExitCode> {
        if !(self.timeout > 0.0 && self.timeout.is_finite()) {
            eprintln!("error: --timeout must be a positive number of seconds");
            return Err(ExitCode::from(2));
        }
        Ok(vez_solver::Options {
            backend: match self.solver {
                SolverChoice::Z3 => vez_solver::Backend::Z3,
                SolverChoice::Z3Process => vez_solver::Backend::Z3Process,
                SolverChoice::Cvc5 => vez_solver::Backend::Cvc5,
            },
            timeout_ms: ((self.timeout * 1000.0).ceil() as u32).max(1),
            rlimit: self.rlimit,
            seed: self.seed,
        })
    }

    fn jobs(&self) -> usize {
        self.jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    fn verify_opts(&self) -> Result<verify::VerifyOpts, ExitCode> {
        Ok(verify::VerifyOpts {
            solver: self.options()?,
            jobs: self.jobs(),
            dump_smt: None,
            show_triggers: false,
            cache: if self.no_cache {
                verify::CacheMode::Off
            } else if self.recheck {
                verify::CacheMode::Recheck
            } else {
                verify::CacheMode::Use
            },
            cache_dir: self.cache_dir.clone(),
        })
    }
}

impl CodegenArgs {
    fn build_opts(
        &self,
        verify: verify::VerifyOpts,
        emit: EmitCode,
        out: Option<PathBuf>,
    ) -> build::BuildOpts {
        build::BuildOpts {
            verify,
            opt_level: self.opt_level,
            debug_info: self.debug_info,
            emit: match emit {
                EmitCode::Exe => vez_codegen::Emit::Exe,
                EmitCode::LlvmIr => vez_codegen::Emit::LlvmIr,
                EmitCode::Asm => vez_codegen::Emit::Asm,
                EmitCode::Obj => vez_codegen::Emit::Obj,
                EmitCode::Ptx => vez_codegen::Emit::Ptx,
                EmitCode::PtxIr => vez_codegen::Emit::PtxIr,
            },
            allow_unverified: self.allow_unverified,
            out,
            quiet: false,
        }
    }
}

/// How `build` and `run` reach LLVM.
#[derive(Clone, Copy)]
pub enum Codegen {
    /// Code generation in this process.
    InProcess(build::CompileFn),
    /// Hand the whole command over to the `vez-llvm` executable beside this one.
    Helper,
}

/// The name of the executable that `Codegen::Helper` starts.
pub const HELPER: &str = "vez-llvm";

/// Runs the command line of this process.
pub fn main(backend: Codegen) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap's help and version requests are successes; usage errors exit 2.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match cli.command {
        Command::Check { path, format, emit } => {
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            pipeline::check(&path, format, emit, color)
        }
        Command::Verify {
            paths,
            format,
            solver,
            dump_smt,
            show_triggers,
        } => {
            let mut opts = match solver.verify_opts() {
                Ok(o) => o,
                Err(code) => return code,
            };
            opts.dump_smt = dump_smt;
            opts.show_triggers = show_triggers;
            let paths = or_current_folder(paths);
            verify::verify(&paths, &verify::Output::Diagnostics(format), &opts, color)
        }
        Command::Report {
            paths,
            format,
            output,
            solver,
        } => {
            let opts = match solver.verify_opts() {
                Ok(o) => o,
                Err(code) => return code,
            };
            let format = match format {
                ReportFormatArg::Md => vez_proofs::ReportFormat::Markdown,
                ReportFormatArg::Html => vez_proofs::ReportFormat::Html,
                ReportFormatArg::Json => vez_proofs::ReportFormat::Json,
                ReportFormatArg::Sarif => vez_proofs::ReportFormat::Sarif,
                ReportFormatArg::Junit => vez_proofs::ReportFormat::Junit,
            };
            let paths = or_current_folder(paths);
            verify::verify(
                &paths,
                &verify::Output::Report(format, output),
                &opts,
                color,
            )
        }
        Command::Build {
            path,
            output,
            emit,
            codegen,
            solver,
        } => match code_generation(backend, &solver, &codegen, emit, output) {
            Ok((compile, opts)) => match build::build(&path, &opts, compile, color) {
                Ok(_) => ExitCode::SUCCESS,
                Err(code) => code,
            },
            Err(code) => code,
        },
        Command::Run {
            path,
            codegen,
            solver,
            args,
        } => match code_generation(backend, &solver, &codegen, EmitCode::Exe, None) {
            Ok((compile, mut opts)) => build::run(&path, &mut opts, &args, compile, color),
            Err(code) => code,
        },
    }
}

/// What `build` and `run` need to generate code in this process; without in-process code
/// generation the command is handed over to `vez-llvm` (which never returns here).
fn code_generation(
    backend: Codegen,
    solver: &SolverArgs,
    codegen: &CodegenArgs,
    emit: EmitCode,
    output: Option<PathBuf>,
) -> Result<(build::CompileFn, build::BuildOpts), ExitCode> {
    let Codegen::InProcess(compile) = backend else {
        return Err(hand_over());
    };
    let verify = solver.verify_opts()?;
    Ok((compile, codegen.build_opts(verify, emit, output)))
}

fn or_current_folder(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

/// Replaces this process by `vez-llvm` with the same arguments (the exit status, streams and
/// signals are then the helper's own).
fn hand_over() -> ExitCode {
    use std::os::unix::process::CommandExt;
    let helper = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HELPER)))
        .unwrap_or_else(|| PathBuf::from(HELPER));
    let err = std::process::Command::new(&helper)
        .args(std::env::args_os().skip(1))
        .exec();
    eprintln!(
        "error: cannot start the code generator `{}`: {err} (it is installed beside `vez`)",
        helper.display()
    );
    ExitCode::from(2)
}
