"""The quality report (kvalitetsberättelse) for year N in seed 003's structure, built from the data.

`quality_report(year)` returns a plain dict (the JSON of `foljsam report quality`): the deviations
table per organisation from the signals register (lex Sarah, internal deviations, complaints,
comments; seed 003's "Avvikelser, synpunkter och klagomål"; each row links to the provider's
signals), the national user survey's shares per question, the follow-up of the choice-system providers
(contract follow-ups and quality studies linked to their pages, in-depth follow-ups counted), and the
officer's prose per section;
`quality_outline(data)` turns it into the document written to Word and PDF and shown on the page.
"""

from collections import OrderedDict

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from foljsam.lib.outline import Outline, Table
from foljsam.lib.svgchart import bar_chart
from foljsam.registry.models import Area

from . import sources
from .yearly import contract_followup_result, section_data

# Seed 003's sections in its order; each takes the officer's prose, some also carry the data.
SECTIONS = OrderedDict([
    ("inledning", _l("Inledning")),
    ("kvalitet", _l("Vad är kvalitet i verksamheten?")),
    ("fokus", _l("Fokusområden för kvalitetsarbetet under året")),
    ("underlag", _l("Underlag för bedömning")),
    ("brukarundersokningar", _l("Brukarundersökningar")),
    ("avvikelser", _l("Avvikelser, synpunkter och klagomål")),
    ("valfrihet", _l("Uppföljning av utförare som ingår i valfrihetssystemet")),
    ("bedomning", _l("Bedömning av kvalitet")),
    ("utveckling", _l("Utvecklingsområden")),
])

# The quality factors social services work by (seed 003, "Vad är kvalitet i verksamheten?").
QUALITY_FACTORS = [
    _l("Kunskapsbaserad verksamhet"),
    _l("Hög delaktighet"),
    _l("Hög säkerhet, trygghet och gott bemötande"),
    _l("God tillgänglighet och insatser inom rimlig tid"),
    _l("Helhetssyn och samordning"),
    _l("Resurser används där de kommer målgruppen till störst nytta"),
]

COUNTS = ("lex_sarah", "internal", "complaints", "comments")


def _signals_url(row) -> str | None:
    try:
        return reverse("indepth:signals") + (f"?utforare={row['provider_id']}" if row.get("provider_id") else "")
    except NoReverseMatch:  # the signals register is not installed
        return None


def quality_report(year: int) -> dict:
    from foljsam.planning.models import QualityStudy

    names = dict(Area.objects.values_list("code", "name"))
    counts = sources.deviation_counts(year=year)
    deviations = None
    if counts is not None:
        rows = [{"provider": r["provider"], "area": r["area"], "area_name": names.get(r["area"], r["area"]),
                 **{c: r[c] for c in COUNTS}, "total": sum(r[c] for c in COUNTS), "url": _signals_url(r)}
                for r in counts]
        deviations = {"rows": rows, "totals": {c: sum(r[c] for r in rows) for c in (*COUNTS, "total")}}
    indepth = sources.indepth_followups(year=year)
    followup = []
    for area in Area.objects.all():
        cf = contract_followup_result(area, year)
        n_indepth = sum(1 for r in indepth if r["area"] == area.code)
        if cf or n_indepth:
            followup.append({"area": area.code, "name": area.name, "contract_followup": cf,
                             "indepth_followups": n_indepth})
    studies = [{"id": s.pk, "theme": s.theme, "areas": [a.code for a in s.areas.all()],
                "recommendations": [r.text for r in s.recommendations.all()], "url": s.get_absolute_url()}
               for s in QualityStudy.objects.filter(year=year).prefetch_related("areas", "recommendations")]
    return {
        "year": year,
        "quality_factors": [str(f) for f in QUALITY_FACTORS],
        "deviations": deviations,
        "surveys": sources.survey_results(year=year),
        "followup": followup,
        "quality_studies": studies,
        "sections": section_data(SECTIONS, year, "quality"),
    }


def deviations_chart(data: dict) -> str:
    """Lex Sarah, internal deviations, complaints and comments per organisation ("" when none)."""
    dev = data["deviations"]
    if not dev or not dev["rows"]:
        return ""
    rows = dev["rows"]
    return bar_chart([f"{r['provider']} ({r['area_name']})" for r in rows],
                     [(_("Lex Sarah"), [r["lex_sarah"] for r in rows]),
                      (_("Interna avvikelser"), [r["internal"] for r in rows]),
                      (_("Klagomål"), [r["complaints"] for r in rows]),
                      (_("Synpunkter"), [r["comments"] for r in rows])],
                     title=_("Rapporterade avvikelser per organisation %(year)s") % {"year": data["year"]})


def deviations_table(data: dict) -> Table | None:
    dev = data["deviations"]
    if dev is None:
        return None
    t = dev["totals"]
    return Table([_("Organisation"), _("Verksamhet"), _("Antal lex Sarah"), _("Antal interna avvikelser"),
                  _("Antal klagomål"), _("Antal synpunkter"), _("Totalt")],
                 [[r["provider"], r["area_name"], *[r[c] for c in COUNTS], r["total"]] for r in dev["rows"]]
                 + [[_("Totalt"), "", *[t[c] for c in COUNTS], t["total"]]],
                 caption=_("Rapporterade avvikelser %(year)s") % {"year": data["year"]})


def quality_outline(data: dict) -> Outline:
    y = data["year"]
    sections = data["sections"]
    doc = Outline(_("Kvalitetsberättelse %(year)s") % {"year": y}, _("Rapport till nämnden"))

    def add(key, level=1, **kwargs):
        text = sections[key]["text"]
        return doc.add(sections[key]["title"], level, paragraphs=[text] if text else [], **kwargs)

    add("inledning")
    add("kvalitet", bullets=list(data["quality_factors"]))
    add("fokus")
    add("underlag")

    surveys = add("brukarundersokningar", level=2)
    if data["surveys"]:
        surveys.tables.append(Table([_("Fråga"), _("Enheter"), _("Andel positiva (%)")],
                                    [[r["question"], r["units"], r["share_positive"]] for r in data["surveys"]],
                                    caption=_("Vad tycker de äldre om äldreomsorgen? %(year)s") % {"year": y}))
    else:
        surveys.paragraphs.append(_("Inga resultat från brukarundersökningen är inlästa för året."))

    dev = add("avvikelser", level=2)
    table = deviations_table(data)
    if table is None:
        dev.paragraphs.append(_("Inget signalregister finns; tabellen kan inte tas fram."))
    else:
        chart = deviations_chart(data)
        if chart:
            dev.charts.append(chart)
        dev.tables.append(table)

    fu = add("valfrihet", level=2)
    rows = []
    for a in data["followup"]:
        cf = a["contract_followup"]
        rows.append([a["name"], cf["final"] if cf else "–", cf["meeting_all"] if cf else "–",
                     cf["with_action_plan"] if cf else "–", ", ".join(cf["deviation_areas"]) if cf else "–",
                     a["indepth_followups"]])
    fu.tables.append(Table([_("Verksamhet"), _("Uppföljda enheter"), _("Uppfyller alla krav"), _("Åtgärdsplaner"),
                            _("Områden med avvikelser"), _("Fördjupade uppföljningar")], rows))
    for s in data["quality_studies"]:
        fu.paragraphs.append(_("Kvalitetsundersökning: %(theme)s.") % {"theme": s["theme"]})
        fu.bullets.extend(s["recommendations"])

    add("bedomning")
    add("utveckling")
    return doc
