"""Key figures of the monthly home-care follow-up (see docs/monthly-follow-up.md).

Every figure is ONE catalogue entry holding its SQL, written once in DuckDB's dialect and rendered
for each engine by dialects.render() (DuckDB as written; Spark SQL and PostgreSQL transpiled with
sqlglot). The SQL keeps to constructs every engine has (GROUP BY, lag, running max with an explicit
ROWS frame, fixed date ranges, COUNT(DISTINCT) only in GROUP BY, no ASOF join, no DISTINCT in windows,
every subquery aliased, integer comparisons instead of decimal factors), so a distributed engine runs
the same figures: compute_kpis() on DuckDB, spark.compute_kpis() on Spark, run_kpis() on any Runner.

Persons are told apart by keys (client_key, staff_key): their pseudonyms on every engine, or on DuckDB
the pseudonyms' 64-bit hashes when a check over the rows finds no two pseudonyms sharing one (the same
figures, bit for bit; sorting and grouping 8-byte keys is faster, see bench/RESULTS.md).

Sources (each grouped by provider_id, joined on the provider list):
  rows        the month's visit rows with a flag per share figure (table m_rows, built by ROWS_SQL)
  grants      GRANTS_SQL       continuity  CONTINUITY_SQL      dominant  DOMINANT_SQL
  long_days   LONG_DAYS_SQL    reports     REPORTS_SQL         final     expressions over the join

Thresholds: for worse='higher' a value above default_yellow is yellow and above default_red red;
for worse='lower' below. They are defaults; the caller passes per-procurement values to status().
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from foljsam.monthly.engine import dialects, storage
from foljsam.monthly.engine.storage import sql_literal


def gettext_noop(text: str) -> str:
    """Marks a label for Django's makemessages; the engine itself stays free of Django."""
    return text


@dataclass(frozen=True)
class Kpi:
    key: str
    label_sv: str
    description_sv: str
    kind: str  # count | share | minutes | rate
    worse: str | None  # higher | lower | None (no traffic light)
    default_yellow: float | None
    default_red: float | None
    flagged_rows: bool  # flagged_rows() can list the rows behind the figure
    source: str
    sql: str  # aggregate expression within its source (or expression over the final join)
    flag: str | None = None  # per-row condition in m_rows for share figures

    def status(self, value, yellow: float | None = None, red: float | None = None) -> str | None:
        """'green' | 'yellow' | 'red', or None when the figure has no threshold or no value."""
        yellow = self.default_yellow if yellow is None else yellow
        red = self.default_red if red is None else red
        if value is None or self.worse is None:
            return None
        beyond = (
            (lambda t: t is not None and value > t)
            if self.worse == "higher"
            else (lambda t: t is not None and value < t)
        )
        return "red" if beyond(red) else "yellow" if beyond(yellow) else "green"


def _share(key: str) -> str:
    """The share of the month's rows whose flag (Kpi.flag, a column flag_<key> of m_rows) holds."""
    return f"avg(CASE WHEN flag_{key} THEN 1.0 ELSE 0.0 END)"  # avg over no rows = NULL: undefined share


# Rows are told apart by client_key and staff_key (IDENTITY_KEYS, HASH_KEYS): the person's pseudonym, or on DuckDB
# its 64-bit hash when no two pseudonyms of the rows share one.
_F = {
    "manual": "method = 'manual'",
    "generic": "staff_key IS NULL",
    "short": "duration_minutes < 2",
    # previous row of the same client and staff: same service set, ended 0-300 s before this check-in
    "repeat": (
        "staff_key IS NOT NULL AND cs_prev_check_out IS NOT NULL AND cs_prev_services = services "
        "AND date_diff('second', cs_prev_check_out, check_in) BETWEEN 0 AND 300"
    ),
    # previous row of the same staff at another client, ended 0-60 s before this check-in
    "quick": (
        "staff_key IS NOT NULL AND s_prev_check_out IS NOT NULL AND s_prev_client_key <> client_key "
        "AND date_diff('second', s_prev_check_out, check_in) BETWEEN 0 AND 60"
    ),
    # starts before the latest check-out of all earlier rows of the same staff
    "overlap": "staff_key IS NOT NULL AND check_in < s_max_prev_check_out",
    "no_grant": "NOT granted",
}

