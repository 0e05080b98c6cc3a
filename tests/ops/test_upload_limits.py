"""Item 5 where files enter: the web providers import and the catalogue YAML/XLSX import refuse bombs
before the work, with a 400 and a message naming the limit; the commands do too; nothing is imported."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from foljsam.catalogue.models import Catalogue
from foljsam.registry import services as registry
from foljsam.registry.models import Provider

from ..lib.test_uploads import BILLION_LAUGHS, _declare_huge, _rewrite, _workbook

pytestmark = pytest.mark.django_db


def test_providers_web_import_refuses_big_file_before_reading(world, client, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "providers": {"max_bytes": 1000, "max_line": 200}}
    client.force_login(world.officer)
    header = b"provider_id,name,org_number,area,ownership,contract_form\n"
    big = SimpleUploadedFile("providers.csv", header + b"P-X,X AB,556000-0009,hemtjanst,private,lov\n" * 30)
    response = client.post("/utforare/importera/", {"file": big})
    assert response.status_code == 200 and "1000 byte" in response.content.decode()  # form error, not imported
    long = SimpleUploadedFile("providers.csv", header + b"P-X," + b"x" * 300 + b"\n")
    response = client.post("/utforare/importera/", {"file": long})
    assert "längre än 200 byte" in response.content.decode()
    assert not Provider.objects.filter(code="P-X").exists()
    result = registry.providers_import(data=header + b"x" * 300, by=world.officer)
    assert not result.ok and "200 byte" in result.errors[0][1]


def test_providers_command_checks_the_file_before_reading(world, tmp_path, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "providers": {"max_bytes": 10, "max_line": 200}}
    path = tmp_path / "providers.csv"
    path.write_bytes(b"provider_id,name\n" * 5)
    result = registry.providers_import_file(path=path)
    assert not result.ok and "10 byte" in result.errors[0][1]


def _post_catalogue(client, name, content):
    return client.post("/kravkatalog/importera/", {"file": SimpleUploadedFile(name, content)})


def test_catalogue_web_import_refuses_yaml_bomb(world, client):
    client.force_login(world.officer)
    response = _post_catalogue(client, "bomb.yaml", BILLION_LAUGHS.encode())
    assert response.status_code == 400 and "100000 värden" in response.content.decode()
    assert not Catalogue.objects.exists()


def test_catalogue_web_import_refuses_xlsx_bombs(world, client):
    client.force_login(world.officer)
    inflating = _declare_huge(_workbook(), "xl/styles.xml", 1_900_000_000)
    response = _post_catalogue(client, "bomb.xlsx", inflating)
    assert response.status_code == 400 and "packas upp till 1,8 GB" in response.content.decode()
    rows = _rewrite(_workbook(), "xl/worksheets/sheet1.xml",
                    lambda xml: xml.replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:J1048576"/>'))
    response = _post_catalogue(client, "rows.xlsx", rows)
    assert response.status_code == 400 and "1048576 rader" in response.content.decode()
    big = _post_catalogue(client, "big.yaml", b"# " + b"x" * 90 + b"\n" * (3 * 1024 * 1024))
    assert big.status_code == 400 and "2 MB" in big.content.decode()
    assert not Catalogue.objects.exists()


def test_catalogue_command_refuses_bomb(world, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS)
    with pytest.raises(CommandError, match="100000"):
        call_command("catalogue", "import", str(path), stdout=io.StringIO())
