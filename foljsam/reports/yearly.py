"""The yearly follow-up report to the board (seed 000) for year N, built from the data.

`yearly_report(year)` returns a plain dict (the JSON of `foljsam report yearly`): every number of
the document, with a link to where it comes from; `yearly_outline(data)` turns it, with the
officer's latest prose per section, into the document written to Word and PDF and shown on the page.
"""

from collections import OrderedDict
from datetime import date

from django.apps import apps
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from foljsam.actions.models import Deviation, Source
from foljsam.lib.outline import Outline, Table
from foljsam.lib.svgchart import bar_chart
from foljsam.registry.models import Area, Contract, EventKind, Ownership, ProviderEvent, TenderDocument
from foljsam.registry.selectors import providers_table

from . import sources
from .models import SectionText

SECTIONS = OrderedDict([
    ("uppfoljning", _l("Uppföljning")),
    ("avtalsuppfoljning", _l("Avtalsuppföljning")),
    ("fordjupad", _l("Fördjupad uppföljning")),
    ("manadsuppfoljning", _l("Månadsuppföljning")),
    ("kvalitetsundersokning", _l("Kvalitetsundersökning")),
    ("forandringar", _l("Förändringar inom valfrihetssystemet under året")),
])


def contract_followup_result(area, year) -> dict | None:
    if not apps.is_installed("foljsam.followups"):
        return None
    from foljsam.followups.models import Campaign, Rating, Status
    from foljsam.followups.selectors import summary

    campaign = Campaign.objects.filter(area=area, year=year).select_related("catalogue").first()
    if campaign is None:
        return None
    s = summary(campaign)
    finals = campaign.assessments.filter(status=Status.FINAL)
    meeting_all = finals.exclude(answers__rating__in=[Rating.RED, Rating.YELLOW]).count()
    return {
        "campaign": campaign.pk, "url": campaign.get_absolute_url(),
        "providers": s["providers"], "private_providers": s["private"], "units": s["units"], "final": s["final"],
        "meeting_all": meeting_all,
        "share_meeting_all": round(100 * meeting_all / s["final"], 1) if s["final"] else None,
        "with_action_plan": s["with_plan"],
        "deviation_areas": [t["theme"] for t in s["themes"] if t["deviation"]],
        "noted_areas": [t["theme"] for t in s["themes"] if t["note"] and not t["deviation"]],
    }


def _monthly(year) -> dict[int, dict]:
    """Action plans requested from the monthly follow-up in `year` per area (deviations with the
    monthly source found that year; the area is the unit's, else the provider's monthly area)."""
    monthly_area = {c.provider_id: c.area_id for c in Contract.objects.filter(area__monthly_followup=True)}
    result: dict[int, dict] = {}
    deviations = (Deviation.objects.filter(source=Source.MONTHLY, found_on__year=year)
                  .select_related("unit").prefetch_related("action_plans").order_by("found_on", "id"))
    for d in deviations:
        area_id = d.unit.area_id if d.unit_id else monthly_area.get(d.provider_id)
        if area_id is None:
            continue
        r = result.setdefault(area_id, {"plans": set(), "areas": []})
        r["plans"].update(p.pk for p in d.action_plans.all())
        theme = d.requirement.split("(")[0].strip()
        if theme not in r["areas"]:
            r["areas"].append(theme)
    return result


