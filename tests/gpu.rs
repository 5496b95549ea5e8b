//! GPU code generation without a GPU: every race-free kernel of the corpus and of
//! tests/verify/gpu/pass compiles to NVPTX LLVM IR that LLVM's `llc -march=nvptx64` accepts,
//! and to PTX with one `.entry` per kernel, `bar.sync` for barriers, shared arrays in
//! `.shared` memory and global buffers accessed with `ld.global`/`st.global`. Kernels that fail verification
//! are refused. The host side (devices, transfers, launches through cudarc) runs against a
//! stand-in CUDA driver (`tests/gpu_mock/libcuda.c`) and against no driver at all.

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

/// How a PTX module declares the NUL-terminated constant string `s` (LLVM leaves the
/// trailing zero out of the initializer).
fn ptx_c_string(s: &str) -> String {
    let bytes: Vec<String> = s.bytes().map(|b| b.to_string()).collect();
    format!("[{}] = {{{}}};", s.len() + 1, bytes.join(", "))
}

/// Proven bounds checks leave no check in the kernel; a kernel with an unproven obligation
/// is refused, and with `--allow-unverified` keeps its check, which fails through CUDA's
/// `__assertfail` with the message and the source file and line as C strings (what
/// scripts/gpu-check saw a real GPU print).
#[test]
fn kernel_checks_follow_the_proofs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ok = root.join("tests/verify/gpu/pass/vec_add.zari");
    let ptx = tmp("vec_add.ptx");
    let out = build("ptx", &ptx, &ok, &[]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&ptx).unwrap();
    assert!(
        !text.contains("__assertfail") && !text.contains("trap"),
        "{text}"
    );

    let bad = root.join("tests/verify/gpu/fail/shared_out_of_bounds.zari");
    let ptx = tmp("oob.ptx");
    let out = build("ptx", &ptx, &bad, &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!ptx.exists());
    let out = build("ptx", &ptx, &bad, &["--allow-unverified"]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&ptx).unwrap();
    assert!(text.contains(".extern .func __assertfail"), "{text}");
    assert!(text.contains("call.uni \n\t__assertfail"), "{text}");
    assert!(
        text.contains(&ptx_c_string("index out of bounds")),
        "{text}"
    );
    assert!(
        text.contains(&ptx_c_string(bad.to_str().unwrap())),
        "{text}"
    );
}

/// The GPU programs of examples/gpu (which scripts/gpu-check runs on a real GPU) stay valid:
/// the verified ones build, and those of panics/ and races/ are refused unless
/// `--allow-unverified`.
#[test]
fn gpu_examples_build() {
    gpu_runtime_built();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gpu");
    for (dir, verified) in [("", true), ("panics", false), ("races", false)] {
        let mut n = 0;
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let src = e.path();
            if src.extension().is_none_or(|x| x != "zari") {
                continue;
            }
            n += 1;
            let exe = tmp(&format!("example-{}", n + 100 * verified as usize));
            let out = build("exe", &exe, &src, &[]);
            let expected = if verified { Some(0) } else { Some(1) };
            assert_eq!(out.status.code(), expected, "{}: {out:?}", src.display());
            if !verified {
                let out = build("exe", &exe, &src, &["--allow-unverified"]);
                assert!(out.status.success(), "{}: {out:?}", src.display());
            }
            assert!(src.with_extension("stdout").is_file(), "{}", src.display());
        }
        assert!(n >= 2, "examples/gpu/{dir}: {n} programs");
    }
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
    // Refused by the front end, at the call (LANGUAGE.md section 6), before any PTX.
    assert!(
        err.contains("error[Z0010]: not allowed in a GPU kernel: printing needs the host"),
        "{err}"
    );
    assert!(err.contains("prints.zari:5:5"), "{err}");
}

// ------------------------------------------------------------------ host side: launches

/// A program that uses the whole host API: upload, alloc, a launch, synchronize, download.
const HOST_PROGRAM: &str = r#"
#[gpu::kernel]
#[requires(a.len() == n as usize && c.len() == n as usize)]
#[requires(gpu::grid_dim().x * gpu::block_dim().x <= 4_294_967_296)]
#[requires(gpu::block_dim().y == 1 && gpu::block_dim().z == 1 && gpu::grid_dim().y == 1 && gpu::grid_dim().z == 1)]
fn scale(a: &GpuBuffer<i32>, c: &mut GpuBuffer<i32>, n: u32, k: i32, flag: bool) {
    let i = gpu::block_idx().x * gpu::block_dim().x + gpu::thread_idx().x;
    if i < n && flag {
        c[i as usize] = a[i as usize].wrapping_mul(k);
    }
}

#[gpu::kernel]
#[requires(gpu::block_dim().x == 1 && gpu::block_dim().y == 1 && gpu::block_dim().z == 1)]
#[requires(gpu::grid_dim().x == 1 && gpu::grid_dim().y == 1 && gpu::grid_dim().z == 1)]
fn fails_always(x: u32) {
    let _y = x / 2;
}

