#!/usr/bin/env bash
# make bench: runs every bench/NN-*.sh in order against the release build, side by side with the
# reference command-line tools measured in the same run. Scratch files go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
export DUBCTL=${DUBCTL:-$PWD/.build/release/dubctl}
export BENCH_OUT=${BENCH_OUT:-$PWD/bench/out}
export BENCH_RUNS=${BENCH_RUNS:-5}
mkdir -p "$BENCH_OUT"
[ -x "$DUBCTL" ] || { echo "bench: $DUBCTL is missing; run 'make release' (make bench does)" >&2; exit 1; }
echo "dub benchmarks — $(date -u +%FT%TZ), $(nproc) cores, $BENCH_RUNS runs each (median)"
for script in bench/[0-9][0-9]-*.sh; do
  echo
  bash "$script"
done