def yearly_report(year: int) -> dict:
    from foljsam.planning.models import QualityStudy

    table = providers_table(year=year)
    table_rows = {row.area.pk: (sector, row) for sector, rows in table.sections for row in rows}
    indepth = sources.indepth_followups(year=year)
    monthly = _monthly(year)
    area_codes_with_indepth = {r["area"] for r in indepth}
    areas = []
    for area in Area.objects.select_related("board"):
        cf = contract_followup_result(area, year)
        ind = [r for r in indepth if r["area"] == area.code]
        mon = monthly.get(area.pk)
        if not (cf or ind or mon or area.pk in table_rows or area.code in area_codes_with_indepth):
            continue
        areas.append({
            "area": area.code, "name": area.name, "procurement": area.procurement,
            "contract_followup": cf,
            "indepth_followups": len(ind),
            "indepth": ind,
            "monthly_action_plans": len(mon["plans"]) if mon else 0,
            "monthly_deviation_areas": mon["areas"] if mon else [],
        })
    studies = []
    for s in QualityStudy.objects.filter(year=year).prefetch_related("areas", "recommendations"):
        studies.append({"id": s.pk, "theme": s.theme, "areas": [a.code for a in s.areas.all()],
                        "methods": s.methods(), "why": s.why, "findings": s.findings,
                        "recommendations": [r.text for r in s.recommendations.all()],
                        "url": s.get_absolute_url()})
    tenders = [{"area": t.area.code, "name": t.name, "version": t.version, "valid_from": t.valid_from.isoformat()}
               for t in TenderDocument.objects.filter(valid_from__year=year).select_related("area")]
    terminations = [{"provider": e.provider.name, "area": e.area.code if e.area_id else None,
                     "date": e.date.isoformat(), "note": e.note, "url": e.provider.get_absolute_url()}
                    for e in ProviderEvent.objects.filter(kind=EventKind.TERMINATION, date__year=year)
                    .select_related("provider", "area").order_by("date")]
    started = Contract.objects.filter(start__year=year, provider__ownership=Ownership.PRIVATE).count()
    return {
        "year": year,
        "areas": areas,
        "monthly_action_plans": sum(a["monthly_action_plans"] for a in areas),
        "indepth_followups": len(indepth),
        "quality_studies": studies,
        "changes": {"new_tenders": tenders, "terminations": terminations, "contracts_started": started,
                    "sanctions": sources.sanctions(year=year)},
        "providers_table": [
            {"sector": sector, "area": row.area.code, "name": row.area.name,
             "jan_private": row.jan_private, "jan_own": row.jan_own,
             "dec_private": row.dec_private, "dec_own": row.dec_own}
            for sector, rows in table.sections for row in rows
        ],
        "deviations_table": sources.deviation_counts(year=year),
        "sections": section_data(SECTIONS, year, "yearly"),
        "links": {"action_plans": reverse("actions:plans"), "providers_table":
                  reverse("reports:providers_table") + f"?year={year}"},
    }


def section_texts(year: int, report: str = "yearly") -> dict[str, SectionText]:
    """The latest version of each section's prose of a report and year."""
    texts = SectionText.objects.filter(report=report, year=year)
    wanted = {(r["section"], r["v"]) for r in texts.values("section").annotate(v=Max("version"))}
    return {t.section: t for t in texts if (t.section, t.version) in wanted}


def section_data(sections: dict, year: int, report: str) -> dict:
    """{key: {"title", "text", "version"}} – the report's prose as it goes into the JSON and the outline."""
    texts = section_texts(year, report)
    return {key: {"title": str(title), "text": texts[key].text if key in texts else "",
                  "version": texts[key].version if key in texts else 0}
            for key, title in sections.items()}


def providers_chart(data: dict) -> str:
    rows = data["providers_table"]
    return bar_chart([r["name"] for r in rows],
                     [(_("1 januari"), [r["jan_private"] + r["jan_own"] for r in rows]),
                      (_("31 december"), [r["dec_private"] + r["dec_own"] for r in rows])],
                     title=_("Utförare per verksamhetsområde %(year)s") % {"year": data["year"]})


def share_chart(data: dict) -> str:
    """Share of finished assessments meeting every requirement, per area followed up ("" when none)."""
    rows = [a for a in data["areas"] if a["contract_followup"] and a["contract_followup"]["share_meeting_all"]
            is not None]
    if not rows:
        return ""
    return bar_chart([a["name"] for a in rows],
                     [(_("Andel som uppfyller alla krav"), [a["contract_followup"]["share_meeting_all"]
                                                             for a in rows])],
                     title=_("Andel enheter som uppfyller alla krav %(year)s") % {"year": data["year"]},
                     fmt=lambda v: f"{v:.1f} %".replace(".", ","))


