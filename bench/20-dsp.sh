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
# A 10-minute video to put a new track on (tiny frames: the audio is what is measured).
[ -s "$out/video10.mp4" ] || ff -f lavfi -i "color=c=navy:s=64x36:r=5:d=600" -c:v libx264 -preset ultrafast "$out/video10.mp4"
clips=()
for ((i = 0; i < 150; i++)); do clips+=(--clip "$here/samples/mono.wav@$((i * 4)).0"); done

measure ffmpeg-ebur128 ffmpeg -nostdin -nostats -i "$out/english10.wav" -af ebur128=peak=true -f null -
measure dub-loudness "$DUBCTL" loudness "$out/english10.wav"
measure sox-tempo sox "$out/speech10.wav" "$out/sox-tempo.wav" tempo 1.15
measure dub-stretch "$DUBCTL" stretch "$out/speech10.wav" -o "$out/dub-stretch.wav" --factor 1.15
measure dub-separate "$DUBCTL" separate "$out/english10.wav" --vocals "$out/vocals.wav" --background "$out/background.wav"
measure dub-mix "$DUBCTL" mix --bed "$out/english10.wav" "${clips[@]}" -o "$out/mix.wav" --loudness=-16
# The mux's work is the AAC encoding: the ffmpeg CLI encodes the same WAV at the same bit rate with one encoder.
measure ffmpeg-mux ffmpeg -nostdin -loglevel error -y -i "$out/video10.mp4" -i "$out/mix.wav" -map 0:v -map 1:a -c:v copy -c:a aac -b:a 128k "$out/ffmpeg-mux.mp4"
measure dub-mux "$DUBCTL" mux "$out/video10.mp4" --audio "$out/mix.wav" -o "$out/dub-mux.mp4"

measure dub-idle "$DUBCTL" --version

realtime() { awk -v s="$(median "$1" 2)" 'BEGIN { printf "%.0f", (s > 0 ? 600 / s : 0) }'; }
mark() { awk "BEGIN { print ($1) ? \"pass\" : \"MISS\" }"; }
ratio() { awk -v a="$(median "$1" 2)" -v b="$(median "$2" 2)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mb() { awk -v k="$(median "$1" 3)" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "loudness: 10-minute stereo 44.1 kHz WAV (target ratio <= 1.0: $(mark "$(ratio dub-loudness ffmpeg-ebur128) <= 1.0"))"
row "ffmpeg -af ebur128=peak=true" ffmpeg-ebur128
row "dubctl loudness" dub-loudness ffmpeg-ebur128
echo "time-stretch 1.15 on 10 minutes of 16 kHz speech (targets: ratio <= 1.0: $(mark "$(ratio dub-stretch sox-tempo) <= 1.0"); peak RSS < 20 MB: $(mark "$(mb dub-stretch) < 20"))"
row "sox in.wav out.wav tempo 1.15" sox-tempo
row "dubctl stretch --factor 1.15 ($(realtime dub-stretch)x realtime)" dub-stretch sox-tempo
echo "  dubctl's own start-up (--version) peaks at $(mb dub-idle) MB (Swift runtime, Foundation, ICU, the media libraries): the stretch adds $(awk -v a="$(mb dub-stretch)" -v b="$(mb dub-idle)" 'BEGIN { printf "%+.1f", a - b }') MB"
echo "separation and mixing of 10 minutes (targets >= 400x realtime)"
row "dubctl separate ($(realtime dub-separate)x realtime: $(mark "$(realtime dub-separate) >= 400"))" dub-separate
row "dubctl mix, 150 clips, -16 LUFS ($(realtime dub-mix)x realtime: $(mark "$(realtime dub-mix) >= 400"))" dub-mix
echo "mux: the 10-minute mix as a new AAC track on a video (the same encoder; dub encodes a stretch per core)"
row "ffmpeg -c:v copy -c:a aac -b:a 128k" ffmpeg-mux
row "dubctl mux ($(realtime dub-mux)x realtime)" dub-mux ffmpeg-mux
