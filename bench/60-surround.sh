#!/usr/bin/env bash
# Surround: a 5.1 film-like source (AC-3: speech-band bursts in the centre, a tone of its own in every other channel, a small
# video), 10 and 60 minutes (SURROUND_MINUTES="10 60"). dubctl extract keeping 5.1 (48 kHz float WAV) against ffmpeg
# doing the same; the whole dub (5.1 out, the dub in the centre; the fake providers with 200 ms latency, local
# separation) against ffmpeg doing the plain media work on the same clip with the same output tracks (decode, resample,
# AAC 5.1 and a stereo AAC down-mix, remux). One run each (the dub's work folder is the cache of a second run).
# Peak RSS: an MP4 muxer keeps an index entry for every packet until it writes the trailer (ffmpeg's too), so both
# grow with the length; the target is that the dub grows no more than ffmpeg does on the same tracks, plus 10 MB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$BENCH_OUT/surround
rm -rf "$out"; mkdir -p "$out"
: > "$BENCH_OUT/samples.txt"
minutes_list=${SURROUND_MINUTES:-"10 60"}

make_clip() { # make_clip MINUTES FILE
  local d=$(($1 * 60))
  ff -f lavfi -i "color=c=navy:s=320x180:r=25:d=$d" \
     -f lavfi -i "aevalsrc='0.2*(sin(2*PI*300*t)+0.5*sin(2*PI*600*t)+0.3*sin(2*PI*1200*t))*(0.6+0.4*sin(2*PI*3*t))*lt(mod(t\,4)\,2.5)':s=48000:d=$d" \
     -filter_complex "sine=f=220:r=48000:d=$d,volume=0.3[l];sine=f=330:r=48000:d=$d,volume=0.3[r];sine=f=55:r=48000:d=$d,volume=0.3[lfe];\
sine=f=440:r=48000:d=$d,volume=0.2[sl];sine=f=550:r=48000:d=$d,volume=0.2[sr];\
[l][r][1:a][lfe][sl][sr]join=inputs=6:channel_layout=5.1(side):map=0.0-FL|1.0-FR|2.0-FC|3.0-LFE|4.0-SL|5.0-SR[a]" \
     -map 0:v -map "[a]" -c:v libx264 -preset ultrafast -c:a ac3 -b:a 448k "$2"
}

start_fake 0.2 "$out"
mkdir -p "$out/config"; unset DUB_CONFIG
export XDG_CONFIG_HOME="$out/config"
export BENCH_RUNS=1

for m in $minutes_list; do
  make_clip "$m" "$out/film$m.mp4"
  measure "ffextract$m" ffmpeg -nostdin -loglevel error -i "$out/film$m.mp4" -vn -c:a pcm_f32le -y "$out/ffmpeg$m.wav"
  measure "extract$m" "$DUBCTL" extract "$out/film$m.mp4" -o "$out/dub$m.wav" --sample-format f32
  rm -f "$out/ffmpeg$m.wav" "$out/dub$m.wav"
  measure "ffmux$m" ffmpeg -nostdin -loglevel error -i "$out/film$m.mp4" -map 0:v -map 0:a -map 0:a -c:v copy \
    -af aresample=48000 -c:a aac -b:a:0 384k -ac:a:1 2 -b:a:1 128k -y "$out/ffmpeg$m.mp4"
  measure "dub$m" "$DUBCTL" dub "$out/film$m.mp4" --to es --from en --asr openai --translator openai --tts openai \
    --separation local --stereo-track -o "$out/film$m.es.mp4" --work "$out/work$m"
  rm -rf "$out/work$m"
done

echo "surround: 5.1 in, 5.1 out (the dub in the centre), one run each"
for m in $minutes_list; do
  row "ffmpeg extract 5.1 -> float WAV ($m min)" "ffextract$m"
  row "dubctl extract, 5.1 kept ($m min)" "extract$m" "ffextract$m"
  row "ffmpeg decode+resample+AAC 5.1+stereo+remux ($m min)" "ffmux$m"
  row "dubctl dub, 5.1 + stereo track ($m min)" "dub$m" "ffmux$m"
  echo "  output tracks: $(ffprobe -v error -select_streams a -show_entries stream=channel_layout -of csv=p=0 "$out/film$m.es.mp4" | paste -sd ' ')"
done
set -- $minutes_list
if [ $# -ge 2 ]; then
  awk -v a="$(median "dub$1" 3)" -v b="$(median "dub${!#}" 3)" -v fa="$(median "ffmux$1" 3)" -v fb="$(median "ffmux${!#}" 3)" \
      -v s="$1" -v l="${!#}" \
    'BEGIN { g = (b - a) / 1024; f = (fb - fa) / 1024
             printf "  dub peak RSS %s min %.1f MB, %s min %.1f MB: growth %+.1f MB; ffmpeg on the same tracks %+.1f MB\n", s, a / 1024, l, b / 1024, g, f
             printf "  growth beyond the container index ffmpeg keeps too: %+.1f MB (target: <= +10 MB) %s\n", g - f, (g - f <= 10 ? "pass" : "MISS") }'
fi
