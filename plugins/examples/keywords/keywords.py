#!/usr/bin/env python3
"""Tidings exec plugin: tags configured keywords and topics (Python standard library only).

Protocol (docs/PLUGIN-PROTOCOL.md): print a handshake line, then answer each request line
with one reply line. Offsets are Unicode code points, which is what Python's str indexes.

Options come from [[plugins.exec]] options in the daemon's config, as the JSON object in
TIDINGS_PLUGIN_CONFIG:
  keywords = "diplomacy=talks|visit|summit|negotiat*; islands=kuril*|etorofu"
Each topic is `label=word|word|…`; a word ending in * matches any ending. A word without a
label is its own topic.
"""
import json
import os
import re
import sys

NAME = os.environ.get("TIDINGS_PLUGIN_NAME", "keywords")
VERSION = "1.0.0"
DEFAULT = "diplomacy=talks|visit*|summit*|negotiat*|treaty|treaties; conflict=attack*|war|wars|troops|clash*|dispute*"


def log(level, message):
    # stderr lines become daemon log lines; the prefix sets the level.
    print(f"{level}: {message}", file=sys.stderr, flush=True)


def topics(spec):
    out = []
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        label, _, words = part.partition("=") if "=" in part else (part, "", part)
        for word in words.split("|"):
            word = word.strip()
            if not word:
                continue
            body = re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "")
            out.append((label.strip(), re.compile(r"\b" + body + r"\b", re.IGNORECASE)))
    return out


def main():
    try:
        options = json.loads(os.environ.get("TIDINGS_PLUGIN_CONFIG") or "{}")
    except ValueError:
        options = {}
    patterns = topics(options.get("keywords", DEFAULT))
    print(json.dumps({
        "protocol": 1, "name": NAME, "version": VERSION, "requires": [], "produces": ["annotations"],
        "summary": "Tags configured keywords and topics",
    }), flush=True)
    log("INFO", f"ready with {len(patterns)} pattern(s)")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as error:
            log("ERROR", f"bad request line: {error}")
            continue
        text = request.get("text") or ""
        found = []
        for label, pattern in patterns:
            for match in pattern.finditer(text):
                found.append({"kind": "keyword", "start": match.start(), "end": match.end(),
                              "label": label, "value": match.group(0).lower()})
        found.sort(key=lambda a: (a["start"], a["end"]))
        print(json.dumps({"id": request.get("id"), "annotations": found}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
