from foljsam.accounts.policy import ALL, OWN
from foljsam.home import provider_section, start_panel

from . import selectors


@start_panel(template="monthly/panels/streaks.html", capability="monthly.view", scopes=(ALL,), order=15)
def streaks_panel(user):
    streaks = selectors.red_streaks(user=user)
    return {"streaks": streaks, "months": selectors.RED_STREAK_MONTHS} if streaks else None


@start_panel(template="monthly/panels/provider_month.html", capability="monthly.view", scopes=OWN, order=20)
def provider_month_panel(user):
    periods = selectors.periods(user=user)
    if not periods:
        return None
    rows = selectors.matrix(user=user, period=periods[-1])
    if not rows:
        return None
    provider, cells = rows[0]
    counts = {s: sum(1 for c in cells if c.status == s) for s in ("red", "yellow", "green")}
    return {"provider": provider, "period": periods[-1], "counts": counts}


@provider_section(template="monthly/panels/provider_section.html", order=10)
def provider_section_monthly(user, provider):
    snap = selectors.snapshots(user=user).filter(provider=provider).order_by("-period").first()
    if snap is None:
        return None
    limits = selectors.Limits()
    red = [k for k, v in snap.values.items() if k != "provider_id" and limits.status(k, v, provider.pk) == "red"]
    return {"period": snap.period, "red": red, "provider": provider}
