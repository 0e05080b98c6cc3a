"""A small catalogue and a campaign sent to providers A and B (and an egen regi unit)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from foljsam.catalogue import services as catalogue_services
from foljsam.followups import services
from foljsam.registry.models import Contract, ContractForm, Ownership, Provider, TenderDocument, Unit, UnitType

SMALL = {
    "name": "Testkatalog", "version": "1",
    "areas": [
        {"name": "Ledningssystem för kvalitet", "requirements": [
            {"code": "1.1", "title": "Rutin för lex Sarah", "question": "Finns en rutin för lex Sarah?",
             "answer_type": "yes_no", "weight": 3, "documents": ["Rutin för lex Sarah"]},
            {"code": "1.2", "title": "Egenkontroll", "question": "Hur ofta gör ni egenkontroller?",
             "answer_type": "frequency", "weight": 2},
        ]},
        {"name": "Specifika krav för externa utförare", "requirements": [
            {"code": "9.1", "title": "IVO-tillstånd", "question": "Har ni tillstånd från IVO?",
             "answer_type": "yes_no", "weight": 3, "applies_to": "external"},
        ]},
    ],
}


@pytest.fixture
def fu(world):
    own = Provider.objects.create(code="EGEN", name="Hemtjänsten i egen regi", ownership=Ownership.MUNICIPAL)
    Contract.objects.create(provider=own, area=world.area, form=ContractForm.OWN, start=world.area.units.first()
                            .provider.contracts.first().start)
    Unit.objects.create(provider=own, area=world.area, name="Hemtjänst Tumba")
    world.own = own
    world.catalogue = catalogue_services.catalogue_import(data=SMALL, by=world.officer)
    today = timezone.localdate()
    world.campaign = services.campaign_create(
        by=world.officer, area=world.area, year=today.year, catalogue=world.catalogue,
        opens_on=today - timedelta(days=10), deadline=today + timedelta(days=20),
        units=Unit.objects.filter(area=world.area),
    )
    return world


@pytest.fixture
def sent(fu, django_capture_on_commit_callbacks):
    # The survey mails go out when the transaction commits; the test's own transaction never does.
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_send(campaign=fu.campaign, by=fu.officer)
    fu.a = fu.campaign.assessments.get(unit__provider=fu.provider_a)
    fu.b = fu.campaign.assessments.get(unit__provider=fu.provider_b)
    fu.own_a = fu.campaign.assessments.get(unit__provider=fu.own)
    return fu


def answer_all(assessment, by, submit=True):
    values = {a.pk: {"yes_no": True, "text": "Varje månad."} for a in assessment.answers.all()}
    return services.answers_save(assessment=assessment, by=by, values=values, submit=submit)


def rate_all(assessment, by, ratings: dict):
    """ratings: {requirement title: rating}; the rest green."""
    values = {}
    for a in assessment.answers.select_related("requirement"):
        r = ratings.get(a.requirement.title, "green")
        values[a.pk] = {"rating": r, "comment": "Brister i rutinen." if r in ("yellow", "red") else ""}
    return services.ratings_save(assessment=assessment, by=by, values=values)


# --- Issue 11: unit types, figures, sample audit (tests/followups/test_round2.py and the browser) ---

ROUND2 = {
    "name": "Katalog 2", "version": "1", "tender": {"area": "hemtjanst", "version": "2022"},
    "settings": {"deviation_ratings": "yellow_red", "plan_from": 3, "plan_submit_weeks": 2, "plan_fix_weeks": 4,
                 "dialogue_from": 2},
    "areas": [
        {"name": "Hälso- och sjukvård", "requirements": [
            {"key": "munhalsa", "title": "Rutin för munhälsa", "question": "Finns rutin för munhälsa?",
             "unit_types": ["Hemtjänstgrupp"], "methods": ["survey", "document"]},
            {"key": "hygien", "title": "Rutin för god hygien", "question": "Finns rutin för hygien?",
             "methods": ["survey"]},
            {"key": "egen", "title": "Kommunens egen rutin", "question": "Följer ni kommunens rutin?",
             "applies_to": "own", "methods": ["interview"]},
        ]},
        {"name": "Organisation och styrning", "requirements": [
            {"key": "personal", "title": "Anställningsform och utbildning", "question": "Årsarbetare?",
             "answer_type": "count_table", "rows": ["Tillsvidare usk", "Visstid usk"], "methods": ["survey"]},
            {"key": "stickprov", "title": "Stickprov genomförandeplaner", "question": "Stickprov",
             "answer_type": "sample", "rows": ["I tid", "Delaktighet"], "methods": ["sample"]},
            {"key": "klader", "title": "Korrekta arbetskläder", "question": "Används arbetskläder?"},
        ]},
        {"name": "Digital teknik", "reported_only": True, "requirements": [
            {"key": "lifecare", "title": "Lifecare Mobil", "question": "Andel i Lifecare Mobil?",
             "answer_type": "share", "methods": ["key_figure"], "kpi": "manual_share"},
        ]},
    ],
}


@pytest.fixture
def r2(world):
    TenderDocument.objects.create(area=world.area, name="FFU", version="2022", valid_from=date(2022, 1, 1))
    world.group = UnitType.objects.create(area=world.area, name="Hemtjänstgrupp")
    world.night_type = UnitType.objects.create(area=world.area, name="Nattpatrull")
    own = Provider.objects.create(code="EGEN", name="Egen regi", ownership=Ownership.MUNICIPAL)
    Contract.objects.create(provider=own, area=world.area, form=ContractForm.OWN, start=date(2020, 1, 1))
    world.own = own
    world.night = Unit.objects.create(provider=own, area=world.area, name="Hemtjänst Natten",
                                      unit_type=world.night_type)
    world.untyped = Unit.objects.create(provider=own, area=world.area, name="Hemtjänst Tumba")
    Unit.objects.filter(provider__in=[world.provider_a, world.provider_b]).update(unit_type=world.group)
    world.catalogue = catalogue_services.catalogue_import(data=ROUND2, by=world.officer)
    return world


def _campaign(w, year=None, catalogue=None):
    today = timezone.localdate()
    campaign = services.campaign_create(
        by=w.officer, area=w.area, year=year or today.year, catalogue=catalogue or w.catalogue,
        opens_on=today - timedelta(days=5), deadline=today + timedelta(days=20), units=Unit.objects.filter(area=w.area))
    services.campaign_send(campaign=campaign, by=w.officer, notify_providers=False)
    return campaign


def _titles(assessment):
    return set(assessment.answers.values_list("requirement__title", flat=True))


def _answer_everything(assessment, by):
    values = {}
    for a in assessment.answers.select_related("requirement"):
        kind = a.requirement.answer_type
        values[a.pk] = {"yes_no": True, "text": "x"}
        if kind == "share":
            values[a.pk]["number"] = "87,5"
        if kind == "count_table":
            values[a.pk]["rows"] = {row: "4" for row in a.requirement.row_list}
    return services.answers_save(assessment=assessment, by=by, values=values, submit=True)


def _rate(assessment, by, ratings):
    values = {}
    for a in assessment.answers.select_related("requirement__area"):
        if a.requirement.is_rated:
            r = ratings.get(a.requirement.key, "green")
            values[a.pk] = {"rating": r, "comment": "Brist." if r in ("yellow", "red") else ""}
    return services.ratings_save(assessment=assessment, by=by, values=values)


