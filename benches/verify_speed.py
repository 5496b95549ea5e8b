#!/usr/bin/env python3
"""Cold `vez verify` of the whole non-GPU conformance corpus (pass/ and fail/, front-end-only
programs included): prints the total wall time, the number of functions, and the median and
maximum per-function time from the JSON report, for each of several rounds (this machine's
speed drifts by tens of percent over minutes, so one round says little), then the median round.
Targets (issue 4): under 3 s in all, median under 30 ms.
Usage: benches/verify_speed.py [--vez target/release/vez] [--corpus DIR] [--rounds 3]"""
import json, os, statistics, subprocess, sys, time

vez = "target/release/vez"
rounds = 3
corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "conformance")
args = sys.argv[1:]
while args:
    if args[0] == "--vez":
        vez, args = args[1], args[2:]
    elif args[0] == "--corpus":
        corpus, args = args[1], args[2:]
    elif args[0] == "--rounds":
        rounds, args = int(args[1]), args[2:]
    else:
        sys.exit(f"unknown argument {args[0]}")

files = []
for sub in ("pass", "fail"):
    d = os.path.join(corpus, sub)
    for name in sorted(os.listdir(d)):
        if name.startswith("gpu_"):
            continue
        p = os.path.join(d, name)
        if name.endswith(".zari"):
            files.append(p)
        elif os.path.isfile(os.path.join(p, "main.zari")):
            files.append(os.path.join(p, "main.zari"))



def one_round():
    times, per_fn = [], []
    start = time.perf_counter()
    for f in files:
        t = time.perf_counter()
        out = subprocess.run([vez, "verify", "--no-cache", "--format", "json", f], capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        doc = json.loads(out.stdout)
        per_fn.extend(it["time_ms"] for it in doc.get("items", []))
    return time.perf_counter() - start, per_fn, times


results = []
for r in range(rounds):
    total, per_fn, times = one_round()
    results.append(total)
    print(f"round {r + 1}: vez verify, cold, {len(files)} non-GPU conformance programs: {total:.2f} s "
          f"in all; {len(per_fn)} functions: median {statistics.median(per_fn):.1f} ms, "
          f"max {max(per_fn):.1f} ms")
    slow = sorted(zip(times, files), reverse=True)[:3]
    print("  slowest programs: " + ", ".join(f"{os.path.basename(f)} {t * 1000:.0f} ms" for t, f in slow))
print(f"median of {rounds} rounds: {statistics.median(results):.2f} s in all (target < 3 s); "
      f"per-function median target < 30 ms")
