"""The requirement catalogue: the shipped seed-002 catalogue, YAML/Excel round trip, freezing, command."""

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from foljsam.catalogue import exchange, services
from foljsam.catalogue.models import Catalogue, Requirement
from foljsam.followups import services as followups
from foljsam.registry.models import TenderDocument

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "foljsam" / "catalogue" / "data" / "hemtjanst-2022.yaml"


@pytest.fixture
def shipped(world):
    TenderDocument.objects.create(area=world.area, name="FFU hemtjänst", version="2022", valid_from=date(2022, 1, 1))
    return services.catalogue_import(data=exchange.from_yaml(SHIPPED.read_text(encoding="utf-8")))


def test_shipped_catalogue_has_seed_002_areas(shipped):
    assert [a.name for a in shipped.areas.all()] == [
        "Ledningssystem för kvalitet", "Organisation och styrning", "Hälso- och sjukvård", "Arbetssätt",
        "Social dokumentation", "Trygghet och säkerhet", "Mat och måltider", "Digitala system och välfärdsteknik",
        "Specifika krav för externa utförare",
    ]
    reqs = shipped.requirements()
    assert reqs.count() == 41
    assert sorted(reqs.filter(applies_to="external").values_list("title", flat=True)) == [
        "Arbetsrättsliga villkor/kollektivavtal", "IVO-tillstånd", "Livsmedelsregistrering", "Lokal inom 30 min"]
    assert set(reqs.values_list("answer_type", flat=True)) == {
        "yes_no", "frequency", "free_text", "share", "count_table", "sample"}
    # Seed 002: the night patrol is not asked about oral care, clients' money and meals.
    assert sorted(reqs.filter(unit_types__name="Hemtjänstgrupp").values_list("title", flat=True)) == [
        "Egna medel", "Livsmedelshantering", "Rutin för munhälsa", "Viktförändringar/nutrition"]
    assert shipped.areas.get(name="Digitala system och välfärdsteknik").reported_only
    assert (shipped.deviation_ratings, shipped.plan_from, shipped.plan_fix_weeks, shipped.dialogue_from) == (
        "yellow_red", 3, 4, 2)
    assert len(set(reqs.values_list("key", flat=True))) == 41
    assert shipped.tender.version == "2022"
    assert "Rutin för lex Sarah" in reqs.get(title="Rutin för lex Sarah").document_list


def test_yaml_round_trip(shipped):
    data = services.catalogue_to_dict(shipped)
    again = exchange.from_yaml(exchange.to_yaml(data))
    assert again == data
    again["version"] = "2023"
    copy = services.catalogue_import(data=again)
    assert services.catalogue_to_dict(copy) == {**data, "version": "2023"}


def test_excel_round_trip(shipped):
    data = services.catalogue_to_dict(shipped)
    back = exchange.from_xlsx(exchange.to_xlsx(data))
    assert back == data


def test_import_refuses_existing_version_and_bad_files(shipped):
    data = services.catalogue_to_dict(shipped)
    with pytest.raises(ValidationError, match="finns redan"):
        services.catalogue_import(data=data)
    with pytest.raises(ValidationError, match="Krav 1 i ”A”: title och question måste finnas"):
        services.catalogue_import(data={"name": "X", "version": "1", "areas": [{"name": "A", "requirements": [
            {"title": "Utan fråga"}]}]})
    assert not Catalogue.objects.filter(name="X").exists()  # the failed import left nothing behind


def test_catalogue_freezes_when_sent(shipped, world):
    req = shipped.requirements().first()
    req.question = "Ny fråga?"
    services.requirement_save(requirement=req, by=world.officer)
    with pytest.raises(ValidationError, match="Bara uppföljare"):
        services.requirement_save(requirement=req, by=world.user_a)
    campaign = followups.campaign_create(by=world.officer, area=world.area, year=2026, catalogue=shipped,
                                         opens_on=date(2026, 2, 1), deadline=date(2026, 3, 1),
                                         units=world.area.units.all())
    followups.campaign_send(campaign=campaign, by=world.officer)
    with pytest.raises(ValidationError, match="kan inte ändras"):
        services.requirement_save(requirement=req, by=world.officer)
    copy = services.catalogue_copy(catalogue=shipped, version="2027", by=world.officer)
    assert copy.requirements().count() == 41 and copy.tender_id == shipped.tender_id
    assert Requirement.objects.filter(area__catalogue=copy, question="Ny fråga?").exists()


def test_commands_import_and_export(world, tmp_path):
    TenderDocument.objects.create(area=world.area, name="FFU hemtjänst", version="2022", valid_from=date(2022, 1, 1))
    call_command("catalogue", "import", str(SHIPPED))
    out = tmp_path / "k.xlsx"
    call_command("catalogue", "export", "--version", "2022", str(out))
    data = exchange.from_xlsx(out.read_bytes())
    assert len(data["areas"]) == 9
    assert data["areas"][0]["requirements"][2]["title"] == "Rutin för lex Sarah"


