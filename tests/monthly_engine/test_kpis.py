"""Key figures on tiny hand-made tables; every expected value is worked out in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from foljsam.monthly.engine.kpis import BY_KEY, CATALOGUE, KEYS, available_periods, compute_kpis, flagged_rows

CONTRACT_KEYS = (
    "visits clients staff executed_minutes granted_minutes execution_rate manual_share generic_share "
    "median_visit_minutes short_visit_share repeat_share quick_succession_share overlap_share "
    "visits_without_grant_share continuity_clients continuity_mean continuity_median dominant_staff_clients "
    "staff_long_days additional_reports late_additional_reports"
).split()


def test_catalogue_holds_exactly_the_contract_keys():
    assert list(KEYS) == CONTRACT_KEYS
    for k in CATALOGUE:
        assert k.kind in {"count", "share", "minutes", "rate"}
        assert k.worse in {"higher", "lower", None}
        assert k.label_sv and k.description_sv


def test_status_thresholds():
    manual = BY_KEY["manual_share"]
    assert manual.status(0.05) == "green"  # "over 5 %" is yellow, 5 % itself is not
    assert manual.status(0.06) == "yellow"
    assert manual.status(0.11) == "red"
    assert manual.status(0.06, yellow=0.07, red=0.2) == "green"
    assert manual.status(None) is None
    rate = BY_KEY["execution_rate"]
    assert rate.status(0.95) == "green"
    assert rate.status(0.80) == "yellow"
    assert rate.status(0.50) == "red"
    assert BY_KEY["visits"].status(10_000) is None


def test_counts_minutes_month_boundary_double_staffing_generic(loader):
    loader.load(visits=(
        "v1,P1,c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n"
        "v2,P1,c1,s2,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n"  # double staffing: 2nd row
        "v3,P1,c2,,2026-03-02 10:00:00,2026-03-02 10:10:00,manual,B\n"  # generic check-in
        "v4,P1,c3,s1,2026-02-28T23:50:00,2026-03-01T00:20:00,electronic,A\n"  # check-in in February
        "v5,P1,c3,s1,2026-03-31T23:59:00,2026-04-01T00:30:00,electronic,A\n"  # counts in March (31 min)
        "v6,P1,c4,s3,2026-04-01T00:00:00,2026-04-01T00:30:00,electronic,A\n"  # April
        "v7,P2,c1,s1,2026-03-01T08:00:00,2026-03-01T09:00:00,manual,A\n"  # another provider
    ))
    k = loader.kpis()
    assert k["visits"] == 4  # v1, v2, v3, v5
    assert k["clients"] == 3  # c1, c2, c3
    assert k["staff"] == 2  # s1, s2 (v3 generic)
    assert k["executed_minutes"] == pytest.approx(30 + 30 + 10 + 31)
    assert k["median_visit_minutes"] == pytest.approx(30)  # median of 10, 30, 30, 31
    assert k["manual_share"] == pytest.approx(1 / 4)
    assert k["generic_share"] == pytest.approx(1 / 4)
    p2 = loader.kpis(provider="P2")
    assert (p2["visits"], p2["manual_share"], p2["executed_minutes"]) == (1, 1.0, 60.0)
    assert loader.kpis("2026-02")["visits"] == 1
    assert available_periods(loader.data) == ["2026-02", "2026-03", "2026-04"]


def test_short_visit_share(loader):
    loader.load(visits=(
        "v1,P1,c1,s1,2026-03-05T08:00:00,2026-03-05T08:01:59,electronic,A\n"  # 1.98 min: short
        "v2,P1,c2,s1,2026-03-05T09:00:00,2026-03-05T09:02:00,electronic,A\n"  # exactly 2 min: not short
        "v3,P1,c3,s1,2026-03-05T10:00:00,2026-03-05T10:00:00,electronic,A\n"  # 0 min: short
    ))
    assert loader.kpis()["short_visit_share"] == pytest.approx(2 / 3)


def test_repeat_share_across_month_boundary(loader):
    loader.load(visits=(
        "r1,P1,c1,s1,2026-02-28T23:50:00,2026-02-28T23:58:00,electronic,A\n"  # February, only a predecessor
        "r2,P1,c1,s1,2026-03-01T00:03:00,2026-03-01T00:10:00,electronic,A\n"  # 300 s after r1, same set: flag
        "r3,P1,c1,s1,2026-03-01T00:15:01,2026-03-01T00:20:00,electronic,A\n"  # 301 s: no
        "r4,P1,c1,s1,2026-03-01T00:25:00,2026-03-01T00:30:00,electronic,A|B\n"  # services differ: no
        "r5,P1,c1,s1,2026-03-01T00:30:00,2026-03-01T00:40:00,electronic,B | A\n"  # same set, 0 s: flag
        "r6,P1,c1,,2026-03-01T00:41:00,2026-03-01T00:45:00,electronic,A|B\n"  # generic: never flagged
        "r7,P1,c1,s2,2026-03-01T00:41:00,2026-03-01T00:45:00,electronic,A|B\n"  # other staff: no previous
    ))
    assert loader.kpis()["repeat_share"] == pytest.approx(2 / 6)  # r2, r5 of r2..r7
    rows = flagged_rows(loader.data, "2026-03", "P1", "repeat_share")
    assert [r["visit_id"] for r in rows] == ["r2", "r5"]
    assert rows[0]["prev_visit_id"] == "r1"
    assert rows[0]["prev_check_out"] == dt.datetime(2026, 2, 28, 23, 58)


def test_quick_succession_share_across_month_boundary(loader):
    loader.load(visits=(
        "q1,P1,c1,s1,2026-02-28T23:00:00,2026-02-28T23:59:30,electronic,A\n"  # February
        "q2,P1,c2,s1,2026-03-01T00:00:30,2026-03-01T00:10:00,electronic,A\n"  # 60 s, other client: flag
        "q3,P1,c2,s1,2026-03-01T00:11:00,2026-03-01T00:20:00,electronic,A\n"  # same client: no
        "q4,P1,c3,s1,2026-03-01T00:21:01,2026-03-01T00:30:00,electronic,A\n"  # 61 s: no
        "q5,P1,c1,s1,2026-03-01T00:30:00,2026-03-01T00:40:00,electronic,A\n"  # 0 s, other client: flag
        "q6,P1,c2,s2,2026-03-01T00:40:30,2026-03-01T00:50:00,electronic,A\n"  # s2 has no previous row
        "q7,P1,c3,,2026-03-01T00:40:30,2026-03-01T00:50:00,electronic,A\n"  # generic: never flagged
    ))
    k = loader.kpis()
    assert k["quick_succession_share"] == pytest.approx(2 / 6)
    rows = flagged_rows(loader.data, "2026-03", "P1", "quick_succession_share")
    assert [r["visit_id"] for r in rows] == ["q2", "q5"]
    assert rows[0]["prev_visit_id"] == "q1"
    assert rows[0]["prev_check_out"] == dt.datetime(2026, 2, 28, 23, 59, 30)
    assert rows[0]["prev_client"] != rows[0]["client"] and len(rows[0]["client"]) == 32


def test_overlap_share_uses_latest_earlier_check_out(loader):
    loader.load(visits=(
        "o1,P1,c1,s1,2026-03-10T08:00:00,2026-03-10T10:00:00,electronic,A\n"
        "o2,P1,c2,s1,2026-03-10T08:30:00,2026-03-10T08:45:00,electronic,A\n"  # before 10:00: flag
        "o3,P1,c3,s1,2026-03-10T09:00:00,2026-03-10T09:10:00,electronic,A\n"  # flag
        "o4,P1,c1,s1,2026-03-10T09:50:00,2026-03-10T10:05:00,electronic,A\n"  # lag 09:10, max 10:00: flag
        "o5,P1,c2,s1,2026-03-10T10:05:00,2026-03-10T10:20:00,electronic,A\n"  # starts at max 10:05: no
        "o6,P1,c1,s2,2026-03-10T08:00:00,2026-03-10T10:00:00,electronic,A\n"  # double staffing: no
        "o7,P1,c1,,2026-03-10T08:00:00,2026-03-10T10:00:00,electronic,A\n"  # generic: no
        "o8,P1,c2,,2026-03-10T08:10:00,2026-03-10T09:00:00,electronic,A\n"  # generic: no
    ))
    assert loader.kpis()["overlap_share"] == pytest.approx(3 / 8)
    rows = flagged_rows(loader.data, "2026-03", "P1", "overlap_share")
    assert [r["visit_id"] for r in rows] == ["o2", "o3", "o4"]
    assert rows[2]["latest_earlier_check_out"] == dt.datetime(2026, 3, 10, 10, 0)


def test_overlap_with_a_visit_from_the_previous_month(loader):
    loader.load(visits=(
        "a1,P1,c1,s1,2026-02-28T23:00:00,2026-03-01T01:00:00,electronic,A\n"
        "a2,P1,c2,s1,2026-03-01T00:30:00,2026-03-01T00:40:00,electronic,A\n"  # flag, counted in March
    ))
    assert loader.kpis()["overlap_share"] == 1.0
    assert loader.kpis("2026-02")["overlap_share"] == 0.0


def test_grants_proration_execution_rate_and_visits_without_grant(loader):
    loader.load(
        visits=(
            "g1,P1,c1,s1,2026-03-03T08:00:00,2026-03-03T09:00:00,electronic,A\n"  # 60 min
            "g2,P1,c2,s1,2026-03-03T10:00:00,2026-03-03T10:30:00,electronic,A\n"  # c2: grant ended in Feb
            "g3,P1,c3,s1,2026-03-03T11:00:00,2026-03-03T11:30:00,electronic,A\n"  # c3: grant only at P2
            "g4,P1,c4,s1,2026-03-31T11:00:00,2026-03-31T11:10:00,electronic,A\n"  # c4: grant from 31st
            "g5,P3,c1,s9,2026-03-03T11:00:00,2026-03-03T11:10:00,electronic,A\n"  # P3 has no grants
        ),
        grants=(
            "c1,P1,SERV,3100,2026-01-01,\n"  # open: 3100
            "c1,P1,TILL,310,2026-03-11,2026-03-20\n"  # 10 of 31 days: 100
            "c2,P1,SERV,620,2026-02-01,2026-02-28\n"  # not in March: 0
            "c3,P2,SERV,31,2026-01-01,2026-12-31\n"  # P2: 31
            "c4,P1,SERV,310,2026-03-31,2026-04-30\n"  # 1 day: 10
        ),
    )
    k = loader.kpis()
    assert k["granted_minutes"] == pytest.approx(3210)
    assert k["executed_minutes"] == pytest.approx(130)
    assert k["execution_rate"] == pytest.approx(130 / 3210)
    assert k["visits_without_grant_share"] == pytest.approx(2 / 4)  # g2, g3
    p3 = loader.kpis(provider="P3")
    assert p3["execution_rate"] is None and p3["granted_minutes"] == 0
    p2 = loader.kpis(provider="P2")  # grants only: listed, nothing executed
    assert (p2["visits"], p2["granted_minutes"], p2["execution_rate"]) == (0, pytest.approx(31), 0.0)
    assert p2["manual_share"] is None and p2["median_visit_minutes"] is None
    rows = flagged_rows(loader.data, "2026-03", "P1", "visits_without_grant_share")
    assert [r["visit_id"] for r in rows] == ["g2", "g3"]


def _continuity_rows() -> str:
    lines = []
    for day in range(1, 15):
        d = f"2026-03-{day:02d}"
        a_staff = ["s1", "s2", "s3"]
        lines.append(f"a{day}m,P1,cA,{a_staff[day % 3]},{d}T08:00:00,{d}T08:30:00,electronic,A")
        lines.append(f"a{day}e,P1,cA,{a_staff[(day + 1) % 3]},{d}T21:59:00,{d}T22:20:00,electronic,A")
        # cC: one double-staffed visit a day = 2 rows, staff s4 and s5
        lines.append(f"c{day}x,P1,cC,s4,{d}T08:00:00,{d}T08:30:00,electronic,A")
        lines.append(f"c{day}y,P1,cC,s5,{d}T08:00:00,{d}T08:30:00,electronic,A")
        # cB: two rows every day except the 7th, where the second is at 22:30 (outside the window)
        late = "22:30:00" if day == 7 else "12:00:00"
        lines.append(f"b{day}m,P1,cB,s6,{d}T08:00:00,{d}T08:30:00,electronic,A")
        lines.append(f"b{day}e,P1,cB,s6,{d}T{late},{d}T23:00:00,electronic,A")
    lines.append("a1n,P1,cA,s9,2026-03-01T22:00:00,2026-03-01T22:10:00,electronic,A")  # 22:00: outside
    lines.append("a1o,P1,cA,s8,2026-03-01T06:59:59,2026-03-01T07:10:00,electronic,A")  # before 07: outside
    lines.append("a15,P1,cA,s7,2026-03-15T08:00:00,2026-03-15T08:30:00,electronic,A")  # day 15: outside
    lines.append("c1g,P1,cC,,2026-03-01T09:00:00,2026-03-01T09:10:00,electronic,A")  # generic: no staff
    return "\n".join(lines) + "\n"


def test_continuity(loader):
    loader.load(visits=_continuity_rows())
    k = loader.kpis()
    # Eligible: cA (staff s1, s2, s3 = 3) and cC (s4, s5 = 2); cB misses day 7.
    assert k["continuity_clients"] == 2
    assert k["continuity_mean"] == pytest.approx(2.5)
    assert k["continuity_median"] == pytest.approx(2.5)


def test_continuity_undefined_without_eligible_clients(loader):
    loader.load(visits="v1,P1,c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n")
    k = loader.kpis()
    assert k["continuity_clients"] == 0
    assert k["continuity_mean"] is None and k["continuity_median"] is None


def test_dominant_staff_clients(loader):
    lines = []

    def add(client, staff, n, start=0):
        for i in range(start, start + n):
            day, hour = 1 + i % 28, 6 + i // 28
            vid = f"{client}-{staff or 'g'}-{i}"
            lines.append(f"{vid},P1,{client},{staff},2026-03-{day:02d}T{hour:02d}:00:00,"
                         f"2026-03-{day:02d}T{hour:02d}:20:00,electronic,A")

    add("d1", "s1", 18)
    add("d1", "s2", 2, 18)  # 18/20 = 90 %: counted
    add("d2", "s1", 19)  # 19 rows: too few
    add("d3", "s1", 18)
    add("d3", "s2", 3, 18)  # 18/21 = 86 %: no
    add("d4", "s1", 20)
    add("d4", "", 5, 20)  # generic rows do not count: 20/20 with staff
    loader.load(visits="\n".join(lines) + "\n")
    assert loader.kpis()["dominant_staff_clients"] == 2
    rows = flagged_rows(loader.data, "2026-03", "P1", "dominant_staff_clients", limit=1000)
    assert len(rows) == 20 + 20


def test_staff_long_days(loader):
    loader.load(visits=(
        "l1,P1,c1,s1,2026-03-05T06:00:00,2026-03-05T14:00:00,electronic,A\n"  # 480
        "l2,P1,c2,s1,2026-03-05T14:00:00,2026-03-05T22:01:00,electronic,A\n"  # 481: 961 > 960: count
        "l3,P1,c1,s2,2026-03-05T06:00:00,2026-03-05T22:00:00,electronic,A\n"  # exactly 960: no
        "l4,P1,c1,s1,2026-03-06T23:00:00,2026-03-07T16:00:00,electronic,A\n"  # 1020 on the 6th: count
        "l5,P1,c1,s3,2026-02-28T06:00:00,2026-02-28T23:59:00,electronic,A\n"  # February
        "l6,P1,c3,,2026-03-05T00:00:00,2026-03-05T23:00:00,electronic,A\n"  # generic: no staff
    ))
    assert loader.kpis()["staff_long_days"] == 2
    rows = flagged_rows(loader.data, "2026-03", "P1", "staff_long_days")
    assert sorted(r["visit_id"] for r in rows) == ["l1", "l2", "l4"]


def test_additional_reports_and_late_ones(loader):
    loader.load(reports=(
        "r1,P1,c1,sjukhus,2026-03-10,2026-04-05\n"  # date on the 5th: in time
        "r2,P1,c1,sjukhus,2026-03-31,2026-04-05T23:59:00\n"  # timestamp on the 5th: in time
        "r3,P1,c2,sjukhus,2026-03-02,2026-04-06\n"  # late
        "r4,P1,c2,sjukhus,2026-02-28,2026-04-20\n"  # February event
        "r5,P1,c3,resa,2026-03-15,2026-04-06 00:00:01\n"  # late
    ))
    k = loader.kpis()
    assert (k["additional_reports"], k["late_additional_reports"]) == (4, 2)
    assert k["visits"] == 0 and k["manual_share"] is None  # listed because of its reports
    rows = flagged_rows(loader.data, "2026-03", "P1", "late_additional_reports")
    assert [r["report_id"] for r in rows] == ["r3", "r5"]
    assert loader.kpis("2026-02")["late_additional_reports"] == 1


def test_provider_filter_and_empty_data_dir(tmp_path):
    assert compute_kpis(tmp_path / "nothing", "2026-03") == []
    rows = compute_kpis(tmp_path / "nothing", "2026-03", provider_ids=["P1"])
    assert rows[0]["provider_id"] == "P1" and rows[0]["visits"] == 0 and rows[0]["overlap_share"] is None
    assert set(rows[0]) == {"provider_id", *CONTRACT_KEYS}
    with pytest.raises(ValueError):
        compute_kpis(tmp_path, "2026-13")


def test_figures_are_identical_bit_for_bit_whatever_the_summation_order(tmp_path):
    """Stored figures must not change in their last bits when a month is refreshed (issue 7, item 11):
    sums run over integers (seconds) and decimals (granted minutes), so one or two threads – a
    different order of additions – give the same bits."""
    import duckdb

    from foljsam.monthly.engine import storage

    data = tmp_path / "monthly"
    data.mkdir()
    duckdb.sql(f"""COPY (SELECT 'P' || (i % 3) AS provider_id, 'v' || i AS visit_id, 'c' || (i % 5000) AS client,
                   's' || (i % 700) AS staff,
                   TIMESTAMP '2026-03-01' + to_seconds(i * 6) AS check_in,
                   TIMESTAMP '2026-03-01' + to_seconds(i * 6 + 7 + (i * 7919) % 3607) AS check_out,
                   CASE WHEN i % 17 = 0 THEN 'manual' ELSE 'electronic' END AS method, 'A' AS services
                   FROM range(400000) t(i)) TO '{data}/visits.parquet' (FORMAT parquet, ROW_GROUP_SIZE 20000)""")
    duckdb.sql(f"""COPY (SELECT 'P' || (i % 3) AS provider_id, 'c' || i AS client, 'A' AS service_code,
                   (i * 37 % 1000) / 7.0 + 0.1 AS minutes_per_month,
                   DATE '2026-01-01' + CAST(i % 90 AS INTEGER) AS valid_from, NULL::DATE AS valid_to
                   FROM range(5000) t(i)) TO '{data}/grants.parquet' (FORMAT parquet, ROW_GROUP_SIZE 500)""")
    one = compute_kpis(data, "2026-03", con=storage.connect(threads=1))
    two = compute_kpis(data, "2026-03", con=storage.connect(threads=2))
    again = compute_kpis(data, "2026-03", con=storage.connect(threads=2))
    assert one == two == again
    assert one[0]["visits"] > 100_000 and one[0]["granted_minutes"] > 0


def test_looking_back_one_month_gives_the_same_figures_as_all_history(tmp_path, monkeypatch):
    """A month's figures read the month before it, not the whole store (issue 7, item 11): the same
    figures as with all history, on four months with repeats, quick successions and overlaps
    crossing month ends."""
    import duckdb

    from foljsam.monthly.engine import kpis as engine

    data = tmp_path / "monthly"
    data.mkdir()
    duckdb.sql(f"""COPY (SELECT 'P' || (i % 2) AS provider_id, 'v' || i AS visit_id, 'c' || (i % 40) AS client,
                   's' || (i % 3) AS staff,
                   TIMESTAMP '2026-01-01' + to_seconds(i * 1753 + (i % 5) * 290) AS check_in,
                   TIMESTAMP '2026-01-01' + to_seconds(i * 1753 + (i % 5) * 290 + 600 + (i % 7) * 1500) AS check_out,
                   'electronic' AS method, CASE WHEN i % 3 = 0 THEN 'A' ELSE 'B' END AS services
                   FROM range(6000) t(i)) TO '{data}/visits.parquet' (FORMAT parquet)""")
    for period in ("2026-02", "2026-03", "2026-04"):
        monkeypatch.setattr(engine, "LOOKBACK", True)
        bounded = compute_kpis(data, period)
        monkeypatch.setattr(engine, "LOOKBACK", False)
        assert compute_kpis(data, period) == bounded
        assert bounded[0]["overlap_share"] > 0


def test_hashed_person_keys_give_the_pseudonyms_figures_and_fall_back_when_two_share_a_key(loader, monkeypatch):
    """On DuckDB the rows' persons are keyed by a 64-bit hash of their pseudonyms (faster sorts and
    groups) only when no two pseudonyms of the rows share a key; otherwise by the pseudonyms. A key
    that merges people (here every pseudonym's length, 32) is caught and not used."""
    from foljsam.monthly.engine import kpis

    loader.load(visits=_continuity_rows() + (
        "q1,P1,c1,s1,2026-03-20T08:00:00,2026-03-20T08:30:00,electronic,A\n"
        "q2,P1,c2,s1,2026-03-20T08:30:30,2026-03-20T08:40:00,electronic,A\n"  # quick succession: other client
        "q3,P1,c2,s2,2026-03-20T08:39:00,2026-03-20T08:45:00,electronic,A\n"))
    used = []
    real_keys = kpis.DuckDBRunner.keys

    def spy(self, period, provider_ids):
        used.append(real_keys(self, period, provider_ids))
        return used[-1]

    monkeypatch.setattr(kpis.DuckDBRunner, "keys", spy)
    hashed = compute_kpis(loader.data, "2026-03")
    assert used == [kpis.HASH_KEYS]
    monkeypatch.setattr(kpis.DuckDBRunner, "keys", lambda self, period, ids: kpis.IDENTITY_KEYS)
    exact = compute_kpis(loader.data, "2026-03")
    assert hashed == exact  # bit for bit
    assert (exact[0]["clients"], exact[0]["staff"], exact[0]["continuity_clients"]) == (5, 9, 2)  # s1–s9

    merging = {"client_key": "length(v.client)", "staff_key": "CASE WHEN v.staff IS NOT NULL THEN length(v.staff) END",
               "person": ""}
    monkeypatch.setattr(kpis.DuckDBRunner, "keys", lambda self, period, ids: merging)
    assert compute_kpis(loader.data, "2026-03") != exact  # such keys would change the figures …
    monkeypatch.setattr(kpis, "HASH_KEYS", merging)
    used.clear()
    monkeypatch.setattr(kpis.DuckDBRunner, "keys", spy)
    assert compute_kpis(loader.data, "2026-03") == exact  # … so the check refuses them
    assert used == [kpis.IDENTITY_KEYS]
    # Either half is checked: staff merged while the clients' hashes are sound.
    monkeypatch.setattr(kpis, "HASH_KEYS", {**merging, "client_key": "hash(v.client)"})
    used.clear()
    assert compute_kpis(loader.data, "2026-03") == exact and used == [kpis.IDENTITY_KEYS]
    monkeypatch.setattr(kpis, "HASH_KEYS", {**merging, "staff_key": "hash(v.staff)"})
    used.clear()
    assert compute_kpis(loader.data, "2026-03") == exact and used == [kpis.IDENTITY_KEYS]


def test_a_runner_reads_one_generation_for_the_key_check_and_the_figures(loader):
    """The DuckDB runner resolves each stored kind's files once, so an import committing between its key
    check and its figures cannot make them read different rows."""
    from foljsam.monthly.engine import kpis

    loader.load(visits="v1,P1,c1,s1,2026-03-01T08:00:00,2026-03-01T08:30:00,electronic,A\n")
    runner = kpis.DuckDBRunner(None, loader.data, "2026-03")
    before = runner.source("visits")
    loader.load(visits="v2,P1,c1,s1,2026-03-02T08:00:00,2026-03-02T08:30:00,electronic,A\n")
    assert runner.source("visits") == before
    assert kpis.DuckDBRunner(None, loader.data, "2026-03").source("visits") != before


def test_a_stored_row_without_a_client_counts_no_client_with_hashed_keys(loader, monkeypatch):
    """The importer never stores a row without a client, but a store written otherwise may hold one: its
    hashed key is NULL like its pseudonym, so both keyings count the same clients."""
    from foljsam.monthly.engine import kpis, storage

    loader.load(visits="v1,P1,c1,s1,2026-03-02T08:00:00,2026-03-02T09:00:00,manual,A\n"
                       "v2,P1,c2,s1,2026-03-03T08:00:00,2026-03-03T09:00:00,manual,A\n")
    con = storage.connect()
    with storage.transaction(loader.data) as tx:
        tx.write(con, "visits", f"SELECT *, period FROM (SELECT {', '.join(storage.columns('visits'))}, period "
                 f"FROM {storage.table_sql(loader.data, 'visits', with_period=True)} UNION ALL SELECT 'P1', 'v3', "
                 "NULL, 's1', TIMESTAMP '2026-03-04 08:00', TIMESTAMP '2026-03-04 09:00', 'manual', 'A', '2026-03')",
                 rewrite={"2026-03"}, periods=["2026-03"])
    con.close()
    hashed = compute_kpis(loader.data, "2026-03")
    assert hashed[0]["visits"] == 3 and hashed[0]["clients"] == 2
    monkeypatch.setattr(kpis.DuckDBRunner, "keys", lambda self, period, ids: kpis.IDENTITY_KEYS)
    assert compute_kpis(loader.data, "2026-03") == hashed
