"""The quarterly "Matris – månadsuppföljning hemtjänst": Excel (one sheet per month plus the
quarter, colours as on screen) and PDF, for one provider or all."""

import io
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from .engine.kpis import CATALOGUE
from .selectors import Limits, format_value, snapshots

COLOURS = {"green": "D8F0DC", "yellow": "FFF1B8", "red": "FBD9D7"}
STATUS_SV = {"green": "Grön", "yellow": "Gul", "red": "Röd", None: ""}
MONTHS_SV = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december"]
# How a month's figure becomes a quarter's figure. Shares and rates are exact: they are weighted
# back to counts. Distinct counts cannot be added across months, so the quarter shows the highest
# month; medians and means of people cannot be pooled either, so the quarter shows the mean of months.
SUMMED = {"visits", "executed_minutes", "granted_minutes", "staff_long_days", "additional_reports",
          "late_additional_reports"}
HIGHEST = {"clients", "staff", "continuity_clients", "dominant_staff_clients"}
MEAN_OF_MONTHS = {"median_visit_minutes", "continuity_mean", "continuity_median"}


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


def quarter_values(months: list[dict]) -> dict:
    """Combine up to three months' figures of one provider into the quarter's."""
    months = [m for m in months if m]
    if not months:
        return {}
    out = {}
    visits = sum(m.get("visits") or 0 for m in months)
    for kpi in CATALOGUE:
        key, values = kpi.key, [m.get(kpi.key) for m in months]
        present = [v for v in values if v is not None]
        if key == "execution_rate":
            granted = sum(m.get("granted_minutes") or 0 for m in months)
            out[key] = sum(m.get("executed_minutes") or 0 for m in months) / granted if granted else None
        elif kpi.kind == "share":
            out[key] = (sum((m.get(key) or 0) * (m.get("visits") or 0) for m in months) / visits) if visits else None
        elif key in SUMMED:
            out[key] = sum(present) if present else None
        elif key in HIGHEST:
            out[key] = max(present) if present else None
        else:  # MEAN_OF_MONTHS and anything new: the plain mean, never silently wrong as a sum
            out[key] = sum(present) / len(present) if present else None
    return out


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


def to_xlsx(data: QuarterMatrix) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    for period in [*data.periods, "Q"]:
        ws = wb.create_sheet(_period_label(period)[:31])
        ws.append([data.title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([_period_label(period) + (" (sammanvägt, se not)" if period == "Q" else "")])
        ws.append([])
        ws.append(["Nyckeltal", *[p.name for p in data.providers]])
        for cell in ws[4]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for kpi in CATALOGUE:
            row = [kpi.label_sv]
            statuses = []
            for provider in data.providers:
                text, status = data.cell(period, provider, kpi.key)
                row.append(text + (f" ({STATUS_SV[status]})" if status else ""))
                statuses.append(status)
            ws.append(row)
            for cell, status in zip(ws[ws.max_row][1:], statuses, strict=True):
                if status:
                    cell.fill = PatternFill("solid", fgColor=COLOURS[status])
        if period == "Q":
            ws.append([])
            ws.append(["Not: andelar och utförandegrad räknas om över kvartalets alla besök; antal besök, minuter "
                       "och rapporter summeras; antal kunder och personal visar högsta månaden; median- och "
                       "kontinuitetsmått visar medelvärdet av månaderna."])
        ws.column_dimensions["A"].width = 42
        for i in range(len(data.providers)):
            ws.column_dimensions[chr(ord("B") + i) if i < 25 else "Z"].width = 22
        ws.freeze_panes = "B5"
    if not wb.sheetnames:
        wb.create_sheet("Tom")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _pdf_font(pdf) -> str:
    for directory in FONT_DIRS:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "helvetica"  # core font: Latin-1 covers å, ä, ö


def to_pdf(data: QuarterMatrix) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    font = _pdf_font(pdf)
    pdf.set_title(data.title)
    rgb = {k: tuple(int(v[i:i + 2], 16) for i in (0, 2, 4)) for k, v in COLOURS.items()}
    chunks = [data.providers[i:i + 6] for i in range(0, len(data.providers), 6)] or [[]]
    for period in [*data.periods, "Q"]:
        for chunk in chunks:
            pdf.add_page()
            pdf.set_font(font, "B", 13)
            pdf.multi_cell(0, 7, data.title)
            pdf.set_font(font, "", 10)
            pdf.cell(0, 6, f"{_period_label(period)} – utskriven {timezone.localdate():%Y-%m-%d}", new_x="LMARGIN",
                     new_y="NEXT")
            label_w = 70
            col_w = (pdf.w - pdf.l_margin - pdf.r_margin - label_w) / max(len(chunk), 1)
            pdf.set_font(font, "B", 8)
            pdf.cell(label_w, 8, "Nyckeltal", border=1)
            for provider in chunk:
                pdf.cell(col_w, 8, provider.name[:34], border=1)
            pdf.ln()
            pdf.set_font(font, "", 8)
            for kpi in CATALOGUE:
                pdf.cell(label_w, 6, kpi.label_sv, border=1)
                for provider in chunk:
                    text, status = data.cell(period, provider, kpi.key)
                    if status:
                        pdf.set_fill_color(*rgb[status])
                    pdf.cell(col_w, 6, text + (f" {STATUS_SV[status]}" if status else ""), border=1, fill=bool(status))
                pdf.ln()
    return bytes(pdf.output())
