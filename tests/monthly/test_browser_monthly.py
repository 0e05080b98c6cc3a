"""The monthly follow-up in Chromium: upload with progress, matrix, drill-down, flagged rows,
a red figure turned into a deviation and plan, the provider's own view – axe on every page."""

import pytest

from foljsam.actions.models import ActionPlan

from ..conftest import browser_login, check_axe
from .test_monthly_app import GRANTS, VISITS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_monthly_paths(world, page, tmp_path):
    (tmp_path / "visits.csv").write_text(VISITS)
    (tmp_path / "grants.csv").write_text(GRANTS)
    browser_login(page, "officer")
    page.get_by_role("link", name="Månadsuppföljning").first.click()
    page.wait_for_selector("h1")
    check_axe(page)
    page.get_by_role("link", name="Importera månadens data").click()
    page.get_by_label("Besök (visits)").set_input_files(str(tmp_path / "visits.csv"))
    page.get_by_label("Beviljade insatser (grants)").set_input_files(str(tmp_path / "grants.csv"))
    check_axe(page)
    page.get_by_role("button", name="Importera").click()
    page.wait_for_selector("text=Klar", timeout=30_000)  # polled by HTMX until the import is done
    assert "Avvisade rader" in page.content()
    check_axe(page)

    page.goto("/manadsuppfoljning/?period=2026-03")
    check_axe(page)
    cell = page.get_by_role("link", name="33,3 %").first  # Alfa's manual share, red
    cell.click()
    page.wait_for_selector("text=flaggad rad")
    check_axe(page)
    page.get_by_role("link", name="Skapa avvikelse och åtgärdsplan").click()
    check_axe(page)
    page.get_by_role("button", name="Registrera och begär åtgärdsplan").click()
    page.wait_for_selector("text=Begärd")
    assert ActionPlan.objects.filter(provider=world.provider_a).count() == 1

    page.goto(f"/manadsuppfoljning/utforare/{world.provider_a.pk}/")
    page.wait_for_selector("svg")
    check_axe(page)
    page.goto("/manadsuppfoljning/troskelvarden/")
    check_axe(page)

    page.context.clear_cookies()
    browser_login(page, "bob")
    page.goto("/manadsuppfoljning/?period=2026-03")
    assert "Beta Hemtjänst AB" in page.content() and "Alfa Omsorg AB" not in page.content()
    check_axe(page)
