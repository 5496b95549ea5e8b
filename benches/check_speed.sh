#!/usr/bin/env bash
# Front-end throughput: `vez check` on a generated program of >= 100,000 lines, best of 3,
# printed as lines per second (target: 500,000 lines/s on the 2-core reference machine).
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-100000}
cargo build --release -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 benches/gen_program.py "$lines" > "$tmp/big.zari"
n=$(wc -l < "$tmp/big.zari")
best=""
for _ in 1 2 3; do
  s=$(date +%s.%N)
  target/release/vez check "$tmp/big.zari" >/dev/null 2>&1
  e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
rate=$(echo "$n / $best" | bc -l)
printf 'vez check: %d lines in %.3f s (best of 3) = %.0f lines/s (target 500000)\n' "$n" "$best" "$rate"
