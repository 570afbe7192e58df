#!/usr/bin/env python3
"""End-to-end benchmark: feed of teasers → article pages → text → entities, events, tone →
SQLite, for a real tidingsd and for the peer pipeline (../shared/peers/pipeline.py:
feedparser → trafilatura → spaCy → VADER → sqlite3), on the same pages, in the same run.

  python3 scripts/bench_e2e.py --tidingsd .build/release/tidingsd [--pages 181] [--hosts 20]

nginx serves real article pages (../shared/eval/articles/html, then ../shared/eval/articles-meta/html,
the first --pages of them) spread over --hosts loopback addresses, and one RSS feed whose items
are short teasers linking to those pages. Tidings: a fresh daemon (SQLite, all three built-in
plugins, host_delay = "1ms", max_concurrent = 64) gets the feed with `tidingsctl sources add`;
the clock runs from there until every page's article is stored and analysed by every plugin
(extractions = pages × 3). Peak RSS is the daemon's VmHWM. The peer runs `pipeline.py --feed`
with the venv of ../shared/peers/setup.sh and reports its own docs/s and peak RSS (its clock
starts after spaCy is loaded, as ours starts once the daemon is up).

Only loopback addresses are used; every wait is bounded.
"""
import argparse, glob, gzip, json, os, shutil, signal, sqlite3, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchkit

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared")
PEER_PYTHON = "/tmp/peers-venv/bin/python"


def pages(count):
    found = sorted(glob.glob(os.path.join(SHARED, "eval", "articles", "html", "*.html*")))
    found += sorted(glob.glob(os.path.join(SHARED, "eval", "articles-meta", "html", "*.html*")))
    if len(found) < count:
        sys.exit(f"only {len(found)} pages under ../shared/eval; this benchmark needs the evaluation data")
    return found[:count]


def serve(work, port, files, hosts):
    root = os.path.join(work, "www")
    os.makedirs(os.path.join(root, "pages"))
    items = []
    for i, path in enumerate(files):
        raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
        with open(os.path.join(root, "pages", f"{i}.html"), "wb") as f:
            f.write(raw)
        link = f"http://127.0.0.{i % hosts + 1}:{port}/pages/{i}.html"
        items.append(f"<item><title>Story {i}</title><link>{link}</link><guid>story-{i}</guid>"
                     f"<description>Teaser {i}.</description></item>")
    with open(os.path.join(root, "feed.xml"), "w") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Teasers</title>'
                f'<link>http://127.0.0.1:{port}/</link>' + "".join(items) + "</channel></rss>\n")
    for d in (work, root, os.path.join(root, "pages")):
        os.chmod(d, 0o755)
    return benchkit.start_nginx(work, f"""
    access_log off;
    types {{ text/html html; application/rss+xml xml; }}
    server {{ listen {port}; root {root}; }}""", f"http://127.0.0.1:{port}/feed.xml")


