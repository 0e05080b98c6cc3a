"""What the yearly report (foljsam/reports/sources.py) takes from the in-depth follow-ups and signals."""

from collections import Counter, defaultdict

from .models import Case, DecisionStatus, Sanction, Signal, SignalSource


def indepth_followups(*, year: int) -> list[dict]:
    """One dict per in-depth follow-up opened in `year` (the board counts them by opening year)."""
    cases = Case.objects.filter(opened_on__year=year).select_related("area", "provider").order_by("opened_on", "pk")
    return [
        {"area": c.area.code, "provider": c.provider.name, "trigger": c.get_trigger_display(),
         "outcome": c.get_status_display() + (f": {c.result}" if c.result else ""), "url": c.get_absolute_url()}
        for c in cases
    ]


# Seed 003's deviations table: lex Sarah, internal deviations, complaints (from clients or relatives) and
# other comments (the remaining sources), per organisation.
_COLUMN = {SignalSource.LEX_SARAH: "lex_sarah", SignalSource.INTERNAL: "internal", SignalSource.CLIENT: "complaints"}


def deviation_counts(*, year: int) -> list[dict]:
    counts: dict = defaultdict(Counter)
    names = {}
    for provider_id, name, area_code, source in Signal.objects.filter(received_on__year=year).values_list(
            "provider_id", "provider__name", "area__code", "source"):
        names[(provider_id, area_code)] = name
        counts[(provider_id, area_code)][_COLUMN.get(source, "comments")] += 1
    return [
        {"provider": names[key], "provider_id": key[0], "area": key[1], **{c: counts[key][c] for c in
                                                    ("lex_sarah", "internal", "complaints", "comments")}}
        for key in sorted(counts, key=lambda k: (names[k], k[1]))
    ]


def sanctions(*, year: int) -> list[dict]:
    """Sanctions (vite) decided in `year`, for the report's "changes in the choice system"."""
    decided = (Sanction.objects.filter(status=DecisionStatus.DECIDED, decision_on__year=year)
               .select_related("case__provider", "case__area").order_by("decision_on", "pk"))
    return [{"provider": s.case.provider.name, "area": s.case.area.code, "amount": int(s.amount),
             "clause": s.clause, "date": s.decision_on.isoformat(), "url": s.case.get_absolute_url()}
            for s in decided]
