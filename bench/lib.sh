# Shared helpers for the bench scripts (sourced).
ff() { ffmpeg -hide_banner -loglevel error -nostdin -nostats -y "$@"; }

# settle: writes out what earlier commands left dirty in the page cache, so that their write-back is not charged to the
# next timed run (a run that writes long files still pays for its own).
settle() { sync; }

# measure NAME CMD...: runs CMD $BENCH_RUNS times, each after settle; appends "NAME wall_seconds peak_rss_kb" lines to
# $BENCH_OUT/samples.txt.
measure() {
  local name=$1; shift
  local i
  for ((i = 0; i < BENCH_RUNS; i++)); do
    settle
    /usr/bin/time -f "$name %e %M" -a -o "$BENCH_OUT/samples.txt" "$@" >/dev/null 2>"$BENCH_OUT/last.err" || {
      echo "bench: $1 failed:" >&2; cat "$BENCH_OUT/last.err" >&2; return 1; }
  done
}

# median NAME FIELD: median of field 2 (wall s) or 3 (RSS kB) over the samples for NAME.
median() {
  awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$BENCH_OUT/samples.txt" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}

# row LABEL NAME [REF]: one table row: median wall time, peak RSS, and the wall-time ratio against REF.
row() {
  local label=$1 name=$2 ref=${3:-}
  local wall rss ratio=""
  wall=$(median "$name" 2); rss=$(median "$name" 3)
  if [ -n "$ref" ]; then ratio=$(awk -v a="$wall" -v b="$(median "$ref" 2)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'); fi
  printf "  %-44s %8.2f s %9.1f MB   %s\n" "$label" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "${ratio:+ratio $ratio}"
}

# start_fake LATENCY DIR: starts the fake provider server (with LATENCY seconds of simulated latency; stopped when the
# script exits) and points dub's OpenAI client at it (OPENAI_BASE_URL, OPENAI_API_KEY). Its address goes to DIR/fake.txt.
start_fake() {
  local fake=${FAKE:-$(dirname "$DUBCTL")/dub-fake-providers} base key_field
  [ -x "$fake" ] || { echo "bench: $fake is missing (make release builds it)" >&2; exit 1; }
  "$fake" --latency "$1" > "$2/fake.txt" 2>/dev/null &
  fake_pid=$!
  trap 'kill "$fake_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -s "$2/fake.txt" ] && break; sleep 0.1; done
  read -r base key_field < "$2/fake.txt"
  export OPENAI_BASE_URL="$base/v1" OPENAI_API_KEY="${key_field#key=}"
}