CATALOGUE: tuple[Kpi, ...] = (
    Kpi(
        "visits",
        gettext_noop("Besök"),
        gettext_noop("Antal registreringar (rader) med inkvittens i månaden; dubbelbemanning = två rader."),
        "count",
        None,
        None,
        None,
        False,
        "rows",
        "count(*)",
    ),
    Kpi(
        "clients",
        gettext_noop("Kunder"),
        gettext_noop("Antal olika kunder."),
        "count",
        None,
        None,
        None,
        False,
        "rows",
        "count(DISTINCT client_key)",
    ),
    Kpi(
        "staff",
        gettext_noop("Personal"),
        gettext_noop("Antal olika medarbetare (generella kvittenser räknas inte)."),
        "count",
        None,
        None,
        None,
        False,
        "rows",
        "count(DISTINCT staff_key)",
    ),
    Kpi(
        "executed_minutes",
        gettext_noop("Utförd tid (min)"),
        gettext_noop("Summa av utkvittens − inkvittens i minuter."),
        "minutes",
        None,
        None,
        None,
        False,
        "rows",
        "CAST(sum(duration_seconds) AS DOUBLE) / 60",  # an integer sum: the same bits whatever the order
    ),
    Kpi(
        "granted_minutes",
        gettext_noop("Beviljad tid (min)"),
        gettext_noop("Beviljade minuter per månad × andel av månadens dagar som beslutet gäller."),
        "minutes",
        None,
        None,
        None,
        False,
        "grants",
        "CAST(sum(granted) AS DOUBLE)",  # a DECIMAL sum: the same bits whatever the order
    ),
    Kpi(
        "execution_rate",
        gettext_noop("Utförandegrad"),
        gettext_noop("Utförd tid / beviljad tid (saknas när ingen tid är beviljad)."),
        "rate",
        "lower",
        0.85,
        0.70,
        False,
        "final",
        "CASE WHEN g.granted_minutes > 0 THEN coalesce(r.executed_minutes, 0) / g.granted_minutes END",
    ),
    Kpi(
        "manual_share",
        gettext_noop("Andel manuella registreringar"),
        gettext_noop("Andel rader registrerade manuellt."),
        "share",
        "higher",
        0.05,
        0.10,
        True,
        "rows",
        _share("manual_share"),
        _F["manual"],
    ),
    Kpi(
        "generic_share",
        gettext_noop("Andel generella kvittenser"),
        gettext_noop("Andel rader utan medarbetare (generell kvittens)."),
        "share",
        "higher",
        0.05,
        0.10,
        True,
        "rows",
        _share("generic_share"),
        _F["generic"],
    ),
    Kpi(
        "median_visit_minutes",
        gettext_noop("Mediantid per besök (min)"),
        gettext_noop("Median av besökens längd."),
        "minutes",
        None,
        None,
        None,
        False,
        "rows",
        "quantile_cont(duration_minutes, 0.5)",
    ),
    Kpi(
        "short_visit_share",
        gettext_noop("Andel korta besök"),
        gettext_noop("Andel rader kortare än 2 minuter."),
        "share",
        "higher",
        0.05,
        0.10,
        True,
        "rows",
        _share("short_visit_share"),
        _F["short"],
    ),
    Kpi(
        "repeat_share",
        gettext_noop("Andel upprepade registreringar"),
        gettext_noop("Samma medarbetare hos samma kund med samma insatser, 0–300 s efter föregående utkvittens."),
        "share",
        "higher",
        0.02,
        0.05,
        True,
        "rows",
        _share("repeat_share"),
        _F["repeat"],
    ),
    Kpi(
        "quick_succession_share",
        gettext_noop("Andel besök i snabb följd"),
        gettext_noop("Medarbetarens föregående besök var hos en annan kund och slutade 0–60 s före inkvittensen."),
        "share",
        "higher",
        0.02,
        0.05,
        True,
        "rows",
        _share("quick_succession_share"),
        _F["quick"],
    ),
    Kpi(
        "overlap_share",
        gettext_noop("Andel överlappande besök"),
        gettext_noop("Medarbetaren kvitterar in innan ett tidigare besök har kvitterats ut (två platser samtidigt)."),
        "share",
        "higher",
        0.01,
        0.03,
        True,
        "rows",
        _share("overlap_share"),
        _F["overlap"],
    ),
    Kpi(
        "visits_without_grant_share",
        gettext_noop("Andel besök utan beslut"),
        gettext_noop("Andel rader där kunden saknar beviljad insats hos utföraren någon dag i månaden."),
        "share",
        "higher",
        0.01,
        0.05,
        True,
        "rows",
        _share("visits_without_grant_share"),
        _F["no_grant"],
    ),
    Kpi(
        "continuity_clients",
        gettext_noop("Kunder i kontinuitetsmåttet"),
        gettext_noop("Kunder med minst 2 besök 07–22 varje dag 1–14 i månaden (Kolada U21401/U21402)."),
        "count",
        None,
        None,
        None,
        False,
        "continuity",
        "count(*)",
    ),
    Kpi(
        "continuity_mean",
        gettext_noop("Personalkontinuitet, medel"),
        gettext_noop("Medelantal olika medarbetare som kunden möter dag 1–14 (Kolada U21401)."),
        "count",
        "higher",
        15.0,
        20.0,
        False,
        "continuity",
        "avg(n_staff)",
    ),
    Kpi(
        "continuity_median",
        gettext_noop("Personalkontinuitet, median"),
        gettext_noop("Medianantal olika medarbetare som kunden möter dag 1–14 (Kolada U21402)."),
        "count",
        "higher",
        15.0,
        20.0,
        False,
        "continuity",
        "quantile_cont(n_staff, 0.5)",
    ),
    Kpi(
        "dominant_staff_clients",
        gettext_noop("Kunder med dominerande medarbetare"),
        gettext_noop("Kunder med minst 20 besök med medarbetare där en medarbetare har minst 90 % av dem."),
        "count",
        "higher",
        0,
        3,
        True,
        "dominant",
        "count(*)",
    ),
    Kpi(
        "staff_long_days",
        gettext_noop("Arbetsdagar över 16 timmar"),
        gettext_noop("Par (medarbetare, dag) med mer än 960 registrerade besöksminuter."),
        "count",
        "higher",
        0,
        3,
        True,
        "long_days",
        "count(*)",
    ),
    Kpi(
        "additional_reports",
        gettext_noop("Tilläggsrapporter"),
        gettext_noop("Tilläggsrapporter med händelsedatum i månaden."),
        "count",
        None,
        None,
        None,
        False,
        "reports",
        "count(*)",
    ),
    Kpi(
        "late_additional_reports",
        gettext_noop("Sena tilläggsrapporter"),
        gettext_noop("Tilläggsrapporter rapporterade efter den 5:e i följande månad."),
        "count",
        "higher",
        0,
        3,
        True,
        "reports",
        "sum(CASE WHEN " + "{late}" + " THEN 1 ELSE 0 END)",
    ),
)

