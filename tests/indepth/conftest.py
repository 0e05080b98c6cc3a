from datetime import date

import pytest

from foljsam.indepth import services
from foljsam.indepth.defaults import ensure_defaults
from foljsam.indepth.models import SignalTheme


@pytest.fixture(autouse=True)
def _defaults(db):
    # The defaults come from a data migration; a transactional test elsewhere flushes them.
    ensure_defaults()


@pytest.fixture
def theme(db):
    return SignalTheme.objects.get(name="Bemötande")


@pytest.fixture
def make_signal(world, theme):
    def _make(provider=None, *, received_on=None, source="client", severity=2, shared=False, theme_obj=None,
              description="Anhörig berättar att personalen var otrevlig vid kvällsbesöket."):
        return services.signal_create(
            by=world.officer, provider=provider or world.provider_a, received_on=received_on or date.today(),
            source=source, theme=theme_obj or theme, severity=severity, description=description, shared=shared)

    return _make
