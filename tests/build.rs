//! `vez build` and `vez run`: the conformance corpus' run programs print exactly their
//! expected output; panics match Rust's (message, location, exit 101); unverified programs
//! are refused without `--allow-unverified`; proven checks disappear from the generated code
//! and unproven ones stay; `--emit` and `-g` write what they say.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vez(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vez"))
        .args(args)
        .output()
        .expect("run vez")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/pass")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vez-build-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn write(name: &str, src: &str) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, src).unwrap();
    p
}

/// `vez build <flags> --emit llvm-ir` of `src`: the IR text (the build must succeed).
fn emit_ir(name: &str, flags: &[&str], src: &Path) -> String {
    let ll = tmp(name);
    let mut args = vec!["build"];
    args.extend_from_slice(flags);
    args.extend([
        "--emit",
        "llvm-ir",
        "-o",
        ll.to_str().unwrap(),
        src.to_str().unwrap(),
    ]);
    let b = vez(&args);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    std::fs::read_to_string(&ll).unwrap()
}

/// Every `//@ run` program of the shared corpus, built and run, prints its `.stdout`.
#[test]
fn corpus_run_programs_print_their_expected_output() {
    let dir = corpus();
    if !dir.exists() {
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    let mut programs = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        let (src, out) = if p.is_dir() {
            (p.join("main.zari"), p.join("main.stdout"))
        } else if p.extension().is_some_and(|x| x == "zari") {
            (p.clone(), p.with_extension("stdout"))
        } else {
            continue;
        };
        let text = std::fs::read_to_string(&src).unwrap_or_default();
        if text.contains("//@ run") {
            programs.push((src, out));
        }
    }
    programs.sort();
    assert!(programs.len() >= 16, "expected the corpus' run programs");
    for (src, expected) in &programs {
        let exe = tmp(&format!(
            "{}.exe",
            src.file_stem().unwrap().to_string_lossy()
        ));
        let b = vez(&["build", "-o", exe.to_str().unwrap(), src.to_str().unwrap()]);
        assert!(
            b.status.success(),
            "{}: build failed: {}",
            src.display(),
            String::from_utf8_lossy(&b.stderr)
        );
        let r = Command::new(&exe).output().unwrap();
        let want = std::fs::read_to_string(expected).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&r.stdout),
            want,
            "{}",
            src.display()
        );
        assert!(r.status.success(), "{}", src.display());
    }
}

const OVERFLOWING: &str = "fn add(a: u8, b: u8) -> u8 {\n    a + b\n}\n\nfn main() {\n    println!(\"start\");\n    println!(\"{}\", add(200, 100));\n}\n";

#[test]
fn unverified_programs_are_refused_unless_allowed() {
    let src = write("overflowing.zari", OVERFLOWING);
    let exe = tmp("overflowing");
    let _ = std::fs::remove_file(&exe);
    let b = vez(&["build", "-o", exe.to_str().unwrap(), src.to_str().unwrap()]);
    assert_eq!(b.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&b.stderr).contains("--allow-unverified"));
    assert!(!exe.exists(), "nothing is built");
    let r = vez(&["run", src.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1), "run refuses too");
    assert!(r.stdout.is_empty());
}

#[test]
fn an_unproven_check_panics_as_rust_does() {
    let src = write("overflowing2.zari", OVERFLOWING);
    let r = vez(&["run", "--allow-unverified", src.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(101));
    assert_eq!(String::from_utf8_lossy(&r.stdout), "start\n");
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("panicked at") && err.contains("overflowing2.zari:2:5"),
        "{err}"
    );
    assert!(err.contains("attempt to add with overflow"), "{err}");
}