BY_KEY = {k.key: k for k in CATALOGUE}
KEYS = tuple(k.key for k in CATALOGUE)
# Counts and sums are 0 (not undefined) for a provider without rows in a source; shares, medians and
# means stay None.
_INT_KEYS = {k.key for k in CATALOGUE if k.kind == "count" and k.source not in ("continuity",)} | {"continuity_clients"}
_ZERO_WHEN_MISSING = _INT_KEYS | {"executed_minutes", "granted_minutes"}

# ---------------------------------------------------------------------------------------------------
# Source SQL. Placeholders: {month_visits} (the visit rows of the months and the lookback before them,
# of the providers asked for) {grants} {reports} {m_start} {m_end} {months} (a table of the
# months computed: ms first day, ml last day, days) {in_months} (the months' first days, for IN)
# {late} {prov} ("AND provider_id IN (...)" or "").
# One month or several (a quarter): every figure is computed over all rows of the months, with the
# month-bound rules (grants in force, continuity days 1–14, late reports) applied per row's month.

# The rows of the provider from the month before the first month up to the end of the last month take
# part in the sequence checks; rows after it cannot be "previous" to a row in it, and rows before the
# month before cannot fire a flag (each needs the previous check-out 0–300 s before, or after, the
# check-in – only a visit lasting more than a month could), so a month's figures cost the same
# whatever the size of the store. Generic rows land in a NULL-staff partition whose values are never
# used (every sequence flag requires staff IS NOT NULL).
ROWS_SQL = """
WITH granted_clients AS (
    SELECT g.provider_id, g.client AS granted_client, mo.ms AS g_month
    FROM (SELECT * FROM {grants} WHERE true {prov}) g
    JOIN {months} mo ON g.valid_from <= mo.ml AND (g.valid_to IS NULL OR g.valid_to >= mo.ms)
    GROUP BY g.provider_id, g.client, mo.ms
), base AS (
    SELECT v.provider_id, v.visit_id, {client_key} AS client_key, {staff_key} AS staff_key{person},
           v.check_in, v.check_out, v.method, v.services,
           date_diff('second', v.check_in, v.check_out) AS duration_seconds,
           g.granted_client IS NOT NULL AS granted
    FROM {month_visits} v
    LEFT JOIN granted_clients g ON g.provider_id = v.provider_id AND g.granted_client = v.client
         AND g.g_month = CAST(date_trunc('month', v.check_in) AS DATE)
), seq AS (
    SELECT *, duration_seconds / 60.0 AS duration_minutes,
        lag(client_key) OVER s AS s_prev_client_key,
        lag(check_out) OVER s AS s_prev_check_out,
        max(check_out) OVER (PARTITION BY provider_id, staff_key ORDER BY check_in, check_out, visit_id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS s_max_prev_check_out,
        lag(check_out) OVER cs AS cs_prev_check_out,
        lag(services) OVER cs AS cs_prev_services{detail}
    FROM base
    WINDOW s AS (PARTITION BY provider_id, staff_key ORDER BY check_in, check_out, visit_id),
           cs AS (PARTITION BY provider_id, client_key, staff_key ORDER BY check_in, check_out, visit_id)
)
SELECT {out}
FROM seq
WHERE seq.check_in >= {m_start} AND CAST(date_trunc('month', seq.check_in) AS DATE) IN ({in_months})
"""

