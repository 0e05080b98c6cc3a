"""Limits on uploaded files, checked before any parsing: one place for every import.

    check_upload(upload_or_bytes_or_path, kind="catalogue")   # raises UploadRefused (a ValidationError)
    load_yaml(text, kind="catalogue")                          # yaml.safe_load with an expanded-node cap

Limits per kind come from `settings.UPLOAD_LIMITS` (env-tunable, see settings.py). What is checked:
- size of the file (before it is read into memory);
- CSV: the longest line (bytes between newlines), read in chunks;
- XLSX (a zip): entry count and the *declared* uncompressed size of all entries – zipfile, and so
  openpyxl, never inflates an entry past its declared size, so the declared total bounds the work –
  then each worksheet's rows and columns: the `<dimension>` openpyxl's read-only mode trusts (it pads
  every row to that width and yields empty rows up to that height), or, without one, the highest
  row number and cell column in the sheet XML;
- YAML: the size of the document with every alias expanded (a few KB of nested aliases – "billion
  laughs" – expand to millions of nodes), and recursive aliases, before any object is built.
Each refusal names the limit (`UploadRefused.code`: too_big, line_too_long, xlsx_entries,
xlsx_uncompressed, xlsx_rows, xlsx_columns, not_xlsx, yaml_nodes, yaml_recursive, yaml_deep).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {"providers": _("utförarimport"), "catalogue": _("kravkataloger"), "monthly": _("månadsimport")}

TOO_BIG = _("Filen är för stor: %(size)s, högst %(limit)s tillåts för %(kind)s.")
LINE_TOO_LONG = _("Rad %(line)s i filen är längre än %(limit)s byte (gränsen för %(kind)s).")
XLSX_ENTRIES = _("Excel-filen innehåller %(count)s delar, högst %(limit)s tillåts för %(kind)s.")
XLSX_UNCOMPRESSED = _("Excel-filen packas upp till %(size)s, högst %(limit)s tillåts för %(kind)s.")
XLSX_ROWS = _("Bladet %(sheet)s har %(count)s rader, högst %(limit)s tillåts för %(kind)s.")
XLSX_COLUMNS = _("Bladet %(sheet)s har %(count)s kolumner, högst %(limit)s tillåts för %(kind)s.")
NOT_XLSX = _("Filen kunde inte läsas som en Excel-fil (.xlsx).")
YAML_NODES = _("YAML-filen blir mer än %(limit)s värden när dess alias (&/*) expanderas (gränsen för %(kind)s).")
YAML_RECURSIVE = _("YAML-filen innehåller ett alias som refererar till sig självt.")
YAML_DEEP = _("YAML-filen är för djupt nästlad.")

CHUNK = 1024 * 1024


class UploadRefused(ValidationError):
    """A file refused before the work: its message names the limit."""


@dataclass(frozen=True)
class Limits:
    kind: str
    max_bytes: int
    max_line: int | None = None
    xlsx_max_entries: int = 1000
    xlsx_max_uncompressed: int | None = None
    max_rows: int | None = None
    max_columns: int | None = None
    yaml_max_nodes: int | None = None

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def limits_for(kind: str) -> Limits:
    from django.conf import settings

    return Limits(kind=kind, **settings.UPLOAD_LIMITS[kind])


def _human(n: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}".replace(".0 ", " ").replace(".", ",")
    return f"{n} byte"


def _refuse(message, code: str, limits: Limits, **params):
    raise UploadRefused(message, code=code, params={"kind": limits.label, **params})


class _Source:
    """bytes, a path, or a Django UploadedFile: size without reading, chunks, and a seekable file."""

    def __init__(self, source):
        self.source = source

    @property
    def size(self) -> int:
        if isinstance(self.source, bytes | bytearray | memoryview):
            return len(self.source)
        if isinstance(self.source, str | Path):
            return Path(self.source).stat().st_size
        return self.source.size

    def open(self):
        if isinstance(self.source, bytes | bytearray | memoryview):
            return io.BytesIO(self.source)
        if isinstance(self.source, str | Path):
            return open(self.source, "rb")  # noqa: SIM115 – closed by the caller's with
        self.source.seek(0)
        return _Unclosed(self.source)

    def head(self, n: int = 8) -> bytes:
        with self.open() as fh:
            return fh.read(n)


class _Unclosed(io.RawIOBase):
    """An UploadedFile the view still needs: readable and seekable here, rewound and left open after."""

    def __init__(self, f):
        self.f = f

    def readable(self):
        return True

    def seekable(self):
        return True

    def read(self, n=-1):
        return self.f.read(n)

    def readinto(self, b):
        data = self.f.read(len(b))
        b[: len(data)] = data
        return len(data)

    def seek(self, offset, whence=0):
        return self.f.seek(offset, whence)

    def tell(self):
        return self.f.tell()

    def close(self):
        self.f.seek(0)
        super().close()


def check_upload(source, *, kind: str | None = None, limits: Limits | None = None) -> str:
    """Check a file against its kind's limits before it is parsed; returns "xlsx" or "text".

    Raises UploadRefused. The file's format is told by its content (a zip is XLSX), not its name.
    """
    limits = limits or limits_for(kind)
    src = _Source(source)
    if src.size > limits.max_bytes:
        _refuse(TOO_BIG, "too_big", limits, size=_human(src.size), limit=_human(limits.max_bytes))
    if src.head(4) == b"PK\x03\x04":
        _check_xlsx(src, limits)
        return "xlsx"
    if limits.max_line:
        _check_lines(src, limits)
    return "text"


def _check_lines(src: _Source, limits: Limits) -> None:
    """Refuse a line longer than max_line bytes, stepping from newline to newline with rfind (C speed).
    The lines are counted only to name the refused one (counting every chunk cost 0.09 s per 250 MB)."""
    limit = limits.max_line
    offset = 0  # of the chunk in the file
    current = 0  # bytes of the line still open at the end of the previous chunk
    with src.open() as fh:
        while chunk := fh.read(CHUNK):
            pos, n = 0, len(chunk)
            while pos < n:
                end = pos + (limit - current) + 1  # a newline must come within these bytes
                if end > n:  # the rest of the chunk fits: carry the open line over
                    last = chunk.rfind(b"\n", pos)
                    current = n - last - 1 if last != -1 else current + n - pos
                    break
                newline = chunk.rfind(b"\n", pos, end)
                if newline == -1:
                    _refuse(LINE_TOO_LONG, "line_too_long", limits, line=_line_at(src, offset + pos), limit=limit)
                pos, current = newline + 1, 0
            offset += n


def _line_at(src: _Source, offset: int) -> int:
    """The 1-based number of the line that holds byte `offset`."""
    lines, read = 1, 0
    with src.open() as fh:
        while read < offset and (chunk := fh.read(min(CHUNK, offset - read))):
            lines += chunk.count(b"\n")
            read += len(chunk)
    return lines


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]+)\d+\"")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_xlsx(src: _Source, limits: Limits) -> None:
    with src.open() as fh:
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError):
            raise UploadRefused(NOT_XLSX, code="not_xlsx") from None
        with zf:
            infos = zf.infolist()
            if len(infos) > limits.xlsx_max_entries:
                _refuse(XLSX_ENTRIES, "xlsx_entries", limits, count=len(infos), limit=limits.xlsx_max_entries)
            total = sum(info.file_size for info in infos)
            if limits.xlsx_max_uncompressed and total > limits.xlsx_max_uncompressed:
                _refuse(XLSX_UNCOMPRESSED, "xlsx_uncompressed", limits, size=_human(total),
                        limit=_human(limits.xlsx_max_uncompressed))
            for info in infos:
                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                    _check_sheet(zf, info, limits)


def _check_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> None:
    sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    rows = columns = 0
    try:
        with zf.open(info) as fh:
            head = fh.read(64 * 1024)
            found = _DIMENSION.search(head)
            if found and found.group(3):  # "A1:J5000": what openpyxl's read-only mode will produce
                rows, columns = int(found.group(4)), _column_number(found.group(3))
            elif found and found.group(1):  # a single cell, e.g. "A1"
                rows, columns = int(found.group(2) or 1), _column_number(found.group(1))
            else:  # no dimension: openpyxl goes by the row numbers and cell references themselves
                tail, data = b"", head
                while data:
                    window = tail + data
                    rows = max([rows, *(int(m) for m in _ROW_REF.findall(window))])
                    columns = max([columns, *(_column_number(m) for m in _CELL_REF.findall(window))])
                    tail = window[-256:]
                    data = fh.read(CHUNK)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise UploadRefused(NOT_XLSX, code="not_xlsx") from None
    if limits.max_rows and rows > limits.max_rows:
        _refuse(XLSX_ROWS, "xlsx_rows", limits, sheet=sheet, count=rows, limit=limits.max_rows)
    if limits.max_columns and columns > limits.max_columns:
        _refuse(XLSX_COLUMNS, "xlsx_columns", limits, sheet=sheet, count=columns, limit=limits.max_columns)


# --- YAML ------------------------------------------------------------------------------------------

def _expanded_size(root, limit: int, limits: Limits) -> int:
    """Nodes in the document with every alias expanded, memoised per node (aliases share nodes)."""
    import yaml  # here, not at the top: every command loads this module and few read YAML

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise UploadRefused(YAML_RECURSIVE, code="yaml_recursive")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        if total > limit:
            _refuse(YAML_NODES, "yaml_nodes", limits, limit=limit)
        sizes[key] = total
        return total

    return size(root)


def load_yaml(text: str | bytes, *, kind: str | None = None, limits: Limits | None = None):
    """yaml.safe_load, refusing documents that expand past the kind's node cap (UploadRefused).

    yaml.YAMLError still means a broken file, as with yaml.safe_load.
    """
    import yaml

    limits = limits or limits_for(kind)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()  # composing is cheap: aliases are shared nodes here
        if node is None:
            return None
        _expanded_size(node, limits.yaml_max_nodes or 100_000, limits)
        return loader.construct_document(node)
    except RecursionError:  # PyYAML composes and constructs recursively: [[[[…]]]] thousands deep
        raise UploadRefused(YAML_DEEP, code="yaml_deep") from None
    finally:
        loader.dispose()
