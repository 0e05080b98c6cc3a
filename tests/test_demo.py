"""The demo municipality (`foljsam demo`): what each part of it shows.

The demo is loaded once for this module (about a minute on PostgreSQL on a 2-core machine) inside a
transaction that is rolled back after the last test; each test runs in a savepoint within it (pytest-django's
`db`), so a test's own writes do not reach the next one. How long the load takes is measured by
bench/demo.py, not asserted here (no timing assertions in tests).
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from foljsam.followups import selectors
from foljsam.followups.models import Campaign, Status
from foljsam.registry.models import Provider
from tests.ops.test_hostile_input import check_no_500_for_hostile_paths_and_query_parameters

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once, with a data directory of its own; rolled back after the module."""
    data = tmp_path_factory.mktemp("demo") / "data"
    data.mkdir()
    with override_settings(DATA_DIR=data, MEDIA_ROOT=data / "uploads"), django_db_blocker.unblock(), \
            transaction.atomic():
        try:
            call_command("demo", stdout=io.StringIO())
            yield data
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def _data_dir(demo_data, settings):
    """Replaces conftest's per-test data directory: the tests read the demo's store."""
    settings.DATA_DIR = demo_data
    settings.MEDIA_ROOT = demo_data / "uploads"


@pytest.fixture
def demo(db, _data_dir, demo_data):
    return demo_data


def test_demo_loads_campaigns(demo):
    finished, previous, current = (Campaign.objects.order_by("-year")[i] for i in (1, 2, 0))
    assert finished.assessments.filter(status=Status.FINAL).count() == finished.assessments.count() == 16
    assert previous.assessments.filter(status=Status.FINAL).count() == 16
    table = selectors.share_table(finished)
    assert table["previous"] == previous
    assert all(row["now"]["share"] is not None and row["before"]["share"] is not None for row in table["rows"])
    statuses = set(current.assessments.values_list("status", flat=True))
    assert {Status.SENT, Status.OPENED, Status.SUBMITTED, Status.FACTCHECK} <= statuses
    assert selectors.summary(finished)["with_plan"] > 0
    # The demo's unit manager is bound to one own unit and sees only its assessments.
    from foljsam.accounts.models import User
    from foljsam.accounts.policy import visible
    from foljsam.followups.models import Assessment

    manager = User.objects.get(username="enhetschef")
    units = {a.unit_id for a in visible(manager, Assessment.objects.all())}
    assert units == set(manager.units.values_list("pk", flat=True)) and len(units) == 1


def test_demo_shows_night_patrol_figures_and_sample_audit(demo, client):
    """Issue 11 "done when": seed 002's units incl. the night patrol, the figures-only area and the
    sample audit, shown on the results page."""
    from django.urls import reverse

    from foljsam.accounts.models import User

    finished = Campaign.objects.order_by("-year")[1]
    night = finished.assessments.get(unit__name__endswith="Natten")
    asked = set(night.answers.values_list("requirement__title", flat=True))
    assert not asked & {"Rutin för munhälsa", "Egna medel", "Viktförändringar/nutrition", "Livsmedelshantering"}
    client.force_login(User.objects.filter(role="officer").first())
    html = client.get(reverse("followups:results", args=[finished.pk])).content.decode()
    assert "Stickprov genomförandeplaner" in html and "Lifecare Mobil" in html and "Anställningsform" in html
    assert html.count("<svg") == 5  # three shares, the count table, the sample audit
    assert client.get(reverse("followups:assessment", args=[night.pk])).status_code == 200


def test_demo_reproduces_seed_000_table(demo, capsys):
    call_command("report", "providers-table", "--year", "2022")
    out = capsys.readouterr().out
    expected = {
        "Hemtjänst": "9 1 6 1", "Särskilt boende för äldre": "44 5 47 5", "Daglig verksamhet": "30 17 35 17",
        "Korttidsvistelse": "15 1 13 1", "Ledsagar- och avlösarservice": "3 1 4 1", "Boendestöd": "3 1 3 1",
    }
    for area, numbers in expected.items():
        line = next(line for line in out.splitlines() if line.startswith(area))
        assert " ".join(line[len(area):].split()) == numbers, line
    # Loading again changes nothing.
    count = Provider.objects.count()
    call_command("demo")
    assert Provider.objects.count() == count


# The yearly report and plan.
# Seed 001, "Tidsplan för kvalitetsundersökningar".
SEED_001_QUALITY = {("daglig_verksamhet", 2024), ("korttidsvistelse", 2024), ("boendestod", 2025),
                    ("ledsagar_avlosarservice", 2025), ("hemtjanst", 2026), ("sarskilt_boende", 2026)}
