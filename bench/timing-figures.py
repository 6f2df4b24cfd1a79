#!/usr/bin/env python3
"""The timing targets' figures of a dub's work folder (timing.json and lines.json), as one JSON object.

usage: timing-figures.py WORK_FOLDER
"""
import json, sys

work = sys.argv[1]
timing = sorted(json.load(open(work + "/timing.json")), key=lambda t: t["slot_start"])
speakers = {l["id"]: l.get("speaker") or "" for l in json.load(open(work + "/lines.json"))}
spoken = [t for t in timing if t["method"] != "dropped"]
on_slot = 0
for i, t in enumerate(timing):
    nxt = timing[i + 1]["slot_start"] if i + 1 < len(timing) else float("inf")
    if t["method"] != "dropped" and abs(t["start"] - t["slot_start"]) <= 0.150001 and t["start"] + t["duration"] <= nxt + 1e-6:
        on_slot += 1
step, last = 0.0, {}
for t in spoken:
    who = speakers.get(t["id"], "")
    if who in last and t["slot_start"] - last[who]["slot_end"] < 3:
        step = max(step, abs(t["factor"] - last[who]["factor"]))
    last[who] = t
print(json.dumps({
    "lines": len(timing),
    "on_slot": on_slot / len(timing),
    "at_most_115": sum(1 for t in spoken if t["factor"] <= 1.15 + 1e-6) / len(timing),
    "over_cap": sum(1 for t in spoken if t["factor"] > 1.3 + 1e-6),
    "largest_step": step,
    "slowest": min((t["factor"] for t in spoken), default=1),
    "final_drift": spoken[-1]["shift"] if spoken else 0,
    "condensed": sum(1 for t in timing if t.get("condensed")),
    "dropped": len(timing) - len(spoken),
}))
