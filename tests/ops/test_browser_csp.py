"""Item 10: htmx runs under our CSP without a console error (it would inject an inline <style> otherwise)."""

import pytest

from ..conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_csp_violation_on_pages(world, page):
    messages = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    configured = []
    browser_login(page, "officer")
    for url in ("/", "/utforare/", f"/utforare/{world.provider_a.pk}/"):
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_function("() => window.htmx !== undefined")
        page.wait_for_timeout(100)  # htmx applies its config and styles on DOMContentLoaded
        configured.append(page.evaluate("() => htmx.config.includeIndicatorStyles"))
    assert not [m for m in messages if "Content Security Policy" in m or "Refused to" in m or m.startswith("error")], \
        messages
    assert configured == [False, False, False]
    # The indicator rules htmx would have injected come from our stylesheet.
    opacity = page.evaluate("""() => {
        const el = document.createElement('span'); el.className = 'htmx-indicator'; document.body.append(el);
        const hidden = getComputedStyle(el).opacity;
        document.body.classList.add('htmx-request'); const shown = getComputedStyle(el).visibility;
        document.body.classList.remove('htmx-request'); el.remove(); return [hidden, shown];
    }""")
    assert opacity == ["0", "visible"]
