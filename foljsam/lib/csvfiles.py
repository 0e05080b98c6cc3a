"""Reading user-supplied CSV files: encoding and delimiter checks with Swedish messages."""

import csv
import io

from django.utils.translation import gettext_lazy as _

NOT_UTF8 = _("Filen är inte UTF-8-kodad. Spara den som ”CSV UTF-8” och försök igen.")
EMPTY = _("Filen är tom.")
UNREADABLE = _("Filen kan inte läsas som CSV (rad %(line)s: %(err)s).")


class CsvError(ValueError):
    pass


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(NOT_UTF8) from exc


def detect_delimiter(header_line: str) -> str:
    """`,` or `;` (Swedish Excel writes `;`): the one that occurs more in the header."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs; the header is line 1."""
    text = decode(data)
    if not text.strip():
        raise CsvError(EMPTY)
    first = text.splitlines()[0]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}))
    except csv.Error as exc:
        raise CsvError(UNREADABLE % {"line": reader.line_num, "err": exc}) from exc
    return header, rows
