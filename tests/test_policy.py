"""The access policy (foljsam/accounts/policy.py), tested from its declared data.

`EXPECTED` is written here independently of `policy.POLICY`: a capability added to the policy
without its row here fails `test_every_capability_has_an_expected_row` and its own generated case,
and a grant changed in only one of the two places fails too. The generated test then checks every
capability × role × object (own provider, other provider, own unit, other unit of the own provider)
through both `can()` and `visible()`.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from foljsam.accounts import policy
from foljsam.accounts.models import Role, User
from foljsam.catalogue import services as catalogue_services
from foljsam.followups import services as followups_services
from foljsam.followups.models import Assessment
from foljsam.registry.models import Provider, Unit

from .conftest import PASSWORD

# capability → "role:scope …" (a = all, p = own provider, u = own units)
EXPECTED = {
    "data.view": "admin:a officer:a reader:a provider:u",
    "registry.view": "admin:a officer:a reader:a provider:p",
    "registry.settings.view": "admin:a officer:a reader:a",
    "registry.edit": "admin:a officer:a",
    "deviation.view": "admin:a officer:a reader:a provider:p",
    "deviation.create": "admin:a officer:a",
    "plan.view": "admin:a officer:a reader:a provider:p",
    "plan.request": "admin:a officer:a",
    "plan.submit": "admin:a officer:a provider:p",
    "plan.carry_out": "admin:a officer:a provider:p",
    "plan.approve": "admin:a officer:a",
    "plan.return": "admin:a officer:a",
    "plan.verify": "admin:a officer:a",
    "plan.reopen": "admin:a officer:a",
    "catalogue.view": "admin:a officer:a reader:a",
    "catalogue.edit": "admin:a officer:a",
    "campaign.view": "admin:a officer:a reader:a",
    "campaign.create": "admin:a officer:a",
    "campaign.send": "admin:a officer:a",
    "assessment.rate": "admin:a officer:a",
    "assessment.finalise": "admin:a officer:a",
    "followup.answers.view": "admin:a officer:a reader:a provider:u",
    "followup.answer": "admin:a officer:a provider:u",
    "followup.factcheck": "admin:a officer:a provider:u",
    "monthly.view": "admin:a officer:a reader:a provider:p",
    "monthly.rows.view": "admin:a officer:a reader:a provider:p",
    "monthly.import": "admin:a officer:a",
    "monthly.settings": "admin:a officer:a",
    "monthly.send": "admin:a officer:a",
    "comparison.view": "admin:a officer:a reader:a",
    "comparison.publish": "admin:a officer:a",
    "reports.view": "admin:a officer:a reader:a",
    "users.manage": "admin:a",
    "audit.view": "admin:a",
}
SCOPE = {"a": policy.ALL, "p": policy.OWN_PROVIDER, "u": policy.OWN_UNITS}


def expected_grants(capability: str) -> dict:
    return {role: SCOPE[s] for role, s in (g.split(":") for g in EXPECTED[capability].split())}


def test_every_capability_has_an_expected_row():
    assert set(policy.POLICY) == set(EXPECTED)
    for name, cap in policy.POLICY.items():
        assert cap.grants == expected_grants(name), name


@pytest.fixture
def subjects(world):
    """Provider A with two units (A1, A2), B with one; an assessment for each unit; the people."""
    a1 = world.provider_a.units.get()
    a2 = Unit.objects.create(provider=world.provider_a, area=world.area, name="Alfa Omsorg AB enhet 2")
    b1 = world.provider_b.units.get()
    catalogue = catalogue_services.catalogue_import(data={"name": "K", "version": "1", "areas": [
        {"name": "Område", "requirements": [{"code": "1", "title": "Krav", "question": "?"}]}]}, by=world.officer)
    today = timezone.localdate()
    campaign = followups_services.campaign_create(
        by=world.officer, area=world.area, year=today.year, catalogue=catalogue, opens_on=today,
        deadline=today + timedelta(days=30), units=[a1, a2, b1])
    w = world
    w.assess = {u: Assessment.objects.get(campaign=campaign, unit=u) for u in (a1, a2, b1)}
    w.a1, w.a2, w.b1 = a1, a2, b1
    w.manager_a1 = User.objects.create_user(username="manager", password=PASSWORD, role=Role.PROVIDER,
                                            provider=world.provider_a)
    w.manager_a1.units.set([a1])
    return w


def people(w) -> dict:
    """name → (user, role whose grants apply, unit-bound?)"""
    return {
        "admin": (w.admin, Role.ADMIN, False), "officer": (w.officer, Role.OFFICER, False),
        "reader": (w.reader, Role.READER, False), "provider_wide": (w.user_a, Role.PROVIDER, False),
        "unit_manager": (w.manager_a1, Role.PROVIDER, True),
    }


def objects(w) -> dict:
    """name → (object, of own provider A?, of own unit A1?, bound to a unit?)"""
    return {
        "own_unit": (w.assess[w.a1], True, True, True),
        "other_unit_same_provider": (w.assess[w.a2], True, False, True),
        "other_provider": (w.assess[w.b1], False, False, True),
        "own_provider": (w.provider_a, True, True, False),
        "other_provider_itself": (w.provider_b, False, False, False),
    }


def expect(scope, unit_bound, own_provider, own_unit, obj_has_unit) -> bool:
    if scope is None:
        return False
    if scope == policy.ALL:
        return True
    if not own_provider:
        return False
    if scope == policy.OWN_UNITS and unit_bound and obj_has_unit:
        return own_unit
    return True


@pytest.mark.parametrize("capability", sorted(policy.POLICY))
def test_capability_for_every_role_and_object(capability, subjects):
    """Generated from the policy: every capability × role × own/other provider × own/other unit."""
    grants = expected_grants(capability)  # KeyError: a capability without its expected row
    w = subjects
    for who, (user, role, unit_bound) in people(w).items():
        scope = grants.get(role)
        assert policy.can(user, capability) is (scope is not None), (capability, who)
        for what, (obj, own_provider, own_unit, has_unit) in objects(w).items():
            want = expect(scope, unit_bound, own_provider, own_unit, has_unit)
            assert policy.can(user, capability, obj) is want, (capability, who, what)
        seen = set(policy.visible(user, Assessment.objects.all(), capability))
        want = {a for u, a in w.assess.items()
                if expect(scope, unit_bound, u.provider_id == w.provider_a.pk, u == w.a1, True)}
        assert seen == want, (capability, who)
        providers = set(policy.visible(user, Provider.objects.all(), capability))
        assert providers == {p for p in (w.provider_a, w.provider_b)
                             if expect(scope, unit_bound, p == w.provider_a, True, False)}, (capability, who)


def test_inactive_users_get_nothing(subjects):
    w = subjects
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    for user in (w.admin, w.officer, w.reader, w.user_a, w.manager_a1, root):
        assert policy.can(user, "data.view")  # active: something
        user.is_active = False
        for capability in policy.POLICY:
            assert not policy.can(user, capability), (user.username, capability)
            assert not policy.can(user, capability, w.assess[w.a1]), (user.username, capability)
        assert not policy.visible(user, Assessment.objects.all()).exists(), user.username
        assert not policy.visible(user, Provider.objects.all()).exists(), user.username


def test_anonymous_gets_nothing(subjects):
    anon = AnonymousUser()
    for capability in policy.POLICY:
        assert not policy.can(anon, capability)
        assert not policy.can(None, capability)
    assert not policy.visible(anon, Assessment.objects.all()).exists()


def test_superuser_may_do_everything_whatever_the_role(subjects):
    w = subjects
    for role, provider in ((Role.READER, None), (Role.PROVIDER, w.provider_a)):
        root = User.objects.create_user(username=f"root-{role}", password=PASSWORD, role=role, provider=provider,
                                        is_superuser=True)
        for capability in policy.POLICY:
            assert policy.scope(root, capability) == policy.ALL, (role, capability)
            assert policy.can(root, capability, w.assess[w.b1]), (role, capability)
            assert policy.can(root, capability, w.provider_b), (role, capability)
        assert set(policy.visible(root, Assessment.objects.all())) == set(w.assess.values())


def test_provider_user_without_provider_owns_nothing(subjects):
    orphan = User.objects.create_user(username="orphan", password=PASSWORD, role=Role.PROVIDER)
    assert not policy.can(orphan, "plan.submit")
    assert not policy.visible(orphan, Provider.objects.all()).exists()


def test_unknown_capability_is_a_programming_error(subjects):
    with pytest.raises(policy.UnknownCapability):
        policy.can(subjects.officer, "plan.aprove")
    with pytest.raises(policy.UnknownCapability):
        policy.require("no.such")


def test_ensure_refuses_with_the_forbidden_code(subjects):
    with pytest.raises(ValidationError) as exc:
        policy.ensure(subjects.reader, "plan.approve")
    assert exc.value.code == "forbidden"
    policy.ensure(subjects.officer, "plan.approve")  # no exception


def test_mail_goes_to_the_units_managers_and_provider_wide_users(subjects):
    w = subjects
    assert set(policy.users_acting_for("followup.answer", w.assess[w.a1])) == {w.user_a, w.manager_a1}
    assert set(policy.users_acting_for("followup.answer", w.assess[w.a2])) == {w.user_a}
    assert set(policy.users_acting_for("followup.answer", w.assess[w.b1])) == {w.user_b}


# --- Every URL names its capability, and every name used anywhere is declared -----------------

# Views without sign-in: the steps of signing in (password, second factor, OIDC) and out, the language,
# and the public comparison page (no row data).
OPEN_VIEWS = {"accounts:login", "accounts:logout", "accounts:totp", "accounts:oidc_start", "accounts:oidc_callback",
              "set_language", "comparison:public_index", "comparison:public_area"}


def _patterns(resolver=None, namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p, ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}", p


def test_every_view_is_guarded_by_a_capability():
    missing = [name for name, p in _patterns()
               if name not in OPEN_VIEWS and name != "home" and not hasattr(p.callback, "capability")]
    assert not missing


def _url(name, pattern):
    kwargs = {}
    for key, converter in pattern.pattern.converters.items():
        kwargs[key] = 1 if converter.regex == "[0-9]+" else "x"
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ["reader", "user_a", "officer"])
def test_forbidden_posts_answer_403(role, world, client):
    """Generated from the URL patterns: a POST to any view whose capability the user lacks is 403
    (never 400), before any object is looked up."""
    user = getattr(world, role)
    client.force_login(user)
    checked = 0
    for name, pattern in _patterns():
        capability = getattr(pattern.callback, "capability", None)
        if capability and not policy.can(user, capability):
            assert client.post(_url(name, pattern)).status_code == 403, (role, name)
            checked += 1
    assert checked or role == "officer"


def test_capability_names_in_templates_and_code_are_declared():
    root = Path(policy.__file__).resolve().parents[1]
    used = set()
    for path in root.rglob("*.html"):
        used |= set(re.findall(r"\{%\s*can\s+'([^']+)'", path.read_text(encoding="utf-8")))
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        calls = r"""(?:require|ensure|can|scope|visible|_officer|_own)\([^)]*?["']([a-z_]+\.[a-z_.]+)["']"""
        used |= set(re.findall(calls, text))
        used |= set(re.findall(r"""capability=["']([a-z_]+\.[a-z_.]+)["']""", text))
    from foljsam.actions.services import TRANSITIONS, step_capability

    used |= {step_capability(step) for step in TRANSITIONS}
    assert len(used) > 20, "the scan found too little"
    assert used <= set(policy.POLICY), used - set(policy.POLICY)


# --- Menu and start page follow the capabilities ---------------------------------------------

def test_reader_start_page_is_an_overview_without_the_review_queue(world, client):
    client.force_login(world.reader)
    body = client.get("/").content.decode()
    assert "<h1>Översikt</h1>" in body
    assert "Åtgärdsplaner att granska" not in body and "Att göra" not in body
    assert 'href="/konto/anvandare/"' not in body and 'href="/logg/"' not in body
    assert 'href="/rapporter/"' in body


def test_officer_start_page_is_the_work_queue(world, client):
    client.force_login(world.officer)
    body = client.get("/").content.decode()
    assert "<h1>Att göra</h1>" in body and "Åtgärdsplaner att granska" in body
    assert 'href="/konto/anvandare/"' not in body


def test_admin_menu_has_users_and_log(world, client):
    client.force_login(world.admin)
    body = client.get("/").content.decode()
    assert 'href="/konto/anvandare/"' in body and 'href="/logg/"' in body


def test_provider_start_page_and_menu(world, client):
    client.force_login(world.user_a)
    body = client.get("/").content.decode()
    assert "Välkommen, Alfa Omsorg AB" in body and "Min organisation" in body
    assert 'href="/rapporter/"' not in body and 'href="/registret/"' not in body
    assert 'href="/portal/"' in body and 'href="/avtalsuppfoljning/"' not in body


def test_reader_posts_to_pages_they_may_read_answer_403(subjects, client):
    """The reader may open a plan and a portal page, but a write there is 403 – not a form error."""
    from foljsam.actions import services as actions
    from foljsam.actions.models import PlanStatus, Source

    w = subjects
    deviation = actions.deviation_create(provider=w.provider_a, by=w.officer, source=Source.SIGNAL,
                                         requirement="Nycklar", text="Kvittens saknas.")
    plan = actions.action_plan_request(deviations=[deviation], by=w.officer, title="Nycklar")
    followups_services.campaign_send(campaign=w.assess[w.a1].campaign, by=w.officer, notify_providers=False)
    assessment = w.assess[w.a1]
    answer = assessment.answers.first()
    client.force_login(w.reader)
    assert client.get(f"/atgardsplaner/{plan.pk}/").status_code == 200
    for step in ("submit", "approve", "carry_out"):
        response = client.post(f"/atgardsplaner/{plan.pk}/{step}/", {"submit-measures": "Läsarens plan"})
        assert response.status_code == 403, step
    assert client.get(f"/portal/{assessment.pk}/").status_code == 200
    assert client.post(f"/portal/{assessment.pk}/", {f"a-{answer.pk}-text": "Läsarens svar"}).status_code == 403
    plan.refresh_from_db()
    answer.refresh_from_db()
    assert plan.status == PlanStatus.REQUESTED and answer.text == ""


def test_admin_reads_the_policy_as_a_table(world, client):
    client.force_login(world.admin)
    body = client.get("/konto/anvandare/").content.decode()
    for name in policy.POLICY:
        assert f"({name})" in body
    roles, rows = policy.table()
    approve = next(r for r in rows if r["name"] == "plan.approve")
    assert dict(zip([code for code, _l in roles], approve["scopes"], strict=True)) == {
        "admin": policy.SCOPE_LABELS[policy.ALL], "officer": policy.SCOPE_LABELS[policy.ALL],
        "reader": None, "provider": None}
