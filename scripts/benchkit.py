"""What the benchmark scripts share: a free loopback port, nginx started on a config of the
caller's and waited for, and a child process stopped with a signal and a bounded wait."""
import os, signal, socket, subprocess, sys, time, urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(work, http_block, probe_url):
    """Runs nginx in the foreground (one worker) with `http_block` as its http {} body, and
    waits until `probe_url` answers."""
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
{http_block}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(probe_url, timeout=1).read()
            return proc
        except Exception:
            time.sleep(0.05)
    proc.kill()
    sys.exit("nginx did not start; see " + os.path.join(work, "nginx-error.log"))


def stop(proc, sig=signal.SIGTERM, timeout=30):
    """Sends `sig` and waits; kills the process when it does not end in time."""
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


def rss_mb(pid, key="VmHWM"):
    """Peak (VmHWM) or current (VmRSS) resident memory of a process, in MB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    """User + system CPU time a process has used so far, in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_tidingsd(tidingsd, run, fetch_settings):
    """A fresh daemon in `run` (its database, socket, config and log there) with `[fetch]`
    set to `fetch_settings`; returns (process, database, socket) once the socket exists."""
    os.makedirs(run, exist_ok=True)
    db, sock = os.path.join(run, "tidings.db"), os.path.join(run, "d.sock")
    config = os.path.join(run, "tidingsd.toml")
    with open(config, "w") as f:
        f.write(f'[daemon]\ndatabase = "{db}"\nsocket = "{sock}"\nlog_level = "warning"\n[fetch]\n{fetch_settings}\n')
    log = open(os.path.join(run, "tidingsd.log"), "w")
    daemon = subprocess.Popen([tidingsd, "run", "--config", config], stdout=log, stderr=log)
    deadline = time.time() + 30
    while not os.path.exists(sock) and time.time() < deadline and daemon.poll() is None:
        time.sleep(0.01)
    if not os.path.exists(sock):
        stop(daemon)
        sys.exit("tidingsd did not start; see " + os.path.join(run, "tidingsd.log"))
    return daemon, db, sock
