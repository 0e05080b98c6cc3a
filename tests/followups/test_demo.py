"""The demo loads and shows what the follow-up needs: two finished years and one in progress."""

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
