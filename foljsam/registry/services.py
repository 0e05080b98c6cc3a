"""Writes to the registry. Audit entries come from the model signals (foljsam.audit)."""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foljsam.accounts import policy
from foljsam.lib.csvfiles import CsvError, read_rows
from foljsam.lib.uploads import UploadRefused, check_upload

from .models import Area, Contract, ContractForm, Ownership, Provider

PROVIDER_COLUMNS = ["provider_id", "name", "org_number", "area", "ownership", "contract_form"]
NOT_ALLOWED = gettext_lazy("Bara uppföljare och administratörer får ändra registret.")


@transaction.atomic
def registry_save(*, obj: Model, by) -> Model:
    """Validate and save any registry object (create or change)."""
    policy.ensure(by, "registry.edit", message=NOT_ALLOWED)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def registry_delete(*, obj: Model, by) -> None:
    policy.ensure(by, "registry.edit", message=NOT_ALLOWED)
    obj.delete()


@dataclass
class ProviderImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    contracts_created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_provider_rows(rows):
    """Check every row first; (line, reason) for each bad one."""
    areas = {a.code: a for a in Area.objects.all()}
    ownerships, forms = set(Ownership.values), set(ContractForm.values)
    parsed, errors, seen = [], [], {}
    for line, row in rows:
        problems = []
        if not row.get("provider_id"):
            problems.append(_("provider_id saknas"))
        if not row.get("name"):
            problems.append(_("name saknas"))
        if row.get("area") not in areas:
            problems.append(_("okänt område ”%(v)s”") % {"v": row.get("area", "")})
        if row.get("ownership") not in ownerships:
            problems.append(
                _("ownership måste vara private eller municipal, inte ”%(v)s”") % {"v": row.get("ownership", "")}
            )
        if row.get("contract_form") not in forms:
            problems.append(
                _("contract_form måste vara en av %(forms)s, inte ”%(v)s”")
                % {"forms": ", ".join(sorted(forms)), "v": row.get("contract_form", "")}
            )
        key = (row.get("provider_id"), row.get("area"))
        if key in seen:
            problems.append(_("samma utförare och område står redan på rad %(line)s") % {"line": seen[key]})
        seen[key] = line
        if problems:
            errors.append((line, "; ".join(problems)))
        else:
            parsed.append((line, row, areas[row["area"]]))
    return parsed, errors


def providers_import(*, data: bytes, by=None) -> ProviderImportResult:
    """Import providers.csv: idempotent upsert by provider_id; all or nothing.

    A contract (provider, area, form) is created when the provider has none in force in
    the area; it starts on the import day unless the file has a `contract_start` column.
    """
    result = ProviderImportResult()
    try:
        check_upload(data, kind="providers")
        header, rows = read_rows(data)
    except CsvError as exc:
        result.errors.append((0, str(exc)))
        return result
    except UploadRefused as exc:
        result.errors.append((0, " ".join(exc.messages)))
        return result
    missing = [c for c in PROVIDER_COLUMNS if c not in header]
    if missing:
        result.errors.append((1, _("Kolumner saknas: %(cols)s") % {"cols": ", ".join(missing)}))
        return result
    parsed, result.errors = _parse_provider_rows(rows)
    if result.errors:
        return result
    today = timezone.localdate()
    with transaction.atomic():
        for line, row, area in parsed:
            provider = Provider.objects.filter(code=row["provider_id"]).first()
            values = {"name": row["name"], "org_number": row["org_number"], "ownership": row["ownership"]}
            if provider is None:
                provider = Provider(code=row["provider_id"], **values)
                result.created += 1
            elif any(getattr(provider, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(provider, k, v)
                result.updated += 1
            else:
                result.unchanged += 1
            try:
                provider.full_clean()
                provider.save()
                in_force = Q(end__isnull=True) | Q(end__gte=today)
                if not Contract.objects.filter(in_force, provider=provider, area=area).exists():
                    start = row.get("contract_start") or today
                    contract = Contract(provider=provider, area=area, form=row["contract_form"], start=start)
                    contract.full_clean()
                    contract.save()
                    result.contracts_created += 1
            except ValidationError as exc:
                result.errors.append((line, "; ".join(exc.messages)))
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = result.contracts_created = 0
    return result


def providers_import_file(*, path: Path, by=None) -> ProviderImportResult:
    try:
        check_upload(Path(path), kind="providers")  # before the file is read into memory
    except UploadRefused as exc:
        result = ProviderImportResult()
        result.errors.append((0, " ".join(exc.messages)))
        return result
    return providers_import(data=Path(path).read_bytes(), by=by)
