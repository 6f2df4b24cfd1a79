#!/usr/bin/env bash
# Timing targets on generated clips whose truth is known (bench/make-timing-clip.py: two espeak-ng voices at 140, 170
# and 200 words a minute; translations 0, 15 and 30 % longer), dubbed with espeak-ng (about 160 words a minute):
#   given:      the longer text given as target-language subtitles (no translator: speed and time-stretch only; where the
#               text is too long for the time, these rows cannot meet the targets, and show by how much);
#   --condense: the same, with the fake translator shortening the lines that do not fit;
#   translated: the source subtitles translated by the fake OpenAI translator, whose answers are that much longer and
#               overshoot their length budgets by up to 10 %, so the fit re-translates (condenses) what does not fit.
# Targets: >= 95 % of lines on their slot (start within 150 ms, end before the next slot), >= 90 % at 1.15x or less
# (with a translator, whatever the expansion), none over the 1.3x cap, the largest speed step between neighbouring lines
# of one speaker <= 0.10, none slowed below 0.95x, no drift at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/timing
mkdir -p "$out"
here=$(cd "$(dirname "$0")/.." && pwd)
fake=${FAKE:-$(dirname "$DUBCTL")/dub-fake-providers}
[ -x "$fake" ] || { echo "bench: $fake is missing (make release builds it)" >&2; exit 1; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# row LABEL WORK TRANSLATED: the figures of one dub, each with its target's pass/miss mark.
row() {
  python3 - "$1" "$("$here/bench/timing-figures.py" "$2")" "$3" <<'PY'
import json, sys
label, f, translated = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
mark = lambda ok: "pass" if ok else "miss"
print("  %-30s on slot %5.1f %% %s | <=1.15x %5.1f %% %s | over cap %d %s | step %.2f %s | slowest %.2f %s | drift %.2f s %s | condensed %d" % (
    label, f["on_slot"] * 100, mark(f["on_slot"] >= 0.95), f["at_most_115"] * 100, mark(f["at_most_115"] >= 0.90),
    f["over_cap"], mark(f["over_cap"] == 0), f["largest_step"], mark(f["largest_step"] <= 0.1001),
    f["slowest"], mark(f["slowest"] >= 0.95), f["final_drift"], mark(f["final_drift"] < 0.001), f["condensed"]))
PY
}

echo "timing on generated clips (24 lines, two speakers; targets: on slot >= 95 %, <=1.15x >= 90 %, over cap 0, step <= 0.10, slowest >= 0.95, drift 0)"
for expansion in 0 15 30; do
  share=$(awk -v e="$expansion" 'BEGIN { print e / 100 }')
  "$fake" --translation-expansion "$share" > "$out/fake-$expansion.txt" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$out/fake-$expansion.txt" ] && break; sleep 0.1; done
  read -r base key_field < "$out/fake-$expansion.txt"
  for wpm in 140 170 200; do
    clip=$out/clip-$wpm-$expansion
    [ -s "$clip.mp4" ] || python3 "$here/bench/make-timing-clip.py" "$wpm" "$share" "$clip" 1
    rm -rf "$clip.given" "$clip.translated"
    "$DUBCTL" dub "$clip.mp4" --to en --subtitles "$clip.dst.srt" --tts espeak --separation none \
      -o "$clip.given.mp4" --work "$clip.given" > /dev/null 2> "$clip.given.err"
    row "$wpm wpm, +$expansion %, given" "$clip.given" 0
    rm -rf "$clip.condensed"
    OPENAI_BASE_URL="$base/v1" OPENAI_API_KEY="${key_field#key=}" "$DUBCTL" dub "$clip.mp4" --to en --subtitles "$clip.dst.srt" \
      --condense --translator openai --tts espeak --separation none -o "$clip.condensed.mp4" --work "$clip.condensed" > /dev/null 2> "$clip.condensed.err"
    row "$wpm wpm, +$expansion %, given --condense" "$clip.condensed" 1
    OPENAI_BASE_URL="$base/v1" OPENAI_API_KEY="${key_field#key=}" "$DUBCTL" dub "$clip.mp4" --to es --from en \
      --source-subtitles "$clip.src.srt" --translator openai --tts espeak --separation none \
      -o "$clip.translated.mp4" --work "$clip.translated" > /dev/null 2> "$clip.translated.err"
    row "$wpm wpm, +$expansion %, translated" "$clip.translated" 1
  done
done
