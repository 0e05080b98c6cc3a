"""Keyed pseudonyms (HMAC-SHA256) for client and staff ids.

The same id with the same key always gives the same pseudonym, so a person keeps one pseudonym
across months and files, while nobody without the key can go back from pseudonym to id (a plain
hash of a personnummer could be reversed by trying all ~10^10 numbers).
"""

from __future__ import annotations

import hashlib
import hmac
import os

#: 32 hex chars = 128 bits: collisions stay negligible even for every person in Sweden many times over.
PSEUDONYM_HEX_CHARS = 32
ENV_VAR = "FOLJSAM_PSEUDONYM_KEY"
_BLOCK = 64  # SHA-256 block size in bytes


class MissingKeyError(RuntimeError):
    pass


def key_from_env(var: str = ENV_VAR) -> bytes:
    """The secret key from the environment (any string; used as UTF-8 bytes)."""
    value = os.environ.get(var, "")
    if len(value) < 16:
        raise MissingKeyError(f"Miljövariabeln {var} saknas eller är kortare än 16 tecken.")
    return value.encode("utf-8")


def normalise_id(raw: str) -> str:
    """Only surrounding whitespace is removed: ids from different source systems are not merged."""
    return raw.strip()


class Pseudonymizer:
    def __init__(self, key: bytes):
        if not isinstance(key, bytes) or not key:
            raise ValueError("key must be non-empty bytes")
        # HMAC hashes keys longer than a block first; doing it here keeps the SQL version identical.
        self._key = hashlib.sha256(key).digest() if len(key) > _BLOCK else key

    def __call__(self, raw_id: str) -> str:
        digest = hmac.new(self._key, normalise_id(raw_id).encode("utf-8"), hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_HEX_CHARS]

    def sql_expr(self, column: str) -> str:
        """The same HMAC as a DuckDB SQL expression over a VARCHAR column (already trimmed).

        HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)); computing it inside DuckDB avoids moving
        millions of ids into Python. The key only lives in the query text, never in stored data.
        """
        padded = self._key.ljust(_BLOCK, b"\0")
        ipad = bytes(b ^ 0x36 for b in padded).hex()
        opad = bytes(b ^ 0x5C for b in padded).hex()
        inner = f"unhex(sha256(unhex('{ipad}') || encode({column})))"
        return f"left(sha256(unhex('{opad}') || {inner}), {PSEUDONYM_HEX_CHARS})"
