//! The `vez` command.

mod pipeline;

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
    }
}
