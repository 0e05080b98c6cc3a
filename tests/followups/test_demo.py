"""The demo loads and shows what the follow-up needs: two finished years and one in progress.

How long it takes is measured by bench/demo.py, not asserted here (no timing assertions in tests)."""

import pytest
from django.core.management import call_command

from foljsam.followups import selectors
from foljsam.followups.models import Campaign, Status

pytestmark = pytest.mark.django_db


def test_demo_loads_campaigns(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    finished, previous, current = (Campaign.objects.order_by("-year")[i] for i in (1, 2, 0))
    assert finished.assessments.filter(status=Status.FINAL).count() == finished.assessments.count() == 16
    assert previous.assessments.filter(status=Status.FINAL).count() == 16
    table = selectors.share_table(finished)
    assert table["previous"] == previous
    assert all(row["now"]["share"] is not None and row["before"]["share"] is not None for row in table["rows"])
    statuses = set(current.assessments.values_list("status", flat=True))
    assert {Status.SENT, Status.OPENED, Status.SUBMITTED, Status.FACTCHECK} <= statuses
    assert selectors.summary(finished)["with_plan"] > 0
    # The demo's unit manager is bound to one own unit and sees only its assessments.
    from foljsam.accounts.models import User
    from foljsam.accounts.policy import visible
    from foljsam.followups.models import Assessment

    manager = User.objects.get(username="enhetschef")
    units = {a.unit_id for a in visible(manager, Assessment.objects.all())}
    assert units == set(manager.units.values_list("pk", flat=True)) and len(units) == 1


def test_demo_shows_night_patrol_figures_and_sample_audit(settings, client):
    """Issue 11 "done when": seed 002's units incl. the night patrol, the figures-only area and the
    sample audit, shown on the results page."""
    from django.urls import reverse

    from foljsam.accounts.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    finished = Campaign.objects.order_by("-year")[1]
    night = finished.assessments.get(unit__name__endswith="Natten")
    asked = set(night.answers.values_list("requirement__title", flat=True))
    assert not asked & {"Rutin för munhälsa", "Egna medel", "Viktförändringar/nutrition", "Livsmedelshantering"}
    client.force_login(User.objects.filter(role="officer").first())
    html = client.get(reverse("followups:results", args=[finished.pk])).content.decode()
    assert "Stickprov genomförandeplaner" in html and "Lifecare Mobil" in html and "Anställningsform" in html
    assert html.count("<svg") == 5  # three shares, the count table, the sample audit
    assert client.get(reverse("followups:assessment", args=[night.pk])).status_code == 200
