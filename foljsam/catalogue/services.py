"""Writes of the requirement catalogue, and its exchange format (a plain dict, written as YAML or Excel).

A catalogue that a campaign has been sent with is frozen: the providers answered those exact
questions. Changes go into a new version (`catalogue_copy`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from foljsam.accounts import policy
from foljsam.registry.models import TenderDocument, UnitType

from .models import AnswerType, AppliesTo, Catalogue, Method, Requirement, RequirementArea, kpi_choices

CATALOGUE_IN_USE = _("Kravkatalogen har använts i en utskickad avtalsuppföljning och kan inte ändras. "
                     "Skapa en ny version i stället.")
NOT_ALLOWED = _("Bara uppföljare får ändra kravkatalogen.")
VERSION_EXISTS = _("Versionen %(version)s av ”%(name)s” finns redan.")
BAD_FORMAT = _("Filen har inte kravkatalogens format: %(detail)s")
UNKNOWN_TENDER = _("Förfrågningsunderlaget %(area)s/%(version)s finns inte i registret.")
# The import's messages name the field and the row, so the officer can find the place in the file.
NO_NAME_VERSION = _("Filen har inte kravkatalogens format: name och version saknas.")
NO_AREAS = _("Filen har inte kravkatalogens format: areas saknas eller är inte en lista.")
BAD_TENDER = _("tender måste ange area och version (till exempel ”tender: {area: hemtjanst, version: 2022}”), "
               "inte ”%(value)s”.")
AREA_NO_NAME = _("Kravområde %(row)s saknar name.")
AREA_INVALID = _("Kravområde %(row)s (”%(area)s”): %(errors)s")
AREA_REQUIREMENTS = _("Kravområde %(row)s (”%(area)s”): requirements måste vara en lista.")
REQ_NOT_MAPPING = _("Krav %(row)s i ”%(area)s”: kravet ska ha fälten title, question med flera, inte ”%(value)s”.")
REQ_MISSING = _("Krav %(row)s i ”%(area)s”: title och question måste finnas.")
REQ_WEIGHT = _("Krav %(row)s i ”%(area)s”: weight måste vara 1, 2 eller 3, inte ”%(value)s”.")
REQ_DOCUMENTS = _("Krav %(row)s i ”%(area)s”: documents måste vara en lista eller en text.")
REQ_INVALID = _("Krav %(row)s i ”%(area)s”: %(errors)s")
REQ_KEY_TAKEN = _("Kravets id ”%(key)s” används redan av ett annat krav i katalogen.")
REQ_ROWS = _("Krav %(row)s i ”%(area)s”: svarstypen kräver rader (en per rad i tabellen eller ett kriterium per rad).")
REQ_UNIT_TYPES = _("Krav %(row)s i ”%(area)s”: enhetstyper kräver att katalogen hör till ett förfrågningsunderlag "
                   "(tender), så att typerna hör till dess område.")
REQ_LIST = _("Krav %(row)s i ”%(area)s”: %(field)s måste vara en lista eller en text.")
REQ_METHODS = _("Krav %(row)s i ”%(area)s”: okänd kontrollmetod ”%(value)s”. Tillåtna: %(allowed)s.")
REQ_KPI = _("Krav %(row)s i ”%(area)s”: nyckeltalet ”%(value)s” finns inte i månadsuppföljningen.")
ROWS_REQUIRED = _("Svarstypen kräver rader: en per rad i tabellen eller ett kriterium per rad.")
UNIT_TYPE_AREA = _("Enhetstypen ”%(type)s” hör inte till katalogens område.")
UNIT_TYPE_IN_USE = _("Enhetstypen ”%(type)s” används av enheter och kan inte tas bort.")
FILE_TYPE = _("Filen ska vara .yaml, .yml eller .xlsx.")
YAML_BROKEN_AT = _("Filen är inte giltig YAML: felet finns på rad %(line)s, kolumn %(column)s.")
YAML_BROKEN = _("Filen är inte giltig YAML.")
XLSX_BROKEN = _("Filen kunde inte läsas som en Excel-fil (.xlsx).")
XLSX_SHEETS = _("Excel-filen ska ha flikarna ”Katalog” och ”Krav” med rubrikrader som i en exporterad katalog.")


def is_frozen(catalogue: Catalogue) -> bool:
    return catalogue.pk is not None and catalogue.campaigns.filter(sent_at__isnull=False).exists()


def _check(catalogue: Catalogue, by) -> None:
    if by is not None:  # None: the system itself (demo, management command)
        policy.ensure(by, "catalogue.edit", message=NOT_ALLOWED)
    if is_frozen(catalogue):
        raise ValidationError(CATALOGUE_IN_USE)


@transaction.atomic
def catalogue_save(*, catalogue: Catalogue, by) -> Catalogue:
    _check(catalogue, by)
    catalogue.full_clean()
    catalogue.save()
    return catalogue


def _save_in_order(obj, *, catalogue: Catalogue, siblings, by):
    """Save an area or requirement; a new one goes last."""
    _check(catalogue, by)
    if obj.pk is None and not obj.order:
        obj.order = (siblings.count() + 1) * 10
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def area_save(*, area: RequirementArea, by) -> RequirementArea:
    return _save_in_order(area, catalogue=area.catalogue, siblings=area.catalogue.areas, by=by)


def _free_key(catalogue: Catalogue, base: str, exclude_pk=None) -> str:
    taken = set(Requirement.objects.filter(area__catalogue=catalogue).exclude(pk=exclude_pk)
                .values_list("key", flat=True))
    base = (slugify(base) or "krav")[:54]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def requirement_save(*, requirement: Requirement, by, unit_types=None) -> Requirement:
    """A requirement without a key gets one from its title; a key is unique within the catalogue.
    `unit_types` (optional): the unit types the requirement is limited to."""
    catalogue = requirement.area.catalogue
    if requirement.answer_type in (AnswerType.COUNT_TABLE, AnswerType.SAMPLE) and not requirement.row_list:
        raise ValidationError(ROWS_REQUIRED, code="rows_required")
    if not requirement.key:
        requirement.key = _free_key(catalogue, requirement.title, exclude_pk=requirement.pk)
    elif Requirement.objects.filter(area__catalogue=catalogue, key=requirement.key).exclude(pk=requirement.pk).exists():
        raise ValidationError(REQ_KEY_TAKEN, code="key_taken", params={"key": requirement.key})
    requirement = _save_in_order(requirement, catalogue=catalogue, siblings=requirement.area.requirements, by=by)
    if unit_types is not None:
        for t in unit_types:
            if catalogue.tender_id is None or t.area_id != catalogue.tender.area_id:
                raise ValidationError(UNIT_TYPE_AREA, code="unit_type_area", params={"type": t})
        requirement.unit_types.set(unit_types)
    return requirement


# --- Unit types (per area; kept in the registry, edited with the catalogue) ---------------------

@transaction.atomic
def unit_type_save(*, unit_type: UnitType, by) -> UnitType:
    policy.ensure(by, "catalogue.edit", message=NOT_ALLOWED)
    unit_type.name = unit_type.name.strip()
    unit_type.full_clean()
    unit_type.save()
    return unit_type


@transaction.atomic
def unit_type_delete(*, unit_type: UnitType, by) -> None:
    policy.ensure(by, "catalogue.edit", message=NOT_ALLOWED)
    if unit_type.units.exists():
        raise ValidationError(UNIT_TYPE_IN_USE, code="in_use", params={"type": unit_type})
    unit_type.delete()


@transaction.atomic
def requirement_delete(*, requirement: Requirement, by) -> None:
    _check(requirement.area.catalogue, by)
    requirement.delete()


@transaction.atomic
def catalogue_copy(*, catalogue: Catalogue, version: str, by, tender=None) -> Catalogue:
    """A new, editable version with the same areas and requirements."""
    data = catalogue_to_dict(catalogue)
    data["version"] = version
    tender = tender or catalogue.tender
    data.pop("tender", None)
    if tender is not None:  # the unit types of the requirements belong to its area
        data["tender"] = {"area": tender.area.code, "version": tender.version}
    return catalogue_import(data=data, by=by)


# --- Exchange format ------------------------------------------------------------------------

REQUIREMENT_KEYS = ("key", "code", "title", "text", "question", "answer_type", "rows", "weight", "documents",
                    "applies_to", "unit_types", "methods", "kpi")
SETTING_KEYS = ("deviation_ratings", "plan_from", "plan_submit_weeks", "plan_fix_weeks", "dialogue_from")


def catalogue_to_dict(catalogue: Catalogue) -> dict:
    data = {"name": catalogue.name, "version": catalogue.version, "description": catalogue.description}
    if catalogue.tender_id:
        data["tender"] = {"area": catalogue.tender.area.code, "version": catalogue.tender.version}
    data["settings"] = {k: getattr(catalogue, k) for k in SETTING_KEYS}
    data["areas"] = [
        {
            "name": area.name,
            "description": area.description,
            "reported_only": area.reported_only,
            "requirements": [
                {
                    "key": r.key, "code": r.code, "title": r.title, "text": r.text, "question": r.question,
                    "answer_type": r.answer_type, "rows": r.row_list, "weight": r.weight,
                    "documents": r.document_list, "applies_to": r.applies_to,
                    "unit_types": [t.name for t in r.unit_types.all()], "methods": list(r.methods), "kpi": r.kpi,
                }
                for r in area.requirements.all()
            ],
        }
        for area in catalogue.areas.prefetch_related("requirements__unit_types")
    ]
    return data


def _weight(value, *, row: int, area: str) -> int:
    if value in (None, ""):
        return 2
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():  # a number cell in Excel
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3):
        raise ValidationError(REQ_WEIGHT, params={"row": row, "area": area, "value": value})
    return value


def _documents(value, *, row: int, area: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or any(isinstance(d, (dict, list)) for d in value):
        raise ValidationError(REQ_DOCUMENTS, params={"row": row, "area": area})
    return "\n".join(str(d).strip() for d in value if d is not None and str(d).strip())


def _names(value, *, row: int, area: str, field: str, commas: bool = False) -> list[str]:
    """A list field of the file (rows, unit types, methods): a list, or lines of text (an Excel cell)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = (value.replace(",", "\n") if commas else value).splitlines()
    if not isinstance(value, list) or any(isinstance(d, (dict, list)) for d in value):
        raise ValidationError(REQ_LIST, params={"row": row, "area": area, "field": field})
    return [str(d).strip() for d in value if d is not None and str(d).strip()]


