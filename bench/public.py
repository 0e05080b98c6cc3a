"""Benchmark of the public comparison page /jamfor/<area>/ as citizens reach it (issue 13 part 5).

Starts the app exactly as `make serve` does (gunicorn gthread, DEBUG off, secrets in the data dir) on a
copy of a demo data dir (SQLite, or the database DATABASE_URL names), then sends `--requests` GETs from
`--concurrency` parallel clients and prints requests/s and p50/p95/p99. Each client keeps its connection
open as a browser does (`--new-connections`: one TCP connection per request). Baseline in the same run:
the same page from a second server started with FOLJSAM_PUBLIC_CACHE_SECONDS=0 (every request renders
the publication through the whole middleware stack), so the ratio shows what the cache buys.

    .venv/bin/python bench/public.py --data-dir /tmp/demo-data   # a data dir where `foljsam demo` ran
"""

import argparse
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start(env, port):
    cmd = ["make", "-s", "serve", f"PORT={port}"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/jamfor/", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("the server did not start")


def stop(proc):
    """Stop a server started in its own process group: SIGTERM, then SIGKILL after 30 s (bench/web.py too)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def run(port, path, n, concurrency, new_connections):
    def client(count):
        times = []
        conn = None
        for _ in range(count):
            t = time.perf_counter()
            for attempt in (0, 1):
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    conn.request("GET", path)
                    r = conn.getresponse()
                    r.read()
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    conn.close()
                    conn = None
                    if attempt:
                        raise
            assert r.status == 200, r.status
            if new_connections:
                conn.close()
                conn = None
            times.append(time.perf_counter() - t)
        return times

    start_t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        shares = [n // concurrency + (1 if i < n % concurrency else 0) for i in range(concurrency)]
        times = sorted(t for part in pool.map(client, shares) for t in part)
    wall = time.perf_counter() - start_t
    q = statistics.quantiles(times, n=100)
    return {"rps": n / wall, "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True, help="FOLJSAM_DATA_DIR with the demo loaded")
    parser.add_argument("--area", default="hemtjanst")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--new-connections", action="store_true", help="one TCP connection per request")
    parser.add_argument("--port", type=int, default=int(os.getenv("PORT", "8102")))
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY for make serve (default: its own)")
    args = parser.parse_args()
    work = Path(args.data_dir).with_name(Path(args.data_dir).name + "-bench")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.data_dir, work)
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SECRET_KEY", "FOLJSAM_PSEUDONYM_KEY")}
    env.update(FOLJSAM_DATA_DIR=str(work), FOLJSAM_PUBLIC_RATE="1000000000")
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = {}
    try:
        for name, seconds in (("cached page", "300"), ("baseline (rendered)", "0")):
            proc = start({**env, "FOLJSAM_PUBLIC_CACHE_SECONDS": seconds}, args.port)
            try:
                path = f"/jamfor/{args.area}/"
                run(args.port, path, 200, args.concurrency, args.new_connections)  # warm every worker
                results[name] = run(args.port, path, args.requests, args.concurrency, args.new_connections)
            finally:
                stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cached, uncached = results["cached page"], results["baseline (rendered)"]
    for name, r in results.items():
        print(f"{name:22} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  "
              f"p95 {r['p95']:7.1f} ms  p99 {r['p99']:7.1f} ms")
    print(f"p95 ratio cached/baseline: {cached['p95'] / uncached['p95']:.2f}; "
          f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
