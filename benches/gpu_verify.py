#!/usr/bin/env python3
"""Verification time per GPU kernel (issue 7; target under 1 s each): every kernel of the
shared corpus (gpu_*.zari) and of tests/verify/gpu, proved cold (--no-cache), the fastest of
several rounds per kernel (this machine's speed drifts), with its obligation count and
verdict, then the median and the maximum.
Usage: benches/gpu_verify.py [--vez target/release/vez] [--rounds 3]"""
import json, os, statistics, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
vez = "target/release/vez"
rounds = 3
args = sys.argv[1:]
while args:
    if args[0] == "--vez":
        vez, args = args[1], args[2:]
    elif args[0] == "--rounds":
        rounds, args = int(args[1]), args[2:]
    else:
        sys.exit(f"unknown argument {args[0]}")

files = []
for d, prefix in [(os.path.join(here, "..", "..", "shared", "conformance", s), "gpu_") for s in ("pass", "fail")] + \
        [(os.path.join(here, "..", "tests", "verify", "gpu", s), "") for s in ("pass", "fail")]:
    if os.path.isdir(d):
        files += [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(".zari") and n.startswith(prefix)]

kernel_times = []
print(f"{'kernel':<46} {'obligations':>11} {'verdict':>12} {'time (ms)':>10}")
for f in files:
    best = {}
    for _ in range(rounds):
        out = subprocess.run([vez, "verify", "--no-cache", "--format", "json", f], capture_output=True, text=True)
        doc = json.loads(out.stdout)
        for it in doc.get("items", []):
            prev = best.get(it["name"])
            if prev is None or it["time_ms"] < prev["time_ms"]:
                best[it["name"]] = it
    kernels, marked = set(), False
    for line in open(f).read().splitlines():
        if line.strip() == "#[gpu::kernel]":
            marked = True
        elif marked and line.strip().startswith("fn "):
            kernels.add(line.strip()[3:].split("(")[0].strip())
            marked = False
    for name, it in best.items():
        if name not in kernels:
            continue
        label = f"{os.path.basename(os.path.dirname(f))}/{os.path.basename(f)}:{name}"
        print(f"{label:<46} {it['obligations']:>11} {it['status']:>12} {it['time_ms']:>10.1f}")
        kernel_times.append(it["time_ms"])
print(f"{len(kernel_times)} kernels: median {statistics.median(kernel_times):.1f} ms, "
      f"max {max(kernel_times):.1f} ms (target < 1000 ms each)")
