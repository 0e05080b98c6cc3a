"""axe on the planning, meeting, study and overview pages, as an officer and as a provider user."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from foljsam.overview import services as overview
from foljsam.planning import services
from foljsam.planning.models import PlanItem
from foljsam.registry.models import Unit

from ..conftest import browser_login, check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_pass_axe(world, page):
    w = world
    services.plan_generate(year=2024, by=w.officer)
    meeting = services.meeting_create(by=w.officer, title="Dialogmöte", areas=[w.area], place="Sal 3",
                                      starts_at=datetime(2030, 5, 1, 13, tzinfo=timezone.get_current_timezone()))
    services.agreed_action_add(by=w.officer, meeting=meeting, text="Mall", owner="Ulla", due=date(2030, 6, 1))
    study = services.study_save(by=w.officer, areas=[w.area], units=Unit.objects.all(), year=2024, theme="Bemötande",
                                recommendations=["Tydliga roller"])
    overview.narrative_request(by=w.officer, area=w.area, year=2024)

    browser_login(page, "officer")
    for url in (f"/plan/{PlanItem.objects.first().pk}/", "/dialogmoten/", "/dialogmoten/nytt/",
                f"/dialogmoten/{meeting.pk}/", "/kvalitetsundersokningar/", "/kvalitetsundersokningar/ny/",
                f"/kvalitetsundersokningar/{study.pk}/", "/utforaroversikt/?omrade=hemtjanst&ar=2024",
                "/utforaroversikt/import/", "/kvalitetsberattelser/"):
        page.goto(url)
        check_axe(page)
    page.goto(f"/dialogmoten/{meeting.pk}/")
    page.get_by_label("Deltog: Alfa Omsorg AB").check()
    page.get_by_role("button", name="Spara närvaro").click()
    page.wait_for_selector("text=Närvaron är sparad.")
    # The agreed action is marked done from the page; who and when show in its row.
    page.locator("tr", has_text="Mall").get_by_role("button", name="Markera som klar").click()
    page.wait_for_selector("text=Åtgärden är markerad som klar.")
    check_axe(page)
    assert "Klar – markerad av officer" in page.locator("tr", has_text="Mall").inner_text()
    page.screenshot(path="/tmp/yearly-meeting.png", full_page=True)

    page.context.clear_cookies()
    browser_login(page, "alice")
    check_axe(page)
    page.get_by_role("link", name="Kvalitetsberättelse 2024").click()
    page.get_by_label("Personal").fill("Hälften av personalen är undersköterskor.")
    check_axe(page)
    page.get_by_role("button", name="Lämna in").click()
    page.wait_for_selector("text=Kvalitetsberättelsen är inlämnad.")
    check_axe(page)
    for url in ("/dialogmoten/", f"/dialogmoten/{meeting.pk}/", f"/kvalitetsundersokningar/{study.pk}/",
                "/utforaroversikt/?omrade=hemtjanst&ar=2024"):
        page.goto(url)
        check_axe(page)
        if url == f"/dialogmoten/{meeting.pk}/":  # the invited provider reads that it is done, without a button
            assert "Klar – markerad av officer" in page.locator("tr", has_text="Mall").inner_text()
            assert page.get_by_role("button", name="Markera som klar").count() == 0
    page.screenshot(path="/tmp/yearly-overview-provider.png", full_page=True)
