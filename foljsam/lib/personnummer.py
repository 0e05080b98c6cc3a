"""Finding Swedish personal identity numbers (personnummer, samordningsnummer) in free text.

Signals never need client details, so descriptions are checked before they are saved. A number
written the way people write identity numbers – YYMMDD-NNNN, YYMMDD+NNNN or YYYYMMDD-NNNN – is
flagged when its date part is a real date (samordningsnummer: day + 60), whatever its check digit:
a mistyped number still identifies a person. A bare run of 10 or 12 digits is flagged only when the
date is real and the Luhn check digit matches, so that phone and case numbers pass.
"""

import re
from datetime import date

_SEPARATED = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})\s?[-+]\s?(\d{4})(?!\d)")
_BARE = re.compile(r"(?<![\d-])(\d{2})?(\d{2})(\d{2})(\d{2})(\d{4})(?![\d-])")


def _real_date(century: str | None, yy: str, mm: str, dd: str) -> bool:
    day = int(dd)
    if day > 60:  # samordningsnummer
        day -= 60
    year = int(century + yy) if century else 2000 + int(yy)
    try:
        date(year, int(mm), day)
    except ValueError:
        # 29 February: a two-digit year may be a leap year in the other century.
        if century is None and int(mm) == 2 and day == 29:
            return int(yy) % 4 == 0
        return False
    return True


def luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def find_personnummer(text: str) -> list[str]:
    """The substrings of `text` that look like personal identity numbers."""
    found = []
    for m in _SEPARATED.finditer(text or ""):
        century, yy, mm, dd, _last = m.groups()
        if century is not None and century not in ("18", "19", "20"):
            continue
        if _real_date(century, yy, mm, dd):
            found.append(m.group(0))
    for m in _BARE.finditer(text or ""):
        century, yy, mm, dd, last = m.groups()
        if century is not None and century not in ("18", "19", "20"):
            continue
        if _real_date(century, yy, mm, dd) and luhn_ok(yy + mm + dd + last):
            found.append(m.group(0))
    return found
