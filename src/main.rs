//! `vez`: every command; `build` and `run` hand over to `vez-llvm` (this executable links no
//! LLVM, so `check` and `verify` start in a few milliseconds).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vez::main(vez::Codegen::Helper)
}
