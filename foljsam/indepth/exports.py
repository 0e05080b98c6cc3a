"""Excel of the board counts: numbers as numbers, text through documents.safe_cell."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from foljsam.lib.documents import safe_cell, xlsx_response

from .models import SignalSource, TriggerKind


def board_xlsx(rows, year: int):
    wb = Workbook()
    ws = wb.active
    ws.title = _("Per område")
    kinds = [k for k, _label in TriggerKind.choices]
    header = [_("Verksamhetsområde"), _("Fördjupade uppföljningar"), *[str(label) for _k, label in
                                                                       TriggerKind.choices],
              _("Signaler"), _("Viten"), _("Avslutade avtal")]
    ws.append([safe_cell(h) for h in header])
    for r in rows:
        ws.append([safe_cell(r.area.name), r.indepth_followups, *[r.by_trigger.get(k, 0) for k in kinds],
                   r.signals, r.sanctions, r.terminations])
    sources = wb.create_sheet(_("Signaler per källa"))
    sources.append([safe_cell(_("Verksamhetsområde")), *[safe_cell(str(label)) for _k, label in SignalSource.choices]])
    for r in rows:
        sources.append([safe_cell(r.area.name), *[r.signals_by_source.get(k, 0) for k, _l in SignalSource.choices]])
    themes = sorted({t for r in rows for t in r.signals_by_theme})
    by_theme = wb.create_sheet(_("Signaler per tema"))
    by_theme.append([safe_cell(_("Verksamhetsområde")), *[safe_cell(t) for t in themes]])
    for r in rows:
        by_theme.append([safe_cell(r.area.name), *[r.signals_by_theme.get(t, 0) for t in themes]])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2, min_col=2):
            for cell in row:
                cell.number_format = "0"
        sheet.column_dimensions["A"].width = 45
    return xlsx_response(wb, f"fordjupad-uppfoljning-{year}.xlsx")
