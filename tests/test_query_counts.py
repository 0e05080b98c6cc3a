"""The main pages ask the database a fixed number of times, however many providers there are
(issue 12 item 11): an N+1 query that returns makes the count with 10 providers exceed the count
with 2. Counted with the per-version cache off (foljsam/datacache.py), i.e. the first view after a
change, and again with it on (a repeated view asks at most as often)."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from foljsam.actions.models import ActionPlan, Deviation, Source
from foljsam.catalogue import services as catalogue_services
from foljsam.followups import services as followup_services
from foljsam.monthly.models import ImportRun, KpiSnapshot
from foljsam.registry.models import Contract, ContractForm, EventKind, Ownership, Provider, ProviderEvent, Unit

from .followups.conftest import SMALL

MONTHS = ("2026-07", "2026-08", "2026-09")
# The most queries a main page may ask (a bound, so that a new N+1 fails even at 2 providers).
BOUND = 40


def _provider_data(p, world):
    unit = p.units.first()
    for month in MONTHS:
        KpiSnapshot.objects.create(provider=p, period=month, values={
            "visits": 100, "clients": 20, "executed_minutes": 900, "granted_minutes": 1000,
            "execution_rate": 0.5, "continuity_mean": 14.0, "continuity_clients": 20})
    d = Deviation.objects.create(provider=p, unit=unit, source=Source.MONTHLY, requirement="Utförandegrad",
                                 text="Låg", created_by=world.officer)
    plan = ActionPlan.objects.create(provider=p, title="Plan", submit_by=timezone.localdate() + timedelta(days=9))
    plan.deviations.add(d)
    ProviderEvent.objects.create(provider=p, kind=EventKind.FIRST_CLIENT, date=date(2025, 1, 1))


def _grow(world, n):
    for i in range(3, n + 1):
        p = Provider.objects.create(code=f"P-{i}", name=f"Utförare {i:02d} AB", ownership=Ownership.PRIVATE)
        Contract.objects.create(provider=p, area=world.area, form=ContractForm.LOV, start=date(2020, 1, 1))
        Unit.objects.create(provider=p, area=world.area, name=f"{p.name} enhet 1")
    for p in Provider.objects.all():
        _provider_data(p, world)
    for month in MONTHS:
        ImportRun.objects.create(period=month, status=ImportRun.Status.DONE, finished_at=timezone.now())
    catalogue = catalogue_services.catalogue_import(data=SMALL, by=world.officer)
    today = timezone.localdate()
    campaign = followup_services.campaign_create(
        by=world.officer, area=world.area, year=today.year, catalogue=catalogue,
        opens_on=today - timedelta(days=10), deadline=today + timedelta(days=20),
        units=Unit.objects.filter(area=world.area))
    followup_services.campaign_send(campaign=campaign, by=world.officer)
    return campaign


def _pages(world, campaign):
    a = world.provider_a.pk
    officer = ["/", "/manadsuppfoljning/", f"/manadsuppfoljning/utforare/{a}/", "/utforare/", f"/utforare/{a}/",
               f"/avtalsuppfoljning/{campaign.pk}/resultat/", "/avtalsuppfoljning/", "/atgardsplaner/",
               "/avvikelser/", "/rapporter/utforartabell/", "/utforaroversikt/", "/jamforelse/", "/risk/"]
    provider = ["/", "/portal/", f"/manadsuppfoljning/utforare/{a}/", "/atgardsplaner/", f"/utforare/{a}/"]
    reader = ["/", "/manadsuppfoljning/", "/rapporter/utforartabell/", "/utforaroversikt/"]
    return [(world.officer, officer), (world.user_a, provider), (world.reader, reader)]


def _counts(world, campaign, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for user, urls in _pages(world, campaign):
        client = Client()
        client.force_login(user)
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (user.username, url, response.status_code)
            # keyed by the page's place in the list, not its URL: on PostgreSQL a rolled-back campaign's id
            # is not reused, so the two sizes' results pages have different URLs
            counts[(user.username, urls.index(url), url.split("/")[1])] = len(ctx.captured_queries)
    return counts


@pytest.mark.parametrize("cache_seconds", [0, 300])
def test_main_pages_ask_as_often_with_10_providers_as_with_2(world, settings, cache_seconds,
                                                             django_assert_max_num_queries):
    from django.core.cache import cache

    settings.FOLJSAM_DATA_CACHE_SECONDS = cache_seconds
    sizes = {}
    for n in (2, 10):
        with transaction.atomic():  # each size on the same world, rolled back afterwards
            cache.clear()
            campaign = _grow(world, n)
            sizes[n] = _counts(world, campaign, django_assert_max_num_queries)
            transaction.set_rollback(True)
    small, big = sizes[2], sizes[10]
    grew = {page: (small[page], big[page]) for page in small if big[page] > small[page]}
    assert not grew, f"queries grow with the number of providers (2 → 10): {grew}"
    worst = max(big.items(), key=lambda kv: kv[1])
    assert worst[1] <= BOUND, worst
