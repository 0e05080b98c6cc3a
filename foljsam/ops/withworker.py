"""Run a server with `foljsam worker` beside it: `make run` (runserver) and `make serve` (gunicorn).

    python -m foljsam.ops.withworker -- gunicorn foljsam.wsgi …

The worker is restarted when it dies (a kill -9, out of memory): its start closes what the dead one
left running (foljsam/ops/worker.py), so the web server keeps serving and an interrupted import ends
"failed" within seconds. Ctrl-C or SIGTERM stops the server and then the worker; the exit code is the
server's.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

RESTART_PAUSE = 1.0  # seconds before a dead worker is started again; longer after a quick exit
WORKER_STOP_SECONDS = 10.0
SERVER_STOP_SECONDS = 5.0  # after Ctrl-C/SIGTERM, a server still running is sent SIGTERM


def _worker_command() -> list[str]:
    foljsam = Path(sys.executable).with_name("foljsam")
    return [str(foljsam), "worker"] if foljsam.exists() else [sys.executable, "-m", "foljsam.manage", "worker"]


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print("användning: python -m foljsam.ops.withworker -- KOMMANDO …", file=sys.stderr)
        return 2
    stopping = False
    stop_at = 0.0

    def stop(signum, frame):
        nonlocal stopping, stop_at
        stopping, stop_at = True, stop_at or time.monotonic()
        if server.poll() is None and signum != signal.SIGINT:  # Ctrl-C reaches the server by itself
            server.send_signal(signum)

    server = subprocess.Popen(argv)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    worker = subprocess.Popen(_worker_command())
    print(f"Worker startad bredvid servern (pid {worker.pid}).", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        while server.poll() is None:
            if worker.poll() is not None and not stopping:
                quick = time.monotonic() - started < 10
                print(f"Workern avslutades (kod {worker.returncode}); startas om.", file=sys.stderr, flush=True)
                time.sleep(RESTART_PAUSE * (5 if quick else 1))
                if stopping or server.poll() is not None:
                    break
                worker = subprocess.Popen(_worker_command())
                started = time.monotonic()
                print(f"Worker startad bredvid servern (pid {worker.pid}).", file=sys.stderr, flush=True)
            if stopping and time.monotonic() - stop_at > SERVER_STOP_SECONDS and server.poll() is None:
                # the server did not stop on the signal (one started with SIGINT ignored – as the children
                # of a shell's background job are – never sees Ctrl-C): ask it as a service manager would
                server.terminate()
                try:
                    server.wait(WORKER_STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    server.kill()
            time.sleep(0.2)
    finally:
        if worker.poll() is None:
            # SIGTERM: django-tasks' worker stops after its current task (a second signal, like Ctrl-C's
            # SIGINT before it, stops that task at once: the next start marks it failed). One that has not
            # gone after WORKER_STOP_SECONDS is killed, so stopping never hangs on the worker.
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        if server.poll() is None:
            server.terminate()
        server.wait()
    return server.returncode if server.returncode >= 0 else 128 - server.returncode


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foljsam.settings")
    sys.exit(main(sys.argv[1:]))