# How the rows' persons are keyed ({client_key}, {staff_key} of ROWS_SQL; {person} adds the pseudonyms
# themselves where the rows are shown). IDENTITY_KEYS: the pseudonyms, on every engine. HASH_KEYS (DuckDB):
# their 64-bit hashes, which sort and group in about half the time of the 32-character strings; used only
# when KEY_CHECK_SQL finds that no two pseudonyms of the rows share a hash, so the figures are the same.
IDENTITY_KEYS = {"client_key": "v.client", "staff_key": "v.staff", "person": ""}
HASH_KEYS = {"client_key": "CASE WHEN v.client IS NOT NULL THEN hash(v.client) END",
             "staff_key": "CASE WHEN v.staff IS NOT NULL THEN hash(v.staff) END", "person": ""}
KEY_CHECK_SQL = """
WITH r AS (SELECT client, staff FROM {month_visits} v)
SELECT (SELECT count(*) = count(DISTINCT {client_key}) FROM (SELECT DISTINCT client FROM r WHERE client IS NOT NULL) v)
   AND (SELECT count(*) = count(DISTINCT {staff_key}) FROM (SELECT DISTINCT staff FROM r WHERE staff IS NOT NULL) v)
"""

# What m_rows keeps for the figures ({out} of ROWS_SQL): the columns the other sources read and, per share
# figure, its Kpi.flag evaluated where the window columns exist (flag_<key>); a narrow table costs less to
# keep than every row's window columns. flagged_rows() keeps them all (ROWS_DETAIL_OUT) to show them.
ROWS_OUT = ", ".join(["seq.provider_id", "seq.client_key", "seq.staff_key", "seq.check_in", "seq.duration_seconds",
                      "seq.duration_minutes", *(f"({k.flag}) AS flag_{k.key}" for k in CATALOGUE if k.flag)])
ROWS_DETAIL_OUT = "seq.*"

# Minutes per month × the share of each month's days the grant is in force, summed over the months.
GRANTS_SQL = """
SELECT g.provider_id,
       CAST(g.minutes_per_month * (date_diff('day', greatest(g.valid_from, mo.ms),
                                             least(coalesce(g.valid_to, mo.ml), mo.ml)) + 1)
            / mo.days AS DECIMAL(38, 9)) AS granted
FROM (SELECT * FROM {grants} WHERE true {prov}) g
JOIN {months} mo ON g.valid_from <= mo.ml AND (g.valid_to IS NULL OR g.valid_to >= mo.ms)
"""

