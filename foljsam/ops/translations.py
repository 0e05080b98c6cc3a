"""Upkeep of the English catalogue (foljsam/locale/en/LC_MESSAGES/django.po) without extra dependencies.

After `make messages`, new and changed interface strings are empty or fuzzy in the catalogue:

    python -m foljsam.ops.translations todo  > todo.txt   # one entry per block: msgid (+ plural)
    python -m foljsam.ops.translations apply done.json    # {msgid: msgstr or [singular, plural]}
    python -m foljsam.ops.translations check              # exit 1 on untranslated/fuzzy/placeholder drift

`apply` only fills entries that are empty or fuzzy (and clears their fuzzy flag and `#|` lines); it never
overwrites a reviewed translation and refuses a msgstr whose placeholders differ from its msgid's.
The CLI then runs `msgcat` over the file (when installed) so the line wrapping is gettext's own, and
`compilemessages` must follow to rebuild django.mo.
tests/test_translations.py uses `problems()` to keep the committed catalogue complete.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PO_PATH = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d … (but not the escaped %%), and {name} / {0} / {name:spec} of str.format.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0+]*\d*(?:\.\d+)?[sdifrxXeEgGco]|%%")
_BRACE = re.compile(r"\{[A-Za-z_0-9][A-Za-z_0-9.]*(?:![rsa])?(?::[^{}\s]*)?\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one item, or one per plural form
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(s == "" for s in self.msgstr)


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else ""


def parse_block(lines: list[str], line_no: int = 0) -> Entry | None:
    entry, key, seen = Entry(line=line_no), None, False
    for raw in lines:
        if raw.startswith("#~"):
            entry.obsolete = True
            raw = raw[2:].lstrip()
        if raw.startswith("#,"):
            entry.flags |= {f.strip() for f in raw[2:].split(",") if f.strip()}
            continue
        if raw.startswith("#") or not raw.strip():
            continue
        head, _, rest = raw.partition(" ")
        if raw.startswith('"'):
            value = _unquote(raw.strip())
        elif head in {"msgctxt", "msgid", "msgid_plural", "msgstr"} or head.startswith("msgstr["):
            key, value, seen = head, _unquote(rest.strip()), True
            if key.startswith("msgstr"):
                entry.msgstr.append("")
        else:
            raise ValueError(f"line {line_no}: cannot read {raw!r}")
        if key == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif key == "msgid":
            entry.msgid += value
        elif key == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif key and key.startswith("msgstr"):
            entry.msgstr[-1] += value
    return entry if seen else None


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """The file as (first line number, lines) blocks; gettext separates entries by one blank line."""
    out, current, start = [], [], 1
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = n
            current.append(line)
        elif current:
            out.append((start, current))
            current = []
    if current:
        out.append((start, current))
    return out


def parse(path: Path = PO_PATH) -> list[Entry]:
    entries = []
    for start, lines in blocks(path.read_text(encoding="utf-8")):
        entry = parse_block(lines, start)
        if entry is not None:
            entries.append(entry)
    return entries


def placeholders(text: str) -> Counter:
    return Counter(_PERCENT.findall(text)) + Counter(_BRACE.findall(text))


def placeholder_problem(entry: Entry) -> str | None:
    """A msgstr must keep exactly the placeholders of its msgid (plural forms: of msgid_plural)."""
    plural = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
    sources = [entry.msgid] + [plural] * (len(entry.msgstr) - 1)
    for source, target in zip(sources, entry.msgstr, strict=True):
        if target and placeholders(source) != placeholders(target):
            return f"placeholders {sorted(placeholders(source).elements())} ≠ {sorted(placeholders(target).elements())}"
    return None


def problems(path: Path = PO_PATH) -> list[str]:
    found = []
    for e in parse(path):
        if e.obsolete or e.msgid == "":
            continue
        where = f"{path.name}:{e.line} {e.msgid[:60]!r}"
        if e.untranslated:
            found.append(f"{where}: untranslated")
        if e.fuzzy:
            found.append(f"{where}: fuzzy")
        if (why := placeholder_problem(e)):
            found.append(f"{where}: {why}")
    return found


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def apply(translations: dict, path: Path = PO_PATH) -> tuple[int, list[str]]:
    """Fill empty/fuzzy entries from {msgid: msgstr | [msgstr[0], msgstr[1]]}; returns (filled, refused)."""
    out, filled, refused = [], 0, []
    for _, lines in blocks(path.read_text(encoding="utf-8")):
        entry = parse_block(lines)
        todo = entry and not entry.obsolete and entry.msgid and (entry.untranslated or entry.fuzzy)
        if not todo or entry.msgid not in translations:
            out.append("\n".join(lines))
            continue
        value = translations[entry.msgid]
        forms = [value] if isinstance(value, str) else list(value)
        if (entry.msgid_plural is None) != (len(forms) == 1):
            refused.append(f"{entry.msgid!r}: plural entry needs a list of forms, singular a string")
            out.append("\n".join(lines))
            continue
        candidate = Entry(entry.msgid, entry.msgid_plural, entry.msgctxt, forms)
        if (why := placeholder_problem(candidate)) or any(not f.strip() for f in forms):
            refused.append(f"{entry.msgid!r}: {why or 'empty translation'}")
            out.append("\n".join(lines))
            continue
        kept, in_msgstr = [], False
        for line in lines:
            if not line.startswith('"'):
                in_msgstr = line.startswith("msgstr")
            if line.startswith("#|") or in_msgstr:
                continue  # the previous msgid of a fuzzy match, and the old msgstr lines
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if flags:
                    kept.append("#, " + ", ".join(flags))
                continue
            kept.append(line)
        if entry.msgid_plural is None:
            kept.append(f"msgstr {_quote(forms[0])}")
        else:
            kept += [f"msgstr[{i}] {_quote(f)}" for i, f in enumerate(forms)]
        out.append("\n".join(kept))
        filled += 1
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return filled, refused


def todo(path: Path = PO_PATH) -> dict:
    """Entries to translate, as the skeleton of an `apply` file (Swedish msgid → "", or ["", ""] for the
    singular and plural English forms of an ngettext/blocktranslate-count entry)."""
    return {
        e.msgid: ("" if e.msgid_plural is None else ["", ""])
        for e in parse(path)
        if not e.obsolete and e.msgid and (e.untranslated or e.fuzzy)
    }


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "todo":
        print(json.dumps(todo(), ensure_ascii=False, indent=1))
        return 0
    if command == "apply":
        filled, refused = apply(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
        if shutil.which("msgcat"):  # rewrap as msgmerge does, so the next makemessages diff stays small
            subprocess.run(["msgcat", "-o", str(PO_PATH), str(PO_PATH)], check=True)
        print(f"filled {filled}; refused {len(refused)}", *refused, sep="\n")
        return 1 if refused else 0
    found = problems()
    print(*found, f"{len(found)} problem(s) in {PO_PATH}", sep="\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
