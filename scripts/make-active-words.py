#!/usr/bin/env python3
"""Writes plugins/tone/data/active_words.txt: the verbs of the CAMEO 2.0 dictionary (MIT,
plugins/events/data/CAMEO.2.0.txt) in all their forms, which the tone plugin counts for
GDELT's "activity reference density" (the share of words that describe action).

    python3 scripts/make-active-words.py
"""
import os, re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "plugins/events/data/CAMEO.2.0.txt")
TARGET = os.path.join(ROOT, "plugins/tone/data/active_words.txt")

def forms(base):
    """Regular -s, -ed, -ing forms (as the event plugin makes them)."""
    out = {base}
    if base.endswith("E"):
        out |= {base + "S", base + "D", (base + "ING") if base.endswith("EE") else base[:-1] + "ING"}
    elif base.endswith("Y") and len(base) > 1 and base[-2] not in "AEIOU":
        out |= {base[:-1] + "IES", base[:-1] + "IED", base + "ING"}
    elif base.endswith(("S", "SH", "CH", "X", "Z")):
        out |= {base + "ES", base + "ED", base + "ING"}
    else:
        out |= {base + "S", base + "ED", base + "ING"}
    return out

words = set()
in_verbs = False
for raw in open(SOURCE, encoding="utf-8"):
    line = raw.split("#", 1)[0].strip()
    if line.startswith("####### VERB PATTERNS") or raw.startswith("####### VERB PATTERNS"):
        in_verbs = True
    if not in_verbs or not line or line.startswith(("-", "&", "---", "+")):
        continue
    head = re.split(r"[\s\[{]", line, maxsplit=1)[0]
    if "_" in head or not head.isalpha():
        continue
    words |= forms(head.upper())
    irregular = re.search(r"\{([^}]*)\}", line)
    if irregular:
        words |= {w for w in irregular.group(1).split() if w.isalpha()}

with open(TARGET, "w", encoding="utf-8") as out:
    out.write("# Active words: the verbs of PETRARCH-2's CAMEO 2.0 dictionary (MIT, see LICENSE.petrarch2-MIT.txt)\n")
    out.write("# in all their forms, made by scripts/make-active-words.py. GDELT's activity reference density is\n")
    out.write("# the share of a text's words found here.\n")
    for word in sorted(words):
        out.write(word.lower() + "\n")
print(f"{len(words)} words -> {TARGET}")
