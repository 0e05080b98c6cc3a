"""Demo municipality, monthly part: a year of generated registrations for the demo home-care
providers, with the patterns the seeds describe (seed 000):

- Aros: manual registrations and visits registered one minute apart in the summer,
- Nyckeln: generic check-ins (no staff) for three months in a row → proposed for in-depth follow-up,
- SAAND: the same services registered again and again,
- Linnéa: the same staff member with some clients for months,
- Eveo: late additional reports; Trygga Händer: a few visits without a grant.
"""

import csv
import random
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from foljsam.lib.dates import add_months

from . import services

FIRST_MONTH = date(2025, 11, 1)
MONTHS = 12
SERVICES = ["personlig_omvardnad", "dusch", "matdistribution", "tillsyn", "inkop", "stad", "promenad", "medicin"]
# provider code → (clients, start month or None, patterns {name: months (1-based from FIRST_MONTH)})
PROVIDERS = {
    "HT-AROS": (26, None, {"manual": {8, 9, 10}, "quick": {9, 10}}),
    "HT-EVEO": (22, None, {"late_reports": {3, 4, 11}}),
    "HT-NYCKELN": (16, None, {"generic": {10, 11, 12}}),
    "HT-SAAND": (14, None, {"repeat": {5, 6, 7, 12}}),
    "HT-TRYGGA": (12, None, {"no_grant": {4, 5}}),
    "HT-LINNEA": (12, None, {"dominant": set(range(1, 13))}),
    "HT-KVARNEN": (6, 8, {}),
}
DAY_SLOTS = [(7, 30), (11, 45), (16, 30), (20, 45)]


def _months():
    return [add_months(FIRST_MONTH, i) for i in range(MONTHS)]


def generate(directory: Path, seed: int = 2026) -> dict[str, Path]:
    """Write visits.csv, grants.csv and additional_reports.csv; return their paths."""
    rng = random.Random(seed)
    months = _months()
    end = add_months(months[-1], 1)
    visits_path, grants_path, reports_path = (directory / n for n in (
        "visits.csv", "grants.csv", "additional_reports.csv"))
    with open(visits_path, "w", newline="", encoding="utf-8") as vf, \
            open(grants_path, "w", newline="", encoding="utf-8") as gf, \
            open(reports_path, "w", newline="", encoding="utf-8") as rf:
        visits, grants, reports = csv.writer(vf), csv.writer(gf), csv.writer(rf)
        visits.writerow(["visit_id", "provider_id", "client_id", "staff_id", "check_in", "check_out", "method",
                         "services"])
        grants.writerow(["client_id", "provider_id", "service_code", "minutes_per_month", "valid_from", "valid_to"])
        reports.writerow(["report_id", "provider_id", "client_id", "kind", "event_date", "reported_at"])
        for code, (n_clients, start_month, patterns) in PROVIDERS.items():
            _provider(code, n_clients, start_month, patterns, months, end, rng, visits, grants, reports)
    return {"visits": visits_path, "grants": grants_path, "additional_reports": reports_path}


