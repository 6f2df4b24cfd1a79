#!/usr/bin/env bash
# Provider HTTP layer: 100 TTS lines (dubctl synthesize --provider openai) against the fake with 200 ms simulated
# latency and 8 requests in flight. Ideal wall time = ceil(100 / 8) x 0.2 = 2.6 s (13 rounds: the 8 slots take 12 or 13
# requests each); target overhead < 10 %. The fake answers each request 0.2 s after it arrived, its own work included.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/providers
rm -rf "$out"; mkdir -p "$out"
lines=100 latency=0.2 concurrency=8

start_fake "$latency" "$out"

python3 - "$lines" > "$out/lines.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps([{"id": f"{i:03d}", "text": f"This is line number {i}, spoken for the benchmark."} for i in range(n)]))
PY

runs=${BENCH_RUNS:-5}
: > "$out/times.txt"
for ((i = 0; i < runs; i++)); do
  rm -rf "$out/wav"
  /usr/bin/time -f "%e %U %S" -a -o "$out/times.txt" \
    "$DUBCTL" synthesize "$out/lines.json" --provider openai --concurrency "$concurrency" -o "$out/wav" >/dev/null
done
[ "$(ls "$out/wav" | wc -l)" -eq "$lines" ] || { echo "bench: expected $lines files" >&2; exit 1; }

# Reference: the curl command-line tool sending the same requests, $concurrency at a time, against the same fake.
python3 - "$lines" > "$out/bodies.txt" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"model": "tts-1", "input": f"This is line number {i}, spoken for the benchmark.", "voice": "alloy", "response_format": "pcm"}))
PY
: > "$out/curl-times.txt"
for ((i = 0; i < runs; i++)); do
  /usr/bin/time -f "%e %U %S" -a -o "$out/curl-times.txt" bash -c '
    xargs -d "\n" -P "$1" -I{} curl -sf -o /dev/null -H "Authorization: Bearer $OPENAI_API_KEY" \
      -H "Content-Type: application/json" --data-raw {} "$OPENAI_BASE_URL/audio/speech" < "$2"' _ "$concurrency" "$out/bodies.txt"
done
curl_wall=$(sort -g "$out/curl-times.txt" | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')

echo "providers: $lines TTS lines against the fake, ${latency}s latency, concurrency $concurrency (median of $runs; target overhead < 10 %)"
sort -g "$out/times.txt" | awk -v n="$lines" -v lat="$latency" -v c="$concurrency" -v ref="$curl_wall" '
  { wall[NR] = $1; cpu[NR] = $2 + $3 }
  END {
    m = int((NR + 1) / 2); rounds = int((n + c - 1) / c); ideal = rounds * lat
    over = (wall[m] / ideal - 1) * 100
    printf "  %-44s %8.2f s   ideal %.2f s   overhead %.1f %% (target < 10 %%: %s)   ratio to curl %.2f\n", "dubctl synthesize --provider openai", wall[m], ideal, over, (over < 10 ? "pass" : "MISS"), wall[m] / ref
    printf "  %-44s %8.2f s   overhead %.1f %% (the fake and loopback share of the overhead)\n", "curl CLI, same requests (reference)", ref, (ref / ideal - 1) * 100
    printf "  %-44s %8.2f ms (user+sys of the whole run / %d)\n", "CPU time per request", cpu[m] * 1000 / n, n
  }'
