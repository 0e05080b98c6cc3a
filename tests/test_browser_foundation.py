"""Main paths of the foundation in Debian's Chromium, with an axe check of every page visited."""

import pytest

from foljsam.actions import services
from foljsam.actions.models import Source

from .conftest import browser_login, check_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_and_provider_paths(world, page):
    deviation = services.deviation_create(
        provider=world.provider_a, by=world.officer, source=Source.SIGNAL, requirement="Nyckelhantering",
        text="Kvittens saknas.",
    )
    browser_login(page, "officer")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.wait_for_selector("h1")
    assert "Att göra" in page.inner_text("h1")
    check_axe(page)

    page.get_by_role("link", name="Utförare", exact=True).first.click()
    page.wait_for_selector("text=Alfa Omsorg AB")
    check_axe(page)
    page.get_by_role("link", name="Alfa Omsorg AB").click()
    page.wait_for_selector("h1:has-text('Alfa Omsorg AB')")
    check_axe(page)

    page.goto(f"/avvikelser/{deviation.pk}/")
    check_axe(page)
    page.get_by_role("link", name="Begär åtgärdsplan").click()
    page.get_by_label("Rubrik").fill("Nyckelhantering")
    check_axe(page)
    page.get_by_role("button", name="Skicka begäran").click()
    page.wait_for_selector("text=Begärd")
    check_axe(page)

    # The provider's user answers.
    page.context.clear_cookies()
    browser_login(page, "alice")
    page.get_by_role("link", name="Nyckelhantering").click()
    page.get_by_label("Åtgärder och tidplan").fill("Digital nyckelhantering införs.")
    check_axe(page)
    page.get_by_role("button", name="Skicka in").click()
    page.wait_for_selector("text=Inskickad")

    # Back to the officer, who approves.
    page.context.clear_cookies()
    browser_login(page, "officer")
    page.get_by_role("link", name="Alfa Omsorg AB: Nyckelhantering").first.click()
    page.get_by_role("button", name="Godkänn").click()
    page.wait_for_selector("text=Godkänd")
    check_axe(page)

    page.goto("/rapporter/utforartabell/?year=2022")
    check_axe(page)
    assert page.locator("td.num").count() > 0


def test_login_page_is_accessible_and_rejects_bad_password(world, page):
    page.goto("/konto/logga-in/")
    check_axe(page)
    browser_login(page, "officer", "wrong-password")
    assert page.get_by_role("alert").is_visible()
