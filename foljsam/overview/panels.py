from foljsam.accounts import policy
from foljsam.home import start_panel

from . import selectors


@start_panel(template="overview/panels/provider.html", capability="overview.narrative", scopes=policy.OWN,
             order=40)
def provider_panel(user):
    waiting = selectors.narratives_for(user=user).filter(submitted_at__isnull=True)
    return {"waiting": waiting} if waiting.exists() else None
