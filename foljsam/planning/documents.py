"""The follow-up plan as a document in seed 001's structure: purpose, scope, methods, schedules."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from foljsam.lib.outline import Outline
from foljsam.registry.models import Area, Procurement

from .models import ItemStatus, Kind
from .selectors import MONTHS, PlanView

METHODS = [
    (Kind.CONTRACT, _l("Syfte: att kontrollera att verksamheterna är organiserade och bedrivs så som avtalen och "
                      "uppdragsbeskrivningarna reglerar. Metod: en årlig digital enkät till varje verksamhet, "
                      "underlag från utföraren och intervju med verksamhetsansvarig. Mottagare: de verksamheter "
                      "som följts upp; nämnden på aggregerad nivå.")),
    (Kind.INDEPTH, _l("Syfte: att följa upp mer allvarliga avvikelser hos en utförare och att få kännedom om "
                     "nyetablerade utförare. Metod: besök i verksamheten, intervjuer och granskning av underlag. "
                     "Genomförs ett halvår efter att en ny utförare fått sin första brukare och vid behov.")),
    (Kind.MONTHLY, _l("Syfte: att genom kontinuerlig uppföljning av tids- och insatsregistreringen säkerställa att "
                     "kraven på ersättningssystemet följs. Metod: samma nyckeltal varje månad; utförarna får "
                     "resultatet en gång per kvartal och en åtgärdsplan vid avvikelse.")),
    (Kind.QUALITY, _l("Syfte: att undersöka orsakerna till mönster av avvikelser inom ett tema och ge "
                     "verksamheterna underlag för förbättringar. Metod: intervjuer med verksamhetsansvariga och "
                     "gruppintervjuer med personal på plats. Redovisas i en rapport.")),
    (Kind.DIALOGUE, _l("Löpande under året bjuds utförarna in till dialogmöten för att informera och diskutera "
                      "avtal och krav, rutiner, övergripande resultat från uppföljningar och utvecklingsbehov.")),
]


def _when(item) -> str:
    return MONTHS[item.month - 1] if item.month else _("under året")


def plan_outline(view: PlanView) -> Outline:
    y = view.year
    doc = Outline(_("Uppföljningsplan %(a)s–%(b)s") % {"a": y, "b": y + 2},
                  _("Plan för uppföljning av utförare (treårig, uppdateras årligen)."))
    doc.add(_("Planens innehåll och syfte"), paragraphs=[
        _("Planen fastställer det systematiska arbetet med uppföljning av de verksamheter som ingår i "
          "nämndernas beslut att tillämpa lagen om valfrihetssystem (LOV), ramavtal enligt lagen om offentlig "
          "upphandling (LOU) samt entreprenadavtal. I planen beskrivs metoderna och när uppföljningarna görs."),
    ])
    scope = doc.add(_("Vilka verksamheter omfattas?"))
    areas = list(Area.objects.all())
    for proc, label in ((Procurement.LOV, _("LOV tillämpas inom följande verksamheter:")),
                        (Procurement.ENTREPRENAD, _("Verksamheter som följs upp under entreprenadavtal:")),
                        (Procurement.LOU, _("Ramavtal inom lagen om offentlig upphandling (LOU):"))):
        names = [a.name for a in areas if a.procurement == proc]
        if names:
            scope.paragraphs.append(label)
            scope.bullets.extend(names) if proc == Procurement.LOU else scope.paragraphs.append(", ".join(names))
    doc.add(_("Olika sätt att följa upp på"))
    for kind, text in METHODS:
        doc.add(Kind(kind).label, level=2, paragraphs=[text])

    planned = [i for i in view.items if i.status == ItemStatus.PLANNED]
    doc.add(_("Tidsplaner för uppföljning"))

    def by_kind(kind, predicate=lambda i: True):
        return [i for i in planned if i.kind == kind and predicate(i)]

    rows = []
    for area in areas:
        cells = [", ".join(_when(i) for i in by_kind(Kind.CONTRACT, lambda i, a=area, yy=yy: i.area_id == a.pk
                                                          and i.year == yy)) or "" for yy in view.years]
        if area.procurement != Procurement.LOU and any(cells):
            rows.append([area.name, *cells])
    doc.add(_("Tidsplan för avtalsuppföljningar för LOV och entreprenad"), level=2, tables=[
        _table([_("Verksamhet"), *map(str, view.years)], rows)])
    lou = sorted(by_kind(Kind.CONTRACT, lambda i: i.area.procurement == Procurement.LOU),
                 key=lambda i: (i.year, i.area.sort_order))
    doc.add(_("Tidplan för avtalsuppföljning av ramavtal enligt LOU"), level=2, paragraphs=[
        _("Ramavtalen följs upp år ett efter avtalsskrivandet.")],
        tables=[_table([_("Verksamhet"), _("År för uppföljning")], [[i.area.name, i.year] for i in lou])])
    monthly = by_kind(Kind.MONTHLY)
    doc.add(_("Månadsuppföljning"), level=2, tables=[_table(
        [_("Verksamhet"), _("År")], [[i.area.name, i.year] for i in monthly])])
    indepth = by_kind(Kind.INDEPTH)
    doc.add(_("Fördjupade uppföljningar med kända datum"), level=2, tables=[_table(
        [_("Verksamhet"), _("Utförare"), _("År"), _("Månad")],
        [[i.area.name, i.provider.name if i.provider_id else i.title, i.year, _when(i)] for i in indepth])])
    quality_areas = []
    for i in by_kind(Kind.QUALITY):
        if i.area not in quality_areas:
            quality_areas.append(i.area)
    qrows = []
    for area in quality_areas:
        qrows.append([area.name, *[", ".join(i.title or _("Planerat") for i in by_kind(
            Kind.QUALITY, lambda i, a=area, yy=yy: i.area_id == a.pk and i.year == yy)) for yy in view.years]])
    doc.add(_("Tidsplan för kvalitetsundersökningar"), level=2,
            tables=[_table([_("Verksamhet"), *map(str, view.years)], qrows)])
    dialogue = by_kind(Kind.DIALOGUE)
    doc.add(_("Dialogmöten"), level=2, tables=[_table(
        [_("Verksamhet"), _("År"), _("När")], [[i.area.name, i.year, _when(i)] for i in dialogue])])
    cancelled = [i for i in view.items if i.status == ItemStatus.CANCELLED]
    if cancelled:
        doc.add(_("Strukna uppföljningar"), level=2, tables=[_table(
            [_("Typ"), _("Verksamhet"), _("År"), _("Skäl")],
            [[i.get_kind_display(), i.area.name, i.year, i.reason] for i in cancelled])])
    return doc


def _table(columns, rows):
    from foljsam.lib.outline import Table

    return Table([str(c) for c in columns], rows)


def study_outline(study, *, interviews: bool = True) -> Outline:
    """The quality study's report: background, method, participants, interviews, findings, recommendations."""
    from foljsam.lib.outline import Table

    doc = Outline(_("Kvalitetsundersökning %(year)s: %(theme)s") % {"year": study.year, "theme": study.theme},
                  ", ".join(a.name for a in study.areas.all()))
    doc.add(_("Bakgrund och syfte"), paragraphs=[study.why or "–"])
    method = doc.add(_("Metod"), bullets=study.methods())
    if study.starts_on or study.ends_on:
        method.paragraphs.append(_("Genomförd %(a)s – %(b)s.") % {"a": study.starts_on or "?",
                                                                  "b": study.ends_on or "?"})
    units = list(study.units.select_related("provider", "area"))
    doc.add(_("Deltagande enheter"), tables=[Table([_("Enhet"), _("Utförare"), _("Verksamhetsområde")],
                                                  [[u.name, u.provider.name, u.area.name] for u in units])])
    if interviews:  # the municipality's working notes; participants get the report without them
        rows = [[str(i.held_on), i.unit.name, i.get_kind_display(), i.notes]
                for i in study.interviews.select_related("unit")]
        doc.add(_("Intervjuer"), tables=[Table([_("Datum"), _("Enhet"), _("Typ"), _("Anteckningar")], rows)])
    doc.add(_("Resultat och analys"), paragraphs=[study.findings or "–"])
    doc.add(_("Rekommendationer"), bullets=[r.text for r in study.recommendations.all()])
    return doc
