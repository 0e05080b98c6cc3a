"""Item 10: `foljsam backup` / `foljsam restore` round trip of the database plus FOLJSAM_DATA_DIR.

Runs on the suite's database: SQLite by default, PostgreSQL (pg_dump/pg_restore) when DATABASE_URL points there.
"""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import CommandError, call_command

from foljsam.accounts.models import Role, User
from foljsam.actions import services as actions
from foljsam.actions.models import Source
from foljsam.registry.models import Provider

pytestmark = pytest.mark.django_db(transaction=True)


def _database() -> str:
    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    return serializers.serialize("json", [o for m in models for o in m._default_manager.order_by("pk")])


def _files() -> dict[str, str]:
    root = Path(settings.DATA_DIR)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "local-secrets.env" and "inbox" not in p.parts}


def _write(rel: str, content: bytes) -> None:
    path = Path(settings.DATA_DIR) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_round_trip(world, tmp_path):
    actions.deviation_create(provider=world.provider_a, by=world.officer, source=Source.SIGNAL,
                             requirement="Nyckelhantering", text="Kvittens saknas.")
    _write("uploads/documents/kvalitet.pdf", b"%PDF-1.7 kvalitetsberattelse")
    _write("monthly/2026-03/visits.parquet", b"PAR1" + bytes(range(256)) * 40)
    _write("local-secrets.env", b"FOLJSAM_PSEUDONYM_KEY=local\n")
    _write("monthly/inbox/visits.csv", b"clear personal ids")
    database, files = _database(), _files()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert "data/uploads/documents/kvalitet.pdf" in names
    assert "data/local-secrets.env" not in names and "data/monthly/inbox/visits.csv" not in names
    assert manifest["files"] == 2 and manifest["vendor"] in ("sqlite", "postgresql")
    assert archive.stat().st_mode & 0o777 == 0o600

    # Change everything a backup must undo: rows added, changed and deleted; files changed, removed, added.
    Provider.objects.filter(pk=world.provider_a.pk).update(name="Omdöpt AB")
    User.objects.create_user(username="new", password="x" * 12, role=Role.READER)
    world.reader.delete()
    actions.deviation_create(provider=world.provider_b, by=world.officer, source=Source.SIGNAL,
                             requirement="Bemötande", text="Ny.")
    _write("uploads/documents/kvalitet.pdf", b"changed")
    (Path(settings.DATA_DIR) / "monthly/2026-03/visits.parquet").unlink()
    _write("monthly/2026-04/visits.parquet", b"new month")
    _write("local-secrets.env", b"FOLJSAM_PSEUDONYM_KEY=kept\n")
    _write("monthly/inbox/grants.csv", b"arrived after the backup")
    assert _database() != database and _files() != files

    call_command("restore", archive, yes=True, stdout=io.StringIO())
    assert _database() == database
    assert _files() == files
    # Left alone: make serve's secrets and the monthly inbox (what waits there now stays).
    assert (Path(settings.DATA_DIR) / "local-secrets.env").read_bytes() == b"FOLJSAM_PSEUDONYM_KEY=kept\n"
    assert sorted(p.name for p in (Path(settings.DATA_DIR) / "monthly/inbox").iterdir()) == ["grants.csv", "visits.csv"]
    assert not list(Path(settings.DATA_DIR).glob(".restore-*"))
    # The restored database works on: new rows get fresh ids.
    later = User.objects.create_user(username="later", password="x" * 12, role=Role.READER)
    assert later.pk > max(User.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def test_restore_refuses_bad_archives_and_changes_nothing(world, tmp_path):
    _write("uploads/a.txt", b"a")
    database, files = _database(), _files()
    (tmp_path / "plain.tar.gz").write_bytes(b"not a tar")
    vendor = "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else "postgresql"
    manifest = json.dumps({"format": 1, "vendor": vendor, "database": "database.sqlite3", "files": 1}).encode()
    other = "postgresql" if vendor == "sqlite" else "sqlite"
    bad = {
        "plain.tar.gz": None,
        "no-manifest.tar.gz": {"data/x": b"x"},
        "escape.tar.gz": {"manifest.json": manifest, "database.sqlite3": b"", "data/../../evil": b"x"},
        "vendor.tar.gz": {"manifest.json": manifest.replace(vendor.encode(), other.encode())},
        "no-database.tar.gz": {"manifest.json": manifest, "data/x": b"x"},
    }
    for name, members in bad.items():
        path = tmp_path / name if members is None else _tar(tmp_path / name, members)
        with pytest.raises(CommandError):
            call_command("restore", path, yes=True, stdout=io.StringIO())
        assert _database() == database and _files() == files, name
    assert not (tmp_path.parent / "evil").exists()


def test_backup_does_not_overwrite(world, tmp_path):
    (tmp_path / "taken.tar.gz").write_bytes(b"old")
    with pytest.raises(CommandError):
        call_command("backup", output=tmp_path / "taken.tar.gz", stdout=io.StringIO())
    assert (tmp_path / "taken.tar.gz").read_bytes() == b"old"
