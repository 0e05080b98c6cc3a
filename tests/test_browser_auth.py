"""Sign-in pages and the logs in Debian's Chromium, with an axe check of every page."""

import pytest

from foljsam.audit.log import log_access

from .conftest import PASSWORD, browser_login, check_axe
from .test_totp import code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_with_the_municipal_button_and_a_second_factor(world, page, settings):
    settings.OIDC_ENABLED = True
    settings.TOTP_REQUIRED_ROLES = ["officer"]
    page.goto("/konto/logga-in/")
    assert page.get_by_role("link", name="Logga in med kommunens konto").is_visible()
    check_axe(page)
    page.screenshot(path=str(settings.DATA_DIR / "login.png"))
    page.get_by_label("Användarnamn").fill("officer")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_selector("h1:has-text('Tvåstegsverifiering')")
    assert page.get_by_role("img", name="QR-kod för autentiseringsappen").is_visible()
    check_axe(page)
    page.screenshot(path=str(settings.DATA_DIR / "totp.png"))
    secret = page.locator("code").inner_text()
    page.get_by_label("Engångskod").fill(code(secret))
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_selector("text=Logga ut")


def test_admin_reads_the_audit_and_access_logs(world, page, settings):
    log_access(user=world.officer, provider=world.provider_a, what="Flaggade rader: Manuell kvittens",
               period="2026-03", rows=12)
    browser_login(page, "admin")
    page.goto("/logg/")
    page.wait_for_selector("td:has-text('Visning av radnivådata')")
    check_axe(page)
    page.screenshot(path=str(settings.DATA_DIR / "log.png"), full_page=True)
    page.get_by_role("link", name="Åtkomstlogg för radnivådata").click()
    page.wait_for_selector("h1:has-text('Åtkomstlogg')")
    page.get_by_label("Utförare").select_option(label="Alfa Omsorg AB")
    page.get_by_role("button", name="Filtrera").click()
    page.wait_for_selector("td:has-text('Flaggade rader: Manuell kvittens')")
    check_axe(page)
    page.screenshot(path=str(settings.DATA_DIR / "access.png"), full_page=True)
