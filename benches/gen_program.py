#!/usr/bin/env python3
"""Generates a valid VeZ program of about N lines (default 100,000): many functions with
contracts, loops with invariants, structs, enums and matches. Used by the front-end and
later benchmarks. Usage: gen_program.py [LINES] > program.zari"""
import sys

def function(i):
    return f'''#[requires(n <= 1000)]
#[ensures(result <= 3 * n + 3)]
fn work{i}(n: u64, v: &[u64]) -> u64 {{
    let mut s: u64 = 0;
    let mut i: u64 = 0;
    #[invariant(i <= n && s <= 3 * i)]
    while i < n {{
        if i % 2 == 0 {{
            s += 3;
        }} else {{
            s += 1;
        }}
        i += 1;
    }}
    let k = match s % 3 {{
        0 => 1,
        1 => 2,
        _ => 3,
    }};
    let p = Point{i % 50} {{ x: k, y: s }};
    p.x + p.y
}}

'''

def header(i):
    return f'''#[derive(Clone, Copy, PartialEq, Debug)]
struct Point{i} {{
    x: u64,
    y: u64,
}}

'''

def main():
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    out = [header(i) for i in range(50)]
    lines = sum(s.count("\n") for s in out)
    i = 0
    while lines < target:
        f = function(i)
        out.append(f)
        lines += f.count("\n")
        i += 1
    out.append("fn main() {\n    let v = [1u64, 2, 3];\n    println!(\"{}\", work0(10, &v));\n}\n")
    sys.stdout.write("".join(out))

main()
