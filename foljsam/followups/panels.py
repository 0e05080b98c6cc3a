from foljsam.accounts import policy
from foljsam.accounts.selectors import visible
from foljsam.home import provider_section, start_panel

from . import selectors
from .models import Assessment, Campaign, Status
from .services import INDEPTH_RED_THRESHOLD


@start_panel(template="followups/panels/officer.html", capability="campaign.view", scopes=(policy.ALL,), order=20)
def officer_panel(user):
    # Campaigns sent and not yet final for every unit.
    open_campaigns = Campaign.objects.filter(sent_at__isnull=False).filter(
        assessments__status__in=[s for s in Status.values if s != Status.FINAL]).select_related("area")
    return {
        "campaigns": [{"campaign": c, "progress": selectors.progress(c)} for c in open_campaigns.distinct()[:10]],
        # The officer's queue only for those who rate (not for readers).
        "queue": selectors.officer_queue(user=user)[:20] if policy.can(user, "assessment.rate") else [],
        "indepth": selectors.indepth_candidates(user=user)[:20],
        "threshold": INDEPTH_RED_THRESHOLD,
    }


@start_panel(template="followups/panels/provider.html", capability="followup.answer", scopes=policy.OWN, order=5)
def provider_panel(user):
    queue = list(selectors.provider_queue(user=user))
    return {"queue": queue} if queue else None


@provider_section(template="followups/panels/provider_section.html", order=30)
def provider_assessments(user, provider):
    assessments = list(visible(Assessment.objects.filter(unit__provider=provider, sent_at__isnull=False), user)
                       .select_related("campaign__area", "unit", "action_plan").order_by("-campaign__year"))
    if not assessments:
        return None
    shares = selectors.share_met([a.pk for a in assessments])
    return {"assessments": [(a, shares.get(a.pk)) for a in assessments], "provider": provider}
