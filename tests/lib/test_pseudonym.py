"""The id normalisation of lib/pseudonym.py: each spelling variant of a personnummer and of a staff id
gives the same pseudonym, in Python and in the SQL the importer runs (checked through a real import)."""

import datetime as dt

import duckdb
import pytest

from foljsam.lib.pseudonym import Pseudonymizer, normalise_client_id, normalise_id
from foljsam.monthly.engine import storage
from foljsam.monthly.engine.importer import import_file

KEY = b"test-key-0123456789-abcdef"
ON = dt.date(2026, 3, 2)  # the rows' date
CANONICAL = "194001011234"

CLIENT_VARIANTS = {
    "12 digits": "194001011234",
    "12 digits with dash": "19400101-1234",
    "10 digits with dash": "400101-1234",
    "10 digits": "4001011234",
    "leading and trailing space": "  19400101-1234 ",
    "tab": "\t400101-1234",
    "carriage return": "400101-1234\r",
    "NBSP": "\u00a0400101-1234\u00a0",
    "narrow NBSP and ideographic space": "\u202f4001011234\u3000",
    "BOM": "\ufeff19400101-1234",
    "en dash": "400101\u20131234",
    "em dash": "19400101\u20141234",
    "minus sign": "400101\u22121234",
    "non-breaking hyphen": "400101\u20111234",
    "fullwidth hyphen": "400101\uff0d1234",
}


def _import_visits(tmp_path, clients: list[str], staff: list[str], dates: list[dt.date] | None = None):
    lines = ["visit_id,provider_id,client_id,staff_id,check_in,check_out,method,services"]
    for i, (c, s) in enumerate(zip(clients, staff, strict=True)):
        d = (dates or [ON] * len(clients))[i]
        # quoted so that a CR or tab inside the value reaches the importer as part of the value
        lines.append(f'v{i},P1,"{c}","{s}",{d}T08:00:00,{d}T08:30:00,electronic,A')
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    import_file(path, "visits", tmp_path / "data", KEY, {"P1"})
    return duckdb.sql(
        f"SELECT visit_id, client, staff FROM {storage.table_sql(tmp_path / 'data', 'visits')} "
        "ORDER BY CAST(substr(visit_id, 2) AS INTEGER)").fetchall()


@pytest.mark.parametrize("variant", CLIENT_VARIANTS)
def test_each_client_spelling_normalises_to_the_12_digit_form(variant):
    assert normalise_client_id(CLIENT_VARIANTS[variant], ON) == CANONICAL


@pytest.mark.parametrize("variant", CLIENT_VARIANTS)
def test_each_client_spelling_gets_one_pseudonym_in_sql_and_python(variant, tmp_path):
    rows = _import_visits(tmp_path, [CLIENT_VARIANTS[variant]], ["S1"])
    expected = Pseudonymizer(KEY).client(CANONICAL)
    assert rows[0][1] == expected == Pseudonymizer(KEY).client(CLIENT_VARIANTS[variant], ON)


def test_all_client_spellings_in_one_file_give_one_pseudonym(tmp_path):
    rows = _import_visits(tmp_path, list(CLIENT_VARIANTS.values()), ["S1"] * len(CLIENT_VARIANTS))
    assert len({r[1] for r in rows}) == 1


def test_century_from_plus_separator_and_the_rows_date():
    # '+' marks a person of 100 or more: 1925, not 2025.
    assert normalise_client_id("250315+1234", ON) == "192503151234"
    assert normalise_client_id("250315-1234", ON) == "202503151234"
    # Birthday not yet reached on the row's date: the person was born a century earlier.
    assert normalise_client_id("260303-1234", dt.date(2026, 3, 2)) == "192603031234"
    assert normalise_client_id("260302-1234", dt.date(2026, 3, 2)) == "202603021234"
    # Samordningsnummer (day + 60) is compared as the day it stands for.
    assert normalise_client_id("260362-1234", dt.date(2026, 3, 2)) == "202603621234"
    assert normalise_client_id("260363-1234", dt.date(2026, 3, 2)) == "192603631234"
    with pytest.raises(ValueError):
        normalise_client_id("4001011234", None)


