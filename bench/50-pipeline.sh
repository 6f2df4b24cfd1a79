#!/usr/bin/env bash
# The whole pipeline on generated 10- and 60-minute clips (PIPELINE_MINUTES) with a speech burst (line) every 4 s, against the fake providers with
# a fixed 200 ms simulated latency: recognition, translation and speech from OpenAI's fakes, local separation.
# Reports total wall time and the share spent in provider stages, dubctl's own CPU time per minute of input, and
# peak RSS, and the seconds of each stage. The reference is ffmpeg doing the pipeline's plain media work on the same clip (decode + resample to
# 48 kHz stereo, then AAC encode + remux), measured in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/pipeline
rm -rf "$out"; mkdir -p "$out"
minutes_list=${PIPELINE_MINUTES:-"10 60"} latency=0.2

make_clip() { # make_clip MINUTES FILE: bursts of speech-band sound (2.5 s on, 1.5 s off) over quiet noise, a small video.
  local d=$(($1 * 60))
  ff -f lavfi -i "aevalsrc='0.2*(sin(2*PI*300*t)+0.5*sin(2*PI*600*t)+0.3*sin(2*PI*1200*t))*(0.6+0.4*sin(2*PI*3*t))*lt(mod(t\,4)\,2.5)':s=48000:d=$d" \
     -f lavfi -i "anoisesrc=c=pink:a=0.01:r=48000:d=$d" \
     -f lavfi -i "color=c=navy:s=320x180:r=25:d=$d" \
     -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo[a]" -map 2:v -map "[a]" \
     -c:v libx264 -preset ultrafast -c:a aac -b:a 128k "$2"
}

start_fake "$latency" "$out"
mkdir -p "$out/config"; unset DUB_CONFIG
export XDG_CONFIG_HOME="$out/config"

for m in $minutes_list; do
  make_clip "$m" "$out/clip$m.mp4"
  settle
  /usr/bin/time -f "%e %U %S %M" -o "$out/time$m.txt" "$DUBCTL" dub "$out/clip$m.mp4" --to es --from en --asr openai \
    --translator openai --tts openai --separation local -o "$out/clip$m.es.mp4" --work "$out/work$m" --json > "$out/report$m.json"
  settle
  /usr/bin/time -f "%e %U %S %M" -o "$out/ffmpeg$m.txt" \
    ffmpeg -hide_banner -loglevel error -nostdin -y -i "$out/clip$m.mp4" -map 0:v -map 0:a -c:v copy -af aresample=48000 \
    -ac 2 -c:a aac "$out/ffmpeg$m.mp4"
  rm -rf "$out/work$m" "$out/clip$m.es.mp4" "$out/ffmpeg$m.mp4"
done

echo "pipeline: the whole dub against ffmpeg's plain media work on the same clip, fake providers with ${latency}s latency (one run each)"
python3 - "$out" $minutes_list <<'PY'
import json, sys
out, minutes_list = sys.argv[1], [int(m) for m in sys.argv[2:]]
mark = lambda ok: "pass" if ok else "MISS"
rss, frss_by = {}, {}
for minutes in minutes_list:
    wall, user, system, peak = (float(x) for x in open(f"{out}/time{minutes}.txt").read().split())
    fwall, fuser, fsys, frss = (float(x) for x in open(f"{out}/ffmpeg{minutes}.txt").read().split())
    rss[minutes], frss_by[minutes] = peak / 1024, frss / 1024
    report = json.load(open(f"{out}/report{minutes}.json"))
    stages = report["stage_seconds"]
    provider = sum(stages.get(s, 0) for s in ("transcribe", "translate", "synthesize"))
    ratio = wall / fwall
    print(f"  {f'dubctl dub, {minutes} min (whole pipeline)':44s} {wall:8.2f} s {peak / 1024:9.1f} MB   {report['timing']['lines']} lines, overlaps {report['timing']['overlaps']}")
    print(f"  {f'ffmpeg decode+resample+AAC+remux, {minutes} min':44s} {fwall:8.2f} s {frss / 1024:9.1f} MB   ratio {ratio:.2f} (target <= 1.5: {mark(ratio <= 1.5)})")
    print(f"  {'  provider stages (transcribe+translate+tts)':44s} {provider:8.2f} s   share {provider / wall * 100:.0f} %;  own CPU per minute of input {(user + system) / minutes:.2f} s")
    order = ["probe", "extract", "separate", "transcribe", "lines", "cast", "translate", "synthesize", "fit", "verify", "mix", "mux", "report"]
    print("  stage seconds: " + ", ".join(f"{k} {stages[k]:.1f}" for k in order if k in stages and stages[k] >= 0.05))
    q = report["quality"]
    print(f"  quality: {q['share_at_most_1_05'] * 100:.0f} % of lines at <= 1.05x, {q['share_at_most_1_15'] * 100:.0f} % <= 1.15x, "
          f"{q['share_over_1_3'] * 100:.0f} % > 1.3x; largest step {q['largest_speed_step']:.2f}; largest start offset "
          f"{q['largest_start_offset']:.2f} s; drift at the end {q['drift_at_end']:+.2f} s; overlaps {q['overlaps']}; loudness "
          f"{q['loudness_in_lufs']:.1f} -> {q['loudness_out_lufs']:.1f} LUFS, true peak {q['true_peak_dbtp']:.1f} dBTP")
if len(minutes_list) >= 2:
    a, b = minutes_list[0], minutes_list[-1]
    growth, fgrowth = rss[b] - rss[a], frss_by[b] - frss_by[a]
    print(f"  peak RSS {a} min {rss[a]:.1f} MB, {b} min {rss[b]:.1f} MB: growth {growth:+.1f} MB (target <= +10 MB: {mark(growth <= 10)}; "
          f"< 100 MB: {mark(rss[b] < 100)})")
    # An MP4 muxer keeps an index entry per packet until the trailer: ffmpeg grows as much on the same tracks.
    print(f"  ffmpeg on the same tracks grows {fgrowth:+.1f} MB (the MP4 index); dub's growth beyond it {growth - fgrowth:+.1f} MB "
          f"(target <= +10 MB: {mark(growth - fgrowth <= 10)})")
PY
