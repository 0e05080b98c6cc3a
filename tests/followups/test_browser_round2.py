"""Issue 11 in Debian's Chromium with axe: a provider enters a share and a count table, the officer
works through the new assessment page (keys, save as you go, filter, sample audit) and the results
page draws the figures."""

import pytest

from foljsam.followups.models import Status

from ..conftest import browser_login, check_axe
from .conftest import _campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_figures_and_assessment_page(r2, page):
    campaign = _campaign(r2)
    a = campaign.assessments.get(unit__provider=r2.provider_a)
    answers = {x.requirement.key: x.pk for x in a.answers.select_related("requirement")}

    browser_login(page, "alice")
    page.goto(f"/portal/{a.pk}/")
    page.get_by_label("Andel i Lifecare Mobil?").fill("91,5")
    page.get_by_label("Tillsvidare usk").fill("12")
    page.get_by_label("Visstid usk").fill("4")
    for label in ("Finns rutin för munhälsa?", "Finns rutin för hygien?", "Används arbetskläder?"):
        page.get_by_role("group", name=label).get_by_label("Ja").check()
    check_axe(page)
    page.get_by_role("button", name="Skicka in").click()
    page.wait_for_selector("text=Enkäten är inskickad. Tack!")

    page.context.clear_cookies()
    browser_login(page, "officer")
    page.goto(f"/avtalsuppfoljning/bedomning/{a.pk}/")
    check_axe(page)
    # The officer's sample audit of implementation plans.
    sample = page.locator(f"#svar-{answers['stickprov']}")
    sample.get_by_label("Antal granskade").fill("10")
    sample.get_by_label("Uppfyller: I tid").fill("6")
    sample.get_by_label("Uppfyller: Delaktighet").fill("9")
    sample.get_by_role("button", name="Spara stickprovet").click()
    page.wait_for_selector(f"#svar-{answers['stickprov']} >> text=Sparad")
    # Keyboard: 1 = green, 3 = red (with a comment).
    for key in ("munhalsa", "hygien"):
        card = page.locator(f"#svar-{answers[key]}")
        # The previous card's swap settles first: its afterSettle puts the focus back where that save began.
        page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")
        card.get_by_label("Röd – saknas/uppnås ej").focus()
        url = f"/avtalsuppfoljning/svar/{answers[key]}/bedom/"
        with page.expect_response(lambda r, url=url: url in r.url and r.request.method == "POST"):
            page.keyboard.press("1")
        page.wait_for_selector(f"#svar-{answers[key]} >> text=Sparad")
    card = page.locator(f"#svar-{answers['klader']}")
    card.get_by_label("Kommentar Korrekta arbetskläder").fill("Egna byxor används.")
    rate_url = f"/avtalsuppfoljning/svar/{answers['klader']}/bedom/"
    with page.expect_response(lambda r: rate_url in r.url and r.request.method == "POST"):
        page.keyboard.press("Tab")  # leaving the field saves the comment
    page.wait_for_selector(f"#svar-{answers['klader']} >> text=Sparad")
    # The comment's card is swapped in and settled (htmx puts the focus back) before the next key:
    # a "Sparad" already on the card must not stand in for the rating's own save.
    page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")
    card.get_by_label("Grön – finns/uppnås").focus()
    with page.expect_response(lambda r: rate_url in r.url and r.request.method == "POST"):
        page.keyboard.press("3")
    page.wait_for_selector(f"#svar-{answers['klader']} input[value=red]:checked")
    page.wait_for_selector(f"#svar-{answers['klader']} >> text=Sparad")
    page.wait_for_selector("#filter-nav >> text=Röda (1)")
    check_axe(page)
    page.screenshot(path="/tmp/fu-r2-assessment.png", full_page=True)
    page.get_by_role("link", name="Röda (1)").click()
    assert page.locator("article.assess-card").count() == 1
    check_axe(page)
    a.refresh_from_db()
    assert a.status == Status.ASSESSED  # the share, table and sample needed no traffic light
    klader = a.answers.get(requirement__key="klader")
    assert (klader.rating, klader.rating_comment) == ("red", "Egna byxor används.")

    page.goto(f"/avtalsuppfoljning/{campaign.pk}/resultat/")
    assert page.locator("#siffror ~ section svg").count() == 3
    assert page.get_by_role("cell", name="91,5").first.is_visible()
    check_axe(page)
    page.screenshot(path="/tmp/fu-r2-results.png", full_page=True)
