#!/usr/bin/env python3
"""Polling benchmark: how many conditional GETs a real tidingsd sustains against nginx.

  python3 scripts/bench_polls.py --tidingsd .build/release/tidingsd [--sizes 1000,10000,100000]
                                 [--seconds 60] [--warmup 15] [--hosts 100]

For each size N: nginx (one worker) serves the same small RSS file on N URLs spread over
`--hosts` loopback addresses (127.0.0.1 … 127.0.0.H, one port), with its ETag, so every poll
after the first is answered 304. A fresh tidingsd imports the N feeds from OPML through
`tidingsctl sources import` (timed), with adaptive = false, host_delay = "1ms",
max_concurrent = 256, fetch_articles = false and an interval of N/20,000 s (100 ms to 1 s:
"500ms" at 10,000 sources), so that from 2,000 sources up the demand is 20,000 polls/s or
more, beyond what the daemon and nginx can do together on this machine: what is measured is
the daemon's capacity (1,000 sources at 100 ms ask for 10,000 polls/s). After a warm-up the script counts the requests nginx handled (stub_status) over
`--seconds`, the daemon's CPU time over the same window (/proc), and its peak RSS (VmHWM).
Then wrk, on the same nginx, gives the 304/s ceiling of this machine.

Only loopback addresses are used; every loop is bounded in time. nginx and wrk come from
Debian (`apt-get install nginx wrk`); `make bench` installs them.
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchkit

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Bench</title><link>http://127.0.0.1/</link>
<item><title>Talks on the Kurils</title><link>http://127.0.0.1/news/1</link><guid>bench-1</guid>
<description>Japanese officials admitted that both sides still have daggers drawn over the islands.</description></item>
</channel></rss>
"""


def start_nginx(work, port):
    root = os.path.join(work, "www")
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "feed.xml"), "w") as f:
        f.write(FEED)
    os.chmod(work, 0o755)
    os.chmod(root, 0o755)
    return benchkit.start_nginx(work, f"""
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server {{
        listen {port} reuseport backlog=4096;
        root {root};
        location /feed/ {{ try_files /feed.xml =404; }}
        location = /nginx_status {{ stub_status; }}
    }}""", f"http://127.0.0.1:{port}/nginx_status")


def handled(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/nginx_status", timeout=5).read().decode()
    # "server accepts handled requests\n A B C"
    return int(text.split("\n")[2].split()[2])


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def demand_interval(n):
    """An interval that asks for at least 20,000 polls/s from n sources (100 ms at least)."""
    ms = min(1000, max(100, n * 1000 // 20000))
    return f"{ms}ms"


def run_size(args, n, port, work):
    run = os.path.join(work, f"n{n}")
    daemon, db, sock = benchkit.start_tidingsd(
        args.tidingsd, run,
        'allow_private_networks = true\ninterval = "' + demand_interval(n) + '"\nadaptive = false\nhost_delay = "1ms"\nmax_concurrent = 256\nfetch_articles = false')
    with open(os.path.join(run, "feeds.opml"), "w") as f:
        f.write('<?xml version="1.0"?><opml version="2.0"><body>\n')
        for i in range(n):
            f.write(f'<outline type="rss" text="f{i}" xmlUrl="http://127.0.0.{i % args.hosts + 1}:{port}/feed/{i}.xml"/>\n')
        f.write("</body></opml>\n")
    try:
        t0 = time.perf_counter()
        out = subprocess.run([args.tidingsctl, "--socket", sock, "sources", "import", os.path.join(run, "feeds.opml")],
                             capture_output=True, text=True, timeout=600)
        import_s = time.perf_counter() - t0
        if out.returncode != 0:
            sys.exit(f"import failed: {out.stdout}{out.stderr}")
        import_peak = benchkit.rss_mb(daemon.pid)
        time.sleep(args.warmup)
        r0, c0, w0 = handled(port), cpu_seconds(daemon.pid), time.perf_counter()
        time.sleep(args.seconds)
        r1, c1, w1 = handled(port), cpu_seconds(daemon.pid), time.perf_counter()
        # Each stub_status read is a request too.
        polls = (r1 - r0 - 1) / (w1 - w0)
        cpu_us = (c1 - c0) / max(r1 - r0 - 1, 1) * 1e6
        status = subprocess.run([args.tidingsctl, "--socket", sock, "status", "--json"], capture_output=True, text=True, timeout=120)
        fetches = None
        try:
            fetches = json.loads(status.stdout)["counts"]["fetches"]
        except Exception:
            pass
        return {"n": n, "import_s": import_s, "polls_s": polls, "cpu_us_per_poll": cpu_us, "cpu_cores": (c1 - c0) / (w1 - w0),
                "rss_mb": benchkit.rss_mb(daemon.pid), "rss_now": benchkit.rss_mb(daemon.pid, "VmRSS"), "import_peak": import_peak,
                "fetch_rows": fetches}
    finally:
        benchkit.stop(daemon)


def wrk_ceiling(port, seconds):
    if not shutil.which("wrk"):
        return None
    etag = urllib.request.urlopen(f"http://127.0.0.1:{port}/feed/0.xml", timeout=5).headers.get("ETag")
    out = subprocess.run(["wrk", "-t1", "-c64", f"-d{seconds}s", "-H", f"If-None-Match: {etag}",
                          f"http://127.0.0.1:{port}/feed/0.xml"], capture_output=True, text=True, timeout=seconds + 60).stdout
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return float(match.group(1)) if match else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tidingsd", default=".build/release/tidingsd")
    ap.add_argument("--tidingsctl")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    args = ap.parse_args()
    args.tidingsctl = args.tidingsctl or os.path.join(os.path.dirname(args.tidingsd), "tidingsctl")
    if not shutil.which("nginx"):
        sys.exit("nginx is not installed: apt-get install nginx wrk (make bench does)")
    work = tempfile.mkdtemp(prefix="tidings-bench-polls-")
    port = benchkit.free_port()
    nginx = start_nginx(work, port)
    rows = []
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            row = run_size(args, n, port, work)
            rows.append(row)
            print(f"N={n}: {row['polls_s']:.0f} polls/s, {row['cpu_us_per_poll']:.1f} µs daemon CPU per poll "
                  f"({row['cpu_cores']:.2f} cores), peak RSS {row['rss_mb']:.1f} MB (after the import {row['import_peak']:.1f}, "
                  f"at the end {row['rss_now']:.1f}), import {row['import_s']:.2f} s, "
                  f"fetch-log rows {row['fetch_rows']}", flush=True)
        ceiling = wrk_ceiling(port, args.wrk_seconds)
    finally:
        benchkit.stop(nginx, signal.SIGQUIT, timeout=10)
    print()
    print(f"| sources | polls/s sustained ({args.seconds:.0f} s) | daemon CPU per poll | daemon cores | peak RSS | RSS at the end | import |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['polls_s']:,.0f} | {r['cpu_us_per_poll']:.1f} µs | {r['cpu_cores']:.2f} | {r['rss_mb']:.0f} MB | {r['rss_now']:.0f} MB | {r['import_s']:.2f} s |")
    if ceiling:
        print(f"\nwrk on the same nginx (1 thread, 64 connections, If-None-Match): {ceiling:,.0f} 304/s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