# Kolada U21401/U21402: days 1-14 of a month, check-in 07:00 <= t < 22:00, >= 2 such rows on each of
# the 14 days. Over several months every (client, month) that qualifies is one measurement.
CONTINUITY_SQL = """
WITH c_rows AS (
    SELECT provider_id, client_key, staff_key, CAST(check_in AS DATE) AS d,
           CAST(date_trunc('month', check_in) AS DATE) AS mo FROM m_rows
    WHERE extract(day FROM check_in) <= 14 AND extract(hour FROM check_in) BETWEEN 7 AND 21
), c_days AS (
    SELECT provider_id, client_key, mo, d FROM c_rows GROUP BY provider_id, client_key, mo, d HAVING count(*) >= 2
), eligible AS (
    SELECT provider_id, client_key, mo FROM c_days GROUP BY provider_id, client_key, mo HAVING count(*) = 14
)
SELECT r.provider_id, r.client_key, r.mo, count(DISTINCT r.staff_key) AS n_staff
FROM c_rows r JOIN eligible e ON e.provider_id = r.provider_id AND e.client_key = r.client_key AND e.mo = r.mo
GROUP BY r.provider_id, r.client_key, r.mo
"""

DOMINANT_SQL = """
WITH per_staff AS (
    SELECT provider_id, client_key, staff_key, count(*) AS n FROM m_rows WHERE staff_key IS NOT NULL
    GROUP BY provider_id, client_key, staff_key
)
SELECT provider_id, client_key FROM per_staff GROUP BY provider_id, client_key
HAVING sum(n) >= 20 AND 10 * max(n) >= 9 * sum(n)
"""

LONG_DAYS_SQL = """
SELECT provider_id, staff_key, CAST(check_in AS DATE) AS d FROM m_rows WHERE staff_key IS NOT NULL
GROUP BY provider_id, staff_key, CAST(check_in AS DATE) HAVING sum(duration_seconds) > 960 * 60
"""

REPORTS_SQL = """
SELECT * FROM {reports} WHERE event_date >= {m_start} AND event_date < CAST({m_end} AS DATE)
  AND CAST(date_trunc('month', event_date) AS DATE) IN ({in_months}) {prov}
"""

# Reported after the 5th of the month following the event's month.
LATE_SQL = "CAST(reported_at AS DATE) > last_day(event_date) + 5"

# Extra columns only flagged_rows() needs (they cost time in compute_kpis).
DETAIL_SQL = """,
        lag(client) OVER s AS s_prev_client,
        lag(visit_id) OVER s AS s_prev_visit_id,
        lag(check_in) OVER s AS s_prev_check_in,
        lag(visit_id) OVER cs AS cs_prev_visit_id,
        lag(check_in) OVER cs AS cs_prev_check_in"""

SOURCES = {
    "rows": "m_rows",
    "grants": GRANTS_SQL,
    "continuity": CONTINUITY_SQL,
    "dominant": DOMINANT_SQL,
    "long_days": LONG_DAYS_SQL,
    "reports": REPORTS_SQL,
}
_ALIAS = {"rows": "r", "grants": "g", "continuity": "c", "dominant": "d", "long_days": "l", "reports": "a"}


class PeriodError(ValueError):
    pass


#: Sequence checks look back one month before the first month computed (see ROWS_SQL); False = all history.
LOOKBACK = True


