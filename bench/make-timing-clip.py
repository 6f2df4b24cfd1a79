#!/usr/bin/env python3
"""Generates a clip for the timing targets: two speakers at a known speaking rate, and its "translation" a known share
longer, so the fit's figures can be checked against the truth.

usage: make-timing-clip.py WPM EXPANSION OUT_PREFIX [SEED]

Writes OUT_PREFIX.mp4 (a small video with the speech, espeak-ng at WPM words a minute, two voices taking turns with
natural pauses), OUT_PREFIX.src.srt (the words spoken, one cue per line) and OUT_PREFIX.dst.srt (each line's text
made EXPANSION longer in characters, e.g. 0.3: the target-language subtitles of a language 30 % longer).
"""
import array, os, random, subprocess, sys, tempfile, wave

SENTENCES = [
    "The results came in late last night.", "Did anyone check the numbers before the meeting?",
    "We should plan the next release around the holidays.", "I think the team needs another week.",
    "Nobody expected the client to call so early.", "Let us go through the budget one more time.",
    "The new office opens in the spring.", "Can you send me the slides after lunch?",
    "Everything depends on the test results.", "We were lucky with the weather this time.",
    "The train was delayed by almost an hour.", "Please remind me to call the supplier tomorrow.",
    "That is not what we agreed on last month.", "I will write a short summary for everyone.",
    "The printer on the second floor is broken again.", "Maybe we can meet on Friday instead.",
]
FILLER = "indeed really quite simply actually certainly perhaps naturally surely clearly".split()

def srt_time(t):
    ms = int(round(t * 1000))
    return "%02d:%02d:%02d,%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)

def expand(text, share, rng):
    target = len(text) * (1 + share)
    words = text.rstrip(".?!").split()
    end = text[-1] if text[-1] in ".?!" else "."
    while len(" ".join(words)) + 1 < target:
        words.insert(rng.randrange(1, len(words) + 1), rng.choice(FILLER))
    return " ".join(words) + end

def main():
    wpm, share, prefix = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    voices, rate = ["en-us", "en+f3"], 22050
    audio, cues, t, speaker = array.array("h"), [], 0.6, 0
    audio.extend(array.array("h", (0,) * int(rate * t)))
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(24):
            text = SENTENCES[(i * 5 + rng.randrange(3)) % len(SENTENCES)]
            path = os.path.join(tmp, f"{i}.wav")
            subprocess.run(["espeak-ng", "-v", voices[speaker], "-s", str(int(wpm)), "-w", path, text], check=True)
            with wave.open(path) as w:
                samples = array.array("h", w.readframes(w.getnframes()))
                rate = w.getframerate()
            loud = [k for k, x in enumerate(samples) if abs(x) > 300]
            samples = samples[loud[0]:loud[-1] + 1]
            start = len(audio) / rate
            audio.extend(samples)
            cues.append((start, len(audio) / rate, text, expand(text, share, rng)))
            turn = rng.random() < 0.4
            if turn:
                speaker = 1 - speaker
            pause = rng.uniform(0.4, 1.0) if turn else rng.uniform(0.25, 0.9)
            audio.extend(array.array("h", (0,) * int(rate * pause)))
        wav = os.path.join(tmp, "speech.wav")
        with wave.open(wav, "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(audio.tobytes())
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "color=c=gray:s=160x90:r=5",
                        "-i", wav, "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-ac", "2", "-ar", "48000",
                        prefix + ".mp4"], check=True)
    for suffix, column in ((".src.srt", 2), (".dst.srt", 3)):
        with open(prefix + suffix, "w") as f:
            f.write("\n".join(f"{i + 1}\n{srt_time(c[0])} --> {srt_time(c[1])}\n{c[column]}\n" for i, c in enumerate(cues)))

main()
