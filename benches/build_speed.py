#!/usr/bin/env python3
"""Compile speed: `vez build` (front end, verification and LLVM -O3) of a generated program
of about 50,000 lines, printed beside `rustc -O` on the same text as Rust, measured in the
same run: once cold (a fresh proof cache) and once warm (every certificate found). The program is valid in both languages: many functions of wrapping integer
arithmetic, loops with invariants, struct updates and calls.
Usage: benches/build_speed.py [--vez target/release/vez] [--lines N]"""
import os, subprocess, sys, tempfile, time

vez = "target/release/vez"
lines = 50_000
args = sys.argv[1:]
while args:
    if args[0] == "--vez":
        vez, args = args[1], args[2:]
    elif args[0] == "--lines":
        lines, args = int(args[1]), args[2:]
    else:
        sys.exit(f"unknown argument {args[0]}")


def function(i: int) -> str:
    # 25 lines per function.
    return f"""#[requires(n <= 1000)]
#[ensures(result <= n)]
fn count{i}(n: u32, seed: u64) -> u32 {{
    let mut k: u32 = 0;
    let mut h: u64 = seed;
    #[invariant(k <= n)]
    while k < n {{
        h = h.wrapping_mul(6364136223846793005).wrapping_add({i}u64);
        h = h ^ (h >> 33);
        if h % 7 == 3 {{
            h = h.wrapping_add(1);
        }}
        k += 1;
    }}
    let p = Acc {{ a: h, b: k }};
    let q = step{i}(p);
    if q.b > n {{
        return n;
    }}
    q.b
}}

fn step{i}(p: Acc) -> Acc {{
    Acc {{ a: p.a.wrapping_mul(31).wrapping_add({i}u64), b: p.b }}
}}
"""


n_fns = max(1, lines // 25)
body = ["#[derive(Clone, Copy)]\nstruct Acc {\n    a: u64,\n    b: u32,\n}\n"]
body += [function(i) for i in range(n_fns)]
calls = "\n".join(f"    total = total.wrapping_add(count{i}(10, {i}) as u64);" for i in range(0, n_fns, max(1, n_fns // 50)))
body.append(f"fn main() {{\n    let mut total: u64 = 0;\n{calls}\n    println!(\"{{}}\", total);\n}}\n")
src = "\n".join(body)
count = src.count("\n")

with tempfile.TemporaryDirectory() as d:
    zari = os.path.join(d, "big.zari")
    rs = os.path.join(d, "big.rs")
    with open(zari, "w") as f:
        f.write(src)
    with open(rs, "w") as f:
        f.write("#![allow(warnings)]\n" + src.replace("#[requires(n <= 1000)]\n", "").replace("#[ensures(result <= n)]\n", "").replace("    #[invariant(k <= n)]\n", ""))

    # A cache of its own in the temporary folder: the first build proves everything (cold),
    # the second finds every certificate (warm), whatever earlier runs left elsewhere.
    cache = os.path.join(d, "proofs")
    builds = []
    for _ in range(2):
        t = time.perf_counter()
        v = subprocess.run([vez, "build", "--cache-dir", cache, "-o", os.path.join(d, "big-vez"), zari],
                           capture_output=True, text=True)
        builds.append((time.perf_counter() - t, v))
        if v.returncode != 0:
            sys.exit("vez build failed:\n" + v.stderr[-2000:])
    tv, v = builds[0]
    tw, w = builds[1]
    t = time.perf_counter()
    r = subprocess.run(["rustc", "-O", "--edition", "2021", "-o", os.path.join(d, "big-rs"), rs], capture_output=True, text=True)
    tr = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit("rustc failed:\n" + r.stderr[-2000:])
    same = subprocess.run([os.path.join(d, "big-vez")], capture_output=True).stdout == \
        subprocess.run([os.path.join(d, "big-rs")], capture_output=True).stdout
    print(f"build of a generated {count}-line program ({n_fns * 2} functions):")
    print(f"  vez build, cold (verify + LLVM -O3): {tv:.2f} s   ({v.stderr.strip().splitlines()[-1]})")
    print(f"  vez build, warm (certificates):      {tw:.2f} s   ({w.stderr.strip().splitlines()[-1]})")
    print(f"  rustc -O:                            {tr:.2f} s")
    print(f"  ratio vez/rustc: cold {tv / tr:.2f}, warm {tw / tr:.2f}; same output: {same}")
