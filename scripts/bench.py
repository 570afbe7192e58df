#!/usr/bin/env python3
"""Throughput figures for Tidings, side by side with the Python peers where they exist.

  python3 scripts/bench.py --tidingsd .build/release/tidingsd [--feeds 2000] [--only feeds,articles,tone]

1. Feed files parsed per second (`tidingsd parse-feed --jsonl`): on ../shared/eval/feeds when
   it exists, else on generated feeds; feedparser alongside when the peers' venv exists
   (../shared/peers/setup.sh, /tmp/peers-venv).
2. Article pages extracted per second (`tidingsd extract-article --jsonl`) on
   ../shared/eval/articles, with trafilatura alongside, when both exist.
3. (Polling and end to end have their own scripts against nginx: scripts/bench_polls.py and
   scripts/bench_e2e.py.)
4. Tone: snippets per second of the tone plugin on NewsMTSC's training sentences
   (../shared/eval/sentiment), against VADER's polarity_scores in the peers' venv, in
   alternating rounds (--tone-rounds); each round's ratio and the median. Tidings' figure is
   the `ms` that `tidingsd analyze --jsonl --plugins tone` reports for tone: tone runs alone,
   so segmenting the text is part of it. `--tone-plugins entities,tone` measures tone inside
   the pipeline instead (entities segments; tone adds the tone toward each entity).
Only loopback addresses are used. Every loop is bounded in time.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared")
PEER = os.environ.get("PEER_TIDINGSD", "/tmp/peers-venv/peer-tidingsd")

def timed(cmd, stdin_path, cwd=None):
    t0 = time.perf_counter()
    with open(stdin_path, "rb") as i, open(os.devnull, "wb") as o:
        subprocess.run(cmd, stdin=i, stdout=o, stderr=subprocess.DEVNULL, cwd=cwd, check=True)
    return time.perf_counter() - t0

def rss_feed(n, items=10):
    out = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed %d</title><link>http://127.0.0.1:9/</link>' % n]
    for i in range(items):
        out.append('<item><title>Story %d.%d</title><link>http://127.0.0.1:9/%d/%d</link><guid>g-%d-%d</guid>'
                   '<pubDate>Mon, 05 Apr 1999 08:%02d:00 GMT</pubDate><description>&lt;p&gt;Talks on the Kuril Islands, part %d, '
                   'failed again; both sides still have daggers drawn.&lt;/p&gt;</description></item>' % (n, i, n, i, n, i, i % 60, i))
    out.append("</channel></rss>")
    return "".join(out)

def bench_feeds(tidingsd, work, count):
    feeds_dir = os.path.join(SHARED, "eval", "feeds")
    inp = os.path.join(work, "feeds.in.jsonl")
    if os.path.isdir(feeds_dir):
        with open(inp, "w") as f:
            subprocess.run([sys.executable, "compare_feeds.py", "inputs"], stdout=f, cwd=feeds_dir, check=True)
        cwd, label = feeds_dir, "feedparser's %s test feeds"
    else:
        gen = os.path.join(work, "gen"); os.makedirs(gen, exist_ok=True)
        with open(inp, "w") as f:
            for n in range(count):
                p = os.path.join(gen, "f%d.xml" % n)
                open(p, "w").write(rss_feed(n))
                f.write(json.dumps({"path": p, "url": None, "headers": {}}) + "\n")
        cwd, label = None, "%s generated feeds"
    n = sum(1 for _ in open(inp))
    ours = n / timed([tidingsd, "parse-feed", "--jsonl"], inp, cwd)
    line = "feeds parsed/s (%s): tidingsd %.0f" % (label % n, ours)
    if os.access(PEER, os.X_OK):
        theirs = n / timed([PEER, "parse-feed", "--jsonl"], inp, cwd)
        line += ", feedparser %.0f, ratio %.1fx" % (theirs, ours / theirs)
    print(line, flush=True)

def bench_articles(tidingsd, work):
    d = os.path.join(SHARED, "eval", "articles")
    if not os.path.isdir(d):
        print("article pages/s: skipped (no ../shared/eval/articles)")
        return
    truth = json.load(open(os.path.join(d, "ground-truth.dev.json")))
    inp = os.path.join(work, "articles.in.jsonl")
    with open(inp, "w") as f:
        for i, v in sorted(truth.items()):
            f.write(json.dumps({"id": i, "path": os.path.join(d, "html", i + ".html.gz"), "url": v.get("url")}) + "\n")
    ours = len(truth) / timed([tidingsd, "extract-article", "--jsonl"], inp)
    line = "article pages/s (%d dev pages): tidingsd %.1f" % (len(truth), ours)
    if os.access(PEER, os.X_OK):
        theirs = len(truth) / timed([PEER, "extract-article", "--jsonl"], inp)
        line += ", trafilatura %.1f, ratio %.1fx" % (theirs, ours / theirs)
    print(line, flush=True)

VADER_LOOP = r"""
import json, sys, time
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
texts = [json.loads(line)["text"] for line in open(sys.argv[1])]
analyzer = SentimentIntensityAnalyzer()
start = time.perf_counter()
for text in texts: analyzer.polarity_scores(text)
print(len(texts) / (time.perf_counter() - start))
"""

def bench_tone(tidingsd, work, rounds, plugins):
    gold = os.path.join(SHARED, "eval", "sentiment", "newsmtsc.train-dev.jsonl")
    python = os.environ.get("PEER_PYTHON", "/tmp/peers-venv/bin/python")
    if not os.path.exists(gold) or not os.path.exists(python):
        print("tone: skipped (needs %s and the peers' venv at %s)" % (gold, python), flush=True)
        return
    snippets = os.path.join(work, "newsmtsc.train.jsonl")
    with open(snippets, "w") as out:
        for line in open(gold):
            row = json.loads(line)
            if row.get("split") != "train": continue
            target = row["target"]
            out.write(json.dumps({"id": str(row.get("id", "")), "text": row["text"], "targets": [{"start": target["start"], "end": target["end"]}]}) + "\n")
    ratios = []
    for round in range(rounds):
        vader = float(subprocess.run([python, "-c", VADER_LOOP, snippets], capture_output=True, text=True, check=True).stdout)
        with open(snippets, "rb") as i:
            lines = subprocess.run([tidingsd, "analyze", "--jsonl", "--plugins", plugins], stdin=i, capture_output=True, check=True).stdout.splitlines()
        ms = sum(p["ms"] for line in lines for p in json.loads(line)["plugins"] if p["name"] == "tone")
        tone = len(lines) / (ms / 1000)
        ratios.append(tone / vader)
        print("tone round %d: %d snippets; VADER %.0f snippets/s, tone (--plugins %s) %.0f snippets/s: %.1fx"
              % (round + 1, len(lines), vader, plugins, tone, tone / vader), flush=True)
    print("tone: median %.1fx VADER (rounds from %.1fx to %.1fx)" % (statistics.median(ratios), min(ratios), max(ratios)), flush=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tidingsd", required=True); ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--tone-rounds", type=int, default=5); ap.add_argument("--tone-plugins", default="tone")
    ap.add_argument("--only", help="comma-separated: feeds, articles, tone (default: all)")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else {"feeds", "articles", "tone"}
    tidingsd = os.path.abspath(a.tidingsd)
    with tempfile.TemporaryDirectory(prefix="tidings-bench-") as work:
        if "feeds" in only: bench_feeds(tidingsd, work, a.feeds)
        if "articles" in only: bench_articles(tidingsd, work)
        if "tone" in only: bench_tone(tidingsd, work, a.tone_rounds, a.tone_plugins)

if __name__ == "__main__":
    main()