def run_tidings(args, work, port, count):
    daemon, db, sock = benchkit.start_tidingsd(
        args.tidingsd, os.path.join(work, "tidings"),
        'allow_private_networks = true\ninterval = "1h"\nhost_delay = "1ms"\nmax_concurrent = 64')
    try:
        t0 = time.perf_counter()
        cpu0 = benchkit.cpu_seconds(daemon.pid)
        subprocess.run([args.tidingsctl, "--socket", sock, "sources", "add", f"http://127.0.0.1:{port}/feed.xml", "--name", "teasers"],
                       check=True, capture_output=True, timeout=30)
        done = read = docs = pending = failed = 0
        marks = {}
        deadline = time.time() + args.timeout
        # The watch loop asks only what indexes answer (a scan of every document's text each
        # time took CPU from the daemon it measures); what was read is counted at the end.
        con = None
        while time.time() < deadline:
            try:
                con = con or sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
                pending = con.execute("SELECT count(*) FROM article_queue WHERE status = 'pending'").fetchone()[0]
                done = con.execute("SELECT count(*) FROM extractions").fetchone()[0]
            except sqlite3.Error:
                con = None
            now = time.perf_counter() - t0
            if docs >= count: marks.setdefault("feed stored", now)
            if docs >= count and pending == 0: marks.setdefault("pages read", now)
            # Every page read or given up, and every document analysed by the three plugins.
            if docs >= count and pending == 0 and done >= count * 3:
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - t0
        cpu = benchkit.cpu_seconds(daemon.pid) - cpu0
        if con is not None:
            con.close()
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        read = con.execute("SELECT count(*) FROM documents WHERE text NOT LIKE 'Teaser %'").fetchone()[0]
        failed = con.execute("SELECT count(*) FROM article_queue WHERE status = 'failed'").fetchone()[0]
        con.close()
        return {"cpu_s": cpu, "docs": docs, "read": read, "failed": failed, "analysed": done // 3, "seconds": seconds, "docs_per_s": docs / seconds,
                "peak_rss_mb": benchkit.rss_mb(daemon.pid), "marks": marks}
    finally:
        benchkit.stop(daemon)


def run_peer(work, port):
    if not os.path.exists(PEER_PYTHON):
        return None
    out = subprocess.run([PEER_PYTHON, os.path.join(SHARED, "peers", "pipeline.py"), "--feed", f"http://127.0.0.1:{port}/feed.xml",
                          "--db", os.path.join(work, "peer.sqlite")], capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tidingsd", default=".build/release/tidingsd")
    ap.add_argument("--tidingsctl")
    ap.add_argument("--pages", type=int, default=181)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--no-peer", action="store_true")
    args = ap.parse_args()
    args.tidingsctl = args.tidingsctl or os.path.join(os.path.dirname(args.tidingsd), "tidingsctl")
    if not shutil.which("nginx"):
        sys.exit("nginx is not installed: apt-get install nginx (make bench does)")
    files = pages(args.pages)
    work = tempfile.mkdtemp(prefix="tidings-bench-e2e-")
    port = benchkit.free_port()
    nginx = serve(work, port, files, args.hosts)
    try:
        ours = run_tidings(args, work, port, len(files))
        print(f"tidingsd: {ours['docs']} documents, {ours['read']} with their page's article, {ours['failed']} pages given up, "
              f"{ours['analysed']} analysed in {ours['seconds']:.2f} s "
              f"({', '.join(f'{k} at {v:.2f} s' for k, v in ours['marks'].items())}): "
              f"{ours['docs_per_s']:.1f} docs/s, daemon CPU {ours['cpu_s']:.2f} s ({1000 * ours['cpu_s'] / max(ours['docs'], 1):.1f} ms per doc), peak RSS {ours['peak_rss_mb']:.0f} MB", flush=True)
        peer = None if args.no_peer else run_peer(work, port)
        if peer:
            print(f"peer pipeline: {peer['docs']} docs in {peer['seconds']:.2f} s: {peer['docs_per_s']:.2f} docs/s, "
                  f"peak RSS {peer['peak_rss_mb']} MB", flush=True)
            print()
            print("| | docs/s | peak RSS | pages read |")
            print("|---|---|---|---|")
            print(f"| tidingsd | {ours['docs_per_s']:.1f} | {ours['peak_rss_mb']:.0f} MB | {ours['read']} of {len(files)} (+{ours['failed']} given up) |")
            print(f"| peer pipeline | {peer['docs_per_s']:.2f} | {peer['peak_rss_mb']} MB | {peer['docs']} of {len(files)} |")
            print(f"\nratio: {ours['docs_per_s'] / peer['docs_per_s']:.1f}×")
        elif not args.no_peer:
            print("peer pipeline: not run (no venv at /tmp/peers-venv; run ../shared/peers/setup.sh)")
    finally:
        benchkit.stop(nginx, signal.SIGQUIT, timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
