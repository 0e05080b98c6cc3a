"""Demo: the shipped seed-002 catalogue for home care, tied to the 2022 tender documents."""

from pathlib import Path

from . import exchange, services

SHIPPED = Path(__file__).resolve().parent / "data" / "hemtjanst-2022.yaml"


def load(ctx: dict) -> None:
    data = exchange.from_yaml(SHIPPED.read_text(encoding="utf-8"))
    ctx["catalogue"] = services.catalogue_import(data=data)