def test_century_rule_is_the_same_in_sql(tmp_path):
    cases = [("250315+1234", ON, "192503151234"), ("250315-1234", ON, "202503151234"),
             ("260303-1234", dt.date(2026, 3, 2), "192603031234"), ("260302-1234", dt.date(2026, 3, 2), "202603021234"),
             ("260363-1234", dt.date(2026, 3, 2), "192603631234"), ("991231-0001", dt.date(2000, 1, 1), "199912310001"),
             ("000101+0001", dt.date(2000, 1, 1), "190001010001")]
    rows = _import_visits(tmp_path, [c[0] for c in cases], ["S1"] * len(cases), [c[1] for c in cases])
    p = Pseudonymizer(KEY)
    assert [r[1] for r in rows] == [p.client(c[2]) for c in cases]
    assert [r[1] for r in rows] == [p.client(c[0], c[1]) for c in cases]


def test_other_client_ids_are_only_trimmed():
    assert normalise_client_id("\u00a0K-000123\t", ON) == "K-000123"
    assert normalise_client_id("12345", ON) == "12345"  # too short to be a personnummer


STAFF_VARIANTS = ["anna.a", " anna.a", "anna.a ", "\tanna.a", "anna.a\r", "\u00a0anna.a\u00a0", "\u2007anna.a",
                  "\ufeffanna.a"]


@pytest.mark.parametrize("raw", STAFF_VARIANTS)
def test_each_staff_spelling_is_trimmed_the_same_in_sql_and_python(raw, tmp_path):
    assert normalise_id(raw) == "anna.a"
    rows = _import_visits(tmp_path, ["c1"], [raw])
    assert rows[0][2] == Pseudonymizer(KEY)("anna.a") == Pseudonymizer(KEY)(raw)


def test_staff_ids_keep_their_dashes():
    assert normalise_id("AB\u20131") == "AB\u20131"  # a staff id is not a personnummer


@pytest.mark.parametrize("raw", ["Åsa.ö", "Åsa.ö\u00a0", "\u3000Åsa.ö", "Åsa.ö ", " Åsa.ö\t", "Åsa.ö\u2007\u00a0"])
def test_ids_with_non_ascii_letters_are_trimmed_the_same_in_sql_and_python(raw):
    """trim_sql's fast path reads the last character at the byte length; a value with a letter outside
    ASCII must still lose its surrounding whitespace (of any kind) and keep its letters."""
    from foljsam.lib.pseudonym import trim_sql

    assert normalise_id(raw) == "Åsa.ö"
    with duckdb.connect() as con:
        assert con.execute(f"SELECT {trim_sql('x')} FROM (SELECT ? AS x)", [raw]).fetchall() == [("Åsa.ö",)]


def test_trim_sql_equals_normalise_id_for_every_character_alone_padded_and_doubled():
    """trimmed_sql() compares the first byte as a string and reads the last at the byte length: every
    character of the Basic Multilingual Plane (and a few beyond), alone, doubled and between whitespace,
    comes out of trim_sql() as normalise_id() gives it."""
    from foljsam.lib.pseudonym import WHITESPACE, trim_sql, trimmed_sql

    chars = [chr(i) for i in range(1, 0x10000) if not 0xD800 <= i < 0xE000] + ["\U0001f600", "\U00010000"]
    values = ["", *(v for c in chars for v in (c, c + c, f" {c}\u00a0", f"a{c}", f"{c}a"))]
    with duckdb.connect() as con:
        got = con.execute(f"SELECT list({trim_sql('x')} ORDER BY i), list({trimmed_sql('x')} ORDER BY i) "
                          "FROM (SELECT unnest(?::VARCHAR[]) AS x, unnest(range(?)) AS i)",
                          [values, len(values)]).fetchone()
    assert [v for v, g in zip(values, got[0], strict=True) if g != normalise_id(v)] == []
    # The fast test never claims a value with whitespace at either end is trimmed.
    assert [v for v, ok in zip(values, got[1], strict=True) if ok and v != v.strip(WHITESPACE)] == []
    assert got[1][values.index("a")]  # and it does take the plain ASCII values
