"""Figures the reports take from apps the reports do not depend on (in-depth follow-ups, signals).

An app provides them in a module `<app>/report_sources.py` with any of these functions:

    def indepth_followups(*, year: int) -> list[dict]:
        # one dict per in-depth follow-up (case) started or done in `year`:
        # {"area": <Area.code>, "provider": <Provider.name>, "trigger": <str>, "outcome": <str>,
        #  "url": <str or None>}

    def sanctions(*, year: int) -> list[dict]:
        # one dict per sanction (vite) decided in `year`:
        # {"provider": <Provider.name>, "area": <Area.code>, "amount": <int, kr>, "clause": <str>,
        #  "date": <ISO date>, "url": <str or None>}

    def deviation_counts(*, year: int) -> list[dict]:
        # seed 003's deviations table, one dict per organisation:
        # {"provider": <Provider.name>, "provider_id": <Provider.pk>, "area": <Area.code>, "lex_sarah": n,
        #  "internal": n, "complaints": n, "comments": n}

    def survey_results(*, year: int) -> list[dict]:
        # the national user survey per question, over the units with a result that year:
        # {"question": <str>, "units": n, "share_positive": <mean share positive, %, one decimal>}

The reports find them by looking through the installed apps, so nothing here imports them. Until an
app provides `indepth_followups`, the registry's "in-depth follow-up done" events stand in (the
foundation records them for new providers' six-month follow-ups); `deviation_counts` has no stand-in
and its table is left out of the report; `survey_results` without an app is an empty list.
"""

import importlib

from django.apps import apps

from foljsam.registry.models import EventKind, ProviderEvent


def _providers(function: str) -> list:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("foljsam."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.report_sources")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.report_sources":
                raise
            continue
        fn = getattr(module, function, None)
        if fn is not None:
            found.append(fn)
    return found


def _registry_indepth(*, year: int) -> list[dict]:
    events = (ProviderEvent.objects.filter(kind=EventKind.INDEPTH_DONE, date__year=year, area__isnull=False)
              .select_related("area", "provider").order_by("date", "id"))
    return [{"area": e.area.code, "provider": e.provider.name, "trigger": e.note, "outcome": "",
             "url": e.provider.get_absolute_url()} for e in events]


def indepth_followups(*, year: int) -> list[dict]:
    providers = _providers("indepth_followups")
    if not providers:
        return _registry_indepth(year=year)
    return [row for fn in providers for row in fn(year=year)]


def sanctions(*, year: int) -> list[dict]:
    """Sanctions (vite) decided in `year`; none when no app keeps them."""
    return [row for fn in _providers("sanctions") for row in fn(year=year)]


def deviation_counts(*, year: int) -> list[dict] | None:
    """None when no app keeps a signals register (the table is then left out)."""
    providers = _providers("deviation_counts")
    if not providers:
        return None
    return [row for fn in providers for row in fn(year=year)]


def survey_results(*, year: int) -> list[dict]:
    """The national user survey's share positive per question in `year`; [] when no app keeps it."""
    return [row for fn in _providers("survey_results") for row in fn(year=year)]
