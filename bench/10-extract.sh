#!/usr/bin/env bash
# dubctl extract vs the ffmpeg CLI: 10-minute stereo AAC mp4 → 16 kHz mono WAV; peak RSS on 10 and 60 minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/extract
mkdir -p "$out"
: > "$BENCH_OUT/samples.txt"
make_input() { # make_input MINUTES FILE: stereo AAC 44.1 kHz (two tones with vibrato and noise) + a tiny H.264 video
  [ -s "$2" ] && return
  ff -f lavfi -i "testsrc2=size=64x36:rate=5" \
     -f lavfi -i "aevalsrc=exprs=0.2*sin(2*PI*(300+20*sin(2*PI*0.5*t))*t)+0.05*(random(0)-0.5)|0.2*sin(2*PI*450*t)+0.05*(random(1)-0.5):s=44100" \
     -t $(($1 * 60)) -c:v libx264 -preset ultrafast -c:a aac -b:a 128k -shortest "$2"
}
make_input 10 "$out/in10.mp4"
make_input 60 "$out/in60.mp4"

measure ffmpeg10 ffmpeg -nostdin -loglevel error -i "$out/in10.mp4" -ac 1 -ar 16000 -y "$out/ffmpeg.wav"
measure soxr10 "$DUBCTL" extract "$out/in10.mp4" -o "$out/dub-soxr.wav" --rate 16000 --channels 1
measure swr10 "$DUBCTL" extract "$out/in10.mp4" -o "$out/dub-swr.wav" --rate 16000 --channels 1 --resampler swr
BENCH_RUNS=1 measure soxr60 "$DUBCTL" extract "$out/in60.mp4" -o "$out/dub60.wav" --rate 16000 --channels 1
BENCH_RUNS=1 measure ffmpeg60 ffmpeg -nostdin -loglevel error -i "$out/in60.mp4" -ac 1 -ar 16000 -y "$out/ffmpeg60.wav"

echo "extract: 10-minute stereo AAC mp4 -> 16 kHz mono WAV (targets: ratio <= 1.0, peak RSS < 50 MB)"
row "ffmpeg -i X -ac 1 -ar 16000 out.wav" ffmpeg10
row "dubctl extract --rate 16000 --channels 1" soxr10 ffmpeg10
row "dubctl extract ... --resampler swr" swr10 ffmpeg10
echo "extract: peak RSS does not grow with length (60-minute input, 1 run)"
row "ffmpeg (60 min)" ffmpeg60
row "dubctl extract (60 min)" soxr60 ffmpeg60
awk -v a="$(median soxr10 3)" -v b="$(median soxr60 3)" \
  'BEGIN { printf "  dubctl peak RSS 10 min %.1f MB, 60 min %.1f MB: growth %+.1f MB\n", a / 1024, b / 1024, (b - a) / 1024 }'
