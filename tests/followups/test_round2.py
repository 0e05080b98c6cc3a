"""Issue 11, second round: unit types and applicability (1), what counts as a deviation and what
follows (3), reported-only areas (4), figures and sample audits (5), stable requirement keys (6),
how each requirement is checked (7)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from foljsam.actions.models import Deviation, Severity
from foljsam.catalogue import selectors as catalogue_selectors
from foljsam.catalogue import services as catalogue_services
from foljsam.followups import selectors, services
from foljsam.followups.models import Status
from foljsam.registry.models import UnitType

from ..conftest import people_of, statuses
from .conftest import ROUND2, _answer_everything, _campaign, _rate, _titles

pytestmark = pytest.mark.django_db

# --- 1. Unit types and applicability --------------------------------------------------------------

def test_requirement_limited_to_unit_types_and_ownership_is_not_asked(r2):
    campaign = _campaign(r2)
    by_unit = {a.unit_id: a for a in campaign.assessments.all()}
    night, untyped = by_unit[r2.night.pk], by_unit[r2.untyped.pk]
    unit_a = campaign.assessments.get(unit__provider=r2.provider_a)
    assert "Rutin för munhälsa" not in _titles(night)  # the night patrol is not asked about oral care
    assert "Rutin för munhälsa" in _titles(unit_a)
    assert "Rutin för munhälsa" in _titles(untyped)  # no type yet: asked everything
    assert "Kommunens egen rutin" in _titles(night) and "Kommunens egen rutin" not in _titles(unit_a)
    # Not asked means not rated and not counted: the night patrol's share is over what it was asked.
    _answer_everything(night, r2.officer)
    _rate(night, r2.officer, {})
    share = selectors.share_met([night.pk])[night.pk]
    assert share["rated"] == 3 and share["share"] == 100


def test_unit_type_must_belong_to_the_units_area(r2):
    from foljsam.registry.models import Area

    other = Area.objects.create(code="boende", name="Särskilt boende", board=r2.board)
    foreign = UnitType.objects.create(area=other, name="Boende")
    r2.night.unit_type = foreign
    with pytest.raises(ValidationError):
        r2.night.full_clean()


def test_unit_types_edited_by_officers_only(client, r2):
    url = reverse("catalogue:unit_types")
    people = people_of(r2, "officer", "reader", "user_a", "user_b", "anon")
    assert statuses(client, url, people) == {"officer": 200, "reader": 200, "user_a": 403, "user_b": 403,
                                             "anon": 302}
    create = reverse("catalogue:unit_type_create")
    got = statuses(client, create, people, "post", {"area": r2.area.pk, "name": "Boende"})
    assert got == {"officer": 302, "reader": 403, "user_a": 403, "user_b": 403, "anon": 302}
    assert UnitType.objects.filter(name="Boende").count() == 1
    client.force_login(r2.officer)
    assert client.post(create, {"area": r2.area.pk, "name": "Boende"}).status_code == 400  # unique per area
    r = client.post(reverse("catalogue:unit_type_delete", args=[r2.night_type.pk]), follow=True)
    assert UnitType.objects.filter(pk=r2.night_type.pk).exists()  # in use by the night patrol
    assert "används av enheter" in r.content.decode()


def test_requirement_form_limits_to_unit_types(client, r2):
    client.force_login(r2.officer)
    area = r2.catalogue.areas.get(name="Hälso- och sjukvård")
    r = client.post(reverse("catalogue:requirement_create", args=[area.pk]), {
        "title": "Rutin för egna medel", "question": "Finns rutin?", "answer_type": "yes_no", "weight": 2,
        "applies_to": "all", "order": 40, "unit_types": [r2.group.pk], "methods": ["survey", "visit"], "kpi": ""})
    assert r.status_code == 302
    req = area.requirements.get(title="Rutin för egna medel")
    assert list(req.unit_types.all()) == [r2.group] and req.methods == ["survey", "visit"]
    assert req.key == "rutin-for-egna-medel"


# --- 3. What counts as a deviation, and what follows -------------------------------------------------

def _through_factcheck(assessment, by, ratings):
    _answer_everything(assessment, by)
    _rate(assessment, by, ratings)
    services.factcheck_send(assessment=assessment, by=by)
    services.factcheck_save(assessment=assessment, by=by, comments={}, done=True)
    return services.assessment_finalise(assessment=assessment, by=by)


def test_default_counts_yellow_and_red_and_plans_for_3(r2):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    a = _through_factcheck(a, r2.officer, {"hygien": "yellow", "klader": "red"})
    severities = sorted(Deviation.objects.filter(source_ref__startswith=f"followup:{a.pk}:")
                        .values_list("severity", flat=True))
    assert severities == [Severity.DEVIATION, Severity.NOTE]
    assert a.action_plan is not None  # Organisation rated 3
    assert list(a.action_plan.deviations.values_list("severity", flat=True)) == [Severity.DEVIATION]
    share = selectors.share_met([a.pk])[a.pk]
    assert (share["yellow_red"], share["red"]) == (2, 1)


def test_red_only_catalogue_does_not_register_yellow(r2):
    r2.catalogue.deviation_ratings = "red"
    r2.catalogue.save()
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    a = _through_factcheck(a, r2.officer, {"hygien": "yellow"})
    # Yellow is not a deviation under this catalogue, so only the area's own remark (rated 2) is kept.
    devs = Deviation.objects.filter(source_ref__startswith=f"followup:{a.pk}:")
    assert list(devs.values_list("source_ref", flat=True)) == [
        f"followup:{a.pk}:area:{r2.catalogue.areas.get(name='Hälso- och sjukvård').pk}"]
    assert a.action_plan is None


def test_plan_from_2_and_weeks_from_the_catalogue(r2):
    r2.catalogue.plan_from, r2.catalogue.plan_submit_weeks, r2.catalogue.plan_fix_weeks = 2, 3, 6
    r2.catalogue.save()
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    a = _through_factcheck(a, r2.officer, {"hygien": "yellow"})
    assert a.action_plan is not None
    assert a.action_plan.submit_by == timezone.localdate() + timedelta(weeks=3)
    assert "inom 6 veckor" in a.action_plan.request_note


def test_consequences_and_area_2_carried_into_next_year(r2):
    this_year = timezone.localdate().year
    campaign = _campaign(r2, year=this_year - 1)
    a = campaign.assessments.get(unit__provider=r2.provider_a)
    _through_factcheck(a, r2.officer, {"hygien": "yellow", "klader": "red"})
    cons = selectors.consequences(campaign)
    assert [(x.pk, [ar.area.name for ar in ars]) for x, ars, _plan in cons["plan"]] == [
        (a.pk, ["Organisation och styrning"])]
    assert [(x.pk, [ar.area.name for ar in ars], plan) for x, ars, plan in cons["dialogue"]] == [
        (a.pk, ["Hälso- och sjukvård", "Organisation och styrning"], True)]
    copy = catalogue_services.catalogue_copy(catalogue=r2.catalogue, version="2", by=r2.officer)
    next_a = _campaign(r2, year=this_year, catalogue=copy).assessments.get(unit__provider=r2.provider_a)
    remarks = selectors.carried_remarks(next_a)
    # Area 2 (dialogue, no plan) is carried as "follow up"; area 3 has its action plan instead.
    assert [(r["area"], r["value"], r["year"]) for r in remarks] == [("Hälso- och sjukvård", 2, this_year - 1)]
    assert [x.requirement.key for x in remarks[0]["answers"]] == ["hygien"]
    other = _campaign_unit(next_a, r2.provider_b)
    assert selectors.carried_remarks(other) == []


def _campaign_unit(assessment, provider):
    return assessment.campaign.assessments.get(unit__provider=provider)


# --- 4. Reported-only areas and 5. figures -----------------------------------------------------------

def test_figures_need_no_rating_before_fact_check(r2):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    _answer_everything(a, r2.user_a)
    _rate(a, r2.officer, {})
    a.refresh_from_db()
    assert a.status == Status.ASSESSED  # the share, the count table and the sample are not waiting
    lifecare = a.answers.get(requirement__key="lifecare")
    with pytest.raises(ValidationError) as exc:
        services.ratings_save(assessment=a, by=r2.officer, values={lifecare.pk: {"rating": "green"}})
    assert exc.value.error_list[0].code == "not_rated"
    services.factcheck_send(assessment=a, by=r2.officer)
    assert not a.area_ratings.filter(area__reported_only=True).exists()


@pytest.mark.parametrize("raw", ["-1", "abc", "101", "nan", "1e400"])
def test_share_answer_refuses_bad_numbers(r2, raw):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    lifecare = a.answers.get(requirement__key="lifecare")
    with pytest.raises(ValidationError) as exc:
        services.answers_save(assessment=a, by=r2.user_a, values={lifecare.pk: {"number": raw}})
    assert exc.value.error_list[0].code == "bad_number"


def test_count_table_must_be_complete_to_submit(r2):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    personal = a.answers.get(requirement__key="personal")
    services.answers_save(assessment=a, by=r2.user_a, values={personal.pk: {"rows": {"Tillsvidare usk": "3"}}})
    personal.refresh_from_db()
    assert personal.figures == {"Tillsvidare usk": 3.0, "Visstid usk": None}
    assert not services.is_answered(personal)


def test_sample_audit_recorded_by_the_officer(r2):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    sample = a.answers.get(requirement__key="stickprov")
    _answer_everything(a, r2.user_a)
    with pytest.raises(ValidationError):
        services.sample_save(answer=sample, by=r2.user_a, checked=8, met={"I tid": 4})
    with pytest.raises(ValidationError) as exc:
        services.sample_save(answer=sample, by=r2.officer, checked=8, met={"I tid": 9})
    assert exc.value.error_list[0].code == "more_met"
    services.sample_save(answer=sample, by=r2.officer, checked=8, met={"I tid": 4, "Delaktighet": 8})
    figs = {f.requirement.key: f for f in selectors.figures(a.campaign)}
    rows = {key: {x.pk: values for x, values in f.rows} for key, f in figs.items()}
    assert rows["stickprov"][a.pk] == [8, 50, 100]
    assert rows["personal"][a.pk] == [4.0, 4.0]
    assert rows["lifecare"][a.pk] == [87.5]
    assert set(rows["stickprov"]) == set(a.campaign.assessments.values_list("pk", flat=True))  # "–" for the rest


def test_results_page_draws_figures_and_both_counts(client, r2):
    campaign = _campaign(r2)
    a = campaign.assessments.get(unit__provider=r2.provider_a)
    _answer_everything(a, r2.user_a)
    _rate(a, r2.officer, {"hygien": "yellow", "klader": "red"})
    url = reverse("followups:results", args=[campaign.pk])
    people = people_of(r2, "officer", "reader", "user_a", "user_b", "anon")
    assert statuses(client, url, people) == {"officer": 200, "reader": 200, "user_a": 403, "user_b": 403,
                                             "anon": 302}
    client.force_login(r2.officer)
    html = client.get(url).content.decode()
    assert html.count("<svg") == 3  # share, count table, sample audit
    assert "Lifecare Mobil" in html and "87,5" in html
    assert "Avvikelser, gul + röd" in html and "Avvikelser, endast röd" in html
    matrix = html.split('id="matris"')[1].split('id="siffror"')[0]
    assert "Lifecare Mobil" not in matrix and "Anställningsform" not in matrix  # no lights for figures


# --- 6. Stable keys across versions ------------------------------------------------------------------

def test_keys_follow_requirements_into_the_next_version(r2):
    this_year = timezone.localdate().year
    old = _campaign(r2, year=this_year - 1)
    a = old.assessments.get(unit__provider=r2.provider_a)
    _answer_everything(a, r2.user_a)
    _rate(a, r2.officer, {})
    copy = catalogue_services.catalogue_copy(catalogue=r2.catalogue, version="2", by=r2.officer)
    changed = copy.requirements().get(key="hygien")
    changed.title, changed.question = "Basala hygienrutiner", "Följs basala hygienrutiner?"
    catalogue_services.requirement_save(requirement=changed, by=r2.officer)
    catalogue_services.requirement_delete(requirement=copy.requirements().get(key="klader"), by=r2.officer)
    area = copy.areas.get(name="Hälso- och sjukvård")
    new = catalogue_services.requirement_save(requirement=type(changed)(
        area=area, title="Rutin vid dödsfall", question="Finns rutin?"), by=r2.officer)
    assert new.key == "rutin-vid-dodsfall"
    with pytest.raises(ValidationError) as exc:
        dup = type(changed)(area=area, title="Dubblett", question="?", key="hygien")
        catalogue_services.requirement_save(requirement=dup, by=r2.officer)
    assert exc.value.error_list[0].code == "key_taken"
    campaign = _campaign(r2, year=this_year, catalogue=copy)
    changes = selectors.requirement_changes(campaign)
    status = {row["key"]: row["status"] for row in changes["rows"]}
    assert status["hygien"] == "changed" and status["klader"] == "dropped"
    assert status["rutin-vid-dodsfall"] == "new" and status["munhalsa"] == "same"
    assert next(r for r in changes["rows"] if r["key"] == "hygien")["share_before"] == 100


# --- 7. How each requirement is checked ---------------------------------------------------------------

def test_catalogue_page_flags_requirements_not_checkable(client, r2):
    result = catalogue_selectors.checkable(r2.catalogue)
    problems = {req.key: result["problems"].get(req.pk, "") for req in r2.catalogue.requirements()}
    assert problems == {"munhalsa": "", "hygien": "self_report", "egen": "", "personal": "self_report",
                        "stickprov": "", "klader": "no_method", "lifecare": ""}
    assert (result["ok"], result["total"]) == (4, 7)
    lifecare = r2.catalogue.requirements().get(key="lifecare")
    lifecare.kpi = ""
    assert lifecare.check_problem() == "no_kpi"
    url = reverse("catalogue:detail", args=[r2.catalogue.pk])
    people = people_of(r2, "officer", "reader", "user_a", "user_b", "anon")
    assert statuses(client, url, people) == {"officer": 200, "reader": 200, "user_a": 403, "user_b": 403,
                                             "anon": 302}
    client.force_login(r2.reader)
    html = client.get(url).content.decode()
    assert "4 av 7 krav kan kontrolleras" in html
    assert "Metod saknas" in html and "Bara utförarens uppgift" in html
    assert "Andel manuella registreringar" in html  # the linked key figure


def test_import_refuses_unknown_method_and_key_figure(r2):
    bad = {**ROUND2, "version": "x", "areas": [{"name": "A", "requirements": [
        {"title": "T", "question": "Q", "methods": ["telepati"]}]}]}
    with pytest.raises(ValidationError, match="telepati"):
        catalogue_services.catalogue_import(data=bad)
    bad["areas"][0]["requirements"][0] = {"title": "T", "question": "Q", "methods": ["key_figure"], "kpi": "nope"}
    with pytest.raises(ValidationError, match="nope"):
        catalogue_services.catalogue_import(data=bad)
    bad["areas"][0]["requirements"][0] = {"title": "T", "question": "Q", "answer_type": "sample"}
    with pytest.raises(ValidationError, match="kräver rader"):
        catalogue_services.catalogue_import(data=bad)


def test_provider_enters_share_and_count_table_in_the_portal(client, r2):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    answers = {x.requirement.key: x for x in a.answers.select_related("requirement")}
    url = reverse("followups:portal_assessment", args=[a.pk])
    client.force_login(r2.user_a)
    html = client.get(url).content.decode()
    assert f'name="a-{answers["lifecare"].pk}-number"' in html
    assert f'name="a-{answers["personal"].pk}-row-1"' in html
    assert f'name="a-{answers["stickprov"].pk}-' not in html  # the officer's sample audit
    data = {f"a-{answers['lifecare'].pk}-number": "abc", f"a-{answers['personal'].pk}-row-0": "12,5",
            f"a-{answers['personal'].pk}-row-1": "3"}
    r = client.post(url, data)
    assert r.status_code == 400 and 'value="abc"' in r.content.decode()
    answers["personal"].refresh_from_db()
    assert answers["personal"].figures == {}  # all or nothing
    data[f"a-{answers['lifecare'].pk}-number"] = "92"
    assert client.post(url, data).status_code == 302
    for x in answers.values():
        x.refresh_from_db()
    assert float(answers["lifecare"].number) == 92.0
    assert answers["personal"].figures == {"Tillsvidare usk": 12.5, "Visstid usk": 3.0}
    client.force_login(r2.user_b)
    assert client.post(url, data).status_code == 404


# --- 8. The assessment page --------------------------------------------------------------------------

def test_assessment_page_side_by_side_filters_and_summary(client, r2):
    this_year = timezone.localdate().year
    old = _campaign(r2, year=this_year - 1).assessments.get(unit__provider=r2.provider_a)
    _answer_everything(old, r2.user_a)
    _rate(old, r2.officer, {"hygien": "yellow"})
    services.factcheck_send(assessment=old, by=r2.officer)
    services.factcheck_save(assessment=old, by=r2.officer, comments={}, done=True)
    services.assessment_finalise(assessment=old, by=r2.officer)
    copy = catalogue_services.catalogue_copy(catalogue=r2.catalogue, version="2", by=r2.officer)
    a = _campaign(r2, year=this_year, catalogue=copy).assessments.get(unit__provider=r2.provider_a)
    _answer_everything(a, r2.user_a)
    _rate(a, r2.officer, {"klader": "red"})
    services.factcheck_send(assessment=a, by=r2.officer)
    hygien = a.answers.get(requirement__key="hygien")
    services.factcheck_save(assessment=a, by=r2.user_a, comments={hygien.pk: "Rutinen är reviderad i mars."})
    url = reverse("followups:assessment", args=[a.pk])
    people = people_of(r2, "officer", "reader", "user_a", "user_b", "anon")
    assert statuses(client, url, people) == {"officer": 200, "reader": 200, "user_a": 403, "user_b": 403,
                                             "anon": 302}
    client.force_login(r2.officer)
    html = client.get(url).content.decode()
    top = html.split('id="bedomning"')[0]
    assert "Rutinen är reviderad i mars." in top  # the fact-check comments summed up at the top
    assert "Följ upp från förra uppföljningen" in top and "Hälso- och sjukvård" in top  # last year's area 2
    card = html.split(f'id="svar-{hygien.pk}"')[1].split("</article>")[0]
    assert "Krav:" in card or "Fråga:" in card
    assert "Förra året" in card and "Gul" in card  # last year's yellow, followed by the key
    assert 'hx-trigger="change"' in card and "<kbd" in card
    lifecare = html.split(f'id="svar-{a.answers.get(requirement__key="lifecare").pk}"')[1].split("</article>")[0]
    assert reverse("monthly:provider", args=[r2.provider_a.pk]) in lifecare  # the linked key figure
    assert "Andel manuella registreringar" in lifecare
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style
    red = client.get(url, {"visa": "roda"}).content.decode()
    assert "Korrekta arbetskläder" in red.split('id="bedomning"')[1] and \
        f'id="svar-{hygien.pk}"' not in red
    assert client.get(url, {"visa": "<script>"}).status_code == 200  # unknown filter: all


def test_sample_audit_saved_through_the_view(client, r2):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    _answer_everything(a, r2.user_a)
    sample = a.answers.get(requirement__key="stickprov")
    url = reverse("followups:sample_save", args=[sample.pk])
    data = {"checked": "10", "met-0": "7", "met-1": "10"}
    people = people_of(r2, "reader", "user_a", "user_b", "anon")
    assert statuses(client, url, people, "post", data) == {"reader": 403, "user_a": 403, "user_b": 403,
                                                          "anon": 302}
    sample.refresh_from_db()
    assert sample.figures == {}
    client.force_login(r2.officer)
    r = client.post(url, {**data, "met-0": "11"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    r = client.post(url, data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Sparad" in r.content.decode()
    sample.refresh_from_db()
    assert sample.figures == {"checked": 10, "met": {"I tid": 7, "Delaktighet": 10}}


def test_refused_rating_keeps_what_was_chosen(client, r2):
    a = _campaign(r2).assessments.get(unit__provider=r2.provider_a)
    _answer_everything(a, r2.user_a)
    hygien = a.answers.get(requirement__key="hygien")
    client.force_login(r2.officer)
    r = client.post(reverse("followups:answer_rate", args=[hygien.pk]),
                    {f"a-{hygien.pk}-rating": "yellow", f"a-{hygien.pk}-comment": ""}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert 'role="alert"' in html
    assert f'value="yellow" id="a-{hygien.pk}-rating-yellow" checked' in html
    hygien.refresh_from_db()
    assert hygien.rating == ""


def test_excel_and_pdf_carry_figures_and_both_counts(client, r2):
    import shutil
    import subprocess
    from io import BytesIO

    from openpyxl import load_workbook

    campaign = _campaign(r2)
    a = campaign.assessments.get(unit__provider=r2.provider_a)
    _answer_everything(a, r2.user_a)
    services.sample_save(answer=a.answers.get(requirement__key="stickprov"), by=r2.officer, checked=10,
                         met={"I tid": 6, "Delaktighet": 9})
    _rate(a, r2.officer, {"hygien": "yellow", "klader": "red"})
    client.force_login(r2.reader)
    xlsx = client.get(reverse("followups:results_export", args=[campaign.pk, "xlsx"]))
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames[-2:] == ["Avvikelser per enhet", "Siffror"]
    rows = [row for row in wb["Avvikelser per enhet"].iter_rows(values_only=True)
            if row[0] == "Alfa Omsorg AB enhet 1"]
    assert rows[0] == ("Alfa Omsorg AB enhet 1", 0.33, 2, 1)  # share met, yellow + red, red only
    share_cell = next(c for row in wb["Avvikelser per enhet"].iter_rows() for c in row if c.value == 0.33)
    assert share_cell.number_format == "0%"
    assert rows[1][1:3] == ("Hälso- och sjukvård (2), Organisation och styrning (3)", "Ja")  # the dialogue agenda
    figures = list(wb["Siffror"].iter_rows(values_only=True))
    unit_rows = [row for row in figures if row[0] == "Alfa Omsorg AB enhet 1"]
    # A count table, a sample audit (count checked, then shares met as real percentages), a share.
    assert unit_rows == [("Alfa Omsorg AB enhet 1", 4, 4, None), ("Alfa Omsorg AB enhet 1", 10, 0.6, 0.9),
                         ("Alfa Omsorg AB enhet 1", 0.875, None, None)]
    cell = next(c for row in wb["Siffror"].iter_rows() for c in row if c.value == 0.875)
    assert cell.number_format == "0.0%"
    assert next(c for row in wb["Siffror"].iter_rows() for c in row if c.value == 0.6).number_format == "0%"
    pdf = client.get(reverse("followups:results_export", args=[campaign.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True,
                              check=True).stdout.decode()
        assert "Dagordning för dialogmöten" in text and "Avvikelser, endast röd" in text
        for fig in selectors.figures(campaign):  # every figure with its chart's title and its table
            assert fig.requirement.title in text
        assert "87,5 %" in text and "Diagram 3." in text
    client.force_login(r2.user_a)
    assert client.get(reverse("followups:results_export", args=[campaign.pk, "pdf"])).status_code == 403
