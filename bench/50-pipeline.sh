#!/usr/bin/env bash
# The whole pipeline on a generated 10-minute clip with ~150 speech bursts (lines), against the fake providers with
# a fixed 200 ms simulated latency: recognition, translation and speech from OpenAI's fakes, local separation.
# Reports total wall time and the share spent in provider stages, dubctl's own CPU time per minute of input, and
# peak RSS. The reference is ffmpeg doing the pipeline's plain media work on the same clip (decode + resample to
# 48 kHz stereo, then AAC encode + remux), measured in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/pipeline
rm -rf "$out"; mkdir -p "$out"
minutes=10 latency=0.2

# 150 bursts of speech-band sound (2.5 s on, 1.5 s off) over quiet noise, with a small video stream.
ff -f lavfi -i "aevalsrc='0.2*(sin(2*PI*300*t)+0.5*sin(2*PI*600*t)+0.3*sin(2*PI*1200*t))*(0.6+0.4*sin(2*PI*3*t))*lt(mod(t\,4)\,2.5)':s=48000:d=$((minutes * 60))" \
   -f lavfi -i "anoisesrc=c=pink:a=0.01:r=48000:d=$((minutes * 60))" \
   -f lavfi -i "color=c=navy:s=320x180:r=25:d=$((minutes * 60))" \
   -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo[a]" -map 2:v -map "[a]" \
   -c:v libx264 -preset ultrafast -c:a aac -b:a 128k "$out/clip.mp4"

start_fake "$latency" "$out"
mkdir -p "$out/config"; unset DUB_CONFIG
export XDG_CONFIG_HOME="$out/config"

/usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$DUBCTL" dub "$out/clip.mp4" --to es --from en --asr openai \
  --translator openai --tts openai --separation local -o "$out/clip.es.mp4" --work "$out/work" --json > "$out/report.json"
/usr/bin/time -f "%e %U %S %M" -o "$out/ffmpeg.txt" \
  ffmpeg -hide_banner -loglevel error -nostdin -y -i "$out/clip.mp4" -map 0:v -map 0:a -c:v copy -af aresample=48000 \
  -ac 2 -c:a aac "$out/ffmpeg.mp4"

echo "pipeline: ${minutes}-minute clip, fake providers with ${latency}s latency (one run)"
python3 - "$out" "$minutes" <<'PY'
import json, sys
out, minutes = sys.argv[1], float(sys.argv[2])
wall, user, system, rss = (float(x) for x in open(f"{out}/time.txt").read().split())
fwall, fuser, fsys, frss = (float(x) for x in open(f"{out}/ffmpeg.txt").read().split())
report = json.load(open(f"{out}/report.json"))
stages = report["stage_seconds"]
provider = sum(stages.get(s, 0) for s in ("transcribe", "translate", "synthesize"))
lines = report["timing"]["lines"]
print(f"  {'dubctl dub (whole pipeline)':44s} {wall:8.2f} s {rss / 1024:9.1f} MB   {lines} lines, overlaps {report['timing']['overlaps']}")
print(f"  {'  provider stages (transcribe+translate+tts)':44s} {provider:8.2f} s   share {provider / wall * 100:.0f} %")
print(f"  {'  own CPU per minute of input':44s} {(user + system) / minutes:8.2f} s")
print(f"  {'ffmpeg decode+resample+AAC+remux (reference)':44s} {fwall:8.2f} s {frss / 1024:9.1f} MB   ratio {wall / fwall:.1f}")
slow = sorted(stages.items(), key=lambda kv: -kv[1])[:4]
print("  slowest stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in slow))
PY