# Seed 001, LOU framework agreements: follow-ups per year, and each agreement's year.
SEED_001_LOU_PER_YEAR = {2024: 5, 2025: 6, 2026: 5}
SEED_001_LOU = {
    "lou_jourhem": 2024, "lou_hvb_barn": 2024, "lou_skyddat_boende": 2024, "lou_sabo_under65_psyk": 2024,
    "lou_sabo_under65_som": 2024, "lou_dagbehandling": 2025, "lou_familjebehandling": 2025,
    "lou_stodboende_unga": 2025, "lou_nattharbarge": 2025, "lou_gruppbostad_lss": 2025, "lou_stodboende_vuxna": 2025,
    "lou_dygnet_runt_beroende": 2026, "lou_over65": 2026, "lou_dygnet_runt_psyk": 2026, "lou_bostad_lss": 2026,
    "lou_ledsagning_syn": 2026,
}
# Seed 000: in-depth follow-ups per area 2022.
SEED_000_INDEPTH = {"hemtjanst": 9, "daglig_verksamhet": 2, "sarskilt_boende": 2, "boendestod": 1}
SEED_000_TABLE = {"hemtjanst": (9, 1, 6, 1), "sarskilt_boende": (44, 5, 47, 5), "daglig_verksamhet": (30, 17, 35, 17),
                  "korttidsvistelse": (15, 1, 13, 1), "ledsagar_avlosarservice": (3, 1, 4, 1),
                  "boendestod": (3, 1, 3, 1)}


def _providers_rows(doc):
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Verksamhet"
                 and t.rows[0].cells[1].text == "1 januari privata")
    return {r.cells[0].text: tuple(int(c.text) for c in r.cells[1:]) for r in table.rows[1:]}


def _json(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_demo_yearly_report_and_plan(demo, tmp_path):
    report = _json("report", "yearly", "--year", "2022", "--format", "json")
    assert {a["area"]: a["indepth_followups"] for a in report["areas"] if a["indepth_followups"]} == SEED_000_INDEPTH
    assert {a["area"]: a["monthly_action_plans"] for a in report["areas"] if a["monthly_action_plans"]} == {
        "hemtjanst": 11}
    assert {r["area"]: (r["jan_private"], r["jan_own"], r["dec_private"], r["dec_own"])
            for r in report["providers_table"]} == SEED_000_TABLE
    assert len(report["quality_studies"][0]["recommendations"]) == 4

    # The same report as Word and PDF: seed 000's providers table read back, the charts as pictures.
    from docx import Document

    from foljsam.registry.models import Area

    docx = tmp_path / "r.docx"
    call_command("report", "yearly", "--year", "2022", "--format", "docx", "--output", str(docx), stdout=io.StringIO())
    doc = Document(str(docx))
    names = dict(Area.objects.values_list("name", "code"))
    assert {names[k]: v for k, v in _providers_rows(doc).items()} == SEED_000_TABLE
    assert len(doc.inline_shapes) >= 1
    assert "11 åtgärdsplaner" in " ".join(p.text for p in doc.paragraphs)
    pdf = tmp_path / "r.pdf"
    call_command("report", "yearly", "--year", "2022", "--format", "pdf", "--output", str(pdf), stdout=io.StringIO())
    assert pdf.read_bytes().startswith(b"%PDF-")

    # The quality report of 2022: seed 003's deviations table from the demo's signals register.
    quality = _json("report", "quality", "--year", "2022", "--format", "json")
    assert quality["deviations"]["totals"] == {"lex_sarah": 1, "internal": 0, "complaints": 15, "comments": 0,
                                               "total": 16}
    assert quality["sections"]["inledning"]["version"] == 1

    # A finished contract follow-up: home care two years back (the demo's first finished campaign).
    from django.utils import timezone

    finished = _json("report", "yearly", "--year", str(timezone.localdate().year - 2), "--format", "json")
    cf = next(a for a in finished["areas"] if a["area"] == "hemtjanst")["contract_followup"]
    assert cf["units"] == cf["final"] == 16
    assert cf["with_action_plan"] > 0 and cf["deviation_areas"]
    assert cf["share_meeting_all"] == round(100 * cf["meeting_all"] / 16, 1)

    plan = _json("plan", "--year", "2024", "--json")
    assert {r["year"] for r in plan} == {2024, 2025, 2026}
    assert {(r["area"], r["year"]) for r in plan if r["kind"] == "quality_study"} == SEED_001_QUALITY
    lou = [r for r in plan if r["kind"] == "contract_followup" and r["area"].startswith("lou_")]
    assert {y: sum(1 for r in lou if r["year"] == y) for y in (2024, 2025, 2026)} == SEED_001_LOU_PER_YEAR
    assert {r["area"]: r["year"] for r in lou} == SEED_001_LOU and len(lou) == len(SEED_001_LOU)
    lov_2024 = {r["area"] for r in plan if r["kind"] == "contract_followup" and r["year"] == 2024
                and not r["area"].startswith("lou_")}
    assert {"hemtjanst", "sarskilt_boende", "boendestod", "ledsagar_avlosarservice", "daglig_verksamhet",
            "korttidsvistelse", "familjeradgivning", "gruppbostad_entreprenad"} <= lov_2024
    assert {(r["area"], r["year"]) for r in plan if r["kind"] == "monthly_followup"} == {
        ("hemtjanst", 2024), ("hemtjanst", 2025), ("hemtjanst", 2026)}
    assert [r["provider"] for r in plan if r["kind"] == "indepth_followup"] == ["HT-KVARNEN"]
    # The demo's home-care campaigns realise their plan items.
    assert all(r["realised"] for r in plan if r["kind"] == "contract_followup" and r["area"] == "hemtjanst")


def test_no_500_for_hostile_paths_and_query_parameters(demo):
    """Every URL with hostile values in its path and query, as each kind of user (tests/ops/test_hostile_input.py)."""
    check_no_500_for_hostile_paths_and_query_parameters()