# --- Review fixes: import errors name the field and the row, never a Python class ----------------

BAD_WEIGHT = """name: Trasig
version: "1"
areas:
  - name: Ledningssystem för kvalitet
    requirements:
      - title: Ett
        question: Finns det?
      - title: Två
        question: Finns det?
        weight: 3
      - title: Tre
        question: Finns det?
        weight: tung
"""
BAD_TENDER = 'name: Trasig\nversion: "1"\ntender: hemtjanst-2022\nareas: [{name: A, requirements: []}]\n'
BROKEN_YAML = "name: Trasig\nversion: 1\nareas:\n  - name: [A\n    requirements: x: y\n"


@pytest.mark.parametrize(("text", "message"), [
    (BAD_WEIGHT, "Krav 3 i ”Ledningssystem för kvalitet”: weight måste vara 1, 2 eller 3, inte ”tung”."),
    (BAD_TENDER, "tender måste ange area och version"),
    (BROKEN_YAML, "Filen är inte giltig YAML: felet finns på rad 5, kolumn"),
])
def test_import_errors_are_swedish_and_point_at_the_place(world, client, tmp_path, text, message):
    with pytest.raises(ValidationError) as exc:
        services.catalogue_import_file(content=text.encode(), filename="k.yaml")
    assert message in exc.value.messages[0]
    client.force_login(world.officer)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    r = client.post(reverse("catalogue:import"), {"file": SimpleUploadedFile("k.yaml", text.encode())})
    html = r.content.decode()
    assert r.status_code == 400 and message in html.replace("&quot;", '"')
    assert "Error" not in html and "kunde inte läsas:" not in html
    path = tmp_path / "k.yaml"
    path.write_text(text, encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message.split(",")[0]):
        call_command("catalogue", "import", str(path))
    assert not Catalogue.objects.filter(name="Trasig").exists()


def test_import_checks_each_field(world):
    def imp(req=None, **top):
        data = {"name": "X", "version": "1", "areas": [{"name": "A", "requirements": [req or {}]}], **top}
        with pytest.raises(ValidationError) as exc:
            services.catalogue_import(data=data)
        return exc.value.messages[0]

    ok = {"title": "T", "question": "Q?"}
    assert imp({**ok, "weight": True}) == "Krav 1 i ”A”: weight måste vara 1, 2 eller 3, inte ”True”."
    assert imp({**ok, "weight": 5}).startswith("Krav 1 i ”A”: weight")
    assert imp({**ok, "documents": 5}) == "Krav 1 i ”A”: documents måste vara en lista eller en text."
    assert imp({**ok, "answer_type": "ja"}).startswith("Krav 1 i ”A”: ")
    assert imp("bara text").startswith("Krav 1 i ”A”: kravet ska ha fälten")
    assert imp(ok, tender={"area": "hemtjanst"}).startswith("tender måste ange area och version")
    assert imp(ok, tender={"area": "hemtjanst", "version": 1999}) == (
        "Förfrågningsunderlaget hemtjanst/1999 finns inte i registret.")
    assert imp(ok, areas="A") == "Filen har inte kravkatalogens format: areas saknas eller är inte en lista."
    assert imp(ok, areas=[{"name": "A", "requirements": 7}]) == (
        "Kravområde 1 (”A”): requirements måste vara en lista.")
    areas = [{"name": "A", "requirements": [{**ok, "weight": "3", "documents": "Rutin\nPlan"}]}]
    ok_catalogue = services.catalogue_import(data={"name": "X", "version": "1", "areas": areas})
    req = ok_catalogue.requirements().get()
    assert (req.weight, req.document_list) == (3, ["Rutin", "Plan"])


def test_broken_excel_and_unknown_type(world):
    with pytest.raises(ValidationError, match="Excel-fil"):
        services.catalogue_import_file(content=b"PK\x03\x04 inte en arbetsbok", filename="k.xlsx")
    from io import BytesIO

    from openpyxl import Workbook

    out = BytesIO()
    Workbook().save(out)
    with pytest.raises(ValidationError, match="flikarna"):
        services.catalogue_import_file(content=out.getvalue(), filename="k.xlsx")
    with pytest.raises(ValidationError, match=r"\.yaml, \.yml eller \.xlsx"):
        services.catalogue_import_file(content=b"x", filename="k.csv")


def test_excel_weight_in_words_is_named(shipped):
    data = services.catalogue_to_dict(shipped)
    data["version"] = "2030"
    data["areas"][0]["requirements"][2]["weight"] = "tung"
    with pytest.raises(ValidationError, match="Krav 3 i ”Ledningssystem för kvalitet”: weight måste vara 1, 2 eller 3"):
        services.catalogue_import_file(content=exchange.to_xlsx(data), filename="k.xlsx")
