"""Results as Excel (openpyxl, traffic-light fills; a summary sheet + one sheet per requirement
area) and as PDF (fpdf2 with DejaVu Sans for å, ä, ö and the symbols)."""

from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from foljsam.lib.documents import safe_cell

from . import selectors
from .models import RATING_SYMBOLS, RATING_WORDS

FILLS = {"green": "D8F0DC", "yellow": "FFF1B8", "red": "FBD9D7", "na": "EEF1F4"}
INKS = {"green": "1E6B2E", "yellow": "6B5400", "red": "A1120F", "na": "4A5560"}
AREA_WORDS = {1: _("1 tillfredsställande"), 2: _("2 med anmärkning"), 3: _("3 med avvikelse")}
AREA_COLOURS = {1: "green", 2: "yellow", 3: "red"}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _unit_label(assessment) -> str:
    return assessment.unit.name


def _sheet_title(name: str, used: set) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\")[:31]
    while title in used:
        title = title[:28] + f"~{len(used)}"
    used.add(title)
    return title


def results_xlsx(campaign) -> bytes:
    assessments, areas = selectors.matrix(campaign)
    shares = selectors.share_table(campaign)
    summary = selectors.summary(campaign)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Sammanfattning")[:31]
    bold = Font(bold=True)
    ws.append([str(campaign)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for label, value in [
        (_("Utförare som följts upp"), summary["providers"]), (_("Enheter"), summary["units"]),
        (_("Slutförda bedömningar"), summary["final"]), (_("Enheter med åtgärdsplan"), summary["with_plan"]),
        (_("Föreslås för fördjupad uppföljning"), summary["indepth"]),
        (_("Avvikelser (röd)"), summary["deviations"]), (_("Anmärkningar (gul)"), summary["notes"]),
    ]:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = bold
    ws.append([])
    ws.append([_("Avvikelser per kravområde"), _("Röd"), _("Gul")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for t in summary["themes"]:
        ws.append([t["theme"], t["deviation"], t["note"]])
    ws.append([])
    prev = shares["previous"]
    ws.append([_("Andel uppnådda krav per enhet (%)"), str(campaign.year), str(prev.year) if prev else ""])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in shares["rows"]:
        ws.append([row["assessment"].unit.name, row["now"]["share"] if row["now"] else None,
                   row["before"]["share"] if row["before"] else None])
    ws.column_dimensions["A"].width = 45
    used = {ws.title}
    for ma in areas:
        sheet = wb.create_sheet(_sheet_title(ma.area.name, used))
        sheet.append([_("Krav")] + [_unit_label(a) for a in assessments])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for req, cells in ma.rows:
            sheet.append([req.title] + [str(RATING_WORDS[a.rating]) if a else "" for a in cells])
            for col, answer in enumerate(cells, start=2):
                if answer and answer.rating in FILLS:
                    c = sheet.cell(row=sheet.max_row, column=col)
                    c.fill = PatternFill("solid", fgColor=FILLS[answer.rating])
                    c.font = Font(color=INKS[answer.rating], bold=True)
        sheet.append([_("Värdering")] + [AREA_WORDS.get(ar.value, "") if ar and ar.value else "" for ar in
                                         ma.area_ratings])
        for col, ar in enumerate(ma.area_ratings, start=2):
            if ar and ar.value:
                c = sheet.cell(row=sheet.max_row, column=col)
                c.fill = PatternFill("solid", fgColor=FILLS[AREA_COLOURS[ar.value]])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.column_dimensions["A"].width = 38
        for col in range(2, len(assessments) + 2):
            sheet.column_dimensions[get_column_letter(col)].width = 14
        sheet.freeze_panes = "B2"
    deviations_sheet(wb, campaign, shares)
    figures_sheet(wb, selectors.figures(campaign, assessments))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- Issue 11: the new result kinds, in functions of their own (the rendering above is being redone) ---

def deviations_sheet(wb, campaign, shares) -> None:
    """Both deviation counts per unit (yellow + red, red only) and the dialogue agenda."""
    ws = wb.create_sheet(_("Avvikelser per enhet")[:31])
    bold = Font(bold=True)
    ws.append([_("Enhet"), _("Andel uppnådda krav (%)"), _("Avvikelser, gul + röd"), _("Avvikelser, endast röd")])
    for cell in ws[1]:
        cell.font = bold
    for row in shares["rows"]:
        now = row["now"] or {}
        ws.append([safe_cell(row["assessment"].unit.name), now.get("share"), now.get("yellow_red"), now.get("red")])
        for col in (2, 3, 4):
            ws.cell(row=ws.max_row, column=col).number_format = "0"
    ws.append([])
    ws.append([_("Dagordning för dialogmöten"), _("Kravområden"), _("Åtgärdsplan")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for assessment, ars, needs_plan in selectors.consequences(campaign)["dialogue"]:
        ws.append([safe_cell(assessment.unit.name), safe_cell(", ".join(f"{ar.area.name} ({ar.value})" for ar in ars)),
                   _("Ja") if needs_plan else _("Nej")])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 22


def figures_sheet(wb, figures) -> None:
    """Seed 002's diagrams 1–3 as tables: one block per figure requirement, one row per unit, numbers
    as numbers ("0.0" or percent-style formats), never as text."""
    if not figures:
        return
    ws = wb.create_sheet(_("Siffror")[:31])
    bold = Font(bold=True)
    for fig in figures:
        ws.append([safe_cell(f"{fig.requirement.title} ({fig.requirement.area.name})")])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=12)
        ws.append([_("Enhet")] + [safe_cell(c) for c in fig.columns])
        for cell in ws[ws.max_row]:
            cell.font = bold
        for assessment, values in fig.rows:
            ws.append([safe_cell(assessment.unit.name)] + list(values))
            for col in range(2, len(values) + 2):
                ws.cell(row=ws.max_row, column=col).number_format = '0.0" %"' if fig.unit == "%" and not (
                    fig.requirement.answer_type == "sample" and col == 2) else "0.0"
        ws.append([])
    ws.column_dimensions["A"].width = 40
    for col in range(2, 8):
        ws.column_dimensions[get_column_letter(col)].width = 18


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return pdf, "DejaVu", True
    return pdf, "Helvetica", False  # no Unicode font on this system: Latin-1 only


def _text(s: str, unicode_ok: bool) -> str:
    if unicode_ok:
        return s
    s = s.replace("✓", "OK").replace("✗", "X").replace("–", "-").replace("→", "->")
    return s.encode("latin-1", "replace").decode("latin-1")


def results_pdf(campaign) -> bytes:
    assessments, areas = selectors.matrix(campaign)
    shares = selectors.share_table(campaign)
    summary = selectors.summary(campaign)
    pdf, font, uni = _pdf()
    t = lambda s: _text(str(s), uni)  # noqa: E731
    pdf.add_page()
    pdf.set_font(font, "B", 16)
    pdf.cell(0, 10, t(_("Avtalsuppföljning %(c)s") % {"c": campaign}), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 10)
    for label, value in [
        (_("Utförare som följts upp"), summary["providers"]), (_("Enheter"), summary["units"]),
        (_("Enheter med åtgärdsplan"), summary["with_plan"]),
        (_("Föreslås för fördjupad uppföljning"), summary["indepth"]),
        (_("Avvikelser (röd) / anmärkningar (gul)"), f"{summary['deviations']} / {summary['notes']}"),
    ]:
        pdf.cell(90, 6, t(label))
        pdf.cell(0, 6, t(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 8, t(_("Andel uppnådda krav per enhet (procent)")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 9)
    prev = shares["previous"]
    for row in shares["rows"]:
        now = row["now"]["share"] if row["now"] and row["now"]["share"] is not None else None
        before = row["before"]["share"] if row["before"] and row["before"]["share"] is not None else None
        pdf.cell(70, 5, t(row["assessment"].unit.name))
        pdf.set_fill_color(30, 107, 46)
        if now is not None:
            pdf.cell(max(now * 1.2, 0.1), 4, "", fill=True)
            pdf.cell(14, 5, f" {now} %")
        if prev and before is not None:
            pdf.set_x(pdf.l_margin + 70 + 140)
            pdf.cell(0, 5, t(f"{prev.year}: {before} %"))
        pdf.ln(5)
    widths = (62, max(8.0, min(14.0, (297 - 24 - 62) / max(1, len(assessments)))))
    for ma in areas:
        pdf.add_page()
        pdf.set_font(font, "B", 12)
        pdf.cell(0, 8, t(ma.area.name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, "B", 6)
        y = pdf.get_y()
        pdf.cell(widths[0], 14, "", border=1)
        for a in assessments:
            x = pdf.get_x()
            pdf.multi_cell(widths[1], 3.5, t(_unit_label(a))[:30], border=0, align="C", max_line_height=3.5)
            pdf.set_xy(x + widths[1], y)
        pdf.set_xy(pdf.l_margin, y + 14)
        pdf.set_font(font, "", 7)
        for req, cells in ma.rows:
            pdf.cell(widths[0], 6, t(req.title)[:48], border=1)
            for answer in cells:
                rating = answer.rating if answer else ""
                if rating in FILLS:
                    pdf.set_fill_color(*bytes.fromhex(FILLS[rating]))
                    pdf.set_text_color(*bytes.fromhex(INKS[rating]))
                pdf.cell(widths[1], 6, t(RATING_SYMBOLS[rating]) if answer else "", border=1, align="C",
                         fill=rating in FILLS)
                pdf.set_text_color(0, 0, 0)
            pdf.ln(6)
        pdf.set_font(font, "B", 7)
        pdf.cell(widths[0], 6, t(_("Värdering 1/2/3")), border=1)
        for ar in ma.area_ratings:
            pdf.cell(widths[1], 6, str(ar.value) if ar and ar.value else "", border=1, align="C")
        pdf.ln(8)
        pdf.set_font(font, "", 7)
        pdf.cell(0, 5, t(_("✓ grön = finns/uppnås, ! gul = finns delvis/uppnås delvis, ✗ röd = saknas/uppnås ej, "
                           "– ej tillämpligt")), new_x="LMARGIN", new_y="NEXT")
    pdf_figures(pdf, selectors.figures(campaign, assessments), font=font, t=t)
    return bytes(pdf.output())


def pdf_figures(pdf, figures, *, font, t) -> None:
    """Seed 002's diagrams: per figure requirement a bar per unit and value, with the table's numbers
    printed beside each bar (so the chart is also the table)."""
    colours = [(11, 83, 148), (180, 95, 6), (56, 118, 29), (116, 27, 71), (74, 85, 96), (161, 18, 15)]
    for fig in figures:
        pdf.add_page()
        pdf.set_font(font, "B", 12)
        pdf.cell(0, 8, t(f"{fig.requirement.title} ({fig.requirement.area.name})"), new_x="LMARGIN", new_y="NEXT")
        sample = fig.requirement.answer_type == "sample"
        series = fig.columns[1:] if sample else fig.columns
        pdf.set_font(font, "", 8)
        for j, name in enumerate(series):
            pdf.set_fill_color(*colours[j % len(colours)])
            pdf.cell(4, 4, "", fill=True)
            pdf.cell(70, 4, t(f" {name}"))
        pdf.ln(7)
        numbers = [v for _a, values in fig.rows for v in (values[1:] if sample else values) if v is not None]
        top = 100.0 if fig.unit == "%" else max(numbers + [1.0])
        for assessment, values in fig.rows:
            shown = values[1:] if sample else values
            y = pdf.get_y()
            pdf.cell(70, 4, t(assessment.unit.name + (f" ({values[0]} {_('granskade')})" if sample and values[0]
                                                        else ""))[:60])
            for j, v in enumerate(shown):
                pdf.set_xy(pdf.l_margin + 72, y + j * 4)
                if v is None:
                    pdf.cell(20, 4, "–")
                    continue
                pdf.set_fill_color(*colours[j % len(colours)])
                pdf.cell(max(150 * v / top, 0.2), 3.2, "", fill=True)
                text = f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}".replace(".", ",")
                pdf.cell(20, 4, t(f" {text}{' %' if fig.unit == '%' else ''}"))
            pdf.set_xy(pdf.l_margin, y + max(len(shown), 1) * 4 + 2)
