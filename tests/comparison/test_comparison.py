"""Kolada import, publication with suppression, the public page /jamfor/ and officer pages."""

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import get_resolver

from foljsam.comparison import services
from foljsam.comparison.models import KoladaValue, Publication
from foljsam.monthly.models import KpiSnapshot

from ..conftest import people_of, statuses

RECORDED = Path(__file__).parent / "recorded"
OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, 302


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


class Recorded:
    """Serves the recorded Kolada answers in page order, as urlopen would; remembers the URLs asked."""

    def __init__(self, *names):
        self.pages = [(RECORDED / n).read_bytes() for n in names]
        self.urls = []

    def __call__(self, url, timeout=None):
        self.urls.append(url)
        return io.BytesIO(self.pages[len(self.urls) - 1])


def _snap(provider, period, **values):
    return KpiSnapshot.objects.create(provider=provider, period=period, values=values)


def test_parse_recorded_answer():
    rows = services.parse_kolada(json.loads((RECORDED / "u21401_0126_2024_p2.json").read_text()))
    assert [(r["kpi"], r["municipality"], r["ou"], r["gender"], r["value"]) for r in rows] == [
        ("U21401", "0180", "", "T", 17.0),
        ("U21468", "", "V15E012600101", "T", 91.0),
        ("U21468", "", "V15E012600101", "K", 90.0),
        ("U21468", "", "V15E012600101", "M", None),
    ]


@pytest.mark.parametrize("payload", [[], {"values": "x"}, {"values": [{"kpi": "DROP TABLE", "period": 2024,
                                                                       "values": []}]},
                                     {"values": [{"kpi": "U21401", "period": "år", "values": []}]}])
def test_parse_refuses_what_is_not_kolada(payload):
    with pytest.raises(ValidationError) as exc:
        services.parse_kolada(payload)
    assert exc.value.code == "kolada_format"


@pytest.mark.django_db
def test_fetch_follows_pages_and_import_is_idempotent():
    opener = Recorded("u21401_0126_2024_p1.json", "u21401_0126_2024_p2.json")
    rows = services.kolada_fetch(kpi="U21401", municipality="0126", year=2024, opener=opener)
    assert opener.urls[0] == "https://api.kolada.se/v3/data/kpi/U21401/municipality/0126/year/2024"
    assert opener.urls[1].endswith("page=2") and len(rows) == 6
    services.kolada_import(rows=rows)
    services.kolada_import(rows=rows)
    assert KoladaValue.objects.count() == 6
    assert KoladaValue.objects.get(kpi="U21401", municipality="0000", year=2024).value == 16.0


@pytest.mark.django_db
def test_fetch_failure_is_a_clear_error():
    def down(url, timeout=None):
        raise OSError("Name or service not known")

    with pytest.raises(ValidationError) as exc:
        services.kolada_fetch(kpi="U21401", municipality="0126", year=2024, opener=down)
    assert exc.value.code == "kolada_fetch"
    assert not KoladaValue.objects.exists()


@pytest.mark.django_db
def test_cli_fetch_uses_the_api_and_import_reads_a_file(monkeypatch, capsys, tmp_path):
    opener = Recorded("u21401_0126_2024_p1.json", "u21401_0126_2024_p2.json")
    monkeypatch.setattr(services.urllib.request, "urlopen", opener)
    call_command("kolada", "fetch", "--kpi", "U21401", "--municipality", "0126", "--year", "2024")
    assert KoladaValue.objects.count() == 6 and len(opener.urls) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("<html>")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("kolada", "import", str(bad))
    with pytest.raises(CommandError):
        call_command("kolada", "fetch", "--kpi", "U21401", "--year", "2024")


@pytest.mark.parametrize("base, expected", [(None, None), (0, None), (9, None), (10, 5.0), (250, 5.0)])
def test_suppression_boundary(base, expected):
    assert services.suppress(5.0, base) == expected


@pytest.mark.parametrize("period, months", [("2026", 12), ("2026-Q4", 3)])
def test_period_months(period, months):
    got = services.period_months(period)
    assert len(got) == months and got[-1] == "2026-12"


