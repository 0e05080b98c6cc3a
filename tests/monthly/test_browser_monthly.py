"""The monthly follow-up in Chromium with a real-shaped export (night visits of 30 September and late
registrations of 1 November in an October file, provider B without rows): upload, the month proposed
and offered, the matrix with only October, drill-down, flagged rows, a red figure turned into a
deviation and plan, the provider's own view – axe on every page."""

import pytest

from foljsam.actions.models import ActionPlan, Deviation

from ..conftest import browser_login, check_axe
from .test_periods import GRANTS, october_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_monthly_paths_with_a_boundary_day_file(world, page, tmp_path):
    # Half of October's visits registered manually: Alfa's manual share is red (50,0 %).
    (tmp_path / "visits.csv").write_text(october_export().replace("electronic,inkop", "manual,inkop"))
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

    # Step one: the files are checked, the months in them offered, the dominant one proposed.
    page.wait_for_selector("text=Vilken månad gäller importen?", timeout=30_000)
    select = page.get_by_label("Månad som importen gäller")
    offered = select.locator("option").all_inner_texts()
    assert offered == ["2026-09 (2 rader)", "2026-10 (40 rader)", "2026-11 (2 rader)"]
    assert select.input_value() == "2026-10"
    check_axe(page)
    page.get_by_role("button", name="Importera", exact=True).click()
    page.wait_for_selector("text=Inga rader för 2026-10 för:", timeout=30_000)
    assert "Beta Hemtjänst AB (P-B)" in page.content()
    check_axe(page)

    # The matrix offers October only; Beta is grey "ingen data", not red.
    page.get_by_role("link", name="Månadsuppföljning").first.click()
    page.wait_for_selector("table.matrix")
    assert page.get_by_label("Månad").locator("option").all_inner_texts() == ["2026-10"]
    assert page.locator("td.grey", has_text="ingen data").count() > 0
    check_axe(page)
    page.get_by_role("link", name="50,0 %").first.click()  # Alfa's manual share
    page.wait_for_selector("text=flaggade rader")
    assert "Andel manuella registreringar: Alfa Omsorg AB, 2026-10" in page.content()
    check_axe(page)
    page.get_by_role("link", name="Skapa avvikelse och åtgärdsplan").click()
    check_axe(page)
    page.get_by_role("button", name="Registrera och begär åtgärdsplan").click()
    page.wait_for_selector("text=Begärd")
    assert ActionPlan.objects.filter(provider=world.provider_a).count() == 1
    assert list(Deviation.objects.values_list("source_ref", flat=True)) == ["monthly:2026-10:manual_share"]

    # The provider page has October only and offers deviations for October only.
    page.goto(f"/manadsuppfoljning/utforare/{world.provider_a.pk}/")
    page.wait_for_selector("table.matrix")
    headers = page.locator("table.matrix thead th").all_inner_texts()
    assert headers == ["Nyckeltal", "2026-10"]
    offers = page.get_by_role("link", name="Skapa avvikelse och åtgärdsplan").all_inner_texts()
    assert offers and all("2026-10" in o for o in offers)
    check_axe(page)
    page.goto("/manadsuppfoljning/troskelvarden/")
    check_axe(page)
    page.goto("/manadsuppfoljning/omfattning/")
    check_axe(page)

    page.context.clear_cookies()
    browser_login(page, "bob")
    page.goto("/manadsuppfoljning/?period=2026-10")
    assert "Beta Hemtjänst AB" in page.content() and "Alfa Omsorg AB" not in page.content()
    assert "ingen data" in page.content()
    check_axe(page)