fn main() -> Result<(), gpu::Error> {
    println!("start");
    let device = gpu::Device::cuda(0)?;
    let a = device.upload(&vec![5i32, -7, 11])?;
    let mut c = device.alloc::<i32>(3)?;
    scale<<<(1, 1, 1), (32, 1, 1)>>>(&a, &mut c, 3, 4, true);
    device.synchronize()?;
    let back = a.download()?;
    let zeros = c.download()?;
    println!("{} {} {} {} | {} {}", back.len(), back[0], back[1], back[2], zeros.len(), zeros[0]);
    match gpu::Device::cuda(1) {
        Ok(_) => println!("device 1 opened"),
        Err(e) => println!("device 1: error {}", e.code),
    }
    fails_always<<<(1, 1, 1), (1, 1, 1)>>>(9);
    device.synchronize()?;
    println!("not reached");
    Ok(())
}
"#;

/// Makes sure the GPU run-time library is beside `vez` (`cargo test` alone builds no
/// staticlib; `cargo build`, as `make test` runs first, does).
fn gpu_runtime_built() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = Path::new(env!("CARGO_BIN_EXE_vez")).parent().unwrap();
        if dir.join("libvez_gpu_rt.a").exists() {
            return;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let st = Command::new(cargo)
            .args(["build", "--release", "-p", "vez-gpu-rt"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build");
        assert!(st.success(), "cannot build the GPU run-time library");
    });
}

/// Builds `src` into an executable; its path.
fn build_exe(name: &str, src: &str) -> PathBuf {
    gpu_runtime_built();
    let path = tmp(&format!("{name}.zari"));
    std::fs::write(&path, src).unwrap();
    let exe = tmp(name);
    let out = build("exe", &exe, &path, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// The mock CUDA driver of tests/gpu_mock, built into its own folder.
fn mock_driver_dir() -> PathBuf {
    let dir = tmp("mock-driver");
    std::fs::create_dir_all(&dir).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gpu_mock/libcuda.c");
    let so = dir.join("libcuda.so");
    let st = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(&src)
        .status()
        .expect("run cc");
    assert!(st.success());
    std::fs::copy(&so, dir.join("libcuda.so.1")).unwrap();
    dir
}

/// Whether this machine has a real CUDA driver (then the no-driver test has nothing to see).
fn real_driver_present() -> bool {
    Command::new("sh")
        .args(["-c", "ldconfig -p | grep -q 'libcuda\\.so'"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn host_api_and_launches_go_through_the_cuda_driver() {
    let exe = build_exe("host-api", HOST_PROGRAM);
    let out = Command::new(&exe)
        .env("LD_LIBRARY_PATH", mock_driver_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Upload then download gives the data back; alloc gives zeroed memory; device 1 does not
    // exist (the driver's CUDA_ERROR_INVALID_DEVICE).
    assert_eq!(
        stdout, "start\n3 5 -7 11 | 3 0\ndevice 1: error 101\n",
        "stderr: {stderr}"
    );
    // The launch passes each buffer as (device address, length), then the scalars, with the
    // grid and block as written.
    assert!(
        stderr.contains("mock launch scale<<<(1, 1, 1), (32, 1, 1)>>>(buf, 3, buf, 3, 3, 4, 1)"),
        "{stderr}"
    );
    // A launch the driver refuses is an error at the next synchronize, returned from main.
    assert!(
        stderr.contains("mock launch fails_always<<<(1, 1, 1), (1, 1, 1)>>>(9)"),
        "{stderr}"
    );
    assert!(stderr.ends_with("Error: Error { code: 719 }\n"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn without_a_cuda_driver_gpu_work_is_a_clear_error_not_a_panic() {
    if real_driver_present() {
        eprintln!("skipped: this machine has a CUDA driver");
        return;
    }
    let exe = build_exe("host-api-no-driver", HOST_PROGRAM);
    let out = Command::new(&exe).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "start\n");
    assert_eq!(
        stderr,
        "gpu: no CUDA driver found (libcuda could not be loaded)\nError: Error { code: -1 }\n"
    );
    assert_eq!(out.status.code(), Some(1));

    // A launch with no driver at all (a kernel of scalars needs no device first).
    let exe = build_exe(
        "launch-no-driver",
        r#"
#[gpu::kernel]
#[requires(gpu::block_dim().x == 1 && gpu::block_dim().y == 1 && gpu::block_dim().z == 1)]
#[requires(gpu::grid_dim().x == 1 && gpu::grid_dim().y == 1 && gpu::grid_dim().z == 1)]
fn noop(x: u32) {
    let _y = x / 2;
}

fn main() {
    println!("before");
    noop<<<(1, 1, 1), (1, 1, 1)>>>(7);
    println!("after");
}
"#,
    );
    let out = Command::new(&exe).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n");
    assert!(
        stderr.starts_with("error: no CUDA driver found: cannot launch kernel `noop` at ")
            && stderr.trim_end().ends_with(":11:5"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}