def _tender(ref):
    if not isinstance(ref, dict) or not ref.get("area") or ref.get("version") in (None, ""):
        raise ValidationError(BAD_TENDER, params={"value": ref})
    area, version = str(ref["area"]).strip(), str(ref["version"]).strip()
    tender = TenderDocument.objects.filter(area__code=area, version=version).first()
    if tender is None:
        raise ValidationError(UNKNOWN_TENDER, params={"area": area, "version": version})
    return tender


def _errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


@transaction.atomic
def catalogue_import(*, data: dict, by=None) -> Catalogue:
    """Create a new catalogue version from the exchange format. Never overwrites a version.
    Every field read from the file is checked; a ValidationError names the field and the row."""
    if by is not None:  # None: the system itself (demo, management command)
        policy.ensure(by, "catalogue.edit", message=NOT_ALLOWED)
    if not isinstance(data, dict) or not data.get("name") or data.get("version") in (None, ""):
        raise ValidationError(NO_NAME_VERSION)
    name, version = str(data["name"]).strip(), str(data["version"]).strip()
    if Catalogue.objects.filter(name=name, version=version).exists():
        raise ValidationError(VERSION_EXISTS, params={"name": name, "version": version})
    tender = _tender(data["tender"]) if data.get("tender") else None
    catalogue = Catalogue(name=name, version=version, description=data.get("description") or "", tender=tender)
    settings = data.get("settings") or {}
    for key in SETTING_KEYS:
        if isinstance(settings, dict) and settings.get(key) not in (None, ""):
            value = settings[key]
            setattr(catalogue, key, int(value) if key != "deviation_ratings" and str(value).isdigit() else value)
    catalogue.full_clean()
    catalogue.save()
    areas = data.get("areas")
    if not isinstance(areas, list) or not areas:
        raise ValidationError(NO_AREAS)
    for i, area_data in enumerate(areas, start=1):
        if not isinstance(area_data, dict) or not area_data.get("name"):
            raise ValidationError(AREA_NO_NAME, params={"row": i})
        area = RequirementArea(catalogue=catalogue, name=str(area_data["name"]).strip(),
                               description=area_data.get("description") or "", order=i * 10,
                               reported_only=area_data.get("reported_only") in (True, 1, "1", "true", "ja", "Ja"))
        try:
            area.full_clean()
        except ValidationError as exc:
            raise ValidationError(AREA_INVALID, params={"row": i, "area": area.name, "errors": _errors(exc)}) from exc
        area.save()
        requirements = area_data.get("requirements") or []
        if not isinstance(requirements, list):
            raise ValidationError(AREA_REQUIREMENTS, params={"row": i, "area": area.name})
        for j, req in enumerate(requirements, start=1):
            where = {"row": j, "area": area.name}
            if not isinstance(req, dict):
                raise ValidationError(REQ_NOT_MAPPING, params={**where, "value": req})
            if not req.get("title") or not req.get("question"):
                raise ValidationError(REQ_MISSING, params=where)
            methods = _names(req.get("methods"), field="methods", commas=True, **where)
            for m in methods:
                if m not in Method.values:
                    raise ValidationError(REQ_METHODS, params={**where, "value": m,
                                                               "allowed": ", ".join(Method.values)})
            kpi = str(req.get("kpi") or "").strip()
            if kpi and kpi not in dict(kpi_choices()):
                raise ValidationError(REQ_KPI, params={**where, "value": kpi})
            requirement = Requirement(
                area=area, code=str(req.get("code") or ""), title=str(req["title"]).strip(),
                text=req.get("text") or "", question=str(req["question"]).strip(),
                answer_type=req.get("answer_type") or AnswerType.YES_NO, weight=_weight(req.get("weight"), **where),
                documents=_documents(req.get("documents"), **where),
                rows="\n".join(_names(req.get("rows"), field="rows", **where)),
                applies_to=req.get("applies_to") or AppliesTo.ALL, order=j * 10,
                key=str(req.get("key") or "").strip(), methods=methods, kpi=kpi,
            )
            if requirement.answer_type in (AnswerType.COUNT_TABLE, AnswerType.SAMPLE) and not requirement.row_list:
                raise ValidationError(REQ_ROWS, params=where)
            if requirement.key and Requirement.objects.filter(area__catalogue=catalogue, key=requirement.key).exists():
                raise ValidationError(REQ_INVALID, params={**where, "errors": REQ_KEY_TAKEN % {"key": requirement.key}})
            if not requirement.key:
                requirement.key = _free_key(catalogue, requirement.title)
            try:
                requirement.full_clean()
            except ValidationError as exc:
                raise ValidationError(REQ_INVALID, params={**where, "errors": _errors(exc)}) from exc
            requirement.save()
            type_names = _names(req.get("unit_types"), field="unit_types", commas=True,
                                **where)
            if type_names:
                if tender is None:
                    raise ValidationError(REQ_UNIT_TYPES, params=where)
                # A type named in the file and not yet in the area is created: the shipped catalogue
                # must import into a fresh install.
                requirement.unit_types.set([UnitType.objects.get_or_create(area=tender.area, name=n[:100])[0]
                                            for n in type_names])
    return catalogue


