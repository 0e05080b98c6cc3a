from foljsam.accounts.policy import ALL
from foljsam.home import start_panel

from . import selectors


@start_panel(template="registry/panels/indepth_due.html", capability="registry.view", scopes=(ALL,), order=20)
def indepth_due_panel(user):
    return {"due": selectors.indepth_due(user=user)}
