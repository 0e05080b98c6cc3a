"""Import of visits, grants and additional reports (CSV or XLSX) into pseudonymised Parquet.

Parsing and validation run as DuckDB SQL over the whole file (read_csv with all_varchar); only the
header line and, for XLSX, the conversion to a temporary CSV happen in Python. The file is read once:
parsing, trimming, typing and the row checks run in one order-preserving statement (no copy of the raw
text columns), the registry check runs afterwards over the distinct provider ids, and services are
normalised once per distinct value.

Decisions where the contract is silent:
- Duplicate key inside one file: the LAST row wins (later rows in an export are corrections);
  every earlier row is listed as rejected with a reason naming the later line, so nothing is
  dropped silently.
- Keys: visits (provider_id, visit_id); grants (provider_id, client, service_code, valid_from);
  additional reports (provider_id, report_id). A row with a known key replaces the stored one.
- reported_at may be a date or a timestamp; a date is stored as midnight of that day.
- minutes_per_month accepts a decimal comma. valid_to empty = open-ended.
- Line numbers are 1-based file lines (header = 1). They assume one record per line: a quoted
  value that contains a line break shifts the numbers of later rows. A rejected record that spans
  lines (a quote never closed, which swallows the lines after it) refuses the whole file instead; in a
  file of CSV_BUFFER_BYTES or more, read in several buffers, any quote error does (_refuse_record_across_lines).
- Rejection reasons name the column, never the value of a client or staff id.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import tempfile
import time
import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from foljsam.lib.pseudonym import Pseudonymizer, trim_sql, trimmed_sql
from foljsam.monthly.engine import storage
from foljsam.monthly.engine.refresh import next_period, previous_period
from foljsam.monthly.engine.storage import sql_literal

# DuckDB's CSV reader hands the file to its threads in buffers of this size. With its default the
# statement that reads and checks 2.7 M visit rows took 1.15 s here, with 12–24 MB 0.95–0.98 s
# (bench/RESULTS.md). Far above the longest line the upload limits let through (64 kB).
CSV_BUFFER_BYTES = 16 * 1024 * 1024
MAX_REJECTED_LISTED = 1000  # the report lists at most this many rejected rows; the total is always counted

Progress = Callable[[str, float], None]


class FileRefused(Exception):
    """The whole file is refused; nothing was stored. str(exc) is a Swedish message for the user."""


class UnknownProviders(FileRefused):
    """Provider ids that are not in the registry: the whole file is refused (nothing stored), so one
    message names the ids and how many rows each has instead of thousands of identical row errors."""

    def __init__(self, counts: dict[str, int], file: str = ""):
        self.counts, self.file = dict(sorted(counts.items())), file
        ids = ", ".join(f"{k} ({v} rader)" for k, v in self.counts.items())
        super().__init__(f"Utförar-id som inte finns i utförarregistret: {ids}. "
                         "Importera utförarna först (utförarregistret) och importera sedan filen igen.")


@dataclass(frozen=True)
class KindSpec:
    columns: tuple[str, ...]
    label: str  # "Kolumner saknas i {label}"
    what: str  # "… inte {what}"
    signature: frozenset[str]  # headers that only this kind has, to recognise a wrong-kind file


KINDS: dict[str, KindSpec] = {
    "visits": KindSpec(
        ("visit_id", "provider_id", "client_id", "staff_id", "check_in", "check_out", "method", "services"),
        "besöksfilen",
        "besök",
        frozenset({"visit_id", "check_in", "check_out"}),
    ),
    "grants": KindSpec(
        ("client_id", "provider_id", "service_code", "minutes_per_month", "valid_from", "valid_to"),
        "filen med beviljade insatser",
        "beviljade insatser",
        frozenset({"service_code", "minutes_per_month"}),
    ),
    "additional_reports": KindSpec(
        ("report_id", "provider_id", "client_id", "kind", "event_date", "reported_at"),
        "filen med tilläggsrapporter",
        "tilläggsrapporter",
        frozenset({"report_id", "event_date", "reported_at"}),
    ),
}

TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")
DATE_FORMATS = ("%Y-%m-%d",)
METHODS = ("electronic", "manual")


@dataclass
class ColumnMapping:
    """How a real export maps onto the canonical format.

    columns: canonical column -> header in the file (matched case-insensitively); unmapped canonical
    columns are looked up under their own name. Formats are strptime strings tried before the
    canonical ISO formats. method_values maps source values (case-insensitive) to electronic/manual.
    """

    columns: dict[str, str] = field(default_factory=dict)
    timestamp_format: str | None = None
    date_format: str | None = None
    method_values: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None  # XLSX: sheet name; default the first sheet


@dataclass
class FileImport:
    kind: str
    file: str
    accepted: int = 0  # rows of this file now stored (new + replaced + unchanged)
    new: int = 0
    replaced: int = 0  # an existing key got different content
    unchanged: int = 0  # an existing key with identical content (re-import)
    rejected_total: int = 0
    rejected: list[dict] = field(default_factory=list)  # at most MAX_REJECTED_LISTED, sorted by line
    # Rejections grouped by (column, reason): count and the first lines of each group, largest first.
    groups: list[dict] = field(default_factory=list)
    # Accepted rows per month (visits: check-in, additional reports: event date); grants: the months
    # their validity spans, as {"first": "YYYY-MM", "last": "YYYY-MM" or None (open-ended)}.
    months: dict = field(default_factory=dict)
    span: dict = field(default_factory=dict)
    # Months whose stored rows this import changed (new, replaced or moved out of them); None = not
    # known (a dry run). Grants: empty when no grant changed.
    changed_months: list | None = None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "groups": self.groups,
            "months": self.months,
            "span": self.span,
            "changed_months": self.changed_months,
            "file": self.file,
            "accepted": self.accepted,
            "new": self.new,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "rejected_total": self.rejected_total,
            "rejected_truncated": self.rejected_total > len(self.rejected),
            "rejected": self.rejected,
        }


@dataclass
class ImportReport:
    files: list[FileImport] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def replaced(self) -> int:
        return sum(f.replaced for f in self.files)

    @property
    def rejected(self) -> list[dict]:
        return [dict(r, file=f.file, kind=f.kind) for f in self.files for r in f.rejected]

    @property
    def rejected_total(self) -> int:
        return sum(f.rejected_total for f in self.files)

    def kind(self, kind: str) -> FileImport:
        return next(f for f in self.files if f.kind == kind)

    def to_json(self) -> dict:
        return {
            "accepted": self.accepted,
            "replaced": self.replaced,
            "rejected_total": self.rejected_total,
            "rejected": self.rejected,
            "files": [f.to_json() for f in self.files],
        }


# --------------------------------------------------------------------------------------------------
# File sniffing


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise FileRefused(
                    f"Filen är inte UTF-8-kodad (första ogiltiga tecknet vid byte {offset + exc.start}). "
                    "Spara den som CSV UTF-8 och försök igen."
                ) from None
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileRefused("Filen är inte UTF-8-kodad (den slutar mitt i ett tecken).") from None


MAX_HEADER_BYTES = 64 * 1024  # a header row of any real export is a few hundred bytes


def _header_line(path: Path) -> str:
    """The first line of a CSV file. Only it is decoded here; the rest of the file is checked for
    UTF-8 by DuckDB while it is read (_refuse_invalid_encoding), not in a separate pass."""
    with open(path, "rb") as fh:  # bytes: a text reader would decode a whole buffer, not the line
        head = fh.read(MAX_HEADER_BYTES + 1)
    # The line ends at \n, \r\n or a lone \r (DuckDB reads all three).
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i != -1]
    end = min(ends) if ends else len(head)
    if end > MAX_HEADER_BYTES:
        raise FileRefused(f"Rubrikraden är längre än {MAX_HEADER_BYTES // 1024} kB; är det rätt fil?")
    try:
        first = head[:end].decode("utf-8-sig")
    except UnicodeDecodeError:
        _check_utf8(path)  # raises FileRefused naming the byte
        raise FileRefused("Filen är inte UTF-8-kodad.") from None
    if not first.strip():
        raise FileRefused("Filen är tom eller saknar rubrikrad.")
    return first


def _csv_header(path: Path) -> tuple[list[str], str]:
    """The header's column names and the file's delimiter."""
    first = _header_line(path)
    delim = _detect_delimiter(first)
    return next(csv.reader([first], delimiter=delim)), delim


def _refuse_invalid_encoding(con, path: Path) -> None:
    """A byte sequence that is not UTF-8 in a column the import reads refuses the whole file (DuckDB
    lists such lines as INVALID ENCODING); the message names the first invalid byte of the file."""
    if con.execute("SELECT count(*) FROM rej_err WHERE error_type = 'INVALID ENCODING'").fetchone()[0]:
        _check_utf8(path)
        raise FileRefused("Filen är inte UTF-8-kodad. Spara den som CSV UTF-8 och försök igen.")


UNREADABLE_CSV = ("Filen kunde inte läsas som CSV. Kontrollera citattecknen (\") och radbrytningarna i filen och "
                  "försök igen.")
UNCLOSED_QUOTE = ("Rad {line}: en post fortsätter över flera rader, troligen ett citattecken (\") som inte "
                  "avslutas. Raderna efter den kan inte läsas säkert; rätta raden och importera filen igen.")


def _refuse_record_across_lines(con, several_buffers: bool) -> None:
    """A quote that is never closed makes DuckDB read the following lines as one value and then reject
    that one record, so thousands of rows would vanish from the report: such a record refuses the whole
    file, naming its first line. Within one read buffer the rejected record spans line breaks. A file read
    in several buffers (CSV_BUFFER_BYTES and more) cuts the record at its buffer's end, drops the rows after
    it without a trace and may report the line before as its text; there any quote error ("UNQUOTED
    VALUE") refuses the file, a quote closed too early ("c1"x) too, since the two cannot be told apart."""
    quote_error = " OR error_type = 'UNQUOTED VALUE'" if several_buffers else ""
    line = con.execute("SELECT min(line) FROM rej_err WHERE contains(csv_line, chr(10)) "
                       f"OR contains(csv_line, chr(13)){quote_error}").fetchone()[0]
    if line is not None:
        raise FileRefused(UNCLOSED_QUOTE.format(line=int(line)))


def _detect_format(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("Filen är i det gamla Excel-formatet (.xls). Spara den som .xlsx eller CSV.")
    if b"\0" in head or head.startswith(b"%PDF"):
        raise FileRefused("Filen är varken CSV eller XLSX.")
    return "csv"


def _detect_delimiter(header_line: str) -> str:
    # Only , and ; are allowed; the header has no quoted delimiters in practice, counting suffices.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _resolve_columns(kind: str, headers: list[str], mapping: ColumnMapping) -> dict[str, int]:
    """canonical column -> index in the file; refuses wrong-kind files and missing columns."""
    spec = KINDS[kind]
    lowered = [h.strip().lower() for h in headers]
    index: dict[str, int] = {}
    for col in spec.columns:
        source = mapping.columns.get(col, col).strip().lower()
        if source in lowered:
            index[col] = lowered.index(source)
    missing = [c for c in spec.columns if c not in index]
    if missing:
        # Headers as canonical names (through the mapping) to recognise another kind's file.
        reverse = {v.strip().lower(): k for k, v in mapping.columns.items()}
        canonical = {reverse.get(h, h) for h in lowered}
        for other, other_spec in KINDS.items():
            if other != kind and other_spec.signature <= canonical and not spec.signature <= canonical:
                raise FileRefused(
                    f"Det här ser ut att vara en fil med {other_spec.what}, inte {spec.what}."
                )
        raise FileRefused(f"Kolumner saknas i {spec.label}: {', '.join(missing)}")
    return index


def _xlsx_to_csv(path: Path, mapping: ColumnMapping, out: Path, progress: Progress) -> list[str]:
    """Writes the sheet as a comma CSV with a leading _line column; returns the header."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise FileRefused("Filen kunde inte läsas som XLSX.") from None
    try:
        ws = wb[mapping.sheet] if mapping.sheet else wb.worksheets[0]
        total = ws.max_row or 0
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise FileRefused("Filen är tom.")
        headers = ["" if v is None else str(v) for v in header_row]
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            for n, row in enumerate(rows, start=2):
                if all(v is None or v == "" for v in row):
                    continue
                cells = [_cell(v) for v in row[: len(headers)]]
                writer.writerow([n, *cells, *([""] * (len(headers) - len(cells)))])
                if total and n % 50_000 == 0:
                    progress("läser XLSX", min(0.3, 0.3 * n / total))
        return headers
    finally:
        wb.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ids typed as numbers come back as 123.0
    return str(value)


# --------------------------------------------------------------------------------------------------
# SQL per kind: (select of typed columns from raw, ordered list of (column, condition, reason))


def _ts(col: str, fmt: str | None, dates_too: bool = False) -> str:
    fmts = ([fmt] if fmt else []) + list(TIMESTAMP_FORMATS)
    if dates_too:
        fmts += list(DATE_FORMATS)
    return f"try_strptime({col}, [{', '.join(sql_literal(f) for f in fmts)}])"


def _date(col: str, fmt: str | None) -> str:
    fmts = ([fmt] if fmt else []) + list(DATE_FORMATS)
    return f"CAST(try_strptime({col}, [{', '.join(sql_literal(f) for f in fmts)}]) AS DATE)"


def _method_case(mapping: ColumnMapping) -> str:
    pairs = {m: m for m in METHODS}
    pairs.update({k.strip().lower(): v for k, v in mapping.method_values.items()})
    whens = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in pairs.items() if v in METHODS)
    return _untrimmed_first(lambda col: f"CASE lower({col}) {whens} END", "method_raw")


# Columns of the visits file that are not trimmed row by row (trim_sql costs about 0.06 s per column
# at 2.7 million rows): client and staff ids are trimmed in their pseudonym maps, once per distinct id;
# services in their normalisation, once per distinct value; check-in, check-out and method are read as
# they are and only a value that does not read is read again trimmed (_untrimmed_first).
TRIMMED_LATER = {"visits": frozenset({"client_id", "staff_id", "services", "check_in", "check_out", "method"})}


def _untrimmed_first(expr: Callable[[str], str], col: str) -> str:
    """expr(col) over the value as it is, else over the trimmed value: coalesce() evaluates its second
    argument only for the rows where the first is NULL."""
    return f"coalesce({expr(col)}, {expr(trim_sql(col))})"


def _blank(col: str, trimmed: bool) -> str:
    """The value is empty after trimming; for a column not trimmed yet, only a value whose first
    character is not printable ASCII can be blank, and only it is trimmed to see."""
    return f"{col} = ''" if trimmed else f"({col} = '' OR (NOT {trimmed_sql(col)} AND {trim_sql(col)} = ''))"


def _kind_sql(kind: str, mapping: ColumnMapping) -> tuple[str, list]:
    prov = [("provider_id", "provider_id = ''", "provider_id saknas")]
    client = [("client_id", _blank("client_raw", "client_id" not in TRIMMED_LATER.get(kind, ())),
               "client_id saknas")]
    if kind == "visits":
        typed = f"""
            visit_id, provider_id, client_raw, staff_raw,
            {_untrimmed_first(lambda col: _ts(col, mapping.timestamp_format), 'check_in_raw')} AS check_in,
            {_untrimmed_first(lambda col: _ts(col, mapping.timestamp_format), 'check_out_raw')} AS check_out,
            {_method_case(mapping)} AS method, services_raw"""
        checks = [
            ("visit_id", "visit_id = ''", "visit_id saknas"),
            *prov,
            *client,
            ("check_in", "check_in IS NULL", "Ogiltig eller saknad tidpunkt för inkvittens"),
            ("check_out", "check_out IS NULL", "Ogiltig eller saknad tidpunkt för utkvittens"),
            ("check_out", "check_out < check_in", "Utkvittens är före inkvittens"),
            ("check_in", _out_of_range("check_in"), _OUT_OF_RANGE),
            ("check_out", _out_of_range("check_out"), _OUT_OF_RANGE),
            ("method", "method IS NULL", "Okänd registreringsmetod (ska vara electronic eller manual)"),
        ]
    elif kind == "grants":
        typed = f"""
            provider_id, client_raw, service_code,
            try_cast(replace(minutes_raw, ',', '.') AS DOUBLE) AS minutes_per_month,
            {_date('valid_from_raw', mapping.date_format)} AS valid_from,
            {_date('valid_to_raw', mapping.date_format)} AS valid_to, valid_to_raw"""
        checks = [
            *prov,
            *client,
            ("service_code", "service_code = ''", "service_code saknas"),
            ("minutes_per_month", "minutes_per_month IS NULL OR NOT isfinite(minutes_per_month)",
             "Ogiltigt antal minuter per månad"),
            ("minutes_per_month", f"minutes_per_month > {MAX_MINUTES_PER_MONTH}",
             "Fler minuter per månad än en månad har"),
            ("minutes_per_month", "minutes_per_month < 0", "Negativt antal minuter per månad"),
            ("valid_from", "valid_from IS NULL", "Ogiltigt eller saknat datum för giltig från"),
            ("valid_to", "valid_to IS NULL AND valid_to_raw <> ''", "Ogiltigt datum för giltig till"),
            ("valid_to", "valid_to < valid_from", "Giltig till är före giltig från"),
            ("valid_from", _out_of_range("valid_from"), _OUT_OF_RANGE),
            ("valid_to", _out_of_range("valid_to"), _OUT_OF_RANGE),
        ]
    else:
        typed = f"""
            report_id, provider_id, client_raw, kind,
            {_date('event_date_raw', mapping.date_format)} AS event_date,
            coalesce({_ts('reported_at_raw', mapping.timestamp_format)},
                     CAST({_date('reported_at_raw', mapping.date_format)} AS TIMESTAMP)) AS reported_at"""
        checks = [
            ("report_id", "report_id = ''", "report_id saknas"),
            *prov,
            *client,
            ("event_date", "event_date IS NULL", "Ogiltigt eller saknat händelsedatum"),
            ("reported_at", "reported_at IS NULL", "Ogiltig eller saknad tidpunkt för rapporteringen"),
            ("event_date", _out_of_range("event_date"), _OUT_OF_RANGE),
            ("reported_at", _out_of_range("reported_at"), _OUT_OF_RANGE),
        ]
    return typed, checks


# A date outside these years is a typing error (9999-12-31, 0001-01-01); stored, it would break
# every later month's key figures.
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_MINUTES_PER_MONTH = 31 * 24 * 60
_OUT_OF_RANGE = f"Datumet ligger utanför åren {FIRST_YEAR}–{LAST_YEAR}"


def _out_of_range(col: str) -> str:
    return f"({col} IS NOT NULL AND (year({col}) < {FIRST_YEAR} OR year({col}) > {LAST_YEAR}))"


_RAW_NAMES = {
    "visits": {"check_in": "check_in_raw", "check_out": "check_out_raw", "method": "method_raw",
               "services": "services_raw", "client_id": "client_raw", "staff_id": "staff_raw"},
    "grants": {"client_id": "client_raw", "minutes_per_month": "minutes_raw",
               "valid_from": "valid_from_raw", "valid_to": "valid_to_raw"},
    "additional_reports": {"client_id": "client_raw", "event_date": "event_date_raw",
                           "reported_at": "reported_at_raw"},
}

#: The 64-bit hash of a key. Rows whose keys share it are only candidates, decided by the key itself:
#: candidates for duplicate keys in a file (_run) and stored keys screened before they are matched with the
#: new ones (_merge). Tests replace it with one that collides.
KEY_HASH = "hash({key})"

_KEY_COLUMNS = {
    "visits": ("provider_id", "visit_id"),
    "grants": ("provider_id", "client_id", "service_code", "valid_from"),
    "additional_reports": ("provider_id", "report_id"),
}

_KEY_RAW = {
    "visits": ("provider_id", "visit_id"),
    "grants": ("provider_id", "client_raw", "service_code", "valid_from"),
    "additional_reports": ("provider_id", "report_id"),
}


# The row's date that gives a 10-digit personnummer its century (lib/pseudonym.py).
_REF_DATE = {"visits": "CAST(c.check_in AS DATE)", "grants": "c.valid_from", "additional_reports": "c.event_date"}
MAX_LINES_PER_GROUP = 5


def _reason(checks: list) -> str:
    if not checks:
        return "CAST(NULL AS VARCHAR)"
    return "CASE " + " ".join(
        f"WHEN {cond} THEN {sql_literal(col + chr(31) + why)}" for col, cond, why in checks
    ) + " END"


# Services: split on |, trim, drop empty codes, distinct, sorted. Computed once per distinct value.
def _services_normalised(value: str) -> str:
    return f"""array_to_string(list_sort(list_distinct(list_filter(
    list_transform(string_split({value}, '|'), lambda x: {trim_sql('x')}), lambda x: x <> ''))), '|')"""


def _stored_select(kind: str, dated: bool, typed: bool) -> str:
    """Stored columns; pseudonyms come from the id map joined as cm (client) and sm (staff), services
    from svc. dated: some client id of the file is a 10-digit personnummer, whose pseudonym depends on the
    row's date; without one every row takes cm.p, and the join carries one pseudonym per row instead of
    four (the March COPY of the bench 1.13 → 1.00 s, median of 4). typed: method as the ENUM of METHODS
    (the maps' columns are ENUMs in their typed tables, see _typed_map)."""
    client = Pseudonymizer.client_sql("cm", _REF_DATE[kind]) if dated else "cm.p"
    if kind == "visits":
        method = f"CAST(method AS ENUM({', '.join(sql_literal(m) for m in METHODS)}))" if typed else "method"
        return (f"provider_id, visit_id, {client} AS client, sm.p AS staff, check_in, check_out, "
                f"{method} AS method, svc.services AS services")
    if kind == "grants":
        return f"provider_id, {client} AS client, service_code, minutes_per_month, valid_from, valid_to"
    return f"provider_id, report_id, {client} AS client, kind, event_date, reported_at"


# --------------------------------------------------------------------------------------------------


def import_file(
    path: str | os.PathLike,
    kind: str,
    data_dir: str | os.PathLike,
    key: bytes,
    known_providers: Iterable[str] | None = None,
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
    filename: str | None = None,
    dry_run: bool = False,
    rejects_csv: str | os.PathLike | None = None,
    tx: storage.Transaction | None = None,
) -> ImportReport:
    """Imports one file of `kind` (visits | grants | additional_reports) into data_dir.

    Raises FileRefused when the whole file is refused (nothing stored); UnknownProviders (a
    FileRefused) when a row names a provider id outside known_providers (None = no check).
    dry_run: parse and check only (the report's counts, groups and months), store nothing.
    rejects_csv: write every rejected row (file, line, column, reason – never a value) there.
    tx: a storage.transaction() to stage into, committed with the other files of the import (all or
    none); without one the file is committed on its own. Raises storage.StoreError (Swedish message
    naming the cause, e.g. a full disk) when the store cannot be written; nothing is committed then.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    path = Path(path)
    mapping = mapping or ColumnMapping()
    progress = progress or (lambda phase, fraction: None)
    ps = Pseudonymizer(key)
    result = FileImport(kind=kind, file=filename or path.name)
    progress("kontrollerar filen", 0.0)

    with tempfile.TemporaryDirectory(prefix="foljsam-import-") as tmp:
        fmt = _detect_format(path)
        if fmt == "xlsx":
            csv_path = Path(tmp) / "sheet.csv"
            headers = _xlsx_to_csv(path, mapping, csv_path, progress)
            delim, line_col, skip = ",", 0, 0  # column 0 holds the sheet row number
        else:
            headers, delim = _csv_header(path)
            csv_path, line_col, skip = path, None, 1
        index = _resolve_columns(kind, headers, mapping)

        with storage.session() as con:
            result = _run(con, result, kind, csv_path, delim, skip, line_col, headers, index, mapping,
                          ps, known_providers, data_dir, progress, dry_run, rejects_csv, tx)
    report = ImportReport(files=[result])
    if not dry_run and tx is not None:  # the report of rows stored only if the import's commit succeeds
        tx.after_commit.append(lambda: _save_report(data_dir, report))
    elif not dry_run:  # committed on its own above
        _save_report(data_dir, report)
    progress("klart", 1.0)
    return report


def _run(con, result, kind, csv_path, delim, skip, line_col, headers, index, mapping, ps,
         known_providers, data_dir, progress, dry_run=False, rejects_csv=None, tx=None) -> FileImport:
    offset = 1 if line_col is not None else 0
    ncols = len(headers) + offset
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ncols)) + "}"
    progress("läser filen", 0.3)
    # One pass over the file: parse, trim, type and check into `checked0`. Only scans, projections and
    # CTEs run in this statement, so its rows keep the file's order (DuckDB's order preservation):
    # rowid + 2 is the line number (corrected below for lines DuckDB skipped). No join may enter it;
    # the registry check therefore runs afterwards over the file's few distinct provider ids.
    source = f"""read_csv({sql_literal(str(csv_path))},
            delim={sql_literal(delim)}, quote='"', escape='"', header=false, skip={skip},
            auto_detect=false, all_varchar=true, columns={columns}, null_padding=false,
            store_rejects=true, rejects_table='rej_err', rejects_scan='rej_scan', ignore_errors=true,
            buffer_size={CSV_BUFFER_BYTES})"""
    raw_names = _RAW_NAMES[kind]
    later = TRIMMED_LATER.get(kind, frozenset())

    def read(c: str) -> str:
        col = f"c{index[c] + offset}"
        return f"coalesce({col}, '')" if c in later else trim_sql(col)

    sel = ", ".join(f"{read(c)} AS {raw_names.get(c, c)}" for c in KINDS[kind].columns)
    pos = "CAST(c0 AS BIGINT) AS _pos, " if line_col is not None else ""
    typed, checks = _kind_sql(kind, mapping)
    progress("kontrollerar rader", 0.4)
    import duckdb  # loaded with the connection (storage.connect); not at the top, see there

    try:
        con.execute(f"""
            CREATE TEMP TABLE checked0 AS
            WITH s AS (SELECT {pos}{sel} FROM {source}),
                 t AS (SELECT {"_pos, " if pos else ""}{typed} FROM s)
            SELECT *, {_reason(checks)} AS _why FROM t
        """)
    except duckdb.InvalidInputException:  # the CSV reader gave up on the file (e.g. its quotes)
        raise FileRefused(UNREADABLE_CSV) from None
    if line_col is None:
        _refuse_invalid_encoding(con, csv_path)
        _refuse_record_across_lines(con, os.path.getsize(csv_path) >= CSV_BUFFER_BYTES)
    if known_providers is not None:
        con.execute("CREATE TEMP TABLE known AS SELECT unnest(?::VARCHAR[]) AS provider_id",
                    [sorted({str(p) for p in known_providers})])
        unknown = con.execute("""
            SELECT provider_id, count(*) FROM checked0
            WHERE _why IS NULL AND provider_id NOT IN (SELECT provider_id FROM known) GROUP BY 1 ORDER BY 1
        """).fetchall()
        if unknown:
            raise UnknownProviders(dict(unknown), result.file)
    con.execute(f"""
        CREATE TEMP VIEW checked AS SELECT {"" if pos else "rowid + 2 AS _pos, "}* FROM checked0
    """)
    key = ", ".join(_KEY_RAW[kind])
    # Duplicate keys: rows whose key's hash occurs twice are candidates (one 8-byte key instead of the
    # key's strings); the window, by the key itself, runs over the (rare) candidates only, so a hash
    # shared by two different keys adds a candidate but never a duplicate. A hash that occurs twice is
    # found by sorting the hashes and comparing neighbours: about 0.1 s less than grouping 2.7 M hashes that
    # are nearly all distinct (bench/RESULTS.md).
    hashed = KEY_HASH.format(key=key)
    con.execute(f"""
        CREATE TEMP TABLE dedup AS
        WITH dk AS (SELECT DISTINCT h FROM (
                        SELECT h, h = lag(h) OVER (ORDER BY h) AS again
                        FROM (SELECT {hashed} AS h FROM checked WHERE _why IS NULL)) WHERE again),
             d AS (SELECT _pos, {key} FROM checked WHERE _why IS NULL AND {hashed} IN (SELECT h FROM dk))
        SELECT _pos, row_number() OVER (PARTITION BY {key} ORDER BY _pos DESC) AS _rn,
               max(_pos) OVER (PARTITION BY {key}) AS _last
        FROM d
    """)

    # Rejections: structural (from DuckDB's reject table), validation, duplicates.
    struct = con.execute("SELECT DISTINCT line, error_type FROM rej_err ORDER BY line").fetchall()
    n_invalid = con.execute("SELECT count(*) FROM checked WHERE _why IS NOT NULL").fetchone()[0]
    n_dup = con.execute("SELECT count(*) FROM dedup WHERE _rn > 1").fetchone()[0]
    result.rejected_total = len(struct) + n_invalid + n_dup
    struct_lines = [int(line) for line, _ in struct]

    def to_line(pos: int) -> int:
        if line_col is not None:
            return int(pos)
        line = int(pos)  # rowid + 2; rows DuckDB skipped shift later rows down
        i = 0
        while i < len(struct_lines) and struct_lines[i] <= line:
            i = bisect_right(struct_lines, line, lo=i)
            line = int(pos) + i
        return line

    def struct_reason(etype: str) -> str:
        return ("För många kolumner på raden" if "TOO MANY" in etype
                else "För få kolumner på raden" if "MISSING" in etype else "Raden kunde inte tolkas")

    dup_column = ", ".join(_KEY_COLUMNS[kind])
    dup_reason = "Samma nyckel förekommer igen på rad {}; den senare raden används"

    def all_rejections(limit: int | None):
        """(line, column, reason) of every rejected row (or the first `limit` of each source)."""
        lim = f" LIMIT {limit}" if limit else ""
        for line, etype in struct[:limit] if limit else struct:
            yield int(line), None, struct_reason(etype)
        cur = con.execute(f"SELECT _pos, _why FROM checked WHERE _why IS NOT NULL ORDER BY _pos{lim}")
        while batch := cur.fetchmany(10_000):
            for p, why in batch:
                col, text = why.split(chr(31))
                yield to_line(p), col, text
        cur = con.execute(f"SELECT _pos, _last FROM dedup WHERE _rn > 1 ORDER BY _pos{lim}")
        while batch := cur.fetchmany(10_000):
            for p, last in batch:
                yield to_line(p), dup_column, dup_reason.format(to_line(last))

    listed = [{"line": line, "column": col, "reason": why}
              for line, col, why in all_rejections(MAX_REJECTED_LISTED)]
    listed.sort(key=lambda r: r["line"])
    result.rejected = listed[:MAX_REJECTED_LISTED]

    # Groups: one per (column, reason) with its count and first lines, so 3,000 identical problems
    # are one line of the report (the duplicates are one group whatever line repeats them).
    groups: dict[tuple, dict] = {}
    for line, etype in struct:
        g = groups.setdefault((None, struct_reason(etype)), {"column": None, "reason": struct_reason(etype),
                                                            "count": 0, "lines": []})
        g["count"] += 1
        if len(g["lines"]) < MAX_LINES_PER_GROUP:
            g["lines"].append(int(line))
    for why, count, first in con.execute(f"""
        SELECT _why, count(*), list(_pos ORDER BY _pos)[1:{MAX_LINES_PER_GROUP}]
        FROM checked WHERE _why IS NOT NULL GROUP BY _why
    """).fetchall():
        col, text = why.split(chr(31))
        groups[(col, text)] = {"column": col, "reason": text, "count": count, "lines": [to_line(p) for p in first]}
    if n_dup:
        first = [to_line(p) for (p,) in con.execute(
            f"SELECT _pos FROM dedup WHERE _rn > 1 ORDER BY _pos LIMIT {MAX_LINES_PER_GROUP}").fetchall()]
        groups[(dup_column, "dup")] = {"column": dup_column, "reason": "Samma nyckel förekommer flera gånger; "
                                       "den sista raden används", "count": n_dup, "lines": first}
    result.groups = sorted(groups.values(), key=lambda g: (-g["count"], g["lines"][:1]))
    if rejects_csv is not None and result.rejected_total:
        Path(rejects_csv).parent.mkdir(parents=True, exist_ok=True)
        with open(rejects_csv, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["fil", "rad", "kolumn", "orsak"])
            for line, col, why in sorted(all_rejections(None), key=lambda r: r[0]):
                writer.writerow([result.file, line, col or "", why])

    no_dup = "AND c._pos NOT IN (SELECT _pos FROM dedup WHERE _rn > 1)" if n_dup else ""
    n_rows = con.execute("SELECT count(*) FROM checked").fetchone()[0]
    result.accepted = n_rows - n_invalid - n_dup
    # Which months the accepted rows fall in: the import run's period and the months to recompute.
    if kind == "grants":
        first, last, open_ended = con.execute(f"""
            SELECT strftime(min(valid_from), '%Y-%m'), strftime(max(valid_to), '%Y-%m'), bool_or(valid_to IS NULL)
            FROM checked c WHERE _why IS NULL {no_dup}""").fetchone()
        result.span = {"first": first, "last": None if open_ended else last} if first else {}
    else:
        # By the partition column: these months are also the partitions the rows go to (_merge). Grouped
        # by the truncated month and formatted per month, not per row (a third of the time).
        pcol = storage.PARTITION_COLUMN[kind]
        result.months = dict(con.execute(f"""
            SELECT {storage.month_sql("m")}, n FROM (
                SELECT date_trunc('month', {pcol}) AS m, count(*) AS n FROM checked c WHERE _why IS NULL {no_dup}
                GROUP BY 1) ORDER BY 1""").fetchall())
    if dry_run:
        return result

    progress("pseudonymiserar", 0.55)
    # HMAC only over the distinct ids (tens of thousands, not millions of rows), then joined back.
    con.execute(f"""CREATE TEMP TABLE cm AS {ps.client_map_sql(
        "SELECT DISTINCT client_raw AS raw FROM checked WHERE _why IS NULL")}""")
    if kind == "visits":
        _typed_map(con, "cm", ("p", "p18", "p19", "p20"))
        # Staff ids as in the file, trimmed here once per distinct id (TRIMMED_LATER); blank = no staff.
        con.execute(f"""
            CREATE TEMP TABLE sm AS SELECT raw, {ps.sql_expr('id')} AS p
            FROM (SELECT raw, {trim_sql('raw')} AS id
                  FROM (SELECT DISTINCT staff_raw AS raw FROM checked WHERE _why IS NULL AND staff_raw <> ''))
            WHERE id <> ''
        """)
        _typed_map(con, "sm", ("p",))
        # Services are few distinct strings: trim and normalise each once, not once per row (a value that
        # is trimmed and holds one code is stored as it is). The map holds every distinct value, so the
        # views' inner join keeps every row (services_raw is never NULL: read with coalesce, TRIMMED_LATER).
        con.execute(f"""
            CREATE TEMP TABLE svc AS SELECT services_raw,
                CASE WHEN contains(services_raw, '|') OR NOT {trimmed_sql('services_raw')}
                     THEN {_services_normalised(trim_sql('services_raw'))} ELSE services_raw END AS services
            FROM (SELECT DISTINCT services_raw FROM checked0)
        """)
        _typed_map(con, "svc", ("services",))
    progress("sparar", 0.7)
    if tx is not None:
        _store(con, result, kind, data_dir, tx, no_dup)
    else:
        with storage.transaction(data_dir) as own:
            _store(con, result, kind, data_dir, own, no_dup)
    return result


def _typed_map(con, table: str, columns: tuple[str, ...]) -> None:
    """`<table>_typed`: the map `table` with `columns` as an ENUM of their distinct values, ordered as text.

    The visits written to Parquet are joined from these (the view new_typed of _store): DuckDB's Parquet
    writer takes the dictionary of an ENUM column as it is, where for text it hashes every row's string to
    build one – in the import command's profile the bench's March 0.86–0.98 → 0.50–0.56 s, February
    0.24–0.27 → 0.14–0.17 s (bench/RESULTS.md); the same values in the same Parquet types. Not for grants and
    additional reports: at their size making the ENUM costs what it saves. Only for writing: hash() of an
    ENUM is not the hash of its text, so keys are compared in the text view."""
    values = " UNION ALL ".join(f"SELECT {c} AS v FROM {table}" for c in columns)
    con.execute(f"CREATE TYPE {table}_values AS ENUM "
                f"(SELECT DISTINCT v FROM ({values}) WHERE v IS NOT NULL ORDER BY v)")
    typed = ", ".join(f"CAST({c} AS {table}_values) AS {c}" for c in columns)
    con.execute(f"CREATE TEMP TABLE {table}_typed AS SELECT * REPLACE ({typed}) FROM {table}")


def _store(con, result: FileImport, kind: str, data_dir, tx: storage.Transaction, no_dup: str) -> None:
    """Stage the accepted rows into the partitions they change (committed by tx with the other kinds)."""
    stored = storage.periods(data_dir, kind)
    dated = con.execute("SELECT count(*) > 0 FROM cm WHERE yy IS NOT NULL").fetchone()[0]
    # Views: their rows are computed (pseudonyms joined) only where they are written or compared whole.
    # `new` holds them as text, for every comparison with stored rows; `new_typed` the same rows with the
    # maps' ENUM columns (visits, _typed_map), only to be written.
    visits = kind == "visits"
    for name, suffix in (("new", ""), ("new_typed", "_typed" if visits else "")):
        maps = f"JOIN cm{suffix} cm ON cm.raw = c.client_raw"
        if visits:
            maps += (f" LEFT JOIN sm{suffix} sm ON sm.raw = c.staff_raw"
                     f" JOIN svc{suffix} svc ON svc.services_raw = c.services_raw")
        con.execute(f"""
            CREATE TEMP VIEW {name} AS
            SELECT {_stored_select(kind, dated, typed=bool(suffix))}, {storage.partition_sql(kind, "c.")} AS period
            FROM checked c {maps}
            WHERE c._why IS NULL {no_dup}
        """)
    _merge(con, result, kind, data_dir, tx, stored, no_dup)


def _neighbours(period: str) -> list[str]:
    return [previous_period(period), period, next_period(period)]


def _merge(con, result: FileImport, kind: str, data_dir, tx: storage.Transaction, stored: list[str],
           no_dup: str = "") -> None:
    """Upsert by key into the partitions the rows fall in.

    A stored row with the same key is looked up where it can be: grants in the partition of their
    valid_from (part of the key); additional reports in every partition (they are few); visits in the
    partitions of the new rows' months and the month either side (a correction that moves a check-in
    across a month boundary). Partitions with only new rows get one more file; partitions where a row
    is replaced or leaves are rewritten; the rest are not touched.
    """
    keys = storage.KEYS[kind]
    cols = storage.columns(kind)
    sel = ", ".join(cols)
    # The partitions of the new rows: visits and additional reports are partitioned by the month their
    # months dict already counts (no pass over the rows); grants by valid_from's month.
    touched = (sorted(result.months) if kind != "grants"
               else sorted(r[0] for r in con.execute("SELECT DISTINCT period FROM new").fetchall()))
    if not stored:
        result.new, result.replaced, result.unchanged = result.accepted, 0, 0
        result.changed_months = touched
        if result.new:
            tx.write(con, kind, f"SELECT {sel}, period FROM new_typed", rewrite=set(), periods=touched)
        return
    if not touched:  # no accepted rows: nothing to merge
        result.new = result.replaced = result.unchanged = 0
        result.changed_months = []
        return
    if kind == "visits":
        scope = sorted({n for p in touched for n in _neighbours(p)})
    elif kind == "grants":
        scope = touched
    else:
        scope = None
    old = storage.table_sql(data_dir, kind, periods=scope, with_period=True)
    on = " AND ".join(f"o.{k} = n.{k}" for k in keys)
    same = " AND ".join(f"o.{c} IS NOT DISTINCT FROM n.{c}" for c in cols)
    nk = ", ".join(f"n.{k}" for k in keys)
    kk = ", ".join(keys)
    ok = ", ".join(f"o.{k}" for k in keys)
    pcol = storage.PARTITION_COLUMN[kind]
    # The new rows' keys, partition column and partition: visits and additional reports straight from the
    # checked rows (their keys hold no pseudonym), grants (few) from the view. A view: each statement below
    # reads what it needs of it (kept as a table, 2.7 M keys cost 0.16 s more).
    con.execute("CREATE TEMP VIEW new_keys AS " + (
        f"SELECT {kk}, {pcol}, {storage.partition_sql(kind)} AS period, {KEY_HASH.format(key=kk)} AS h "
        f"FROM checked c WHERE c._why IS NULL {no_dup}"
        if kind != "grants" else f"SELECT {kk}, {pcol}, period, {KEY_HASH.format(key=kk)} AS h FROM new"))
    # Stored keys first (only the key columns are read), whole rows only from partitions with a hit. The
    # stored keys pass a semi-join on the keys' 64-bit hash before the join on the keys themselves (0.3 s
    # less for 5 M stored keys against 2.7 M new ones): a hash two keys share lets a row through, never
    # makes it a hit.
    con.execute(f"CREATE TEMP TABLE hk AS SELECT {ok}, o.period, n.period AS new_period "
                f"FROM (SELECT * FROM {old} WHERE {KEY_HASH.format(key=kk)} IN (SELECT h FROM new_keys)) o "
                f"JOIN new_keys n ON {on}")
    hit_periods = sorted(p for (p,) in con.execute("SELECT DISTINCT period FROM hk").fetchall())
    old = storage.table_sql(data_dir, kind, periods=hit_periods, with_period=True)
    # A stored row can equal its new row only if its partition column (check-in, valid_from, event date)
    # lies within the new rows' range: only those rows are read whole (row groups outside are skipped);
    # a hit outside the range is a replaced row.
    lo, hi = con.execute(f"SELECT CAST(min({pcol}) AS VARCHAR), CAST(max({pcol}) AS VARCHAR) FROM new_keys").fetchone()
    typ = "TIMESTAMP" if kind == "visits" else "DATE"
    con.execute(f"""CREATE TEMP TABLE same_keys AS SELECT {nk}, o.period FROM new n JOIN (
                        SELECT * FROM {old} WHERE {pcol} BETWEEN {typ} {sql_literal(lo)} AND {typ} {sql_literal(hi)}
                        AND ({kk}) IN (SELECT {kk} FROM hk)) o ON {on} WHERE {same}""")
    sk = " AND ".join(f"s.{k} = o.{k}" for k in (*keys, "period"))  # per stored copy
    con.execute(f"""CREATE TEMP TABLE hits AS SELECT {ok}, o.new_period, o.period AS old_period,
                    EXISTS (SELECT 1 FROM same_keys s WHERE {sk}) AS same FROM hk o""")
    # Counted by key: a key stored twice (a correction that moved a check-in further than a month, whose
    # old copy was not found then) has two hits. Such a key counts as replaced: its other copy goes.
    # Per month of the new row: a new key is unique, so all its hits share that month and the months'
    # counts add up to the file's.
    dk = f"DISTINCT ({kk})"
    per_new_month = con.execute(
        f"SELECT new_period, count({dk}), count({dk}) FILTER (WHERE NOT same) FROM hits GROUP BY 1").fetchall()
    hits_per_month = {p: n for p, n, _r in per_new_month}
    existing, replaced = sum(hits_per_month.values()), sum(r for _p, _n, r in per_new_month)
    result.unchanged = existing - replaced
    result.replaced = replaced
    result.new = result.accepted - existing
    result.changed_months = []
    if result.new == 0 and result.replaced == 0:
        return  # nothing changes: no partition is written (idempotent re-import)
    rewrite = {p for (p,) in con.execute(
        "SELECT old_period FROM hits WHERE NOT same UNION SELECT new_period FROM hits WHERE NOT same").fetchall()}
    hit = " AND ".join(f"h.{k} = n.{k}" for k in keys)
    # A month has new rows that are not hits when it has more new rows than keys hit (new keys are unique),
    # counted without another pass over the new rows.
    per_month = (result.months if kind != "grants"
                 else dict(con.execute("SELECT period, count(*) FROM new_keys GROUP BY 1").fetchall()))
    fresh = {p for p, n in per_month.items() if n > hits_per_month.get(p, 0)}
    result.changed_months = sorted(rewrite | fresh)
    files = storage.manifest(data_dir)["files"].get(kind, {})
    rewrite |= {p for p in fresh if len(files.get(p, [])) >= storage.MAX_FILES}  # compact
    append = fresh - rewrite
    con.execute("SET preserve_insertion_order = false")
    if rewrite:
        inside = ", ".join(storage.sql_literal(p) for p in sorted(rewrite))
        kept = storage.table_sql(data_dir, kind, periods=sorted(rewrite), with_period=True)
        tx.write(con, kind, f"""
            SELECT {sel}, period FROM {kept} o WHERE NOT EXISTS (SELECT 1 FROM new_keys n WHERE {on})
            UNION ALL SELECT {sel}, period FROM new WHERE period IN ({inside})""", rewrite=rewrite,
                 periods=sorted(rewrite))
    if append:
        inside = ", ".join(storage.sql_literal(p) for p in sorted(append))
        # Only a month with a stored key among its new rows needs them filtered out (e.g. the end of the
        # month before, re-sent unchanged); the export's own month usually has none.
        with_hits = set(hits_per_month) & append
        known = f"AND NOT EXISTS (SELECT 1 FROM hits h WHERE {hit})" if with_hits else ""
        tx.write(con, kind, f"SELECT {sel}, period FROM new_typed n WHERE period IN ({inside}) {known}",
                 rewrite=set(), append=True, periods=sorted(append))


def _save_report(data_dir, report: ImportReport) -> None:
    folder = Path(data_dir) / "import_reports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    kind = report.files[0].kind if report.files else "empty"
    name = folder / f"{stamp}-{kind}-{uuid.uuid4().hex[:8]}.json"
    tmp = name.with_suffix(".tmp")
    tmp.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, name)


def read_header(path: str | os.PathLike, mapping: ColumnMapping | None = None) -> list[str]:
    """The header row of a CSV or XLSX file, refusing files that are neither or whose header line is not UTF-8."""
    path, mapping = Path(path), mapping or ColumnMapping()
    if _detect_format(path) == "xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:
            raise FileRefused("Filen kunde inte läsas som XLSX.") from None
        try:
            if mapping.sheet and mapping.sheet not in wb.sheetnames:
                raise FileRefused(f"Kalkylbladet ”{mapping.sheet}” finns inte i filen.")
            ws = wb[mapping.sheet] if mapping.sheet else wb.worksheets[0]
            first = next(ws.iter_rows(max_row=1, values_only=True), None)
        finally:
            wb.close()
        if not first:
            raise FileRefused("Filen är tom.")
        return ["" if v is None else str(v) for v in first]
    return _csv_header(path)[0]


def check_file(path: str | os.PathLike, kind: str, mapping: ColumnMapping | None = None) -> None:
    """Cheap check before anything of a multi-file import is read: format, the header line's encoding,
    and that the header fits `kind` (raises FileRefused naming the problem). The encoding of the rows
    is checked while the import reads them; the store transaction keeps a refused file from storing
    anything of the import."""
    _resolve_columns(kind, read_header(path, mapping), mapping or ColumnMapping())
