#!/usr/bin/env bash
# Front-end throughput: `vez check` (parse, resolve, type-check, borrow-check) on a generated
# program of >= 100,000 lines, best of 3, as lines per second; then the time of each phase
# (VEZ_TIMINGS) of one more run, so borrow checking's share is printed beside the total.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-100000}
cargo build --release -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 benches/gen_program.py "$lines" > "$tmp/big.zari"
n=$(wc -l < "$tmp/big.zari")
target/release/vez check "$tmp/big.zari" >/dev/null 2>&1 || true   # warm the page cache
best=""
for _ in 1 2 3; do
  s=$(date +%s.%N)
  target/release/vez check "$tmp/big.zari" >/dev/null 2>&1
  e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
rate=$(echo "$n / $best" | bc -l)
printf 'vez check: %d lines in %.3f s (best of 3) = %.0f lines/s (front-end target 500000)\n' "$n" "$best" "$rate"
VEZ_TIMINGS=1 target/release/vez check "$tmp/big.zari" 2>&1 | grep -E '^timing: (load|type|borrow)' | sed 's/^timing: /  phase: /'
