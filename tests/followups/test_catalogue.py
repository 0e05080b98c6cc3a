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
    assert reqs.count() == 39
    assert sorted(reqs.filter(applies_to="external").values_list("title", flat=True)) == [
        "Arbetsrättsliga villkor/kollektivavtal", "IVO-tillstånd", "Livsmedelsregistrering", "Lokal inom 30 min"]
    assert set(reqs.values_list("answer_type", flat=True)) == {"yes_no", "frequency", "free_text"}
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
    with pytest.raises(ValidationError, match="formatet|format"):
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
    assert copy.requirements().count() == 39 and copy.tender_id == shipped.tender_id
    assert Requirement.objects.filter(area__catalogue=copy, question="Ny fråga?").exists()


def test_commands_import_and_export(world, tmp_path):
    TenderDocument.objects.create(area=world.area, name="FFU hemtjänst", version="2022", valid_from=date(2022, 1, 1))
    call_command("catalogue", "import", str(SHIPPED))
    out = tmp_path / "k.xlsx"
    call_command("catalogue", "export", "--version", "2022", str(out))
    data = exchange.from_xlsx(out.read_bytes())
    assert len(data["areas"]) == 9
    assert data["areas"][0]["requirements"][2]["title"] == "Rutin för lex Sarah"
