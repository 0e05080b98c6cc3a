"""Results as Excel (openpyxl, traffic-light fills; a summary sheet + one sheet per requirement
area) and as PDF (the HTML template followups/results_print.html through WeasyPrint)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
    return documents.xlsx_bytes(wb)


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
            "matrices": matrices}


def results_pdf(campaign) -> bytes:
    from foljsam.lib.documents import render_pdf

    return render_pdf("followups/results_print.html", pdf_context(campaign))
