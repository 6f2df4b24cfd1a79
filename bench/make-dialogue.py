#!/usr/bin/env python3
"""Generates a dialogue whose speakers are known by construction, for measuring speaker clustering.

usage: make-dialogue.py SPEAKERS OUT_PREFIX [SEED]     (SPEAKERS: 2, 3, 4, or 2-same)

Each speaker is an espeak-ng voice of its own pitch and gender; lines are spoken in a seeded random order (never the
same speaker twice in a row), with pauses of 0.25-0.9 s, over a quiet noise floor. Writes OUT_PREFIX.wav (22.05 kHz
mono s16) and OUT_PREFIX.lines.json (id, start, end, speaker, source: the reference turns).
"""
import array, json, os, random, subprocess, sys, tempfile, wave

# (voice+variant, espeak-ng pitch 0-99): two to four people of different gender and pitch.
VOICES = {
    2: [("en-us", 50), ("en+f3", 50)],
    3: [("en-us+m1", 35), ("en+f2", 50), ("en-gb+m5", 80)],
    4: [("en-us+m1", 35), ("en+f4", 35), ("en-gb+m3", 80), ("en+f5", 85)],
    # The hard case, outside the target set: two men at one pitch, told apart only by accent and timbre.
    "2-same": [("en-us", 50), ("en-gb", 50)],
}
SENTENCES = [
    "Did you finish the report for tomorrow?", "Almost, I still need last week's numbers.",
    "I can send them to you this afternoon.", "That would be perfect, thank you.",
    "The meeting moved to Thursday morning.", "Who else is coming?",
    "Only the design team and the two new engineers.", "Then we should book the larger room.",
    "I already asked, but it is taken until noon.", "Let us start at one instead.",
    "Fine by me. Can you tell the others?", "I will write to everyone right after lunch.",
    "Have you seen the new schedule for the launch?", "Yes, it looks tight but possible.",
    "We lost two days to the server outage.", "Could we ask for more time?",
    "I doubt it. The date is fixed by the client.", "Then we work on the weekend.",
    "Nobody will be happy about that.", "Maybe we can cut the second feature.",
    "That is a good idea. I will ask the product owner.", "Let me know what she says.",
    "Of course. Anything else before I go?", "No, that is all for today. See you tomorrow.",
]

def speak(voice, text, path):
    subprocess.run(["espeak-ng", "-v", voice[0], "-p", str(voice[1]), "-w", path, text], check=True)
    with wave.open(path) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
        return samples, w.getframerate()

def main():
    kind, prefix = sys.argv[1], sys.argv[2]
    voices, rate = VOICES[int(kind) if kind.isdigit() else kind], 22050
    speakers = len(voices)
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else speakers)
    out, lines, previous = array.array("h"), [], None
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(8 * speakers):
            who = rng.choice([s for s in range(speakers) if s != previous]) if i >= speakers else i
            previous = who
            samples, rate = speak(voices[who], SENTENCES[i % len(SENTENCES)], os.path.join(tmp, f"{i}.wav"))
            # espeak-ng pads its output with silence: keep the speech.
            loud = [k for k, x in enumerate(samples) if abs(x) > 300]
            samples = samples[loud[0]:loud[-1] + 1]
            out.extend(array.array("h", (0,) * int(rate * rng.uniform(0.25, 0.9))))
            start = len(out) / rate
            out.extend(samples)
            lines.append({"id": i, "start": round(start, 3), "end": round(len(out) / rate, 3),
                          "speaker": f"V{who + 1}", "source": SENTENCES[i % len(SENTENCES)]})
        out.extend(array.array("h", (0,) * int(rate * 0.5)))
    noisy = array.array("h", (max(-32768, min(32767, x + int(rng.gauss(0, 40)))) for x in out))
    with wave.open(prefix + ".wav", "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(noisy.tobytes())
    with open(prefix + ".lines.json", "w") as f:
        json.dump(lines, f, indent=1)

main()
