"""Item 5: limits on uploads, checked before the work, each refusal naming the limit; generated bombs."""

import io
import struct
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from foljsam.lib.uploads import Limits, UploadRefused, check_upload, load_yaml

LIMITS = Limits(kind="catalogue", max_bytes=2 * 1024 * 1024, max_line=1000, xlsx_max_entries=50,
                xlsx_max_uncompressed=5 * 1024 * 1024, max_rows=100, max_columns=20, yaml_max_nodes=10_000)


def _refused(source, code, limits=LIMITS, *, check=check_upload):
    with pytest.raises(UploadRefused) as exc:
        check(source, limits=limits)
    assert exc.value.code == code
    return " ".join(exc.value.messages)


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    except UploadRefused:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _workbook(rows=3) -> bytes:
    wb = Workbook()
    for i in range(rows):
        wb.active.append([f"a{i}", i, "text"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(xlsx: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename == name else data)
    return out.getvalue()


def _declare_huge(xlsx: bytes, name: str, size: int) -> bytes:
    """The same zip with `name` declaring `size` uncompressed bytes in its central directory."""
    data = bytearray(xlsx)
    at = data.find(b"PK\x01\x02" + b"", 0)
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + name_len] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def test_a_small_workbook_passes():
    assert check_upload(_workbook(), limits=LIMITS) == "xlsx"
    assert check_upload(b"a,b\n1,2\n", limits=LIMITS) == "text"


def test_size_limit_before_reading():
    message = _refused(b"x" * (LIMITS.max_bytes + 1), "too_big")
    assert "2 MB" in message and "kravkataloger" in message
    upload = SimpleUploadedFile("big.csv", b"x" * (LIMITS.max_bytes + 1))
    _refused(upload, "too_big")


def test_zip_declaring_a_huge_uncompressed_size_is_refused_without_inflating():
    bomb = _declare_huge(_workbook(), "xl/styles.xml", 3_900_000_000)
    assert len(bomb) < 10_000
    assert "3,6 GB" in _refused(bomb, "xlsx_uncompressed")
    assert _peak(lambda: check_upload(bomb, limits=LIMITS)) < 2 * 1024 * 1024


def test_real_compression_bomb_is_refused_with_little_memory():
    zeros = io.BytesIO()
    with zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (20 * 1024 * 1024) + b"</sst>")
    bomb = zeros.getvalue()
    assert len(bomb) < 100_000
    _refused(bomb, "xlsx_uncompressed")
    assert _peak(lambda: check_upload(bomb, limits=LIMITS)) < 2 * 1024 * 1024


def test_too_many_entries():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(LIMITS.xlsx_max_entries + 1):
            zf.writestr(f"x/{i}", b"")
    assert "51 delar" in _refused(out.getvalue(), "xlsx_entries")


