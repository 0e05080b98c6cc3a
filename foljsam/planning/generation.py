"""What the registry says should be followed up in a year (seed 001's schedules).

- contract follow-up: every LOV and entreprenad area every year (surveys go out in February);
  a LOU framework agreement in its follow-up year (`Area.followup_year`);
- monthly follow-up: the areas that have it, every year;
- in-depth follow-up: six months after a new provider's first client (`first_client` events);
- dialogue meetings: one a year with the providers of each LOV area;
- quality studies are not in the registry: officers plan them per area and year (seed 001's
  "Tidsplan för kvalitetsundersökningar"), and they stay in the plan from year to year.
"""

from dataclasses import dataclass

from foljsam.lib.dates import add_months
from foljsam.registry.models import Area, EventKind, Procurement, ProviderEvent

from .models import Kind

CONTRACT_SURVEY_MONTH = 2  # seed 001: "underlagen skickas ut till utförarna från och med februari"
INDEPTH_AFTER_MONTHS = 6   # seed 001: "ett halvår efter att en nystartad utförare mottagit sin första brukare"


@dataclass(frozen=True)
class Proposal:
    key: str
    kind: str
    area: Area
    year: int
    month: int | None = None
    provider_id: int | None = None
    title: str = ""


def proposals(years: range) -> list[Proposal]:
    result = []
    areas = list(Area.objects.all())
    for year in years:
        for area in areas:
            if area.contract_followup:
                if area.procurement == Procurement.LOU:
                    if area.followup_year == year:
                        result.append(Proposal(f"{Kind.CONTRACT}:{area.code}:{year}", Kind.CONTRACT, area, year))
                else:
                    result.append(Proposal(f"{Kind.CONTRACT}:{area.code}:{year}", Kind.CONTRACT, area, year,
                                           CONTRACT_SURVEY_MONTH))
            if area.monthly_followup:
                result.append(Proposal(f"{Kind.MONTHLY}:{area.code}:{year}", Kind.MONTHLY, area, year))
            if area.procurement == Procurement.LOV:
                result.append(Proposal(f"{Kind.DIALOGUE}:{area.code}:{year}", Kind.DIALOGUE, area, year))
    first_clients = (ProviderEvent.objects.filter(kind=EventKind.FIRST_CLIENT, area__isnull=False,
                                                  area__indepth_followup=True)
                     .select_related("area", "provider"))
    for event in first_clients:
        due = add_months(event.date, INDEPTH_AFTER_MONTHS)
        if due.year in years:
            result.append(Proposal(f"{Kind.INDEPTH}:{event.area.code}:{due.year}:{event.provider_id}", Kind.INDEPTH,
                                   event.area, due.year, due.month, event.provider_id, event.provider.name))
    return result
