"""Demo: the shipped seed-002 catalogue for home care, tied to the 2022 tender documents, and the
unit types of home care (the night patrol is not asked about oral care, clients' money and meals)."""

from pathlib import Path

from foljsam.registry.models import Unit, UnitType

from . import exchange, services

SHIPPED = Path(__file__).resolve().parent / "data" / "hemtjanst-2022.yaml"


def load(ctx: dict) -> None:
    data = exchange.from_yaml(SHIPPED.read_text(encoding="utf-8"))
    ctx["catalogue"] = catalogue = services.catalogue_import(data=data)
    area = catalogue.tender.area
    group, _ = UnitType.objects.get_or_create(area=area, name="Hemtjänstgrupp")
    night, _ = UnitType.objects.get_or_create(area=area, name="Nattpatrull")
    for unit in Unit.objects.filter(area=area):
        unit.unit_type = night if unit.name.endswith("Natten") else group
        unit.save()
