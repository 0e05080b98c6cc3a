"""The catalogue's exchange format as YAML and as Excel (one row per requirement)."""

from io import BytesIO

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from foljsam.lib.documents import safe_cell, xlsx_bytes
from foljsam.lib.uploads import load_yaml

from .services import REQUIREMENT_KEYS

# Swedish column headers in the Excel file, in order.
COLUMNS = [
    ("area", "Kravområde"), ("area_description", "Områdesbeskrivning"), ("code", "Nummer"), ("title", "Krav"),
    ("text", "Kravtext"), ("question", "Fråga"), ("answer_type", "Svarstyp"), ("weight", "Vikt"),
    ("documents", "Begärda dokument"), ("applies_to", "Gäller"),
    # Added in the second round (issue 11); older files without them still import.
    ("key", "Id"), ("rows", "Rader/kriterier"), ("unit_types", "Enhetstyper"), ("methods", "Kontrolleras genom"),
    ("kpi", "Nyckeltal"), ("area_reported_only", "Området redovisas som siffror"),
]
LIST_KEYS = ("documents", "rows", "unit_types", "methods")
META = [("name", "Namn"), ("version", "Version"), ("description", "Beskrivning"),
        ("tender_area", "Förfrågningsunderlag, område"), ("tender_version", "Förfrågningsunderlag, version"),
        ("deviation_ratings", "Räknas som avvikelse"), ("plan_from", "Åtgärdsplan från värdering"),
        ("plan_submit_weeks", "Åtgärdsplan lämnas inom (veckor)"), ("plan_fix_weeks", "Åtgärdat inom (veckor)"),
        ("dialogue_from", "Dialogmöte från värdering")]


def to_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def from_yaml(text: str | bytes) -> dict:
    # safe_load with a cap on the alias-expanded size (a few KB of nested aliases made 10,000 requirements)
    return load_yaml(text, kind="catalogue")


def to_xlsx(data: dict) -> bytes:
    """Text through safe_cell: a requirement text starting with "-" or "=" stays that text (no formula)
    and reads back unchanged; the weight is a number."""
    wb = Workbook()
    meta = wb.active
    meta.title = "Katalog"
    tender = data.get("tender") or {}
    values = {**data, **(data.get("settings") or {}), "tender_area": tender.get("area", ""),
              "tender_version": tender.get("version", "")}
    for key, label in META:
        meta.append([label, safe_cell(values.get(key) or "")])
        meta.cell(row=meta.max_row, column=1).font = Font(bold=True)
    meta.column_dimensions["A"].width = 32
    meta.column_dimensions["B"].width = 60
    sheet = wb.create_sheet("Krav")
    sheet.append([label for _key, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for area in data["areas"]:
        for req in area["requirements"]:
            row = {"area": area["name"], "area_description": area.get("description", ""), **req,
                   "area_reported_only": "ja" if area.get("reported_only") else "",
                   **{k: "\n".join(req.get(k) or []) for k in LIST_KEYS}}
            sheet.append([safe_cell(row.get(key, "")) for key, _label in COLUMNS])
    for letter, width in zip("ABCDEFGHIJKLMNOP", (28, 30, 8, 30, 40, 50, 12, 6, 30, 10, 20, 30, 20, 20, 16, 10),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    return xlsx_bytes(wb)


def from_xlsx(content: bytes) -> dict:
    wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    labels = {label: key for key, label in META}
    data: dict = {}
    for row in wb["Katalog"].iter_rows(values_only=True):
        if row and row[0] in labels:
            data[labels[row[0]]] = "" if row[1] is None else str(row[1])
    if data.get("tender_area"):
        data["tender"] = {"area": data["tender_area"], "version": data.get("tender_version", "")}
    data.pop("tender_area", None)
    data.pop("tender_version", None)
    settings = {k: data.pop(k) for k in ("deviation_ratings", "plan_from", "plan_submit_weeks", "plan_fix_weeks",
                                         "dialogue_from") if data.get(k)}
    data["settings"] = {k: int(v) if v.isdigit() else v for k, v in settings.items()}
    rows = wb["Krav"].iter_rows(values_only=True)
    header = next(rows)
    keys = {label: key for key, label in COLUMNS}
    index = [keys.get(h) for h in header]
    areas: dict[str, dict] = {}
    for row in rows:
        rec = {k: v for k, v in zip(index, row, strict=False) if k}
        if not rec.get("area"):
            continue
        area = areas.setdefault(rec["area"], {"name": rec["area"], "description": rec.get("area_description") or "",
                                              "reported_only": str(rec.get("area_reported_only") or "").lower()
                                              in ("ja", "1", "true"), "requirements": []})
        req = {k: ("" if rec.get(k) is None else rec.get(k)) for k in REQUIREMENT_KEYS}
        req["code"] = str(req["code"])
        req["weight"] = req["weight"] or 2  # checked by services.catalogue_import
        for k in LIST_KEYS:
            req[k] = [d for d in str(req[k]).splitlines() if d.strip()]
        area["requirements"].append(req)
    data["areas"] = list(areas.values())
    return data
