"""Benchmark of the public comparison page /jamfor/<area>/ as citizens reach it.

Starts the app (gunicorn when installed – as `make serve` runs it – else Django's server) on a copy
of the demo database, then sends `--requests` GETs from `--concurrency` parallel clients and prints
requests/s and p50/p95/p99. Baseline in the same run: the same page from a second server started
with FOLJSAM_PUBLIC_CACHE_SECONDS=0 (every request renders the publication), so the ratio shows what
the cache buys.

    .venv/bin/python bench/public.py --data-dir /tmp/demo-data   # a data dir where `foljsam demo` ran
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env, port):
    if (BIN / "gunicorn").exists():
        cmd = [str(BIN / "gunicorn"), "foljsam.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "8",
               "--log-level", "warning"]
    else:
        cmd = [str(BIN / "foljsam"), "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/jamfor/", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def run(url, n, concurrency):
    def one(_):
        t = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
            assert r.status == 200, r.status
        return time.perf_counter() - t

    start_t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, range(n)))
    wall = time.perf_counter() - start_t
    q = statistics.quantiles(times, n=100)
    return {"rps": n / wall, "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True, help="FOLJSAM_DATA_DIR with the demo loaded")
    parser.add_argument("--area", default="hemtjanst")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    work = Path(args.data_dir).with_name(Path(args.data_dir).name + "-bench")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.data_dir, work)
    env = {**os.environ, "FOLJSAM_DATA_DIR": str(work), "FOLJSAM_PUBLIC_RATE": "1000000000", "DEBUG": "True"}
    results = {}
    try:
        for name, seconds in (("cached page", "300"), ("baseline (rendered)", "0")):
            port = free_port()
            proc = start({**env, "FOLJSAM_PUBLIC_CACHE_SECONDS": seconds}, port)
            try:
                results[name] = run(f"http://127.0.0.1:{port}/jamfor/{args.area}/", args.requests, args.concurrency)
            finally:
                proc.terminate()
                proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cached, uncached = results["cached page"], results["baseline (rendered)"]
    for name, r in results.items():
        print(f"{name:22} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  "
              f"p95 {r['p95']:7.1f} ms  p99 {r['p99']:7.1f} ms")
    print(f"p95 ratio cached/baseline: {cached['p95'] / uncached['p95']:.2f}")


if __name__ == "__main__":
    main()