def test_sheet_dimension_bomb():
    # openpyxl's read-only mode pads every row to the declared width and yields rows up to its height.
    bomb = _rewrite(_workbook(), "xl/worksheets/sheet1.xml",
                    lambda xml: xml.replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:XFD1048576"/>'))
    message = _refused(bomb, "xlsx_rows")
    assert "1048576 rader" in message and "100" in message
    wide = _rewrite(_workbook(), "xl/worksheets/sheet1.xml",
                    lambda xml: xml.replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:XFD3"/>'))
    assert "16384 kolumner" in _refused(wide, "xlsx_columns")


def test_sheet_without_dimension_goes_by_its_row_numbers_and_cells():
    def far_row(xml):
        xml = xml.replace(b'<dimension ref="A1:C3"/>', b"")
        return xml.replace(b'<row r="3"', b'<row r="1000000"').replace(b'r="A3"', b'r="A1000000"')

    _refused(_rewrite(_workbook(), "xl/worksheets/sheet1.xml", far_row), "xlsx_rows")

    def far_column(xml):
        return xml.replace(b'<dimension ref="A1:C3"/>', b"").replace(b'r="C3"', b'r="ZZ3"')

    _refused(_rewrite(_workbook(), "xl/worksheets/sheet1.xml", far_column), "xlsx_columns")
    ok = _rewrite(_workbook(), "xl/worksheets/sheet1.xml", lambda x: x.replace(b'<dimension ref="A1:C3"/>', b""))
    assert check_upload(ok, limits=LIMITS) == "xlsx"


def test_not_a_zip_after_all():
    _refused(b"PK\x03\x04 not really a zip", "not_xlsx")


def test_long_line_names_line_and_limit():
    data = b"a,b\n1,2\n" + b"x" * 1001 + b"\n"
    message = _refused(data, "line_too_long")
    assert "Rad 3" in message and "1000" in message
    # across chunk boundaries too
    from foljsam.lib import uploads

    assert uploads.CHUNK < 2 * 1024 * 1024
    long = b"ok\n" * 10 + b"y" * (uploads.CHUNK + 10)
    wide = Limits(kind="monthly", max_bytes=10**9, max_line=uploads.CHUNK)
    assert "Rad 11 " in _refused(long, "line_too_long", wide)
    # a long line that starts in a later chunk: numbered by the newlines before it
    later = b"a\n" * (uploads.CHUNK // 2 + 5) + b"y" * (uploads.CHUNK + 10) + b"\n"
    assert f"Rad {uploads.CHUNK // 2 + 6} " in _refused(later, "line_too_long", wide)
    assert check_upload(b"z" * 1000 + b"\n" + b"z" * 1000, limits=LIMITS) == "text"


BILLION_LAUGHS = "\n".join(
    ["a: &a [" + ", ".join(['"lol"'] * 10) + "]"]
    + [f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)


def test_billion_laughs_yaml_refused_small_allocation():
    assert len(BILLION_LAUGHS) < 4096
    message = _refused(BILLION_LAUGHS, "yaml_nodes", check=load_yaml)
    assert "10000" in message
    assert _peak(lambda: load_yaml(BILLION_LAUGHS, limits=LIMITS)) < 2 * 1024 * 1024


def test_yaml_recursive_and_deep():
    _refused("a: &a [*a]", "yaml_recursive", check=load_yaml)
    _refused("[" * 5000 + "]" * 5000, "yaml_deep", check=load_yaml)


def test_yaml_with_few_aliases_still_loads():
    text = "base: &b {weight: 2}\nreqs:\n  - *b\n  - *b\n"
    assert load_yaml(text, limits=LIMITS) == {"base": {"weight": 2}, "reqs": [{"weight": 2}, {"weight": 2}]}
    assert load_yaml("", limits=LIMITS) is None


def test_settings_limits_exist_for_every_kind(settings):
    from foljsam.lib.uploads import limits_for

    for kind in ("providers", "catalogue", "monthly"):
        assert limits_for(kind).max_bytes > 0


@pytest.mark.parametrize("seed", range(30))
def test_line_check_agrees_with_a_naive_count(seed, monkeypatch):
    import random

    from foljsam.lib import uploads

    rng = random.Random(seed)
    monkeypatch.setattr(uploads, "CHUNK", rng.randint(1, 40))  # chunk boundaries everywhere
    data = b"".join(b"x" * rng.choice([0, 1, 5, 9, 10, 11, 30]) + b"\n" for _ in range(rng.randint(0, 12)))
    data += b"y" * rng.randint(0, 12)
    limit = rng.randint(1, 15)
    lines = data.split(b"\n")
    first_long = next((i + 1 for i, line in enumerate(lines) if len(line) > limit), None)
    limits = Limits(kind="providers", max_bytes=10**6, max_line=limit)
    if first_long is None:
        assert check_upload(data, limits=limits) == "text"
    else:
        with pytest.raises(UploadRefused) as exc:
            check_upload(data, limits=limits)
        assert exc.value.params["line"] == first_long
