"""Derived reads cached per data version (foljsam/datacache.py): recomputed after an import's
snapshot refresh, a finished import and any audited write; per user; off with 0 seconds."""

from django.utils import timezone

from foljsam import datacache
from foljsam.monthly.models import ImportRun, KpiSnapshot, Threshold


def _counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_computed_once_per_version(world):
    calls, compute = _counter()
    assert datacache.cached("t", compute, user=world.officer) == 1
    assert datacache.cached("t", compute, user=world.officer) == 1
    assert len(calls) == 1


def test_snapshot_refresh_import_and_audited_write_make_a_new_version(world):
    calls, compute = _counter()
    datacache.cached("t", compute)
    snap = KpiSnapshot.objects.create(provider=world.provider_a, period="2026-09", values={"visits": 1})
    assert datacache.cached("t", compute) == 2  # a new snapshot
    KpiSnapshot.objects.update_or_create(provider=world.provider_a, period="2026-09",
                                         defaults={"values": {"visits": 2}})  # as snapshots_refresh does
    assert datacache.cached("t", compute) == 3
    snap.delete()
    assert datacache.cached("t", compute) == 1  # the very data of the first call again: its result holds
    KpiSnapshot.objects.create(provider=world.provider_b, period="2026-09", values={"visits": 1})
    assert datacache.cached("t", compute) == 4
    run = ImportRun.objects.create(period="2026-09")
    assert datacache.cached("t", compute) == 4  # a running import declares nothing yet
    run.status, run.finished_at = ImportRun.Status.DONE, timezone.now()
    run.save()
    assert datacache.cached("t", compute) == 5
    Threshold.objects.create(key="execution_rate", yellow=0.9, red=0.8)  # audited
    assert datacache.cached("t", compute) == 6
    assert datacache.cached("t", compute) == 6


def test_per_user_and_parts(world):
    calls, compute = _counter()
    datacache.cached("t", compute, user=world.officer)
    datacache.cached("t", compute, user=world.user_a)
    datacache.cached("t", compute, user=world.officer, parts=("2026-09",))
    assert len(calls) == 3


def test_zero_seconds_turns_it_off(world, settings):
    settings.FOLJSAM_DATA_CACHE_SECONDS = 0
    calls, compute = _counter()
    datacache.cached("t", compute)
    datacache.cached("t", compute)
    assert len(calls) == 2


def test_matrix_page_shows_refreshed_figures_at_once(world, client):
    ImportRun.objects.create(period="2026-09", status=ImportRun.Status.DONE, finished_at=timezone.now())
    KpiSnapshot.objects.create(provider=world.provider_a, period="2026-09",
                               values={"visits": 10, "execution_rate": 0.5})
    client.force_login(world.officer)
    assert "50,0 %" in client.get("/manadsuppfoljning/").content.decode()
    KpiSnapshot.objects.update_or_create(provider=world.provider_a, period="2026-09",
                                         defaults={"values": {"visits": 10, "execution_rate": 0.75}})
    body = client.get("/manadsuppfoljning/").content.decode()
    assert "75,0 %" in body and "50,0 %" not in body


def test_typed_values_make_plain_short_keys(world, client, recwarn):
    client.force_login(world.officer)
    assert client.get("/utforare/", {"q": "x" * 2000 + "\n;:"}).status_code == 200
    assert not [w for w in recwarn if "CacheKeyWarning" in str(w.category)]
