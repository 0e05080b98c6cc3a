"""A small catalogue and a campaign sent to providers A and B (and an egen regi unit)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from foljsam.catalogue import services as catalogue_services
from foljsam.followups import services
from foljsam.registry.models import Contract, ContractForm, Ownership, Provider, Unit

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
