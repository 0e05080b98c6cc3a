"""Which stored months an import changes (pure; used by services and the bench)."""

from __future__ import annotations


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def months_to_refresh(*, period: str, reports: list, declared: set[str]) -> list[str]:
    """The declared months an import changes: its own period, the months whose stored rows it changed
    (new, replaced or moved; all months of its rows when that is not known) and the month after each
    (whose sequence checks look back at them), and for grants that changed every declared month of
    their validity. Other months keep their stored figures: re-sent rows of a neighbouring month that
    are identical to the stored ones change nothing."""
    touched = {period} if period else set()
    for f in reports:
        for month in (f.months if f.changed_months is None else f.changed_months) if f.kind != "grants" else ():
            touched |= {month, next_period(month)}
        if f.span and f.changed_months != []:
            first, last = f.span["first"], f.span["last"] or "9999-12"
            touched |= {p for p in declared if first <= p <= last}
    return sorted(touched & declared)