def _provider(code, n_clients, start_month, patterns, months, end, rng, visits, grants, reports):
    first = months[(start_month or 1) - 1]
    staff_pool = [f"{code}-S{i:03d}" for i in range(max(6, n_clients // 2 + 3))]
    clients = []
    for c in range(n_clients):
        client = f"19{rng.randint(25, 45)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{rng.randint(1000, 9999)}"
        slots = sorted(rng.sample(range(len(DAY_SLOTS)), rng.choice([2, 3, 3, 4])))
        team = rng.sample(staff_pool, min(len(staff_pool), rng.choice([5, 6, 7, 8])))
        services_of = {s: rng.sample(SERVICES, rng.choice([1, 2, 3])) for s in slots}
        double = rng.random() < 0.1  # double staffing at the morning visit
        clients.append((client, slots, team, services_of, double))
        minutes = int(len(slots) * 28 * 30.4)
        # Decisions of existing clients began before the demo year; a new provider's on its start.
        grant_from = first if start_month else first - timedelta(days=rng.randint(30, 700))
        if "no_grant" in patterns and c >= n_clients - 2:
            # Served without a decision in force during the pattern's months.
            gap = sorted(patterns["no_grant"])
            before, after = add_months(months[gap[0] - 1], 0) - timedelta(days=1), add_months(months[gap[-1] - 1], 1)
            grants.writerow([client, code, "hemtjanst_insatser", minutes, grant_from.isoformat(), before.isoformat()])
            grants.writerow([client, code, "hemtjanst_insatser", minutes, after.isoformat(), ""])
        else:
            grants.writerow([client, code, "hemtjanst_insatser", minutes, grant_from.isoformat(), ""])
    # Dedicated staff who serve a few clients alone for months (seed 000: "samma personal under längre perioder").
    loyal = {cl[0]: f"{code}-L{i}" for i, cl in enumerate(clients[:3])} if "dominant" in patterns else {}
    serial = 0
    day = first
    while day < end:
        month_no = (day.year - months[0].year) * 12 + day.month - months[0].month + 1
        busy: dict[str, datetime] = {}
        rows = []
        for client, slots, team, services_of, double in clients:
            for slot in slots:
                h, m = DAY_SLOTS[slot]
                start = datetime(day.year, day.month, day.day, h, m) + timedelta(minutes=rng.randint(-25, 25))
                rows.append((start, client, team, services_of[slot], double and slot == slots[0]))
        rows.sort(key=lambda r: r[0])
        for start, client, team, svc, double in rows:
            duration = timedelta(minutes=rng.randint(12, 40), seconds=rng.randint(0, 59))
            n_staff = 2 if double else 1
            chosen = []
            preferred = [loyal[client]] if client in loyal and rng.random() < 0.95 else rng.sample(team, len(team))
            # The client's team first, then anyone free: nobody is in two places at once.
            for staff in preferred + [s for s in team if s not in preferred] + staff_pool:
                if len(chosen) < n_staff and staff not in chosen and busy.get(staff, datetime.min) <= start:
                    chosen.append(staff)
            while len(chosen) < n_staff:
                staff_pool.append(f"{code}-S{len(staff_pool):03d}")
                chosen.append(staff_pool[-1])
            for staff in chosen:
                serial += 1
                check_in, check_out = start, start + duration
                method = "electronic"
                if "quick" in patterns and month_no in patterns["quick"] and staff in busy and rng.random() < 0.08:
                    check_in = busy[staff] + timedelta(seconds=rng.randint(30, 58))
                    check_out = check_in + duration
                if "manual" in patterns and month_no in patterns["manual"] and rng.random() < 0.13:
                    method = "manual"
                staff_id = staff
                if "generic" in patterns and month_no in patterns["generic"] and rng.random() < 0.12:
                    staff_id = ""
                busy[staff] = max(busy.get(staff, datetime.min), check_out + timedelta(minutes=5))
                visits.writerow([f"V{serial:07d}", code, client, staff_id, check_in.isoformat(timespec="seconds"),
                                 check_out.isoformat(timespec="seconds"), method, "|".join(svc)])
                if "repeat" in patterns and month_no in patterns["repeat"] and rng.random() < 0.07:
                    serial += 1
                    again = check_out + timedelta(seconds=rng.randint(20, 200))
                    visits.writerow([f"V{serial:07d}", code, client, staff_id, again.isoformat(timespec="seconds"),
                                     (again + timedelta(seconds=50)).isoformat(timespec="seconds"), method,
                                     "|".join(svc)])
        day += timedelta(days=1)
    for month_no, month in enumerate(months, start=1):
        if month < first:
            continue
        for r in range(rng.randint(2, 6)):
            client = rng.choice(clients)[0]
            event = month + timedelta(days=rng.randint(0, 27))
            late = "late_reports" in patterns and month_no in patterns["late_reports"] and r < 4
            reported = add_months(month, 1) + timedelta(days=rng.randint(9, 20) if late else rng.randint(0, 3))
            reports.writerow([f"{code}-R{month_no:02d}{r}", code, client, rng.choice(
                ["sjukhusvistelse", "avbokning", "korttidsvistelse"]), event.isoformat(), reported.isoformat()])


def load(ctx: dict) -> None:
    """Every month declared by an import, as an officer would run them: the whole year's files once
    (declaring the first month), then each later month's visits again with its month – rows already
    stored are unchanged, so those imports only declare the month and compute its figures."""
    with tempfile.TemporaryDirectory(prefix="foljsam-demo-") as tmp:
        paths = generate(Path(tmp))
        by_month: dict[str, list] = {}
        with open(paths["visits"], encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            for row in reader:
                by_month.setdefault(row[4][:7], []).append(row)
        for i, (period, rows) in enumerate(sorted(by_month.items())):
            month_path = Path(tmp) / f"visits-{period}.csv"
            with open(month_path, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows([header, *rows])
            files = dict(paths) if i == 0 else {"visits": month_path}
            run = services.import_run_start(files={k: p.name for k, p in files.items()}, source="demo", period=period)
            run = services.import_run_execute(run=run, paths=files)
            if run.status != run.Status.DONE:
                raise RuntimeError(f"demo import failed: {run.message}")
