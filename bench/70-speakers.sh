#!/usr/bin/env bash
# Speaker clustering: the diarization error rate of `dubctl speakers` on dialogues whose speakers are known by
# construction (bench/make-dialogue.py: 2, 3 and 4 espeak-ng voices of different gender and pitch, three seeds each)
# and on the two-speaker sample. Target: <= 10 % over the generated set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/speakers
mkdir -p "$out"
here=$(cd "$(dirname "$0")/.." && pwd)
echo "speaker clustering: diarization error rate (no speaker count given; target <= 10 % over the generated dialogues)"
total=0 speech=0
for n in 2 3 4; do
  for seed in 1 2 3; do
    python3 "$here/bench/make-dialogue.py" "$n" "$out/d$n-$seed" "$seed"
    result=$("$DUBCTL" speakers "$out/d$n-$seed.wav" --lines "$out/d$n-$seed.lines.json" --score --json)
    der=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["diarization_error_rate"])' <<<"$result")
    found=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])' <<<"$result")
    seconds=$(python3 -c 'import json, sys; print(sum(l["end"] - l["start"] for l in json.load(open(sys.argv[1]))))' "$out/d$n-$seed.lines.json")
    total=$(awk -v t="$total" -v d="$der" -v s="$seconds" 'BEGIN { print t + d * s }')
    speech=$(awk -v t="$speech" -v s="$seconds" 'BEGIN { print t + s }')
    printf "  %-44s %6.1f %%   %d speakers found\n" "$n voices, seed $seed ($(printf %.0f "$seconds") s of speech)" "$(awk -v d="$der" 'BEGIN { print d * 100 }')" "$found"
  done
done
python3 "$here/bench/make-dialogue.py" 2-same "$out/same" 1
same=$("$DUBCTL" speakers "$out/same.wav" --lines "$out/same.lines.json" --score --json)
printf "  %-44s %6.1f %%   %d speakers found (outside the target set)\n" "2 men at one pitch (en-us, en-gb)" \
  "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["diarization_error_rate"] * 100)' <<<"$same")" \
  "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])' <<<"$same")"
same=$("$DUBCTL" speakers "$out/same.wav" --lines "$out/same.lines.json" --score --json --speakers 2)
printf "  %-44s %6.1f %%\n" "  the same with --speakers 2" \
  "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["diarization_error_rate"] * 100)' <<<"$same")"
sample=$("$DUBCTL" speakers "$here/samples/two-speakers.mp4" --lines "$here/samples/two-speakers.lines.json" --score --json)
printf "  %-44s %6.1f %%\n" "samples/two-speakers.mp4 (over its music bed)" \
  "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["diarization_error_rate"] * 100)' <<<"$sample")"
awk -v t="$total" -v s="$speech" 'BEGIN { r = t / s * 100; printf "  %-44s %6.1f %%   target <= 10 %%: %s\n", "generated set, speech-weighted", r, (r <= 10 ? "pass" : "miss") }'
