"""Keyed pseudonyms (HMAC-SHA256) for client and staff ids, and the one rule that normalises ids.

The same id with the same key always gives the same pseudonym, so a person keeps one pseudonym
across months and files, while nobody without the key can go back from pseudonym to id (a plain
hash of a personnummer could be reversed by trying all ~10^10 numbers).

Normalisation (identical in Python and in the DuckDB SQL the importer runs; tests/lib/test_pseudonym.py
checks each variant both ways):

- Every id (client and staff): surrounding whitespace of any kind is removed – space, tab, CR, LF,
  NBSP and the other Unicode spaces in `WHITESPACE` (also the BOM/zero-width no-break space).
- Client ids that are a personnummer or samordningsnummer become the 12-digit form without separator:
  Unicode dashes (– — ‐ − …) count as "-"; `YYYYMMDD-NNNN`, `YYYYMMDDNNNN` keep their century;
  `YYMMDD-NNNN` and `YYMMDDNNNN` get the century in which the person is under 100 on the row's date
  (visit: check-in date, grant: valid from, additional report: event date) and `YYMMDD+NNNN` the
  century before that (the `+` separator marks a person of 100 or more). The birth day of a
  samordningsnummer (day + 60) is compared as the day it stands for.
- Anything else (an internal client number, a staff id) is kept as it is after trimming: ids from
  different source systems are not merged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re

#: 32 hex chars = 128 bits: collisions stay negligible even for every person in Sweden many times over.
PSEUDONYM_HEX_CHARS = 32
ENV_VAR = "FOLJSAM_PSEUDONYM_KEY"
_BLOCK = 64  # SHA-256 block size in bytes

#: Removed around every id. Python's str.strip() would also remove \x1c–\x1f; DuckDB's trim() only
#: spaces – hence one explicit set used by both sides.
WHITESPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
              "\u2028\u2029\u202f\u205f\u3000\ufeff")
#: Read as "-" in a personnummer: hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal
#: bar, minus sign, small em dash, small hyphen-minus, fullwidth hyphen-minus.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASH_TABLE = str.maketrans(DASHES, "-" * len(DASHES))
_PNR = r"^([0-9]{6}|[0-9]{8})([-+]?)([0-9]{4})$"
_PNR_RE = re.compile(_PNR)


class MissingKeyError(RuntimeError):
    pass


def key_from_env(var: str = ENV_VAR) -> bytes:
    """The secret key from the environment (any string; used as UTF-8 bytes)."""
    value = os.environ.get(var, "")
    if len(value) < 16:
        raise MissingKeyError(f"Miljövariabeln {var} saknas eller är kortare än 16 tecken.")
    return value.encode("utf-8")


def normalise_id(raw: str) -> str:
    """Staff ids (and the first step for client ids): surrounding whitespace of any kind removed."""
    return raw.strip(WHITESPACE)


def _full_year(yy: int, mmdd: int, plus: bool, ref: dt.date) -> int:
    """The birth year of a 10-digit number on `ref` (the same integer arithmetic as the SQL)."""
    full = (ref.year // 100) * 100 + yy
    if full * 10000 + mmdd > ref.year * 10000 + ref.month * 100 + ref.day:
        full -= 100
    return full - 100 if plus else full


def normalise_client_id(raw: str, ref: dt.date | None) -> str:
    """A client id as the pseudonym is computed from it (see the module docstring).

    `ref` is the row's date; it is needed only for a 10-digit personnummer (ValueError without it).
    """
    value = normalise_id(raw).translate(_DASH_TABLE)
    match = _PNR_RE.match(value)
    if not match:
        return value
    head, sep, tail = match.groups()
    if len(head) == 8:
        return head + tail
    if ref is None:
        raise ValueError("a 10-digit personnummer needs the row's date to get its century")
    day = int(head[4:6])
    mmdd = int(head[2:4]) * 100 + (day - 60 if day > 60 else day)
    return f"{_full_year(int(head[:2]), mmdd, sep == '+', ref) // 100:02d}{head}{tail}"


def _sql_chars(chars: str) -> str:
    """A RE2 character class body for `chars`."""
    return "".join(f"\\x{{{ord(c):04X}}}" for c in chars)


def trimmed_sql(col: str) -> str:
    """SQL that is true for a value that is certainly trimmed already: its first and last characters are
    printable ASCII (every character in WHITESPACE is below 33 or not ASCII). The first byte is tested by
    comparing strings (bytewise; a third of the time of ascii()). The last character is read at the byte
    length: for a value with a non-ASCII character that position lies past its last character, substr()
    gives '' and the test is false. False does not mean untrimmed, only that the slow path must decide."""
    return f"({col} >= '!' AND {col} < chr(127) AND ascii(substr({col}, strlen({col}))) > 32)"


def trim_sql(col: str) -> str:
    """SQL for normalise_id(coalesce(col, '')): the regular expression only where trimmed_sql() is false."""
    ws = _sql_chars(WHITESPACE)
    return (f"CASE WHEN {col} IS NULL THEN '' WHEN {trimmed_sql(col)} THEN {col} "
            f"ELSE regexp_replace({col}, '^[{ws}]+|[{ws}]+$', '', 'g') END")


class Pseudonymizer:
    def __init__(self, key: bytes):
        if not isinstance(key, bytes) or not key:
            raise ValueError("key must be non-empty bytes")
        # HMAC hashes keys longer than a block first; doing it here keeps the SQL version identical.
        self._key = hashlib.sha256(key).digest() if len(key) > _BLOCK else key

    def _hmac(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]

    def __call__(self, raw_id: str) -> str:
        """The pseudonym of a staff id (or any id that is not a client id)."""
        return self._hmac(normalise_id(raw_id))

    def client(self, raw_id: str, ref: dt.date | None = None) -> str:
        """The pseudonym of a client id on a row dated `ref`."""
        return self._hmac(normalise_client_id(raw_id, ref))

    def sql_expr(self, column: str) -> str:
        """The same HMAC as a DuckDB SQL expression over a VARCHAR column (already normalised).

        HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)); computing it inside DuckDB avoids moving
        millions of ids into Python. The key only lives in the query text, never in stored data.
        """
        padded = self._key.ljust(_BLOCK, b"\0")
        ipad = bytes(b ^ 0x36 for b in padded).hex()
        opad = bytes(b ^ 0x5C for b in padded).hex()
        inner = f"unhex(sha256(unhex('{ipad}') || encode({column})))"
        return f"left(sha256(unhex('{opad}') || {inner}), {PSEUDONYM_HEX_CHARS})"

    def client_map_sql(self, distinct_ids: str) -> str:
        """A SELECT giving, for each client id of the query `distinct_ids` (one column `raw`, as in the
        file: it is trimmed here, once per distinct id), what client_sql() needs: the pseudonym `p` when
        the id does not depend on the row's date, else the birth-date parts (`yy`, `mmdd`, `plus`) and the
        pseudonyms of the three possible centuries. HMACs run once per distinct id, not per row."""
        dashes = _sql_chars(DASHES)
        return f"""
            WITH t AS (SELECT raw, {trim_sql('raw')} AS id FROM ({distinct_ids})),
                 n AS (SELECT raw, CASE WHEN strlen(id) = length(id) THEN id
                                        ELSE regexp_replace(id, '[{dashes}]', '-', 'g') END AS s
                       FROM t),
                 m AS (SELECT raw, s, regexp_extract(s, '{_PNR}', ['head', 'sep', 'tail']) AS g FROM n),
                 k AS (SELECT raw,
                              CASE WHEN g.head = '' THEN s WHEN length(g.head) = 8 THEN g.head || g.tail END AS key,
                              CASE WHEN length(g.head) = 6 THEN g.head || g.tail END AS d10,
                              CASE WHEN length(g.head) = 6 THEN CAST(substr(g.head, 1, 2) AS INTEGER) END AS yy,
                              CASE WHEN length(g.head) = 6 THEN CAST(substr(g.head, 3, 2) AS INTEGER) * 100
                                   + CAST(substr(g.head, 5, 2) AS INTEGER)
                                   - CASE WHEN CAST(substr(g.head, 5, 2) AS INTEGER) > 60 THEN 60 ELSE 0 END
                              END AS mmdd,
                              g.sep = '+' AS plus
                       FROM m)
            SELECT raw, yy, mmdd, plus,
                   CASE WHEN key IS NOT NULL THEN {self.sql_expr('key')} END AS p,
                   CASE WHEN d10 IS NOT NULL THEN {self.sql_expr("'18' || d10")} END AS p18,
                   CASE WHEN d10 IS NOT NULL THEN {self.sql_expr("'19' || d10")} END AS p19,
                   CASE WHEN d10 IS NOT NULL THEN {self.sql_expr("'20' || d10")} END AS p20
            FROM k"""

    @staticmethod
    def client_sql(m: str, ref: str) -> str:
        """The client pseudonym of a row: `m` is the alias of client_map_sql()'s table joined on the
        row's id, `ref` the row's DATE (its year must be 2000–2099, which the importer checks)."""
        base = f"(year({ref}) // 100) * 100 + {m}.yy"
        full = (f"(CASE WHEN ({base}) * 10000 + {m}.mmdd > year({ref}) * 10000 + month({ref}) * 100 + day({ref}) "
                f"THEN {base} - 100 ELSE {base} END - CASE WHEN {m}.plus THEN 100 ELSE 0 END)")
        return (f"CASE WHEN {m}.yy IS NULL THEN {m}.p ELSE CASE {full} // 100 WHEN 18 THEN {m}.p18 "
                f"WHEN 19 THEN {m}.p19 WHEN 20 THEN {m}.p20 END END")