def yearly_outline(data: dict) -> Outline:
    y = data["year"]
    doc = Outline(_("Uppföljning %(year)s av utförare inom valfrihetssystemen samt vissa ramavtal") % {"year": y},
                  _("Rapport till nämnden"))
    sections = data["sections"]

    def prose(key):
        return [sections[key]["text"]] if sections[key]["text"] else []

    doc.add(sections["uppfoljning"]["title"], paragraphs=prose("uppfoljning"))

    doc.add(sections["avtalsuppfoljning"]["title"], paragraphs=prose("avtalsuppfoljning"))
    rows = []
    for a in data["areas"]:
        cf = a["contract_followup"]
        if cf:
            rows.append([a["name"], cf["units"], cf["final"], cf["meeting_all"],
                         f"{cf['share_meeting_all']} %".replace(".", ",") if cf["share_meeting_all"] is not None
                         else "–", cf["with_action_plan"], ", ".join(cf["deviation_areas"]) or "–"])
        else:
            rows.append([a["name"], "–", "–", "–", "–", "–", _("Ingen avtalsuppföljning registrerad")])
    chart = share_chart(data)
    doc.add(_("Resultat per verksamhetsområde"), level=2, charts=[chart] if chart else [], tables=[Table(
        [_("Verksamhet"), _("Enheter"), _("Slutförda"), _("Uppfyller alla krav"), _("Andel"),
         _("Åtgärdsplaner"), _("Områden med avvikelser")], rows)])

    ind = doc.add(sections["fordjupad"]["title"], paragraphs=prose("fordjupad"))
    ind.tables.append(Table([_("Verksamhet"), _("Fördjupade uppföljningar")],
                            [[a["name"], a["indepth_followups"]] for a in data["areas"] if a["indepth_followups"]]))
    for a in data["areas"]:
        if a["indepth"]:
            unknown = _("anledning ej angiven")  # outside the f-string: xgettext cannot see in
            doc.add(a["name"], level=2, bullets=[
                f"{r['provider']}: {r['trigger'] or unknown}"
                + (f" – {r['outcome']}" if r.get("outcome") else "") for r in a["indepth"]])

    mon = doc.add(sections["manadsuppfoljning"]["title"], paragraphs=prose("manadsuppfoljning"))
    for a in data["areas"]:
        if a["monthly_action_plans"]:
            mon.paragraphs.append(_("%(area)s: %(n)s åtgärdsplaner begärdes med anledning av avvikelser från "
                                    "kommunens krav.") % {"area": a["name"], "n": a["monthly_action_plans"]})
            mon.bullets.extend(a["monthly_deviation_areas"])

    q = doc.add(sections["kvalitetsundersokning"]["title"], paragraphs=prose("kvalitetsundersokning"))
    for s in data["quality_studies"]:
        q.paragraphs.append(_("Tema: %(theme)s. Metod: %(methods)s.") % {
            "theme": s["theme"], "methods": ", ".join(s["methods"]) or "–"})
        q.bullets.extend(s["recommendations"])

    ch = doc.add(sections["forandringar"]["title"], paragraphs=prose("forandringar"))
    if data["changes"]["new_tenders"]:
        ch.paragraphs.append(_("Nya förfrågningsunderlag:") + " " + ", ".join(
            f"{t['name']} ({t['valid_from']})" for t in data["changes"]["new_tenders"]))
    for t in data["changes"]["terminations"]:
        note = t["note"] or _("avslutade sitt avtal")
        ch.bullets.append(f"{t['provider']} ({t['date']}): {note}")
    for s in data["changes"]["sanctions"]:
        ch.bullets.append(_("%(provider)s (%(date)s): vite %(amount)s kr enligt %(clause)s") % s)
    table = Table([_("Verksamhet"), _("1 januari privata"), _("1 januari egen regi"), _("31 december privata"),
                   _("31 december egen regi")],
                  [[r["name"], r["jan_private"], r["jan_own"], r["dec_private"], r["dec_own"]]
                   for r in data["providers_table"]],
                  caption=_("Utförare inom valfrihetssystemet %(year)s (stycken)") % {"year": y})
    ch.charts.append(providers_chart(data))
    ch.tables.append(table)

    if data["deviations_table"]:
        doc.add(_("Avvikelser, klagomål och synpunkter per utförare"), tables=[Table(
            [_("Utförare"), _("Lex Sarah"), _("Interna avvikelser"), _("Klagomål"), _("Synpunkter")],
            [[r["provider"], r["lex_sarah"], r["internal"], r["complaints"], r["comments"]]
             for r in data["deviations_table"]])])
    return doc


def default_year() -> int:
    return date.today().year - 1
