"""Load benchmark of the main pages as staff and providers use them (issue 12 item 11).

Starts the app exactly as `make serve` does (gunicorn gthread, DEBUG off, secrets generated into the
data dir, migrate + collectstatic + check --deploy) on the demo data, signs in `--sessions` sessions
(officers, provider users, readers: the demo logins, spread over the roles), then drives the main pages

  (a) at a fixed arrival rate (`--rate`, default 20 requests/s; open loop: each request's latency is
      counted from its scheduled start, so a queue behind a slow server shows in the figures), and
  (b) at saturation (every session sends its next request as soon as the last one answered),

and prints requests/s and p50/p95/p99 per page. The floor, measured in the same process against the same
server and sessions at saturation: the stylesheet served by WhiteNoise and the anonymous login page
(the cheapest Django page); the ratio main pages / floor says how much of the time is ours.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/web.py
    .venv/bin/python bench/web.py                # SQLite in a temporary data dir
    .venv/bin/python bench/web.py --duration 60 --workers 3

The database named by DATABASE_URL is the bench's own: it is migrated and, when it has no demo users
yet, loaded with `foljsam demo` (PostgreSQL: the database must exist and should hold nothing else).
The load generator is threads with persistent `http.client` connections; the floor's requests/s show
what it can reach on this machine (several times the pages' rate).
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from public import stop  # bench/ is this script's directory, first on sys.path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "foljsam-demo"
# Who signs in: (login, role) – 50 sessions spread like a municipality's day: mostly officers, then
# provider users, a few readers. Several sessions of one login are separate browsers.
LOGINS = [("uppfoljare", "officer")] * 18 + [("admin", "officer")] * 6 + [("ledning", "reader")] * 8 + \
         [("aros", "provider")] * 8 + [("eveo", "provider")] * 6 + [("enhetschef", "provider")] * 4

_IDS = """
import django, json; django.setup()
from foljsam.accounts.models import User
from foljsam.registry.models import Provider
from foljsam.followups.models import Campaign
from foljsam.actions.models import ActionPlan
out = {"provider": Provider.objects.order_by("pk").values_list("pk", flat=True).first(),
       "campaign": Campaign.objects.order_by("-year", "-pk").values_list("pk", flat=True).first(),
       "plan": ActionPlan.objects.order_by("pk").values_list("pk", flat=True).first(),
       "own": {u.username: u.provider_id for u in User.objects.filter(role="provider")},
       "demo": User.objects.filter(username="uppfoljare").exists()}
