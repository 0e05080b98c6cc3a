"""The demo's 2022 reproduces seed 000's in-depth follow-ups, consistent with its providers table."""

import json

from django.core.management import call_command

from foljsam.audit.context import acting_user
from foljsam.indepth import demo as indepth_demo
from foljsam.registry import demo as registry_demo

SEED_000 = {
    "hemtjanst": {"indepth_followups": 9, "by_trigger": {"signals": 4, "organisation": 3, "external": 2},
                  "terminations": 3},
    "daglig_verksamhet": {"indepth_followups": 2, "by_trigger": {"new_provider": 2}, "terminations": 0},
    "sarskilt_boende": {"indepth_followups": 2, "by_trigger": {"contract_followup": 1, "signals": 1},
                        "terminations": 0},
    "boendestod": {"indepth_followups": 1, "by_trigger": {"new_provider": 1}, "terminations": 0},
}


def test_demo_2022_reproduces_seed_000(db, capsys):
    ctx: dict = {}
    with acting_user(None):
        registry_demo.load(ctx)
        indepth_demo.load(ctx)
    call_command("report", "indepth", "--year", "2022", "--json")
    rows = {r["area"]: r for r in json.loads(capsys.readouterr().out)}
    for area, expected in SEED_000.items():
        got = {k: rows[area][k] for k in expected}
        assert got == expected, area
    others = [r for code, r in rows.items() if code not in SEED_000]
    assert all(r["indepth_followups"] == 0 and r["terminations"] == 0 for r in others)
    assert rows["hemtjanst"]["sanctions"] == 0  # vite came with the 2022 tender; none decided in 2022
    # The terminations ended the contracts on the days the providers table already counts.
    call_command("report", "providers-table", "--year", "2022")
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Hemtjänst"))
    assert line.split()[1:] == ["9", "1", "6", "1"]