#[test]
fn panics_bounds_division_and_unwrap_report_rusts_messages() {
    let cases = [
        ("fn main() {\n    let a = [1, 2, 3];\n    let i: usize = 5;\n    println!(\"{}\", a[i]);\n}\n", "index out of bounds: the len is 3 but the index is 5"),
        ("fn d(a: i32, b: i32) -> i32 {\n    a / b\n}\nfn main() {\n    println!(\"{}\", d(1, 0));\n}\n", "attempt to divide by zero"),
        ("fn f(o: Option<u32>) -> u32 {\n    o.unwrap()\n}\nfn main() {\n    println!(\"{}\", f(None));\n}\n", "called `Option::unwrap()` on a `None` value"),
        ("fn main() {\n    let x: i32 = 3;\n    assert!(x > 5);\n}\n", "assertion failed: x > 5"),
        // Range indexing: rustc's messages, start past the length first, then the end.
        ("fn main() {\n    let a = [1, 2, 3];\n    let j: usize = 5;\n    println!(\"{:?}\", &a[1..j]);\n}\n", "range end index 5 out of range for slice of length 3"),
        ("fn main() {\n    let a = [1, 2, 3];\n    let i: usize = 5;\n    println!(\"{:?}\", &a[i..4]);\n}\n", "range start index 5 out of range for slice of length 3"),
        ("fn main() {\n    let a = [1, 2, 3];\n    let i: usize = 3;\n    println!(\"{:?}\", &a[i..2]);\n}\n", "slice index starts at 3 but ends at 2"),
        ("fn main() {\n    let a = [1, 2, 3];\n    let j: usize = 3;\n    println!(\"{:?}\", &a[1..=j]);\n}\n", "range end index 3 out of range for slice of length 3"),
        ("fn main() {\n    let a = [1, 2, 3];\n    let i: usize = 3;\n    println!(\"{:?}\", &a[i..=1]);\n}\n", "slice index starts at 3 but ends at 2"),
        ("fn main() {\n    let a = vec![1, 2, 3];\n    let i: usize = 4;\n    println!(\"{:?}\", &a[i..]);\n}\n", "range start index 4 out of range for slice of length 3"),
        // str slicing: rustc 1.95's messages, in its order (out of bounds, order, boundaries).
        ("fn main() {\n    let s = String::from(\"h\u{e9}llo\");\n    let j: usize = 9;\n    println!(\"{}\", &s[1..j]);\n}\n", "end byte index 9 is out of bounds of `h\u{e9}llo`"),
        ("fn main() {\n    let s = \"h\u{e9}llo\";\n    let i: usize = 7;\n    println!(\"{}\", &s[i..2]);\n}\n", "start byte index 7 is out of bounds of `h\u{e9}llo`"),
        ("fn main() {\n    let s = \"h\u{e9}llo\";\n    let i: usize = 4;\n    println!(\"{}\", &s[i..3]);\n}\n", "begin > end (4 > 3) when slicing `h\u{e9}llo`"),
        ("fn main() {\n    let s = \"h\u{e9}llo\";\n    let i: usize = 2;\n    println!(\"{}\", &s[i..]);\n}\n", "start byte index 2 is not a char boundary; it is inside '\u{e9}' (bytes 1..3) of `h\u{e9}llo`"),
        ("fn main() {\n    let s = \"h\u{e9}llo\";\n    let j: usize = 1;\n    println!(\"{}\", &s[..=j]);\n}\n", "end byte index 2 is not a char boundary; it is inside '\u{e9}' (bytes 1..3) of `h\u{e9}llo`"),
        ("fn main() {\n    let s = \"\u{e9}\".repeat(200);\n    let i: usize = 1;\n    println!(\"{}\", &s[i..]);\n}\n", "\u{e9}`[...]"),
    ];
    for (k, (src, msg)) in cases.iter().enumerate() {
        let p = write(&format!("panic{k}.zari"), src);
        let r = vez(&["run", "--allow-unverified", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(101), "{src}\n{err}");
        assert!(err.contains(msg), "{src}\n{err}");
    }
}

/// Proven obligations leave no run-time test in the generated code; unproven ones do.
#[test]
fn proven_checks_are_elided_and_unproven_ones_kept() {
    let verified = write(
        "elide.zari",
        "#[requires(a < 100 && b < 100)]\nfn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n\n#[requires(i < 4)]\nfn get(xs: &[u32; 4], i: usize) -> u32 {\n    xs[i]\n}\n\nfn main() {\n    let xs = [1, 2, 3, 4];\n    let y = get(&xs, 2);\n    println!(\"{}\", add(y % 10, 5));\n}\n",
    );
    let ir = emit_ir("elide.ll", &["-O0"], &verified);
    assert!(
        !ir.contains("with.overflow"),
        "proven overflow check kept:\n{ir}"
    );
    assert!(
        !ir.contains("vez_panic_bounds"),
        "proven bounds check kept:\n{ir}"
    );
    // What the check would have told the optimizer, it is told as an assumption.
    assert!(
        ir.contains("call void @llvm.assume"),
        "proven index not passed on to LLVM:\n{ir}"
    );

    let unverified = write(
        "keep.zari",
        "fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n\nfn get(xs: &[u32; 4], i: usize) -> u32 {\n    xs[i]\n}\n\nfn main() {\n    let xs = [1, 2, 3, 4];\n    println!(\"{}\", add(get(&xs, 2), 5));\n}\n",
    );
    let ir = emit_ir("keep.ll", &["-O0", "--allow-unverified"], &unverified);
    assert!(
        ir.contains("llvm.uadd.with.overflow"),
        "unproven overflow check dropped"
    );
    assert!(
        ir.contains("vez_panic_bounds"),
        "unproven bounds check dropped"
    );
    assert!(!ir.contains("llvm.assume"), "an unproven index assumed");
}

/// A proven index into a fixed-size array is kept as a branch while LLVM optimises, so a loop
/// whose trip count only that bound limits (fannkuch's prefix flip, `i` rising towards `j`)
/// is fully unrolled as Rust's checked build is; afterwards no guard is left in the code.
#[test]
fn proven_array_bounds_let_llvm_unroll_and_then_vanish() {
    let src = write(
        "flip.zari",
        "#[requires(k < 10)]\nfn flip(perm: &mut [usize; 16], k: usize) {\n    let mut i: usize = 0;\n    let mut j: usize = k;\n    #[invariant(j < 10 && i <= j + 1)]\n    while i < j {\n        perm.swap(i, j);\n        i += 1;\n        j -= 1;\n    }\n}\n\nfn main() {\n    let mut perm: [usize; 16] = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10, 11, 12, 13, 14, 15];\n    flip(&mut perm, std::env::args().len() % 10);\n    println!(\"{} {} {}\", perm[0], perm[4], perm[9]);\n}\n",
    );
    let ir = emit_ir("flip.ll", &["-O3"], &src);
    assert!(
        !ir.contains("call void @vez_proven_guard"),
        "a proven guard survived optimisation:\n{ir}"
    );
    // The program's only loop is the flip: unrolled, no block branches back to itself.
    for line in ir.lines() {
        if let Some((label, preds)) = line.split_once(":") {
            if let Some(preds) = preds.trim().strip_prefix("; preds = ") {
                let own = format!("%{label}");
                assert!(
                    !preds.split(", ").any(|p| p == own),
                    "the flip loop was not unrolled:\n{ir}"
                );
            }
        }
    }
    let exe = tmp("flip");
    let b = vez(&["build", "-o", exe.to_str().unwrap(), src.to_str().unwrap()]);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let out = Command::new(&exe).args(["a", "b", "c"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "5 9 0\n");
}

/// `#[ghost]` code is verified, then erased: even unoptimised, the lemma is neither defined
/// nor called, and the program still runs (`tests/verify/pass/ghost_lemma.zari`).
#[test]
fn ghost_code_is_erased_before_code_generation() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify/pass/ghost_lemma.zari");
    let ir = emit_ir("ghost.ll", &["-O0"], &src);
    assert!(ir.contains("peek"), "the executable code is missing:\n{ir}");
    assert!(
        !ir.contains("first_is_largest"),
        "the ghost lemma was compiled:\n{ir}"
    );
    assert_eq!(build_and_run_file(&src, "ghost"), "9\n");
}

#[test]
fn emit_kinds_and_debug_line_tables() {
    let src = corpus().join("gcd.zari");
    if !src.exists() {
        return;
    }
    let s = tmp("gcd.s");
    let o = tmp("gcd.o");
    let a = vez(&[
        "build",
        "--emit",
        "asm",
        "-o",
        s.to_str().unwrap(),
        src.to_str().unwrap(),
    ]);
    assert!(a.status.success());
    assert!(std::fs::read_to_string(&s).unwrap().contains("main:"));
    let b = vez(&[
        "build",
        "--emit",
        "obj",
        "-o",
        o.to_str().unwrap(),
        src.to_str().unwrap(),
    ]);
    assert!(b.status.success());
    assert_eq!(&std::fs::read(&o).unwrap()[..4], b"\x7fELF");
    let ir = emit_ir("gcd-g.ll", &["-g", "-O0"], &src);
    assert!(ir.contains("!DILocation(line:"), "no line table");
    assert!(ir.contains("gcd.zari"), "no source file in the debug info");
}

/// `vez` itself links no LLVM: `build` hands over to `vez-llvm` beside it, and says so
/// clearly (exit 2) when that executable is missing, instead of failing obscurely.
#[test]
fn build_hands_over_to_vez_llvm_and_reports_it_missing() {
    let vez_exe = Path::new(env!("CARGO_BIN_EXE_vez"));
    let helper = vez_exe.with_file_name("vez-llvm");
    assert!(helper.exists(), "vez-llvm is built beside vez");
    let prog = write(
        "handover.zari",
        "fn main() {\n    println!(\"{}\", 6 * 7);\n}\n",
    );
    let out = vez(&["run", prog.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "42\n");

    let alone = tmp("alone");
    std::fs::create_dir_all(&alone).unwrap();
    let copy = alone.join("vez");
    std::fs::copy(vez_exe, &copy).unwrap();
    let out = Command::new(&copy)
        .args(["build", prog.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot start the code generator"), "{err}");
    // Verification needs no LLVM.
    let out = Command::new(&copy)
        .args(["verify", prog.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// Float `sqrt`/`abs` (LLVM intrinsics) print as Rust prints them, and zero-filled `vec!`s
/// (allocated zeroed, not filled) read as zero for integers, bools and floats, while a
/// non-zero fill value still fills.
#[test]
fn float_methods_and_zeroed_vecs() {
    let prog = write(
        "floats.zari",
        r#"fn main() {
    let x: f64 = 2.0;
    println!("{} {} {}", x.sqrt(), (-1.5f64).abs(), (9.0f32).sqrt());
    let a: Vec<u64> = vec![0; 100000];
    let b: Vec<bool> = vec![false; 3];
    let c: Vec<f64> = vec![0.0; 5];
    let d: Vec<f64> = vec![-0.0; 2];
    let e: Vec<i32> = vec![7; 4];
    println!("{} {} {} {} {} {}", a[99999], a.len(), b[2], c[4], d[1], e[3]);
}
"#,
    );
    let out = vez(&["run", prog.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1.4142135623730951 1.5 3\n0 100000 false 0 -0 7\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds a program of `tests/verify/pass` (so it verifies) and returns what it prints.
fn build_and_run(name: &str) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/verify/pass/{name}.zari"));
    build_and_run_file(&src, name)
}

/// `vez build` of `src` into the executable `name` (the build must succeed), run: its
/// stdout (the run must succeed too).
fn build_and_run_file(src: &Path, name: &str) -> String {
    let exe = tmp(name);
    let b = vez(&["build", "-o", exe.to_str().unwrap(), src.to_str().unwrap()]);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A trait's default methods run where an impl does not override them, also through a
/// generic bound and a path call; the overriding impl's method runs where it does.
#[test]
fn trait_default_methods_dispatch_as_rust_does() {
    assert_eq!(
        build_and_run("trait_default_methods"),
        "shape / rect 2x5 / 19\nshape: area 9, doubled 18\nrect 2x5: area 10, doubled 20\nshape 20\n"
    );
}

/// `T::default()` of derived and built-in types prints what rustc's build prints.
#[test]
fn derived_default_values_match_rust() {
    assert_eq!(
        build_and_run("derive_default"),
        "Point { x: 0, y: 0.0, on: false, c: '\\0' }\n\
         Bag { name: \"\", items: [3], best: None, at: Point { x: 0, y: 0.0, on: false, c: '\\0' }, pair: (0, 0), grid: [0, 0, 0] }\n\
         Wrap { inner: Point { x: 0, y: 0.0, on: false, c: '\\0' }, n: 0 } 0 [] true\n"
    );
}

/// `let ... else`, `for` loops by value, with an index and over bytes, and labeled loops print
/// what rustc's builds of the same programs print.
#[test]
fn let_else_iteration_and_labels_run_as_rust_does() {
    assert_eq!(
        build_and_run("let_else"),
        "Some(42) None\n7 0\nSome((7, 55)) None\n13\n"
    );
    assert_eq!(
        build_and_run("for_iteration_modes"),
        "1 0\n307\n[0, 2] [0, 2, 3]\n21\n3 6\n5\n"
    );
    assert_eq!(
        build_and_run("labeled_loops"),
        "Some((1, 2)) None\n42\n1 5\n11\n"
    );
    // rustc's build of the same program prints the same.
    assert_eq!(
        build_and_run("rev_loops"),
        "4 3 2 1 0 \n[-2, 0, 3, 3, 5, 9] 17\nSome(2) None\nc ab \n-8\n"
    );
    assert_eq!(
        build_and_run("step_by"),
        "[0, 4, 8] []\n21\n250 253 | 2\n-100 50 | -16 784\n"
    );
    assert_eq!(
        build_and_run("str_match"),
        "1 2 0 9\n(2, 3)\n2\n5 0 7\n293 0\n"
    );
    assert_eq!(
        build_and_run("const_data"),
        "33 [2, 7, 11, 13] 13\n[[1, -2, 3], [4, 5, -6]] -8\n[0, 0, 0, 0, 0] (-3, 2.5) 2.5\n\
         [\"ab\", \"cde\", \"\"] 3\n[P { x: 9, y: true }, P { x: -1, y: false }] 10\n\
         [Clubs, Hearts, Spades] Card(1, Spades) true\nNone Some(4) 5\n3 P { x: 0, y: true }\n"
    );
    assert_eq!(
        build_and_run("string_ops"),
        "6 abcdefhello, bob! 9\nab+ab-ab+\n\
         Version { major: 1, minor: 2 } Version { major: 1, minor: 0 }\n255 -4\n"
    );
    assert_eq!(
        build_and_run("byte_tokenizer"),
        "Ok([Num(12), Plus, LParen, Num(3), Star, Num(4), RParen])\n\
         Err(\"unexpected '$' at 2\")\nErr(\"too big\")\nQ 122 true\n"
    );
    assert_eq!(
        build_and_run("matches_macro"),
        "true false false true false false \ntrue true true\n"
    );
    assert_eq!(
        build_and_run("linked_stack"),
        "4 30 20 10 0 \n2 1 new old Some(5) None 1\n"
    );
    assert_eq!(
        build_and_run("iter_mut"),
        "[2, -4, 6] 3 [0, 50, 3, 50] [\"a!\", \"b!\"]\n"
    );
}

/// Hand-written `Display` impls print what rustc's build prints, also through a generic
/// `T: Display`, whose `{}` calls the impl from generated code.
#[test]
fn display_impls_print_as_rust_does() {
    assert_eq!(
        build_and_run("display_impls"),
        "[A\u{2660}][10\u{2665}]\n2 cards\n7\u{2665} and \u{2660} (12 bytes)\n7\u{2665}! <7\u{2665}> <5>\n999m 12.3km\n"
    );
}

/// Format specs (width, fill, alignment, sign, `#`, `0`, precision, `x X o b e E`, widths
/// from arguments, named arguments, Debug options inside composites, `{:#?}`) print what
/// rustc's build of the same program prints (format_specs.stdout).
#[test]
fn format_specs_print_as_rust_does() {
    assert_eq!(
        build_and_run("format_specs"),
        include_str!("verify/pass/format_specs.stdout")
    );
}

/// Slicing a str prints what rustc's build of the same program prints
/// (tests/verify/pass/str_slices.stdout).
#[test]
fn str_slices_run_as_rust_does() {
    assert_eq!(
        build_and_run("str_slices"),
        include_str!("verify/pass/str_slices.stdout")
    );
}

/// Range indexing prints what rustc's build of the same program prints.
#[test]
fn range_slices_run_as_rust_does() {
    assert_eq!(
        build_and_run("range_slices"),
        "[6, 7, 8] 6\n(2, 3)\n[2, 3, 4] [1, 2, 3, 4, 5] []\n180 0\n15\n"
    );
}

/// Recursive types through `Box`, deref coercions and vectors grown in loops run as rustc's
/// build of the same program does.
#[test]
fn recursive_types_and_deref_coercions_run_as_rust_does() {
    assert_eq!(
        build_and_run("recursive_types"),
        "3 2\nsecond twice 4\nOk(-2)\nErr(Overflow) true\n12 12\n14\n[0, 1, 4, 9, 16, 25] 7\n"
    );
}

/// An allocation above `isize::MAX` bytes (Rust's "capacity overflow") ends the program, as a
/// failed allocation does, instead of wrapping the byte count around to a short buffer that
/// the (proven in-bounds) reads below would overrun.
#[test]
fn oversized_allocations_end_the_program() {
    for (name, alloc) in [
        ("zeroed", "vec![0u64; n]"),
        ("filled", "vec![7u64; n]"),
        ("bytes", "vec![1u8; usize::MAX - n]"),
    ] {
        let prog = write(
            &format!("alloc_{name}.zari"),
            &format!(
                "fn main() {{\n    let n: usize = 2305843009213693953;\n    let v = {alloc};\n    \
                 println!(\"{{}}\", v[1000]);\n}}\n"
            ),
        );
        let out = vez(&["run", prog.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}");
        assert!(err.contains("memory allocation failed"), "{name}: {err}");
    }
}

/// Large buffers ask for transparent huge pages: touching 64 MiB of `vec!`s (one zeroed, one
/// filled) takes under 4,096 page faults (about 1,700) instead of over 16,384. Skipped where THP
/// is switched off or memory is never compacted for it.
#[test]
fn large_vecs_are_backed_by_huge_pages() {
    let thp = |f: &str| {
        std::fs::read_to_string(format!("/sys/kernel/mm/transparent_hugepage/{f}"))
            .unwrap_or_default()
    };
    if thp("enabled").contains("[never]") || !thp("defrag").contains("madvise]") {
        eprintln!("skipped: transparent huge pages are off or not compacted on madvise");
        return;
    }
    let prog = write(
        "huge_pages.zari",
        r#"const N: usize = 32 * 1024 * 1024;

#[requires(v.len() == N)]
#[ensures(v.len() == N)]
fn touch(v: &mut Vec<u8>) {
    let mut i: usize = 0;
    #[invariant(v.len() == N)]
    while i < N {
        v[i] = v[i] / 2 + 1;
        i += 4096;
    }
}

fn main() {
    let mut zeroed: Vec<u8> = vec![0; N];
    let mut filled: Vec<u8> = vec![7; N];
    touch(&mut zeroed);
    touch(&mut filled);
    println!("{} {}", zeroed[N - 4096], filled[N - 4096]);
}
"#,
    );
    let exe = tmp("huge_pages");
    let b = vez(&["build", "-o", exe.to_str().unwrap(), prog.to_str().unwrap()]);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let mut child = Command::new(&exe)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The fault count stays readable in /proc while the exited child waits to be reaped.
    let stat = format!("/proc/{}/stat", child.id());
    let faults = loop {
        let s = std::fs::read_to_string(&stat).unwrap();
        let fields: Vec<&str> = s[s.rfind(')').unwrap() + 1..].split_whitespace().collect();
        if fields[0] == "Z" {
            break fields[7].parse::<u64>().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    assert!(child.wait().unwrap().success());
    assert!(faults < 4096, "{faults} minor page faults for 64 MiB");
}

/// `for x in a` over an array of `Copy` elements iterates over a copy, as in Rust: the body's
/// writes to `a` do not reach the elements the loop binds.
#[test]
fn for_by_value_over_an_array_iterates_a_copy() {
    let prog = write(
        "array_copy.zari",
        "fn main() {\n    let mut a = [1, 2, 3];\n    for x in a {\n        a[2] = 10;\n        \
         print!(\"{} \", x);\n    }\n    println!(\"{:?}\", a);\n}\n",
    );
    let out = vez(&["run", prog.to_str().unwrap()]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1 2 3 [1, 2, 10]\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A loop that sums floats is vectorised (the terms several lanes at a time) with an ordered
/// reduction: the lanes are added one by one in source order, so the sum is rustc's to the
/// last bit. Summed in eight interleaved partial sums, it would print 6025066.664247556.
#[test]
fn float_sums_are_vectorised_in_source_order() {
    let src = write(
        "fsum.zari",
        "#[requires(v.len() <= 1000000)]\nfn weighted(v: &Vec<f64>) -> f64 {\n    let mut s = 0.0;\n    for i in 0..v.len() {\n        s += v[i] / (i as f64 + 1.0);\n    }\n    s\n}\n\nfn main() {\n    let mut v: Vec<f64> = Vec::new();\n    let mut x: f64 = 0.3;\n    #[invariant(v.len() == i)]\n    for i in 0..10007 {\n        x = x * 3.9 * (1.0 - x);\n        v.push(x * 1e6);\n    }\n    println!(\"{:?}\", weighted(&v));\n}\n",
    );
    let ir = emit_ir("fsum.ll", &["-O3"], &src);
    let reductions: Vec<&str> = ir
        .lines()
        .filter(|l| l.contains("call") && l.contains("@llvm.vector.reduce.fadd"))
        .collect();
    assert!(
        !reductions.is_empty(),
        "the float sum was not vectorised:\n{ir}"
    );
    for r in reductions {
        assert!(
            !r.contains("reassoc") && !r.contains(" fast "),
            "a reordering reduction: {r}"
        );
    }
    assert_eq!(build_and_run_file(&src, "fsum"), "6025066.66424758\n");
}

/// Floats print as Rust prints them also when the value lies exactly halfway between the two
/// shortest candidates: Rust takes the upper (139.453125f32 is "139.45313"), where rounding
/// half to even, printf's rule, would print "139.45312". Found by the differential soak.
#[test]
fn float_ties_print_as_rust_does() {
    let src = write(
        "ties.zari",
        "fn main() {\n    let xs: [f32; 5] = [0.150390625, 3275.15625, 0.000244140625, -2854276.25, 139.453125];\n    for x in xs.iter() {\n        println!(\"{} {:?} {:e}\", x, x, x);\n    }\n    let y: f64 = 0.1 + 0.2;\n    println!(\"{} {:?} {}\", y, 1.0e16, 123456789012345680.0);\n}\n",
    );
    assert_eq!(
        build_and_run_file(&src, "ties"),
        "0.15039063 0.15039063 1.5039063e-1\n\
         3275.1563 3275.1563 3.2751563e3\n\
         0.00024414063 0.00024414063 2.4414063e-4\n\
         -2854276.3 -2854276.3 -2.8542763e6\n\
         139.45313 139.45313 1.3945313e2\n\
         0.30000000000000004 1e16 123456789012345680\n"
    );
}
