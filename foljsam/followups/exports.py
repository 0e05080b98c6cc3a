"""Results as Excel (openpyxl, traffic-light fills; a summary sheet + one sheet per requirement
area, the deviation counts per unit with the dialogue agenda, the figures) and as PDF (the HTML
template followups/results_print.html through WeasyPrint, the figures as SVG charts with their tables)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from foljsam.catalogue.models import AnswerType
from foljsam.lib import documents
from foljsam.lib.documents import safe_cell

from . import selectors
from .models import RATING_WORDS

FILLS = {"green": "D8F0DC", "yellow": "FFF1B8", "red": "FBD9D7", "na": "EEF1F4"}
INKS = {"green": "1E6B2E", "yellow": "6B5400", "red": "A1120F", "na": "4A5560"}
AREA_COLOURS = {1: "green", 2: "yellow", 3: "red"}


def _unit_label(assessment) -> str:
    return assessment.unit.name


def _sheet_title(name: str, used: set) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\")[:31]
    while title in used:
        title = title[:28] + f"~{len(used)}"
    used.add(title)
    return title


def results_xlsx(campaign) -> bytes:
    """A summary sheet (counts as numbers, shares met as percentages) and one sheet per requirement
    area: requirement × unit with the rating word and its fill, the area rating 1/2/3 as a number."""
    assessments, areas = selectors.matrix(campaign)
    shares = selectors.share_table(campaign)
    summary = selectors.summary(campaign)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Sammanfattning")[:31]
    bold = Font(bold=True)
    ws.append([safe_cell(str(campaign))])
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
        ws.append([safe_cell(t["theme"]), t["deviation"], t["note"]])
    ws.append([])
    prev = shares["previous"]
    ws.append([_("Andel uppnådda krav per enhet"), campaign.year] + ([prev.year, _("Förändring (procentenheter)")]
                                                                  if prev else []))
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in shares["rows"]:
        now = row["now"]["share"] if row["now"] else None
        before = row["before"]["share"] if row["before"] else None
        ws.append([safe_cell(row["assessment"].unit.name), None if now is None else now / 100]
                  + ([None if before is None else before / 100, row["delta"]] if prev else []))
        for cell in ws[ws.max_row][1:3]:
            cell.number_format = documents.PERCENT_0
    ws.column_dimensions["A"].width = 45
    for letter in "BCD":
        ws.column_dimensions[letter].width = 14
    used = {ws.title}
    for ma in areas:
        sheet = wb.create_sheet(_sheet_title(ma.area.name, used))
        sheet.append([_("Krav")] + [safe_cell(_unit_label(a)) for a in assessments])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for req, cells in ma.rows:
            sheet.append([safe_cell(req.title)] + [str(RATING_WORDS[a.rating]) if a else "" for a in cells])
            for col, answer in enumerate(cells, start=2):
                if answer and answer.rating in FILLS:
                    c = sheet.cell(row=sheet.max_row, column=col)
                    c.fill = PatternFill("solid", fgColor=FILLS[answer.rating])
                    c.font = Font(color=INKS[answer.rating], bold=True)
        sheet.append([_("Värdering 1/2/3")] + [ar.value if ar and ar.value else None for ar in ma.area_ratings])
        for col, ar in enumerate(ma.area_ratings, start=2):
            if ar and ar.value:
                c = sheet.cell(row=sheet.max_row, column=col)
                c.fill = PatternFill("solid", fgColor=FILLS[AREA_COLOURS[ar.value]])
                c.number_format = "0"
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([])
        sheet.append([_("Värdering: 1 tillfredsställande, 2 med anmärkning, 3 med avvikelse.")])
        sheet.column_dimensions["A"].width = 38
        for col in range(2, len(assessments) + 2):
            sheet.column_dimensions[get_column_letter(col)].width = 14
        sheet.freeze_panes = "B2"
    deviations_sheet(wb, campaign, shares)
    figures_sheet(wb, selectors.figures(campaign, assessments))
    return documents.xlsx_bytes(wb)


def deviations_sheet(wb, campaign, shares) -> None:
    """Both deviation counts per unit (yellow + red, red only) and the dialogue agenda (issue 11)."""
    ws = wb.create_sheet(_("Avvikelser per enhet")[:31])
    bold = Font(bold=True)
    ws.append([_("Enhet"), _("Andel uppnådda krav"), _("Avvikelser, gul + röd"), _("Avvikelser, endast röd")])
    for cell in ws[1]:
        cell.font = bold
    for row in shares["rows"]:
        now = row["now"] or {}
        share = now.get("share")
        ws.append([safe_cell(row["assessment"].unit.name), None if share is None else share / 100,
                   now.get("yellow_red"), now.get("red")])
        ws.cell(row=ws.max_row, column=2).number_format = documents.PERCENT_0
        for col in (3, 4):
            ws.cell(row=ws.max_row, column=col).number_format = documents.THOUSANDS
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


def _figure_format(fig, col: int) -> tuple[str, float]:
    """(number format, divisor) of a figure's column: shares as real percentages (0.875 shown as
    87.5 %), a sample audit's count checked and count tables as whole numbers, numbers with a decimal."""
    req = fig.requirement
    if req.answer_type == AnswerType.SAMPLE:
        return (documents.THOUSANDS, 1) if col == 0 else (documents.PERCENT_0, 100)
    if fig.unit == "%":
        return documents.PERCENT_1, 100
    if req.answer_type == AnswerType.COUNT_TABLE:
        return documents.THOUSANDS, 1
    return documents.ONE_DECIMAL, 1


def figures_sheet(wb, figures) -> None:
    """Seed 002's diagrams 1–3 as tables: one block per figure requirement, one row per unit, numbers
    as numbers with number formats, never as text."""
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
            formats = [_figure_format(fig, i) for i in range(len(values))]
            ws.append([safe_cell(assessment.unit.name)]
                      + [None if v is None else v / div for v, (_fmt, div) in zip(values, formats, strict=True)])
            for i, (fmt, _div) in enumerate(formats):
                ws.cell(row=ws.max_row, column=i + 2).number_format = fmt
        ws.append([])
    ws.column_dimensions["A"].width = 40
    for col in range(2, 8):
        ws.column_dimensions[get_column_letter(col)].width = 18


UNITS_PER_TABLE = 9  # unit columns (22 mm) that fit A4 landscape beside the requirement titles (75 mm)


def pdf_context(campaign) -> dict:
    """What the results PDF shows: the summary for the yearly report, the share of requirements met
    per unit (this year and the previous), and per requirement area the matrix requirement × unit
    with the traffic lights and the area rating 1/2/3 – units in tables of at most UNITS_PER_TABLE."""
    assessments, areas = selectors.matrix(campaign)
    n = max(1, -(-len(assessments) // UNITS_PER_TABLE))
    step = max(1, -(-len(assessments) // n))
    slices = [slice(i, i + step) for i in range(0, len(assessments), step)] or [slice(0, 0)]
    matrices = []
    for ma in areas:
        tables = [{"units": [_unit_label(a) for a in assessments[part]],
                   "rows": [(req, cells[part]) for req, cells in ma.rows],
                   "ratings": ma.area_ratings[part]} for part in slices]
        matrices.append({"area": ma.area, "tables": tables})
    return {"campaign": campaign, "summary": selectors.summary(campaign), "shares": selectors.share_table(campaign),
            "matrices": matrices, "dialogue": selectors.consequences(campaign)["dialogue"],
            "figures": selectors.figures(campaign, assessments)}


def results_pdf(campaign) -> bytes:
    from foljsam.lib.documents import render_pdf

    return render_pdf("followups/results_print.html", pdf_context(campaign))
