"""The English catalogue is complete, keeps every placeholder, and django.mo is compiled from it.

After `make messages` new strings are empty or fuzzy and this test fails until they are translated
(foljsam/ops/translations.py: `todo`, `apply`, `check`). The checker itself is tested on injected faults.
"""

import gettext
import json

import pytest

from foljsam.ops import translations as tr

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
)


def write_po(tmp_path, body):
    path = tmp_path / "django.po"
    path.write_text(HEADER + "\n" + body, encoding="utf-8")
    return path


def test_english_catalogue_has_no_untranslated_fuzzy_or_changed_placeholder():
    assert tr.problems() == []


def test_compiled_catalogue_matches_the_po_file():
    """A .po edited without compilemessages would serve stale English."""
    with open(tr.PO_PATH.with_suffix(".mo"), "rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in tr.parse():
        if e.obsolete or not e.msgid:
            continue
        if e.msgid_plural is None:
            if catalog.get(e.msgid) != e.msgstr[0]:
                stale.append(e.msgid)
        elif [catalog.get((e.msgid, i)) for i in range(len(e.msgstr))] != e.msgstr:
            stale.append(e.msgid)
    assert stale == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ('msgid "Riskvy"\nmsgstr ""\n', "untranslated"),
        ('#, fuzzy\n#| msgid "Risk"\nmsgid "Riskvy"\nmsgstr "Risk"\n', "fuzzy"),
        ('#, python-format\nmsgid "Sedan %(d)s"\nmsgstr "Since"\n', "placeholders"),
        ('#, python-format\nmsgid "Sedan %(d)s"\nmsgstr "Since %(date)s"\n', "placeholders"),
        ('msgid "Mall {name}"\nmsgstr "Template {nmae}"\n', "placeholders"),
        ('msgid "%(n)s enhet"\nmsgid_plural "%(n)s enheter"\nmsgstr[0] "%(n)s unit"\nmsgstr[1] "units"\n',
         "placeholders"),
        ('msgid "%(n)s enhet"\nmsgid_plural "%(n)s enheter"\nmsgstr[0] "%(n)s unit"\nmsgstr[1] ""\n', "untranslated"),
    ],
)
def test_checker_reports_each_kind_of_fault(tmp_path, body, kind):
    found = tr.problems(write_po(tmp_path, body))
    assert len(found) == 1 and kind in found[0]


def test_checker_accepts_good_entries_and_ignores_obsolete_ones(tmp_path):
    body = (
        '#, python-format\nmsgid "Sedan %(d)s, 20 %% av %(n)s"\nmsgstr "Since %(d)s, 20 %% of %(n)s"\n\n'
        'msgid "%(n)s enhet"\nmsgid_plural "%(n)s enheter"\nmsgstr[0] "%(n)s unit"\nmsgstr[1] "%(n)s units"\n\n'
        'msgid "minst 20 % av besöken"\nmsgstr "at least 20 % of the visits"\n\n'
        'msgid "T.ex. {\\"NFC\\": \\"electronic\\"}."\nmsgstr "E.g. {\\"NFC\\": \\"electronic\\"}."\n\n'
        '#~ msgid "Gammal"\n#~ msgstr ""\n'
    )
    assert tr.problems(write_po(tmp_path, body)) == []


def test_apply_fills_empty_and_fuzzy_only_and_refuses_placeholder_drift(tmp_path):
    path = write_po(
        tmp_path,
        '#: a.py:1\nmsgid "Riskvy"\nmsgstr ""\n\n'
        '#: a.py:2\n#, fuzzy, python-format\n#| msgid "Sedan"\nmsgid "Sedan %(d)s"\nmsgstr ""\n"Since"\n\n'
        'msgid "Klar"\nmsgstr "Done"\n\n'
        '#, python-format\nmsgid "%(n)s enhet"\nmsgid_plural "%(n)s enheter"\nmsgstr[0] ""\nmsgstr[1] ""\n\n'
        '#, python-format\nmsgid "Rad %(line)s"\nmsgstr ""\n',
    )
    filled, refused = tr.apply(
        {
            "Riskvy": "Risk view",
            "Sedan %(d)s": "Since %(d)s",
            "Klar": "Finished",  # already reviewed: must stay "Done"
            "%(n)s enhet": ["%(n)s unit", "%(n)s units"],
            "Rad %(line)s": "Row",  # drops the placeholder: refused, entry left empty
        },
        path,
    )
    assert filled == 3 and len(refused) == 1 and "Rad" in refused[0]
    entries = {e.msgid: e for e in tr.parse(path)}
    assert entries["Riskvy"].msgstr == ["Risk view"]
    assert entries["Sedan %(d)s"].msgstr == ["Since %(d)s"]
    assert entries["Sedan %(d)s"].flags == {"python-format"}
    assert entries["Klar"].msgstr == ["Done"]
    assert entries["%(n)s enhet"].msgstr == ["%(n)s unit", "%(n)s units"]
    left = tr.problems(path)
    assert len(left) == 1 and "'Rad %(line)s': untranslated" in left[0]
    text = path.read_text(encoding="utf-8")
    assert "#|" not in text and "fuzzy" not in text and "#: a.py:2" in text


def test_todo_lists_exactly_the_entries_to_translate(tmp_path):
    path = write_po(
        tmp_path,
        'msgid "Riskvy"\nmsgstr ""\n\n#, fuzzy\nmsgid "Sedan"\nmsgstr "Since"\n\nmsgid "Klar"\nmsgstr "Done"\n\n'
        'msgid "%(n)s enhet"\nmsgid_plural "%(n)s enheter"\nmsgstr[0] ""\nmsgstr[1] ""\n',
    )
    todo = tr.todo(path)
    assert todo == {"Riskvy": "", "Sedan": "", "%(n)s enhet": ["", ""]}
    json.dumps(todo)  # the skeleton is what `apply` reads back


GETTEXT_NAMES = {"_", "_l", "_lazy", "gettext", "gettext_lazy"}


def _code_msgids():
    """Every literal passed to a gettext function (or its short aliases) in the code, with its place."""
    import ast
    from pathlib import Path

    root = Path(tr.PO_PATH).parents[3]  # foljsam/
    found = {}
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_NAMES
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and node.args[0].value.strip()):
                found.setdefault(node.args[0].value, f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_string_the_code_translates_is_in_the_catalogue():
    """makemessages must extract the short aliases too (`_l`, `_lazy`: ops/management/commands/makemessages.py),
    and `make messages` must have run after the last new string; otherwise the page stays Swedish in English."""
    in_catalogue = {e.msgid for e in tr.parse() if not e.obsolete}
    missing = {msgid: where for msgid, where in _code_msgids().items() if msgid not in in_catalogue}
    assert missing == {}


def test_the_code_scan_sees_the_short_aliases():
    """Guard for the test above: it would pass vacuously if the scan found nothing under an alias."""
    places = _code_msgids().values()
    assert any("reports/quality.py" in p for p in places)
    assert any("monthly/services.py" in p for p in places)
