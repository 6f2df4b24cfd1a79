#!/usr/bin/env bash
# Builds the committed sample clips from scratch with espeak-ng, sox and the ffmpeg CLI.
# Usage: samples/make-samples.sh [OUT_DIR]   (default: the folder this script is in)
# Writes each clip plus a .lines.json file with where every spoken line starts and ends (seconds),
# measured from the synthesized speech itself, so tests know the truth.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for tool in espeak-ng sox ffmpeg; do
  command -v "$tool" >/dev/null || { echo "make-samples: $tool is missing (make setup installs it)" >&2; exit 1; }
done
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
RATE=44100

# speak VOICE TEXT OUT: speech trimmed to its audible part, mono at $RATE.
speak() {
  espeak-ng -v "$1" -s "${SPEED:-150}" -w "$work/raw.wav" "$2"
  sox "$work/raw.wav" -r "$RATE" -c 1 "$3" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
}

# timeline NAME LEAD "voice|pause|text" ...: concatenates lines with pauses after each; writes
# $work/NAME.voice.wav and $out/NAME.lines.json.
timeline() {
  local name=$1 lead=$2; shift 2
  local t=$lead i=0 parts=() json="[" sep=""
  sox -n -r "$RATE" -c 1 "$work/$name.lead.wav" trim 0 "$lead"
  parts+=("$work/$name.lead.wav")
  for spec in "$@"; do
    IFS='|' read -r voice pause text speaker <<<"$spec"
    speak "$voice" "$text" "$work/$name.$i.wav"
    local d; d=$(soxi -D "$work/$name.$i.wav")
    sox -n -r "$RATE" -c 1 "$work/$name.$i.gap.wav" trim 0 "$pause"
    parts+=("$work/$name.$i.wav" "$work/$name.$i.gap.wav")
    local end; end=$(python3 -c "print(round($t + $d, 3))")
    local esc=${text//\"/\\\"}
    json+="$sep{\"id\":$i,\"start\":$t,\"end\":$end,\"speaker\":\"${speaker:-S1}\",\"text\":\"$esc\"}"
    sep=","
    t=$(python3 -c "print(round($end + $pause, 3))")
    i=$((i + 1))
  done
  sox "${parts[@]}" "$work/$name.voice.wav"
  echo "$json]" | python3 -c "import json, sys; print(json.dumps(json.load(sys.stdin), ensure_ascii=False, indent=2))" > "$out/$name.lines.json"
}

# background NAME SECONDS: a music-like stereo bed (plucked chords and a soft pad, different on the left and the right).
background() {
  local name=$1 len=$2 chords=("C3 E3 G3" "A2 C3 E3" "F2 A2 C3" "G2 B2 D3") i=0 parts=()
  local count; count=$(python3 -c "import math; print(math.ceil($len / 2.0))")
  for ((n = 0; n < count; n++)); do
    read -r a b c <<<"${chords[$((n % 4))]}"
    sox -n -r "$RATE" -c 2 "$work/bg.$n.wav" synth 2 pluck "%$(note "$a")" pluck "%$(note "$b")" \
      remix 1 2 gain -3 fade 0 2 0.3
    sox -n -r "$RATE" -c 2 "$work/pad.$n.wav" synth 2 sine "%$(note "$c")" sine "%$(( $(note "$a") + 12 ))" \
      tremolo 3 40 remix 1 2 gain -9
    sox -m "$work/bg.$n.wav" "$work/pad.$n.wav" "$work/bgm.$n.wav"
    parts+=("$work/bgm.$n.wav")
  done
  sox "${parts[@]}" "$work/$name.bg.wav" trim 0 "$len" gain -n -24
}
# note NAME: semitones from A4 (sox's %N notation).
note() { python3 - "$1" <<'PY'
import sys
n = sys.argv[1]; names = {"C": -9, "D": -7, "E": -5, "F": -4, "G": -2, "A": 0, "B": 2}
print(names[n[0]] + 12 * (int(n[1:]) - 4))
PY
}

# clip NAME VIDEO_SIZE: mixes voice over the bed (voice centred) and muxes it with a test-pattern video.
clip() {
  local name=$1 size=$2
  local len; len=$(soxi -D "$work/$name.voice.wav")
  background "$name" "$len"
  sox "$work/$name.voice.wav" -c 2 "$work/$name.voice2.wav" gain -n -3
  sox -m "$work/$name.voice2.wav" "$work/$name.bg.wav" "$work/$name.mix.wav"
  ff -f lavfi -i "testsrc2=size=$size:rate=25" -i "$work/$name.mix.wav" -t "$len" \
     -c:v libx264 -preset veryslow -crf 36 -pix_fmt yuv420p -g 50 \
     -c:a aac -b:a 96k -ar 44100 -ac 2 -metadata:s:a:0 language="$3" -movflags +faststart -shortest "$out/$name.mp4"
}

timeline english 1.0 \
  "en-us|1.2|Welcome to the dubbing pipeline demonstration." \
  "en-us|0.9|This short clip has several sentences with pauses between them." \
  "en-us|1.4|The background music keeps playing while the narrator speaks." \
  "en-us|0.8|Every line should be translated and spoken again in Spanish." \
  "en-us|1.1|The timing of each line must stay close to the original." \
  "en-us|1.5|Thank you for watching."
clip english 320x180 eng

SPEED=140 timeline korean 0.8 \
  "ko|1.0|안녕하세요. 더빙 파이프라인 시연입니다." \
  "ko|1.2|이 영상에는 짧은 문장이 여러 개 있습니다." \
  "ko|1.3|각 문장은 다른 언어로 번역됩니다."
clip korean 160x90 kor

timeline two-speakers 0.7 \
  "en-us|0.6|Did you finish the report for tomorrow?|A" \
  "en+f3|0.7|Almost. I still need the numbers from last week.|B" \
  "en-us|0.5|I can send them to you this afternoon.|A" \
  "en+f3|1.0|That would be perfect, thank you.|B"
clip two-speakers 160x90 eng

# A mono 16 kHz WAV of speech alone, no background.
timeline mono 0.5 \
  "en-us|0.8|This is a mono recording at sixteen kilohertz." \
  "en-us|1.0|It has no music behind the voice."
sox "$work/mono.voice.wav" -b 16 "$out/mono.wav" gain -n -1 rate 16000 dither

# The Spanish subtitles for the English clip, one cue per spoken line, at the measured times.
python3 - "$out/english.lines.json" "$out/english.es.srt" <<'PY'
import json, sys
spanish = [
    "Bienvenidos a la demostración del sistema de doblaje.",
    "Este breve vídeo tiene varias frases con pausas entre ellas.",
    "La música de fondo sigue sonando mientras habla el narrador.",
    "Cada frase debe traducirse y volver a decirse en español.",
    "El ritmo de cada frase debe mantenerse cerca del original.",
    "Gracias por vernos.",
]
def ts(s):
    ms = round(s * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
lines = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for n, (line, text) in enumerate(zip(lines, spanish), 1):
        f.write(f"{n}\n{ts(line['start'])} --> {ts(line['end'])}\n{text}\n\n")
PY
echo "samples written to $out:"
ls -l "$out" | grep -v make-samples
