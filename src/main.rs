//! The `vez` command.

mod pipeline;
mod verify;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand, ValueEnum};
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
    /// one JSON document on stdout: diagnostics, items and a summary
    Json,
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
    #[command(
        after_help = "Exit status:\n  0  every obligation verified\n  1  an obligation failed or is unknown\n  2  usage, parse, resolution, type or borrow errors"
    )]
    Verify {
        /// A `.zari` file or a folder (default: the current folder)
        path: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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
        /// Write every obligation as an SMT-LIB2 file into DIR (`z3 FILE` reproduces it)
        #[arg(long, value_name = "DIR")]
        dump_smt: Option<PathBuf>,
        /// Print the trigger chosen for every quantifier
        #[arg(long)]
        show_triggers: bool,
    },
}

fn main() -> ExitCode {
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
            path,
            format,
            timeout,
            rlimit,
            solver,
            seed,
            jobs,
            dump_smt,
            show_triggers,
        } => {
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            if !(timeout > 0.0 && timeout.is_finite()) {
                eprintln!("error: --timeout must be a positive number of seconds");
                return ExitCode::from(2);
            }
            let jobs =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let opts = verify::VerifyOpts {
                solver: vez_solver::Options {
                    backend: match solver {
                        SolverChoice::Z3 => vez_solver::Backend::Z3,
                        SolverChoice::Z3Process => vez_solver::Backend::Z3Process,
                        SolverChoice::Cvc5 => vez_solver::Backend::Cvc5,
                    },
                    timeout_ms: ((timeout * 1000.0).ceil() as u32).max(1),
                    rlimit,
                    seed,
                },
                jobs,
                dump_smt,
                show_triggers,
            };
            verify::verify(&path, format, &opts, color)
        }
    }
}
