"""Issue 11, "Done when": a unit manager answers and fact-checks only their unit, in Debian's Chromium
with axe on every page. Provider A has two units; the manager is bound to unit 1 only."""

import pytest
from django.utils import timezone

from foljsam.accounts.models import Role, User
from foljsam.followups import services
from foljsam.followups.models import Answer, Assessment, Status
from foljsam.registry.models import Unit

from ..conftest import PASSWORD, browser_login, check_axe
from .conftest import rate_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_units(sent):
    unit2 = Unit.objects.create(provider=sent.provider_a, area=sent.area, name="Alfa Omsorg AB enhet 2")
    sent.a2 = Assessment.objects.create(campaign=sent.campaign, unit=unit2, status=Status.SENT,
                                        sent_at=timezone.now())
    for answer in sent.a.answers.all():
        Answer.objects.create(assessment=sent.a2, requirement=answer.requirement)
    sent.manager = User.objects.create_user(username="chef", password=PASSWORD, role=Role.PROVIDER,
                                            provider=sent.provider_a, email="chef@example.org")
    sent.manager.units.set([sent.a.unit])
    return sent


def test_unit_manager_answers_and_factchecks_only_their_unit(two_units, page):
    w = two_units
    browser_login(page, "chef")
    page.goto("/portal/")
    portal = page.locator("main").inner_text()
    assert "Alfa Omsorg AB enhet 1" in portal and "Alfa Omsorg AB enhet 2" not in portal
    check_axe(page)

    # The other unit of the same provider does not exist for the manager.
    assert page.goto(f"/portal/{w.a2.pk}/").status == 404

    # The manager answers the own unit's survey and submits it.
    page.goto(f"/portal/{w.a.pk}/")
    page.wait_for_selector("h1:has-text('Avtalsuppföljning')")
    for radio in page.locator("input[type=radio][value=ja]").all():
        radio.check()
    page.get_by_label("Hur ofta gör ni egenkontroller?").fill("Varje månad.")
    check_axe(page)
    page.get_by_role("button", name="Skicka in").click()
    page.wait_for_selector("text=Enkäten är inskickad. Tack!")
    check_axe(page)
    w.a.refresh_from_db()
    w.a2.refresh_from_db()
    assert w.a.status == Status.SUBMITTED and w.a2.status == Status.SENT

    # The officer rates and sends the draft for fact-check (services; the officer's page has its own test).
    rate_all(w.a, w.officer, {"Egenkontroll": "yellow"})
    services.factcheck_send(assessment=w.a, by=w.officer)

    # The manager fact-checks the own unit; the other unit's fact-check is out of reach.
    page.goto(f"/portal/{w.a.pk}/")
    page.get_by_label("Er kommentar till bedömningen av ”Egenkontroll”").fill("Vi gör egenkontroll varje månad.")
    check_axe(page)
    page.get_by_role("button", name="Lämna sakgranskningen").click()
    page.wait_for_selector("text=Sakgranskningen är lämnad till förvaltningen.")
    check_axe(page)
    assert page.request.post(f"/portal/{w.a2.pk}/sakgranskning/").status in (403, 404)
    w.a.refresh_from_db()
    assert w.a.answers.filter(factcheck_comment="Vi gör egenkontroll varje månad.").exists()