@pytest.mark.parametrize("period", ["2026-Q5", "2026-10", "26", "2026\n", ""])
def test_bad_period_refused(period):
    with pytest.raises(ValidationError) as exc:
        services.period_months(period)
    assert exc.value.code == "period"


@pytest.fixture
def published(world):
    a, b = world.provider_a, world.provider_b
    for month, clients in (("2026-07", 25), ("2026-08", 24), ("2026-09", 26)):
        _snap(a, month, clients=clients, executed_minutes=900, granted_minutes=1000,
              continuity_mean=11.0, continuity_clients=12)
    # Provider B: fewer than 10 clients – distinctive values that must never reach the public page.
    for month in ("2026-07", "2026-08", "2026-09"):
        _snap(b, month, clients=9, executed_minutes=123.4, granted_minutes=1000,
              continuity_mean=7.77, continuity_clients=9)
    return services.publication_create(area=world.area, period="2026-Q3", by=world.officer)


def test_publication_suppresses_small_providers(published):
    figures = {p["code"]: p["figures"] for p in published.content["providers"]}
    assert figures["P-A"]["execution_rate"] == 0.9 and figures["P-A"]["continuity_mean"] == 11.0
    assert figures["P-A"]["clients"] == 26
    assert figures["P-B"]["execution_rate"] is None and figures["P-B"]["continuity_mean"] is None
    assert figures["P-B"]["clients"] is None


def test_continuity_base_is_eligible_clients_not_all_clients(world):
    # 50 clients but only 8 eligible for the continuity figure: continuity is suppressed, the rest is not.
    _snap(world.provider_a, "2026-01", clients=50, executed_minutes=1, granted_minutes=2,
          continuity_mean=9.0, continuity_clients=8)
    pub = services.publication_create(area=world.area, period="2026", by=world.officer)
    figures = {p["code"]: p["figures"] for p in pub.content["providers"]}["P-A"]
    assert figures["continuity_mean"] is None and figures["execution_rate"] == 0.5


def test_nothing_to_publish(world):
    with pytest.raises(ValidationError) as exc:
        services.publication_create(area=world.area, period="2026", by=world.officer)
    assert exc.value.code == "nothing_to_publish"
    assert not Publication.objects.exists()


def test_provider_whose_contract_ended_is_not_published(world):
    world.provider_b.contracts.update(end=date(2025, 12, 31))
    _snap(world.provider_a, "2026-03", clients=30, executed_minutes=1, granted_minutes=2)
    pub = services.publication_create(area=world.area, period="2026-Q1", by=world.officer)
    assert [p["code"] for p in pub.content["providers"]] == ["P-A"]


def _public_urls(area_code):
    """Every URL pattern under /jamfor/, filled in: the test covers pages added later too."""
    urls = []
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", [pattern]):
            route = str(getattr(sub, "pattern", ""))
            if route.startswith("jamfor/"):
                urls.append("/" + route.replace("<slug:area_code>", area_code))
    return urls


PSEUDONYM = re.compile(r"[0-9a-f]{32}")


def test_no_public_page_shows_small_figures_or_pseudonyms(published, client):
    urls = _public_urls(published.area.code)
    assert len(urls) >= 2
    for url in urls:
        for lang in ("sv", "en"):
            body = client.get(f"{url}?lang={lang}").content.decode()
            assert "Alfa Omsorg AB" in body or url == "/jamfor/"
            for forbidden in ("7,8", "7.8", "12,3", "12.3", ">9<"):
                assert forbidden not in body, (url, forbidden)
            assert not PSEUDONYM.search(body), url
    body = client.get(f"/jamfor/{published.area.code}/").content.decode()
    assert "90,0 %" in body and "11,0" in body


def test_public_page_is_cached_per_publication_and_follows_withdrawal(published, client, world):
    url = f"/jamfor/{published.area.code}/"
    assert client.get(url).status_code == OK
    services.publication_withdraw(publication=published, by=world.officer)
    assert client.get(url).status_code == NOT_FOUND
    with pytest.raises(ValidationError) as exc:
        services.publication_withdraw(publication=published, by=world.officer)
    assert exc.value.code == "withdrawn"


