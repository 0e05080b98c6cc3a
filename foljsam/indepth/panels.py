from foljsam.accounts.policy import ALL, OWN
from foljsam.home import provider_section, start_panel

from . import selectors, triggers


@start_panel(template="indepth/panels/proposals.html", capability="indepth.propose.view", scopes=(ALL,), order=12)
def proposals_panel(user):
    """The one start-page proposal for in-depth follow-ups (six months, red months, signals …)."""
    return {"proposals": triggers.proposals(user=user)[:20], "can_edit": selectors.can_edit(user),
            "studies": triggers.quality_study_proposals(user=user),
            "received": selectors.signal_list(user=user).filter(status="received").count()}


@start_panel(template="indepth/panels/provider.html", capability="indepth.view", scopes=OWN, order=25)
def provider_panel(user):
    cases = list(selectors.case_list(user=user).order_by("-closed_on")[:5])
    signals = selectors.signal_list(user=user).count()
    return {"cases": cases, "signals": signals} if cases or signals else None


@provider_section(template="indepth/panels/provider_section.html", order=40)
def provider_section_indepth(user, provider):
    signals = list(selectors.signal_list(user=user).filter(provider=provider)[:10])
    cases = list(selectors.case_list(user=user).filter(provider=provider)[:10])
    own = selectors.own_organisation(user)
    reasons = [] if own else triggers.reasons_for(user=user, provider=provider)
    if not (signals or cases or reasons):
        return None
    return {"provider": provider, "signals": signals, "cases": cases, "reasons": reasons,
            "can_edit": selectors.can_edit(user)}
