"""The monthly matrix with 15 providers on a 1366 px laptop screen, and the flagged rows' table,
in Chromium with axe (scrollable regions must be reachable by keyboard)."""

from datetime import date

import pytest

from foljsam.monthly.engine.kpis import CATALOGUE
from foljsam.monthly.models import KpiSnapshot
from foljsam.registry.models import Contract, ContractForm, Ownership, Provider

from ..conftest import browser_login, check_axe
from .test_monthly_app import GRANTS, VISITS, _import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fifteen_providers(world):
    for i in range(15):
        p = Provider.objects.create(code=f"P{i:02d}", name=f"Hemtjänstbolaget Nummer {i:02d} i Mellanstaden AB",
                                    ownership=Ownership.PRIVATE)
        Contract.objects.create(provider=p, area=world.area, form=ContractForm.LOV, start=date(2020, 1, 1))
        values = {k.key: (0.2 if i % 4 == 0 else 0.01) if k.kind in ("share", "rate") else 1234 for k in CATALOGUE}
        KpiSnapshot.objects.create(provider=p, period="2026-10", values={"provider_id": p.code, **values})


def test_matrix_of_fifteen_providers_at_1366_px(world, page, tmp_path):
    _fifteen_providers(world)
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, "officer")
    page.goto("/manadsuppfoljning/?period=2026-10")
    region = page.get_by_role("region", name="Matris, rullbar")
    region.wait_for()
    check_axe(page)
    page.screenshot(path=str(tmp_path / "matrix.png"), full_page=True)
    # The page itself does not scroll sideways; the matrix scrolls inside its region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    sizes = region.evaluate("el => [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]")
    assert sizes[0] > sizes[1]
    first_cell = page.get_by_role("rowheader", name="Besök", exact=True)
    header = page.get_by_role("columnheader", name="Hemtjänstbolaget Nummer 00 i Mellanstaden AB", exact=True)

    def offset(locator):  # position within the region (the page may scroll as well)
        box, wrap = locator.bounding_box(), region.bounding_box()
        return box["x"] - wrap["x"], box["y"] - wrap["y"]

    left_before, top_before = offset(first_cell)[0], offset(header)[1]
    # No provider name is cut: every header cell holds its text without overflowing.
    clipped = page.evaluate("[...document.querySelectorAll('.matrix-wrap thead th')]"
                            ".filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.textContent)")
    assert clipped == []
    # Keyboard: the region takes focus and the arrow keys scroll it.
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; el.scrollTop = el.scrollHeight; }")
    page.wait_for_function("document.querySelector('.matrix-wrap').scrollLeft > 0")
    # Sticky: the figure names stay at the left edge and the provider names on top.
    assert offset(first_cell)[0] == pytest.approx(left_before, abs=1)
    assert sizes[2] > sizes[3]  # 20 figures do not fit a 768 px screen: the region scrolls down as well
    assert 0 <= offset(header)[1] <= 3 < top_before  # the caption scrolled away, the header row stays on top
    last = page.get_by_role("columnheader", name="Hemtjänstbolaget Nummer 14 i Mellanstaden AB")
    box, wrap = last.bounding_box(), region.bounding_box()
    assert box["x"] + box["width"] <= wrap["x"] + wrap["width"] + 1  # the last provider is reachable
    page.screenshot(path=str(tmp_path / "matrix-scrolled.png"))
    # Printed from the browser (print.css, media="print"): the region prints whole, nothing sticks.
    page.emulate_media(media="print")
    assert region.evaluate("el => getComputedStyle(el).overflow") == "visible"
    assert first_cell.evaluate("el => getComputedStyle(el).position") == "static"
    assert page.locator("header.site-header").is_hidden()


def test_flagged_rows_region_is_keyboard_focusable(world, page, tmp_path):
    _import(tmp_path, visits=VISITS, grants=GRANTS)
    page.set_viewport_size({"width": 800, "height": 768})  # narrow enough for the table to scroll sideways
    browser_login(page, "officer")
    page.goto(f"/manadsuppfoljning/utforare/{world.provider_a.pk}/2026-03/manual_share/")
    page.wait_for_selector("text=flaggad rad")
    check_axe(page)  # includes scrollable-region-focusable, which failed here
    region = page.get_by_role("region", name="Flaggade rader, rullbar tabell")
    assert region.get_attribute("tabindex") == "0"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # the case axe checks