def read_file(*, content: bytes, filename: str) -> dict:
    """The exchange format from an uploaded or given file; an unreadable file is a ValidationError."""
    import yaml

    from foljsam.lib.uploads import check_upload

    from . import exchange  # exchange imports this module's REQUIREMENT_KEYS

    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("yaml", "yml", "xlsx"):
        check_upload(content, kind="catalogue")  # UploadRefused names the limit; before any parsing
    if suffix in ("yaml", "yml"):
        try:
            return exchange.from_yaml(content)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if mark is None:
                raise ValidationError(YAML_BROKEN) from exc
            raise ValidationError(YAML_BROKEN_AT, params={"line": mark.line + 1, "column": mark.column + 1}) from exc
        except yaml.YAMLError as exc:
            raise ValidationError(YAML_BROKEN) from exc
    if suffix == "xlsx":
        try:
            return exchange.from_xlsx(content)
        except (KeyError, StopIteration) as exc:
            raise ValidationError(XLSX_SHEETS) from exc
        except Exception as exc:  # noqa: BLE001 – not a zip, not a workbook, a damaged part: the file is broken
            raise ValidationError(XLSX_BROKEN) from exc
    raise ValidationError(FILE_TYPE)


def catalogue_import_file(*, content: bytes, filename: str, by=None) -> Catalogue:
    """Read a YAML or Excel file and import it (`catalogue_import`)."""
    if by is not None:  # None: the system itself (demo, management command)
        policy.ensure(by, "catalogue.edit", message=NOT_ALLOWED)
    return catalogue_import(data=read_file(content=content, filename=filename), by=by)