print(json.dumps(out))
"""


def pages_for(role: str, login: str, ids: dict) -> list[tuple[str, str]]:
    """(page name, URL) a session of this role opens, the common ones listed more often."""
    p, c = ids["provider"], ids["campaign"]
    if role == "officer":
        return [("start", "/"), ("start", "/"), ("matrix", "/manadsuppfoljning/"), ("matrix", "/manadsuppfoljning/"),
                ("monthly provider", f"/manadsuppfoljning/utforare/{p}/"), ("providers", "/utforare/"),
                ("provider", f"/utforare/{p}/"), ("results", f"/avtalsuppfoljning/{c}/resultat/"),
                ("plans", "/atgardsplaner/"), ("deviations", "/avvikelser/"),
                ("providers table", "/rapporter/utforartabell/")]
    if role == "reader":
        return [("start", "/"), ("matrix", "/manadsuppfoljning/"), ("providers table", "/rapporter/utforartabell/"),
                ("overview", "/utforaroversikt/"), ("results", f"/avtalsuppfoljning/{c}/resultat/")]
    own = ids["own"].get(login) or p
    return [("start", "/"), ("portal", "/portal/"), ("monthly provider", f"/manadsuppfoljning/utforare/{own}/"),
            ("plans", "/atgardsplaner/"), ("provider", f"/utforare/{own}/")]


class Session:
    """One browser: a persistent connection and its cookies (sent back although they are Secure:
    `make serve` runs plain HTTP on loopback, as a TLS proxy's backend would)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = None

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()  # the server closed an idle keep-alive connection: reconnect once
                self.conn = None
                if attempt:
                    raise
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                k, _, v = value.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
        return resp.status, resp.getheader("Location"), data

    def login(self, username: str) -> None:
        status, _, html = self.request("GET", "/konto/logga-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        status, location, _ = self.request("POST", "/konto/logga-in/", body, {
            "Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies or "logga-in" in (location or ""):
            raise SystemExit(f"sign-in of {username} failed ({status} → {location}); TOTP required by role?")


def pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def drive(sessions, plans, *, duration: float, rate: float | None):
    """Run for `duration` seconds; rate=None is saturation. Returns ({page: [seconds]}, errors, wall)."""
    times: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    jobs: queue.Queue = queue.Queue()
    stop = time.perf_counter() + duration
    start = time.perf_counter()

    def worker(i):
        s, plan = sessions[i], plans[i]
        k = random.Random(i).randrange(len(plan))
        while True:
            if rate is None:
                if time.perf_counter() >= stop:
                    return
                scheduled = time.perf_counter()
            else:
                scheduled = jobs.get()
                if scheduled is None:
                    return
            name, url = plan[k % len(plan)]
            k += 1
            try:
                status, _, _ = s.request("GET", url)
                ok = status == 200
            except OSError:
                ok = False
            took = time.perf_counter() - scheduled
            with lock:
                times.setdefault(name, []).append(took)
                if not ok:
                    errors[name] = errors.get(name, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(sessions))]
    for t in threads:
        t.start()
    if rate is not None:
        n = int(duration * rate)
        for i in range(n):
            at = start + i / rate
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            jobs.put(at)
        for _ in threads:
            jobs.put(None)
    for t in threads:
        t.join()
    return times, errors, time.perf_counter() - start


def report(title: str, times, errors, wall) -> dict:
    print(f"\n{title}")
    print(f"  {'page':18} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    everything = []
    for name in sorted(times):
        t = sorted(times[name])
        everything += t
        print(f"  {name:18} {len(t):6} {len(t) / wall:7.1f} {pct(t, 50) * 1000:8.1f} {pct(t, 95) * 1000:8.1f} "
              f"{pct(t, 99) * 1000:8.1f} {errors.get(name, 0):6}")
    everything.sort()
    out = {"rps": len(everything) / wall, "p50": pct(everything, 50) * 1000, "p95": pct(everything, 95) * 1000,
           "p99": pct(everything, 99) * 1000, "errors": sum(errors.values())}
    print(f"  {'ALL':18} {len(everything):6} {out['rps']:7.1f} {out['p50']:8.1f} {out['p95']:8.1f} "
          f"{out['p99']:8.1f} {out['errors']:6}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=int(os.getenv("PORT", "8102")))
    parser.add_argument("--data-dir", help="FOLJSAM_DATA_DIR (default: a new temporary directory)")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="fixed arrival rate, requests/s")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY for make serve (default: its own)")
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="foljsam-bench-web-")
    env = {**os.environ, "FOLJSAM_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "foljsam.settings",
           "FOLJSAM_TOTP_REQUIRED_ROLES": "",  # a second factor would stop the scripted sign-in
           "LOGIN_MAX_FAILURES_PER_ADDRESS": "1000", "PORT": str(args.port),
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    for k in ("DEBUG", "DJANGO_SECRET_KEY", "FOLJSAM_PSEUDONYM_KEY"):
        env.pop(k, None)  # make serve: DEBUG off, the secrets from the data dir's local-secrets.env
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    db = env.get("DATABASE_URL", "sqlite (data dir)")
    py = str(BIN / "python")
    secrets = subprocess.run([py, "-m", "foljsam.ops.localsecrets"], env={**env, "DEBUG": "True"}, cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
    for line in secrets.splitlines():  # export NAME='value' lines, as make serve evals them
        m = re.match(r"(?:export )?(\w+)=['\"]?([^'\"]*)['\"]?$", line.strip())
        if m:
            env[m.group(1)] = m.group(2)
    subprocess.run([str(BIN / "foljsam"), "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    ids = __import__("json").loads(subprocess.run([py, "-c", _IDS], env=env, cwd=ROOT, check=True,
                                                  capture_output=True, text=True).stdout)
    if not ids["demo"]:
        t = time.perf_counter()
        subprocess.run([str(BIN / "foljsam"), "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"demo loaded in {time.perf_counter() - t:.1f} s")
        ids = __import__("json").loads(subprocess.run([py, "-c", _IDS], env=env, cwd=ROOT, check=True,
                                                      capture_output=True, text=True).stdout)

    server = subprocess.Popen(["make", "-s", "serve", f"PORT={args.port}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                c.request("GET", "/konto/logga-in/")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("make serve did not answer")
        print(f"database: {db.split('@')[-1]}; make serve on :{args.port}; "
              f"workers={env.get('WEB_CONCURRENCY', 'make serve default')}; load average before: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        logins = [LOGINS[i % len(LOGINS)] for i in range(args.sessions)]
        sessions, plans = [], []
        for username, role in logins:
            s = Session(args.port)
            s.login(username)
            sessions.append(s)
            plans.append(pages_for(role, username, ids))
        # Warm every page once per login (template and code caches, per-month caches) before timing.
        for s, plan in {u: (s, p) for (u, _), s, p in zip(logins, sessions, plans, strict=True)}.values():
            for _, url in plan:
                s.request("GET", url)

        anon = [Session(args.port) for _ in range(args.sessions)]
        floor_static = [[("static file", "/static/css/foljsam.css")]] * args.sessions
        floor_login = [[("login page", "/konto/logga-in/")]] * args.sessions
        r_static = report("floor: stylesheet (WhiteNoise), saturation",
                          *drive(anon, floor_static, duration=min(10, args.duration), rate=None))
        r_login = report("floor: anonymous login page, saturation",
                         *drive(anon, floor_login, duration=min(10, args.duration), rate=None))
        r_fixed = report(f"main pages at a fixed arrival rate of {args.rate:g} requests/s, {args.sessions} sessions",
                         *drive(sessions, plans, duration=args.duration, rate=args.rate))
        r_sat = report(f"main pages at saturation, {args.sessions} sessions without think time",
                       *drive(sessions, plans, duration=args.duration, rate=None))
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"ratio saturation rps main pages / login page: {r_sat['rps'] / r_login['rps']:.3f}; "
              f"/ static file: {r_sat['rps'] / r_static['rps']:.3f}")
        print(f"RESULT fixed_rate={args.rate:g} achieved={r_fixed['rps']:.1f}rps p50={r_fixed['p50']:.0f}ms "
              f"p95={r_fixed['p95']:.0f}ms p99={r_fixed['p99']:.0f}ms errors={r_fixed['errors']} | "
              f"saturation={r_sat['rps']:.1f}rps p95={r_sat['p95']:.0f}ms errors={r_sat['errors']} | "
              f"floor login={r_login['rps']:.0f}rps static={r_static['rps']:.0f}rps")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
