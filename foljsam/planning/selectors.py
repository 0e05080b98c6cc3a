"""Reads of the plan, studies and meetings. The plan and the studies are the administration's own
work (staff read them); a meeting is visible to the providers invited to it."""

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Q

from foljsam.accounts import policy
from foljsam.accounts.selectors import get_visible, visible
from foljsam.registry.models import Area

from .models import ItemStatus, Kind, Meeting, PlanItem, QualityStudy

MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def plan_items(*, year: int):
    """The plan of `year`: its items of year, year+1 and year+2."""
    return (PlanItem.objects.filter(year__gte=year, year__lte=year + 2)
            .select_related("area", "provider", "realised_type"))


def item_json(item: PlanItem) -> dict:
    realised = item.realised
    return {
        "area": item.area.code, "kind": item.kind, "year": item.year, "month": item.month,
        "title": item.title or None, "provider": item.provider.code if item.provider_id else None,
        "status": item.status, "reason": item.reason or None,
        "realised": ({"type": item.realised_type.model, "id": item.realised_id, "label": str(realised)}
                     if realised is not None else None),
    }


@dataclass
class AreaRow:
    area: Area
    cells: list = field(default_factory=list)  # per year: list of items


@dataclass
class PlanView:
    year: int
    years: list[int]
    items: list
    by_area: list[AreaRow]
    calendar: list  # per year: (year, [(month label, items)], items without month)
    totals: list  # (kind label, planned, done, cancelled)


def plan_view(*, year: int) -> PlanView:
    items = list(plan_items(year=year))
    years = [year, year + 1, year + 2]
    rows: OrderedDict[int, AreaRow] = OrderedDict()
    for item in sorted(items, key=lambda i: (i.area.sort_order, i.area.name)):
        row = rows.setdefault(item.area_id, AreaRow(item.area, [[] for _y in years]))
        row.cells[item.year - year].append(item)
    calendar = []
    for y in years:
        in_year = [i for i in items if i.year == y and i.status == ItemStatus.PLANNED]
        months = [(MONTHS[m - 1], [i for i in in_year if i.month == m]) for m in range(1, 13)]
        calendar.append((y, months, [i for i in in_year if i.month is None]))
    totals = []
    for kind, label in Kind.choices:
        of_kind = [i for i in items if i.kind == kind]
        planned = [i for i in of_kind if i.status == ItemStatus.PLANNED]
        totals.append((label, len(planned), sum(1 for i in planned if i.realised is not None),
                       len(of_kind) - len(planned)))
    return PlanView(year, years, items, list(rows.values()), calendar, totals)


def study_list(*, user):
    """Staff read every study; a provider the studies its units took part in."""
    return visible(QualityStudy.objects.all(), user, "study.view").distinct().prefetch_related("areas")


def get_study(*, user, pk):
    qs = QualityStudy.objects.distinct().prefetch_related("areas", "units__provider")
    return get_visible(qs, user, "study.view", pk=pk)


def meeting_list(*, user):
    return visible(Meeting.objects.all(), user, "meeting.view").distinct().prefetch_related("areas")


def get_meeting(*, user, pk):
    return get_visible(Meeting.objects.distinct(), user, "meeting.view", pk=pk)


def agenda_items(*, meeting, user):
    """A provider sees the general points and its own follow-up results, not other providers'."""
    items = meeting.agenda_items.select_related("answer__assessment__unit__provider", "answer__requirement")
    if policy.scope(user, "meeting.view") != policy.ALL:
        items = items.filter(Q(answer__isnull=True) | Q(answer__assessment__unit__provider_id=user.provider_id))
    return items


def yellow_results(*, meeting):
    """Yellow answers of the latest contract follow-ups in the meeting's areas, of invited providers,
    not yet on the agenda."""
    from foljsam.followups.models import Answer, Rating

    invited = meeting.invitations.values("provider_id")
    return (Answer.objects.filter(rating=Rating.YELLOW, assessment__campaign__area__in=meeting.areas.all(),
                                  assessment__unit__provider_id__in=invited)
            .exclude(agenda_items__meeting=meeting)
            .select_related("requirement", "assessment__unit__provider", "assessment__campaign__area")
            .order_by("-assessment__campaign__year", "assessment__unit__provider__name")[:100])
