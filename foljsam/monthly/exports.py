"""The quarterly "Matris – månadsuppföljning hemtjänst": Excel (one sheet per month plus the
quarter, colours as on screen) and PDF, for one provider or all."""

from dataclasses import dataclass

from django.utils import timezone

from .engine.kpis import CATALOGUE
from .selectors import Limits, format_value, snapshots

COLOURS = {"green": "D8F0DC", "yellow": "FFF1B8", "red": "FBD9D7"}
STATUS_SV = {"green": "Grön", "yellow": "Gul", "red": "Röd", None: ""}
MONTHS_SV = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december"]
@dataclass
class QuarterMatrix:
    title: str
    periods: list[str]
    providers: list
    values: dict  # (period or "Q", provider_id) -> values dict
    limits: Limits

    def cell(self, period, provider, key):
        value = self.values.get((period, provider.pk), {}).get(key)
        return format_value(key, value), self.limits.status(key, value, provider.pk)


def quarter_matrix(*, user, year: int, quarter: int, provider=None) -> QuarterMatrix:
    periods = [f"{year}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)]
    snaps = snapshots(user=user).filter(period__in=periods)
    if provider is not None:
        snaps = snaps.filter(provider=provider)
    values, providers = {}, {}
    for snap in snaps:
        values[(snap.period, snap.provider_id)] = snap.values
        providers[snap.provider_id] = snap.provider
    ordered = sorted(providers.values(), key=lambda p: p.name)
    from .services import quarter_figures  # the engine over the quarter's rows (issue 7, item 9)

    exact = quarter_figures(year=year, quarter=quarter)
    for p in ordered:
        values[("Q", p.pk)] = exact.get(p.pk, {})
    who = provider.name if provider else "alla utförare"
    title = f"Matris – månadsuppföljning hemtjänst, kvartal {quarter} {year}, {who}"
    return QuarterMatrix(title, periods, ordered, values, Limits())


def _period_label(period: str) -> str:
    if period == "Q":
        return "Kvartalet"
    return f"{MONTHS_SV[int(period[5:]) - 1].capitalize()} {period[:4]}"


# --- Rendering: Excel with numbers and number formats, PDF from an HTML template -----------------

NO_DATA = "Ingen data"
NO_DATA_FILL = "E4E7EB"
# Describes services.quarter_figures; shown on the quarter's sheet and page.
QUARTER_NOTE = ("Kvartalet: nyckeltalen räknas om över alla besök i kvartalets importerade månader tillsammans "
                "(unika kunder och personal över kvartalet, medianer och andelar över kvartalets rader).")
PDF_PROVIDERS_PER_TABLE = 10  # columns that fit A4 landscape beside the figure names


def _number_format(kpi) -> str:
    from foljsam.lib import documents

    from .selectors import ONE_DECIMAL

    if kpi.kind in ("share", "rate"):
        return documents.PERCENT_1
    if kpi.key in ONE_DECIMAL:
        return documents.ONE_DECIMAL
    return documents.THOUSANDS


def _figure(data: QuarterMatrix, period: str, provider, kpi):
    """(value, status) of one figure; status is None without a threshold or value, "nodata" when the
    provider has no figures at all for the period."""
    values = data.values.get((period, provider.pk))
    if not values:
        return None, "nodata"
    value = values.get(kpi.key)
    return value, data.limits.status(kpi.key, value, provider.pk)


def to_xlsx(data: QuarterMatrix) -> bytes:
    """One sheet per month and one for the quarter; a row per provider, a column per key figure
    holding the number with its number format, the colour as the cell's fill and, for figures with
    thresholds, the status word in the next column – so that sorting, filters and sums work."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from foljsam.lib.documents import safe_cell, xlsx_bytes

    fills = {**{k: PatternFill("solid", fgColor=v) for k, v in COLOURS.items()},
             "nodata": PatternFill("solid", fgColor=NO_DATA_FILL)}
    wb = Workbook()
    wb.remove(wb.active)
    for period in [*data.periods, "Q"]:
        ws = wb.create_sheet(_period_label(period)[:31])
        ws.append([safe_cell(data.title)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([QUARTER_NOTE if period == "Q" else _period_label(period)])
        ws.append([])
        header = ["Utförare", "Kod"]
        for kpi in CATALOGUE:
            header.append(kpi.label_sv)
            if kpi.worse:
                header.append(f"{kpi.label_sv} – status")
        ws.append(header)
        for cell in ws[4]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for provider in data.providers:
            row, styles = [safe_cell(provider.name), safe_cell(provider.code)], []
            for kpi in CATALOGUE:
                value, status = _figure(data, period, provider, kpi)
                row.append(value)
                styles.append((_number_format(kpi), status))
                if kpi.worse:
                    row.append(NO_DATA if status == "nodata" else STATUS_SV.get(status, ""))
                    styles.append((None, status))
            ws.append(row)
            for cell, (number_format, status) in zip(ws[ws.max_row][2:], styles, strict=True):
                if number_format:
                    cell.number_format = number_format
                if status in fills:
                    cell.fill = fills[status]
        ws.column_dimensions["A"].width = 32
        ws.column_dimensions["B"].width = 10
        for col in range(3, len(header) + 1):
            ws.column_dimensions[get_column_letter(col)].width = 13 if header[col - 1].endswith("status") else 15
        ws.row_dimensions[4].height = 60
        ws.freeze_panes = "C5"
        ws.auto_filter.ref = f"A4:{get_column_letter(len(header))}{max(ws.max_row, 5)}"
    return xlsx_bytes(wb)


def _pdf_cell(data, period, provider, kpi) -> dict:
    value, status = _figure(data, period, provider, kpi)
    return {"text": NO_DATA if status == "nodata" else format_value(kpi.key, value), "status": status}


def _chunks(items: list, size: int) -> list[list]:
    """Split into as few chunks of at most `size` as possible, of nearly equal length."""
    if not items:
        return [[]]
    n = -(-len(items) // size)
    step = -(-len(items) // n)
    return [items[i:i + step] for i in range(0, len(items), step)]


def pdf_context(data: QuarterMatrix) -> dict:
    """Tables of the PDF: for one provider the figures by month; for several, per month (and the
    quarter) the figures by provider, at most PDF_PROVIDERS_PER_TABLE providers per table."""
    periods = [*data.periods, "Q"]
    sections = []
    if len(data.providers) == 1:
        provider = data.providers[0]
        sections.append({"heading": provider.name, "tables": [{
            "columns": [_period_label(p) for p in periods],
            "rows": [(kpi, [_pdf_cell(data, p, provider, kpi) for p in periods]) for kpi in CATALOGUE],
        }]})
    else:
        for period in periods:
            tables = [{"columns": [p.name for p in chunk],
                       "rows": [(kpi, [_pdf_cell(data, period, p, kpi) for p in chunk]) for kpi in CATALOGUE]}
                      for chunk in _chunks(data.providers, PDF_PROVIDERS_PER_TABLE)] if data.providers else []
            sections.append({"heading": _period_label(period), "tables": tables, "quarter": period == "Q"})
    return {"title": data.title, "sections": sections, "note": QUARTER_NOTE, "printed": timezone.localdate()}


def to_pdf(data: QuarterMatrix) -> bytes:
    from foljsam.lib.documents import render_pdf

    return render_pdf("monthly/quarter_print.html", pdf_context(data))
