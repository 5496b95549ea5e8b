//! GPU code generation without a GPU: every race-free kernel of the corpus and of
//! tests/verify/gpu/pass compiles to NVPTX LLVM IR that LLVM's `llc -march=nvptx64` accepts,
//! and to PTX with one `.entry` per kernel, `bar.sync` for barriers, shared arrays in
//! `.shared` memory and global buffers accessed with `ld.global`/`st.global`. Kernels that fail verification
//! are refused.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vez(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vez"))
        .args(args)
        .output()
        .expect("run vez")
}

/// `vez build --no-cache [extra] --emit EMIT -o OUT PATH`.
fn build(emit: &str, out: &Path, path: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--no-cache"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[
        "--emit",
        emit,
        "-o",
        out.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    vez(&args)
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vez-gpu-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn race_free_kernels() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for (dir, prefix) in [
        (root.join("tests/verify/gpu/pass"), ""),
        (root.join("../shared/conformance/pass"), "gpu_"),
    ] {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".zari") && name.starts_with(prefix) {
                all.push(p);
            }
        }
    }
    all.sort();
    all
}

fn llc() -> &'static str {
    for c in ["llc-19", "llc"] {
        if Command::new(c).arg("--version").output().is_ok() {
            return c;
        }
    }
    panic!("llc (LLVM 19) is not installed: scripts/setup installs it");
}

/// The kernel names of a program, as written after `fn` below `#[gpu::kernel]`.
fn kernel_names(src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_kernel = false;
    for line in src.lines() {
        if line.trim() == "#[gpu::kernel]" {
            in_kernel = true;
        } else if in_kernel {
            if let Some(rest) = line.trim().strip_prefix("fn ") {
                names.push(rest.split('(').next().unwrap().trim().to_string());
                in_kernel = false;
            }
        }
    }
    names
}

#[test]
fn race_free_kernels_compile_to_ptx_that_llc_accepts() {
    let kernels = race_free_kernels();
    assert!(kernels.len() >= 20, "the kernel corpus is missing");
    let llc = llc();
    let mut failures = Vec::new();
    for path in &kernels {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(path).unwrap();
        let ir = tmp(&format!("{stem}.nvptx.ll"));
        let out = build("ptx-ir", &ir, path, &[]);
        if !out.status.success() {
            failures.push(format!(
                "{stem}: vez --emit ptx-ir: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let from_llc = tmp(&format!("{stem}.llc.ptx"));
        let res = Command::new(llc)
            .args(["-march=nvptx64", "-mcpu=sm_70", "-o"])
            .arg(&from_llc)
            .arg(&ir)
            .output()
            .unwrap();
        if !res.status.success() {
            failures.push(format!(
                "{stem}: llc rejected the IR: {}",
                String::from_utf8_lossy(&res.stderr)
            ));
            continue;
        }
        let ptx = tmp(&format!("{stem}.ptx"));
        let out = build("ptx", &ptx, path, &[]);
        assert!(out.status.success(), "{stem}: {out:?}");
        let text = std::fs::read_to_string(&ptx).unwrap();
        for name in kernel_names(&src) {
            if !text.contains(&format!(".entry {name}(")) {
                failures.push(format!("{stem}: no `.entry {name}` in the PTX"));
            }
        }
        let expect = [
            ("gpu::barrier()", "bar.sync"),
            ("gpu::shared::<", ".shared"),
            ("GpuBuffer<", ".global."),
            ("gpu::thread_idx().x", "%tid.x"),
        ];
        for (used, emitted) in expect {
            if src.contains(used) && !text.contains(emitted) {
                failures.push(format!(
                    "{stem}: uses `{used}` but the PTX has no `{emitted}`"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Proven bounds checks leave no trap in the kernel; a kernel with an unproven obligation is
/// refused, and with `--allow-unverified` keeps its check as a trap.
#[test]
fn kernel_checks_follow_the_proofs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ok = root.join("tests/verify/gpu/pass/vec_add.zari");
    let ptx = tmp("vec_add.ptx");
    let out = build("ptx", &ptx, &ok, &[]);
    assert!(out.status.success(), "{out:?}");
    assert!(!std::fs::read_to_string(&ptx).unwrap().contains("trap"));

    let bad = root.join("tests/verify/gpu/fail/shared_out_of_bounds.zari");
    let ptx = tmp("oob.ptx");
    let out = build("ptx", &ptx, &bad, &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!ptx.exists());
    let out = build("ptx", &ptx, &bad, &["--allow-unverified"]);
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read_to_string(&ptx).unwrap().contains("trap"));
}

/// Device code cannot allocate or print: a clear error, no PTX.
#[test]
fn host_only_operations_in_a_kernel_are_refused() {
    let src = tmp("prints.zari");
    std::fs::write(
        &src,
        "#[gpu::kernel]\n\
         #[requires(gpu::block_dim().x == 1 && gpu::block_dim().y == 1 && gpu::block_dim().z == 1)]\n\
         #[requires(gpu::grid_dim().x == 1 && gpu::grid_dim().y == 1 && gpu::grid_dim().z == 1)]\n\
         fn hello(n: u32) {\n    println!(\"{}\", n);\n}\n",
    )
    .unwrap();
    let ptx = tmp("prints.ptx");
    let out = build("ptx", &ptx, &src, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("GPU code cannot call the host run-time library"),
        "{err}"
    );
}
