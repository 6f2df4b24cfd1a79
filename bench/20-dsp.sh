#!/usr/bin/env bash
# DSP side by side: loudness vs ffmpeg ebur128, time-stretch vs sox tempo, and separation and mixing speed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/dsp
mkdir -p "$out"
: > "$BENCH_OUT/samples.txt"
here=$(cd "$(dirname "$0")/.." && pwd)
# 10 minutes of the English sample (speech over music, stereo 44.1 kHz) and of the mono speech sample (16 kHz).
[ -s "$out/english10.wav" ] || ff -stream_loop 23 -i "$here/samples/english.mp4" -t 600 -vn -c:a pcm_s16le "$out/english10.wav"
[ -s "$out/speech10.wav" ] || ff -stream_loop 82 -i "$here/samples/mono.wav" -t 600 -c:a pcm_s16le "$out/speech10.wav"
clips=()
for ((i = 0; i < 150; i++)); do clips+=(--clip "$here/samples/mono.wav@$((i * 4)).0"); done

measure ffmpeg-ebur128 ffmpeg -nostdin -nostats -i "$out/english10.wav" -af ebur128=peak=true -f null -
measure dub-loudness "$DUBCTL" loudness "$out/english10.wav"
measure sox-tempo sox "$out/speech10.wav" "$out/sox-tempo.wav" tempo 1.15
measure dub-stretch "$DUBCTL" stretch "$out/speech10.wav" -o "$out/dub-stretch.wav" --factor 1.15
measure dub-separate "$DUBCTL" separate "$out/english10.wav" --vocals "$out/vocals.wav" --background "$out/background.wav"
measure dub-mix "$DUBCTL" mix --bed "$out/english10.wav" "${clips[@]}" -o "$out/mix.wav" --loudness=-16

realtime() { awk -v s="$(median "$1" 2)" 'BEGIN { printf "%.0f", (s > 0 ? 600 / s : 0) }'; }
echo "loudness: 10-minute stereo 44.1 kHz WAV (target ratio <= 1.0)"
row "ffmpeg -af ebur128=peak=true" ffmpeg-ebur128
row "dubctl loudness" dub-loudness ffmpeg-ebur128
echo "time-stretch 1.15 on 10 minutes of 16 kHz speech (targets: ratio <= 1.0, >= 200x realtime)"
row "sox in.wav out.wav tempo 1.15" sox-tempo
row "dubctl stretch --factor 1.15 ($(realtime dub-stretch)x realtime)" dub-stretch sox-tempo
echo "separation and mixing of 10 minutes (x realtime)"
row "dubctl separate ($(realtime dub-separate)x realtime)" dub-separate
row "dubctl mix, 150 clips, -16 LUFS ($(realtime dub-mix)x realtime)" dub-mix
