"""Every foundation URL × (anonymous, officer, reader, provider A user, provider B user).

Provider A's objects are used throughout: B's user must get 404 (never see that they exist),
A's user reaches them where the role allows, officers reach everything.
"""

from datetime import date

import pytest

from foljsam.actions import services
from foljsam.actions.models import Source
from foljsam.registry.models import Contract, EventKind, Permit, PermitKind, ProviderEvent

from .conftest import people_of, statuses

OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, 302


@pytest.fixture
def objs(world):
    a = world.provider_a
    deviation = services.deviation_create(provider=a, by=world.officer, source=Source.SIGNAL,
                                          requirement="Nyckelhantering", text="Kvittens saknas.")
    plan = services.action_plan_request(deviations=[deviation], by=world.officer, title="Nycklar")
    permit = Permit.objects.create(provider=a, kind=PermitKind.IVO)
    event = ProviderEvent.objects.create(provider=a, kind=EventKind.FIRST_CLIENT, date=date(2024, 1, 1))
    return {
        "provider": a.pk, "unit": a.units.first().pk, "contract": Contract.objects.filter(provider=a).first().pk,
        "permit": permit.pk, "event": event.pk, "deviation": deviation.pk, "plan": plan.pk,
        "area": world.area.pk, "board": world.board.pk,
    }


# url template, then expected status for: anonymous, officer, reader, user A (own), user B (other provider)
CASES = [
    ("/", LOGIN, OK, OK, OK, OK),
    ("/utforare/", LOGIN, OK, OK, OK, OK),
    ("/utforare/{provider}/", LOGIN, OK, OK, OK, NOT_FOUND),
    ("/utforare/{provider}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/utforare/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/utforare/importera/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/utforare/{provider}/enhet/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/utforare/{provider}/avtal/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/registret/enhet/{unit}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/registret/avtal/{contract}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/registret/tillstand/{permit}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/registret/handelse/{event}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/registret/", LOGIN, OK, OK, FORBIDDEN, FORBIDDEN),
    ("/registret/omrade/{area}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/registret/namnd/{board}/andra/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/registret/omrade/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/avvikelser/", LOGIN, OK, OK, OK, OK),
    ("/avvikelser/ny/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/avvikelser/{deviation}/", LOGIN, OK, OK, OK, NOT_FOUND),
    ("/avvikelser/{deviation}/begar-atgardsplan/", LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/atgardsplaner/", LOGIN, OK, OK, OK, OK),
    ("/atgardsplaner/{plan}/", LOGIN, OK, OK, OK, NOT_FOUND),
    ("/rapporter/", LOGIN, OK, OK, FORBIDDEN, FORBIDDEN),
    ("/rapporter/utforartabell/?year=2022", LOGIN, OK, OK, FORBIDDEN, FORBIDDEN),
    ("/logg/", LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_get_access(case, world, objs, client):
    url = case[0].format(**objs)
    people = people_of(world, "anon", "officer", "reader", "user_a", "user_b")
    assert statuses(client, url, people) == dict(zip(people, case[1:], strict=True)), url


def test_anonymous_is_sent_to_login(world, client):
    assert "/konto/logga-in/" in client.get("/avvikelser/")["Location"]


def test_admin_reads_audit_log(world, client):
    client.force_login(world.admin)
    assert client.get("/logg/").status_code == OK


def test_lists_show_only_own_provider(world, objs, client):
    b_dev = services.deviation_create(provider=world.provider_b, by=world.officer, source=Source.SIGNAL,
                                      requirement="Bemötande", text="Klagomål.")
    client.force_login(world.user_b)
    body = client.get("/avvikelser/").content.decode()
    assert "Bemötande" in body and "Nyckelhantering" not in body
    assert "Alfa Omsorg AB" not in client.get("/utforare/").content.decode()
    assert "Nycklar" not in client.get("/atgardsplaner/").content.decode()
    client.force_login(world.officer)
    body = client.get("/avvikelser/").content.decode()
    assert "Bemötande" in body and "Nyckelhantering" in body
    assert b_dev.pk


def test_provider_b_cannot_post_a_step_on_a_plan_of_a(world, objs, client):
    client.force_login(world.user_b)
    response = client.post(f"/atgardsplaner/{objs['plan']}/submit/", {"submit-measures": "Hijack"})
    assert response.status_code == NOT_FOUND
    client.force_login(world.user_a)
    response = client.post(f"/atgardsplaner/{objs['plan']}/submit/", {"submit-measures": "Vi åtgärdar."})
    assert response.status_code == LOGIN


def test_provider_user_cannot_post_registry_changes(world, objs, client):
    client.force_login(world.user_a)
    response = client.post(f"/registret/avtal/{objs['contract']}/ta-bort/")
    assert response.status_code == FORBIDDEN
    assert Contract.objects.filter(pk=objs["contract"]).exists()