def _month_before(first: dt.date) -> dt.date:
    return dt.date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def _month(period: str) -> tuple[dt.date, dt.date]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period or ""):
        raise PeriodError(f"Ogiltig period {period!r}, ska vara ÅÅÅÅ-MM.")
    start = dt.date(int(period[:4]), int(period[5:]), 1)
    return start, dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def _params(source, periods: str | list[str], provider_ids, keys: dict | None = None) -> dict[str, str]:
    """Placeholders of the source SQL; source(kind) gives the FROM-clause source of a stored kind."""
    periods = [periods] if isinstance(periods, str) else sorted(set(periods))
    if not periods:
        raise PeriodError("Ingen period angiven.")
    bounds = [_month(p) for p in periods]
    prov = ""
    if provider_ids is not None:
        ids = ", ".join(sql_literal(str(p)) for p in provider_ids) or "NULL"
        prov = f"AND provider_id IN ({ids})"
    rows = ", ".join(f"(DATE '{s}', DATE '{e - dt.timedelta(days=1)}', {(e - s).days})" for s, e in bounds)
    visits = source("visits")
    lookback = (f"TIMESTAMP '{_month_before(bounds[0][0])} 00:00:00'" if LOOKBACK
                else "TIMESTAMP '1900-01-01 00:00:00'")
    m_end = f"TIMESTAMP '{bounds[-1][1]} 00:00:00'"
    return {
        # The rows ROWS_SQL computes over and KEY_CHECK_SQL checks: one text, so they cannot differ.
        "month_visits": f"(SELECT * FROM {visits} WHERE check_in < {m_end} AND check_in >= {lookback} {prov})",
        "grants": source("grants"),
        "reports": source("additional_reports"),
        "m_start": f"DATE '{bounds[0][0]}'",
        "m_end": m_end,
        "months": f"(SELECT * FROM (VALUES {rows}) AS v(ms, ml, days))",
        "in_months": ", ".join(f"DATE '{s}'" for s, _e in bounds),
        "late": LATE_SQL,
        "prov": prov,
        **(keys or IDENTITY_KEYS),
    }


# Of the month before the first month, the sequence checks (ROWS_SQL) need only the rows that can change
# a month row's flag. A flag compares a row with its predecessor in a window partition – repeat and
# quick succession need the predecessor's check-out at most 300 s before the check-in, overlap a
# check-out after it – so a partition whose rows of that month all checked out before
# first day - BOUNDARY_MARGIN can raise no flag in the month, with or without them. Of every other
# partition (of either window) we keep the rows checking out after that point and its last row in window
# order, the true predecessor of its first row in the month. The figures and flagged rows are identical
# to reading the whole month (a test compares), at a fraction of the rows.
BOUNDARY_MARGIN = "INTERVAL 1 HOUR"  # > the 300 s the sequence flags look back
BOUNDARY_SQL = """
SELECT * FROM {before} WHERE check_out >= {cut} OR (provider_id, visit_id) IN (
    SELECT provider_id, max({{'i': check_in, 'o': check_out, 'v': visit_id}}).v FROM {before}
    WHERE staff IS NOT NULL GROUP BY provider_id, staff HAVING max(check_out) >= {cut}
    UNION ALL
    SELECT provider_id, max({{'i': check_in, 'o': check_out, 'v': visit_id}}).v FROM {before}
    WHERE staff IS NOT NULL GROUP BY provider_id, client, staff HAVING max(check_out) >= {cut})
"""


def duckdb_sources(data_dir, period: str | list[str] | None):
    """kind -> FROM-clause source over the store, pruned to the partitions the months need: visits of
    the months (and those between them) plus the boundary rows of the month before, their additional
    reports, and grants whose valid_from month is not after the last month. No period: everything."""
    periods = [period] if isinstance(period, str) else sorted(set(period or []))
    if not periods or not all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", p) for p in periods):
        return lambda kind: storage.table_sql(data_dir, kind)  # _params refuses a bad period
    first, last = _month(periods[0])[0], _month(periods[-1])[0]

    def source(kind: str) -> str:
        if kind == "visits":
            return _visits_source(data_dir, first, last)
        if kind == "grants":
            return storage.table_sql(data_dir, "grants", upto=periods[-1])
        return storage.table_sql(data_dir, kind, periods)

    return source


def _visits_source(data_dir, first: dt.date, last: dt.date) -> str:
    if not LOOKBACK:
        return storage.table_sql(data_dir, "visits")
    months, d = [], first
    while d <= last:
        months.append(d.strftime("%Y-%m"))
        d = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    before = storage.table_sql(data_dir, "visits", [_month_before(first).strftime("%Y-%m")])
    boundary = BOUNDARY_SQL.format(before=before, cut=f"(TIMESTAMP '{first} 00:00:00' - {BOUNDARY_MARGIN})")
    return f"(SELECT * FROM {storage.table_sql(data_dir, 'visits', months)} UNION ALL {boundary})"


def _connect(con):
    return con or storage.connect()


