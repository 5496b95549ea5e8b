//! `vez-llvm`: the `vez` command with code generation through LLVM 19 linked in; `vez build`
//! and `vez run` start it.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vez::main(vez::Codegen::InProcess(vez_codegen::compile))
}
