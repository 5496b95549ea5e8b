#!/usr/bin/env python3
"""Run-time benchmarks (issue 5): each program of benches/runtime/ in VeZ (verified: `vez build`
refuses anything unproven, so every proven check is compiled out) and the same algorithm in
Rust (`rustc -O`), built and run in this same run. Prints, per program, both wall times (the
fastest of --runs runs; the outputs must be identical) and the ratio VeZ / Rust, then the
geometric mean. Targets: geometric mean at most 0.95, no program above 1.05.
Usage: benches/runtime_speed.py [--vez target/release/vez] [--runs 15] [NAME ...]"""
import math, os, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
vez = os.path.join(here, "..", "target", "release", "vez")
runs = 15
only = []
args = sys.argv[1:]
while args:
    if args[0] == "--vez":
        vez, args = args[1], args[2:]
    elif args[0] == "--runs":
        runs, args = int(args[1]), args[2:]
    elif args[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0)
    else:
        only, args = only + [args[0]], args[1:]

src = os.path.join(here, "runtime")
names = sorted(f[:-5] for f in os.listdir(src) if f.endswith(".zari"))
if only:
    unknown = [n for n in only if n not in names]
    if unknown:
        sys.exit(f"no such benchmark: {', '.join(unknown)} (there are: {', '.join(names)})")
    names = [n for n in names if n in only]
work = tempfile.mkdtemp(prefix="vez-runtime-bench-")


def build(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"build failed: {' '.join(cmd)}\n{r.stderr}")


def run_once(exe):
    t = time.perf_counter()
    r = subprocess.run([exe], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{exe} exited {r.returncode}: {r.stderr}")
    return elapsed, r.stdout


def best_times(a, b):
    """The fastest of `runs` runs of each, alternating a and b so that drift in this machine's
    speed hits both alike; and their outputs, which must not vary."""
    best, outs = [math.inf, math.inf], [None, None]
    for _ in range(runs):
        for k, exe in enumerate((a, b)):
            t, out = run_once(exe)
            best[k] = min(best[k], t)
            if outs[k] is not None and out != outs[k]:
                sys.exit(f"{exe}: output varies between runs")
            outs[k] = out
    return best, outs


ratios = []
print(f"{'program':<16} {'vez s':>8} {'rustc s':>8} {'ratio':>6}   (fastest of {runs} runs each)")
for name in names:
    zexe, rexe = os.path.join(work, name + "-vez"), os.path.join(work, name + "-rust")
    build([vez, "build", "-O", "3", os.path.join(src, name + ".zari"), "-o", zexe])
    build(["rustc", "-O", os.path.join(src, name + ".rs"), "-o", rexe])
    (tz, tr), (oz, orr) = best_times(zexe, rexe)
    if oz != orr:
        sys.exit(f"{name}: outputs differ\nvez:  {oz!r}\nrust: {orr!r}")
    ratios.append(tz / tr)
    print(f"{name:<16} {tz:8.3f} {tr:8.3f} {tz / tr:6.3f}   output {oz.strip()[:40]}")
geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
print(f"geometric mean of {len(ratios)} ratios: {geo:.3f} (target <= 0.95); "
      f"max {max(ratios):.3f} (target <= 1.05)")