class Runner:
    """What run_kpis needs of an engine: its dialect, the stored kinds as FROM-clause sources, a way
    to keep the month's rows (m_rows) for the four sources that read them, and a query."""

    engine = "duckdb"

    def source(self, kind: str) -> str:
        raise NotImplementedError

    def materialise(self, name: str, sql: str) -> None:
        """Make `sql` (already rendered) readable as table `name` until release()."""
        raise NotImplementedError

    def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        raise NotImplementedError

    def release(self, name: str) -> None:
        pass

    def keys(self, period, provider_ids) -> dict:
        """How ROWS_SQL keys the persons (IDENTITY_KEYS unless the engine can do better)."""
        return IDENTITY_KEYS


class DuckDBRunner(Runner):
    engine = "duckdb"

    def __init__(self, con, data_dir, period: str | list[str] | None = None):
        self.con, self.data_dir = con, data_dir
        self._source, self._sources = duckdb_sources(data_dir, period), {}

    def source(self, kind):
        # Resolved once: the key check and the figures read the same generation's files.
        if kind not in self._sources:
            self._sources[kind] = self._source(kind)
        return self._sources[kind]

    def materialise(self, name, sql):
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def fetch(self, sql):
        cur = self.con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()

    def keys(self, period, provider_ids):
        p = _params(self.source, period, provider_ids, HASH_KEYS)
        return HASH_KEYS if self.con.execute(KEY_CHECK_SQL.format(**p)).fetchone()[0] else IDENTITY_KEYS


def kpi_sql(source, period: str | list[str], provider_ids=None, keys: dict | None = None) -> tuple[str, str]:
    """The two statements of the figures, in DuckDB's dialect: the month's rows (kept as m_rows) and
    the query of every figure per provider over them and the other sources. keys: IDENTITY_KEYS
    (default) or HASH_KEYS."""
    p = _params(source, period, provider_ids, keys)
    ctes, joins = [], []
    for src, sql in SOURCES.items():
        figures = [k for k in CATALOGUE if k.source == src]
        aggs = ", ".join(f"{k.sql.format(**p)} AS {k.key}" for k in figures)
        body = sql if src == "rows" else f"({sql.format(**p)})"
        ctes.append(f"src_{src} AS (SELECT provider_id, {aggs} FROM {body} s GROUP BY provider_id)")
        a = _ALIAS[src]
        joins.append(f"LEFT JOIN src_{src} {a} ON {a}.provider_id = pl.provider_id")
    if provider_ids is not None:
        ids = sorted({str(x) for x in provider_ids})
        plist = (f"SELECT provider_id FROM (VALUES {', '.join(f'({sql_literal(i)})' for i in ids)}) AS v(provider_id)"
                 if ids else "SELECT CAST(NULL AS VARCHAR) AS provider_id WHERE false")
    else:
        plist = " UNION ".join(f"SELECT provider_id FROM src_{s}" for s in ("rows", "grants", "reports"))
    cols = []
    for k in CATALOGUE:
        expr = k.sql if k.source == "final" else f"{_ALIAS[k.source]}.{k.key}"
        zero = k.key in _ZERO_WHEN_MISSING
        cols.append(f"coalesce({expr}, 0) AS {k.key}" if zero else f"{expr} AS {k.key}")
    query = (
        f"WITH {', '.join(ctes)}, pl AS ({plist}) SELECT pl.provider_id, {', '.join(cols)} "
        f"FROM pl {' '.join(joins)} ORDER BY pl.provider_id"
    )
    return ROWS_SQL.format(**p, detail="", out=ROWS_OUT), query


def run_kpis(runner: Runner, period: str | list[str], provider_ids=None) -> list[dict]:
    """compute_kpis() on any engine: the same statements, rendered for runner.engine."""
    rows_sql, query = kpi_sql(runner.source, period, provider_ids, runner.keys(period, provider_ids))
    runner.materialise("m_rows", dialects.render(rows_sql, runner.engine))
    try:
        names, rows = runner.fetch(dialects.render(query, runner.engine))
    finally:
        runner.release("m_rows")
    out = []
    for row in rows:
        rec = dict(zip(names, row, strict=True))
        for k in CATALOGUE:
            v = rec[k.key]
            if v is not None and k.key in _INT_KEYS:
                rec[k.key] = int(v)
            elif v is not None:
                rec[k.key] = float(v)
        out.append(rec)
    return out


