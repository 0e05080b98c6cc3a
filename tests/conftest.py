"""Shared fixtures: the three people every view is tested with (healthchecks' hc/test.py
style) – an officer, a user of provider A, a user of provider B – plus a reader and an admin."""

import os
from datetime import date

import pytest

from foljsam.accounts.models import Role, User
from foljsam.registry.models import Area, Board, Contract, ContractForm, Ownership, Procurement, Provider, Sector, Unit

PASSWORD = "correct-horse-battery"


def pytest_configure(config):
    # A fast hasher for the suite: PBKDF2 costs ~0.5 s per user, and every fixture world makes five.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks run in the caller (tests/ops/test_worker.py runs the real worker process).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.MEDIA_ROOT = settings.DATA_DIR / "uploads"


@pytest.fixture(autouse=True)
def _empty_cache():
    # The process-local cache outlives a test's rolled-back transaction: on SQLite the next test can
    # reach the same data version (foljsam/datacache.py) with other data, so each test starts empty.
    from django.core.cache import cache

    from foljsam import datacache

    cache.clear()
    datacache.forget()


@pytest.fixture
def world(db):
    """A tiny municipality: one board, home care, providers A and B with a unit and contract each."""
    # The standard areas come with the migrations (registry 0002); a flushed database has none.
    board = Board.objects.get_or_create(name="Vård- och omsorgsnämnden")[0]
    area = Area.objects.update_or_create(code="hemtjanst", defaults=dict(
        name="Hemtjänst", board=board, procurement=Procurement.LOV, sector=Sector.ELDERLY, monthly_followup=True))[0]
    a = Provider.objects.create(code="P-A", name="Alfa Omsorg AB", ownership=Ownership.PRIVATE,
                                org_number="556000-0001")
    b = Provider.objects.create(code="P-B", name="Beta Hemtjänst AB", ownership=Ownership.PRIVATE,
                                org_number="556000-0002")
    for p in (a, b):
        Contract.objects.create(provider=p, area=area, form=ContractForm.LOV, start=date(2020, 1, 1))
        Unit.objects.create(provider=p, area=area, name=f"{p.name} enhet 1")

    def user(username, role, provider=None):
        return User.objects.create_user(username=username, password=PASSWORD, role=role, provider=provider,
                                        email=f"{username}@example.org")

    class World:
        pass

    w = World()
    w.board, w.area, w.provider_a, w.provider_b = board, area, a, b
    w.officer = user("officer", Role.OFFICER)
    w.admin = user("admin", Role.ADMIN)
    w.reader = user("reader", Role.READER)
    w.user_a = user("alice", Role.PROVIDER, a)
    w.user_b = user("bob", Role.PROVIDER, b)
    return w


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Browser tests -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium); .ci/run installs it")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="sv-SE", base_url=live_server.url)
    p = context.new_page()
    yield p
    context.close()


def check_axe(page, *, ignore=()):
    """Run axe-core on the current page; fail on WCAG 2.1 A/AA violations."""
    with open(AXE, encoding="utf-8") as fh:
        # evaluate() goes through DevTools, so our Content-Security-Policy need not allow it.
        page.evaluate(fh.read() + "\n;undefined")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    violations = [v for v in result["violations"] if v["id"] not in ignore]
    details = [
        f"{v['id']}: {v['help']} – {[n['target'] for n in v['nodes']][:3]}" for v in violations
    ]
    assert not violations, f"axe violations on {page.url}:\n" + "\n".join(details)


def browser_login(page, username, password=PASSWORD):
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def statuses(client, url, people: dict, method: str = "get", data=None) -> dict:
    """{name: status code} of one request made as each person (None = anonymous)."""
    got = {}
    for name, person in people.items():
        client.logout()
        if person is not None:
            client.force_login(person)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        got[name] = response.status_code
    client.logout()
    return got


def people_of(world, *names: str) -> dict:
    """{"officer": world.officer, …, "anon": None} for `statuses`."""
    return {name: (None if name == "anon" else getattr(world, name)) for name in names}
