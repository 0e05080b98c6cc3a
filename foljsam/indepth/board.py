"""Counts for the board (seed 000's "Fördjupad uppföljning" section): per area and year, the in-depth
follow-ups and their triggers, the signals by source and theme, sanctions and terminations.

A follow-up counts in the year it was opened, a signal in the year it was received, a sanction in the
year it was decided, a termination in the year of its last contract day (when the provider leaves the
providers table)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from foljsam.accounts.selectors import visible
from foljsam.registry.models import Area

from .models import Case, DecisionStatus, Sanction, Signal, Termination


@dataclass
class AreaCounts:
    area: Area
    indepth_followups: int
    by_trigger: dict
    signals: int
    signals_by_source: dict
    signals_by_theme: dict
    sanctions: int
    terminations: int

    def as_json(self) -> dict:
        return {"area": self.area.code, "indepth_followups": self.indepth_followups, "by_trigger": self.by_trigger,
                "signals": self.signals, "sanctions": self.sanctions, "terminations": self.terminations}


def indepth_counts(*, user, year: int) -> list[AreaCounts]:
    """One row per area where in-depth follow-ups apply, in the registry's order."""
    triggers = defaultdict(Counter)
    for area_id, trigger in visible(Case.objects.filter(opened_on__year=year), user).values_list("area_id", "trigger"):
        triggers[area_id][trigger] += 1
    sources, themes = defaultdict(Counter), defaultdict(Counter)
    for area_id, source, theme in visible(Signal.objects.filter(received_on__year=year), user).values_list(
            "area_id", "source", "theme__name"):
        sources[area_id][source] += 1
        themes[area_id][theme] += 1
    sanctions = Counter(visible(Sanction.objects.filter(status=DecisionStatus.DECIDED, decision_on__year=year), user)
                        .values_list("case__area_id", flat=True))
    terminations = Counter(visible(Termination.objects.filter(status=DecisionStatus.DECIDED, last_day__year=year),
                                   user).values_list("contract__area_id", flat=True))
    rows = []
    for area in Area.objects.filter(indepth_followup=True):
        by_trigger = dict(sorted(triggers[area.pk].items()))
        rows.append(AreaCounts(
            area=area, indepth_followups=sum(by_trigger.values()), by_trigger=by_trigger,
            signals=sum(sources[area.pk].values()), signals_by_source=dict(sorted(sources[area.pk].items())),
            signals_by_theme=dict(sorted(themes[area.pk].items())), sanctions=sanctions[area.pk],
            terminations=terminations[area.pk],
        ))
    return rows