def compute_kpis(data_dir: str | os.PathLike, period: str | list[str], provider_ids=None, con=None) -> list[dict]:
    """One dict per provider (provider_id + every catalogue key), sorted by provider_id.

    period: one month (YYYY-MM) or a list of months (a quarter): the figures of several months are
    computed over all their rows at once (distinct clients and staff, medians, shares and continuity
    of the months together), not combined from the monthly figures.
    Providers: provider_ids when given, else every provider with visits in the months, grants valid
    in them or additional reports with event date in them.
    """
    own = con is None
    con = _connect(con)
    try:
        return run_kpis(DuckDBRunner(con, data_dir, period), period, provider_ids)
    finally:
        if own:
            con.close()


_SEQ_PREV = {
    "repeat_share": "cs_prev_visit_id AS prev_visit_id, client AS prev_client, "
    "cs_prev_check_in AS prev_check_in, cs_prev_check_out AS prev_check_out, "
    "cs_prev_services AS prev_services",
    "quick_succession_share": "s_prev_visit_id AS prev_visit_id, s_prev_client AS prev_client, "
    "s_prev_check_in AS prev_check_in, s_prev_check_out AS prev_check_out",
    "overlap_share": "s_prev_visit_id AS prev_visit_id, s_prev_client AS prev_client, "
    "s_prev_check_in AS prev_check_in, s_prev_check_out AS prev_check_out, "
    "s_max_prev_check_out AS latest_earlier_check_out",
}
_ORDER = "check_in, check_out, visit_id"
_ROW_COLS = "provider_id, visit_id, client, staff, check_in, check_out, duration_minutes, method, services"


def flagged_rows(data_dir, period: str, provider_id: str, key: str, limit: int = 500, con=None) -> list[dict]:
    """The rows behind a figure (pseudonymised), ordered by check-in; sequence figures add the
    previous row's id, client and times so the finding can be checked by hand."""
    kpi = BY_KEY.get(key)
    if kpi is None or not kpi.flagged_rows:
        raise KeyError(f"{key} har inga flaggade rader")
    shown = {**IDENTITY_KEYS, "person": ", v.client, v.staff"}  # the rows are shown with their pseudonyms
    p = _params(duckdb_sources(data_dir, period), period, [provider_id], shown)
    own = con is None
    con = _connect(con)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE m_rows AS "
                    + ROWS_SQL.format(**p, detail=DETAIL_SQL, out=ROWS_DETAIL_OUT))
        if kpi.flag:
            extra = (", " + _SEQ_PREV[key]) if key in _SEQ_PREV else ""
            q = f"SELECT {_ROW_COLS}{extra} FROM m_rows WHERE {kpi.flag} ORDER BY {_ORDER}"
        elif key == "dominant_staff_clients":
            q = (
                f"SELECT {_ROW_COLS} FROM m_rows WHERE staff IS NOT NULL AND (provider_id, client_key) IN "
                "(SELECT provider_id, client_key "
                f"FROM ({DOMINANT_SQL}) dom) ORDER BY client, {_ORDER}"
            )
        elif key == "staff_long_days":
            q = (
                f"SELECT {_ROW_COLS} FROM m_rows WHERE (provider_id, staff_key, CAST(check_in AS DATE)) IN "
                f"(SELECT provider_id, staff_key, d FROM ({LONG_DAYS_SQL}) ld) ORDER BY staff, {_ORDER}"
            )
        else:  # late_additional_reports
            q = (
                f"SELECT provider_id, report_id, client, kind, event_date, reported_at "
                f"FROM ({REPORTS_SQL}) rep WHERE {{late}} "
                "ORDER BY event_date, report_id"
            ).format(**p)
        cur = con.execute(q + f" LIMIT {int(limit)}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        if own:
            con.close()


def available_periods(data_dir) -> list[str]:
    """Months (YYYY-MM) with visit rows or additional reports, ascending: the partitions of the two kinds
    (visits are partitioned by check-in month, additional reports by event month)."""
    return sorted(set(storage.periods(data_dir, "visits")) | set(storage.periods(data_dir, "additional_reports")))