def test_public_pages_are_rate_limited(published, client, settings):
    settings.FOLJSAM_PUBLIC_RATE = 3
    codes = [client.get("/jamfor/").status_code for _ in range(5)]
    assert codes == [OK, OK, OK, 429, 429]


def test_public_page_language_and_hostile_values(published, client):
    assert client.get("/jamfor/?lang=en")["Content-Language"] == "en"
    assert client.get("/jamfor/?lang=<script>")["Content-Language"] == "sv"
    assert client.get("/jamfor/?lang=%00").status_code == 400  # NUL is refused by the middleware
    assert client.get("/jamfor/finns-inte/").status_code == NOT_FOUND


def test_access(world, published, client):
    people = people_of(world, "anon", "officer", "reader", "user_a", "user_b")
    cases = [
        ("/jamfor/", "get", (OK, OK, OK, OK, OK)),
        ("/jamforelse/", "get", (LOGIN, OK, OK, FORBIDDEN, FORBIDDEN)),
        (f"/jamforelse/profil/{world.provider_a.pk}/", "get", (LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
        ("/jamforelse/publicera/", "post", (LOGIN, 302, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
        (f"/jamforelse/publicering/{published.pk}/dra-tillbaka/", "post", (LOGIN, 302, FORBIDDEN, FORBIDDEN,
                                                                         FORBIDDEN)),
        ("/jamforelse/kolada/", "post", (LOGIN, 302, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    ]
    for url, method, expected in cases:
        cache.clear()
        assert statuses(client, url, people, method=method) == dict(zip(people, expected, strict=True)), url


def test_officer_publishes_and_uploads_through_the_web(world, client):
    _snap(world.provider_a, "2026-05", clients=40, executed_minutes=50, granted_minutes=100)
    client.force_login(world.officer)
    response = client.post("/jamforelse/publicera/", {"area": world.area.pk, "period": "2026-Q2"})
    assert response.status_code == 302 and Publication.objects.filter(period="2026-Q2").exists()
    response = client.post("/jamforelse/publicera/", {"area": world.area.pk, "period": "2026-13"})
    assert response.status_code == 302 and Publication.objects.count() == 1
    with open(RECORDED / "u21401_0126_2024_p1.json", "rb") as fh:
        client.post("/jamforelse/kolada/", {"file": fh})
    assert KoladaValue.objects.count() == 2
    client.post("/jamforelse/kolada/", {"file": io.BytesIO(b"\x00\xff not json")})
    assert KoladaValue.objects.count() == 2
    response = client.post(f"/jamforelse/profil/{world.provider_a.pk}/",
                           {"languages": "svenska, finska", "published": "on", "website": "inte en adress"})
    assert response.status_code == 400
    response = client.post(f"/jamforelse/profil/{world.provider_a.pk}/", {"languages": "svenska, finska",
                                                                         "published": "on"})
    assert response.status_code == 302 and world.provider_a.public_profile.languages == "svenska, finska"


def test_nation_table_beside_provider(world, client, settings):
    settings.FOLJSAM_MUNICIPALITY_CODE = "0126"
    services.kolada_import(rows=services.parse_kolada(json.loads((RECORDED / "u21401_0126_2024_p1.json").read_text())))
    _snap(world.provider_a, "2024-03", continuity_mean=12.0, continuity_clients=10)
    _snap(world.provider_a, "2024-04", continuity_mean=15.0, continuity_clients=20)
    from foljsam.comparison.selectors import nation_table

    table = nation_table(user=world.officer, area=world.area)
    row = next(r for r in table["rows"] if r["provider"] == world.provider_a)
    assert row["years"][2024]["continuity_mean"] == 14.0  # (12×10 + 15×20) / 30
    assert table["reference"]["municipality"][2024] == 14.0 and table["reference"]["country"][2024] == 16.0
    table_b = nation_table(user=world.user_b, area=world.area)
    assert [r["provider"] for r in table_b["rows"]] == [world.provider_b]


@pytest.mark.browser
def test_public_page_in_the_browser(published, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/jamfor/{published.area.code}/")
    assert page.get_by_role("heading", name="Hemtjänst", level=1).is_visible()
    from ..conftest import check_axe

    check_axe(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    check_axe(page)
