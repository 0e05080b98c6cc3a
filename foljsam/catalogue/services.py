"""Writes of the requirement catalogue, and its exchange format (a plain dict, written as YAML or Excel).

A catalogue that a campaign has been sent with is frozen: the providers answered those exact
questions. Changes go into a new version (`catalogue_copy`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from foljsam.registry.models import TenderDocument

from .models import AnswerType, AppliesTo, Catalogue, Requirement, RequirementArea

CATALOGUE_IN_USE = _("Kravkatalogen har använts i en utskickad avtalsuppföljning och kan inte ändras. "
                     "Skapa en ny version i stället.")
NOT_ALLOWED = _("Bara uppföljare får ändra kravkatalogen.")
VERSION_EXISTS = _("Versionen %(version)s av ”%(name)s” finns redan.")
BAD_FORMAT = _("Filen har inte kravkatalogens format: %(detail)s")
UNKNOWN_TENDER = _("Förfrågningsunderlaget %(area)s/%(version)s finns inte i registret.")


def is_frozen(catalogue: Catalogue) -> bool:
    return catalogue.pk is not None and catalogue.campaigns.filter(sent_at__isnull=False).exists()


def _check(catalogue: Catalogue, by) -> None:
    if by is not None and not by.is_officer:
        raise ValidationError(NOT_ALLOWED)
    if is_frozen(catalogue):
        raise ValidationError(CATALOGUE_IN_USE)


@transaction.atomic
def catalogue_save(*, catalogue: Catalogue, by) -> Catalogue:
    _check(catalogue, by)
    catalogue.full_clean()
    catalogue.save()
    return catalogue


@transaction.atomic
def area_save(*, area: RequirementArea, by) -> RequirementArea:
    _check(area.catalogue, by)
    if area.pk is None and not area.order:
        area.order = (area.catalogue.areas.count() + 1) * 10
    area.full_clean()
    area.save()
    return area


@transaction.atomic
def requirement_save(*, requirement: Requirement, by) -> Requirement:
    _check(requirement.area.catalogue, by)
    if requirement.pk is None and not requirement.order:
        requirement.order = (requirement.area.requirements.count() + 1) * 10
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: Requirement, by) -> None:
    _check(requirement.area.catalogue, by)
    requirement.delete()


@transaction.atomic
def catalogue_copy(*, catalogue: Catalogue, version: str, by, tender=None) -> Catalogue:
    """A new, editable version with the same areas and requirements."""
    data = catalogue_to_dict(catalogue)
    data["version"] = version
    data.pop("tender", None)
    copy = catalogue_import(data=data, by=by)
    if tender is not None or catalogue.tender_id:
        copy.tender = tender or catalogue.tender
        copy.save()
    return copy


# --- Exchange format ------------------------------------------------------------------------

REQUIREMENT_KEYS = ("code", "title", "text", "question", "answer_type", "weight", "documents", "applies_to")


def catalogue_to_dict(catalogue: Catalogue) -> dict:
    data = {"name": catalogue.name, "version": catalogue.version, "description": catalogue.description}
    if catalogue.tender_id:
        data["tender"] = {"area": catalogue.tender.area.code, "version": catalogue.tender.version}
    data["areas"] = [
        {
            "name": area.name,
            "description": area.description,
            "requirements": [
                {
                    "code": r.code, "title": r.title, "text": r.text, "question": r.question,
                    "answer_type": r.answer_type, "weight": r.weight, "documents": r.document_list,
                    "applies_to": r.applies_to,
                }
                for r in area.requirements.all()
            ],
        }
        for area in catalogue.areas.prefetch_related("requirements")
    ]
    return data


def _bad(detail: str) -> ValidationError:
    return ValidationError(BAD_FORMAT, params={"detail": detail})


@transaction.atomic
def catalogue_import(*, data: dict, by=None) -> Catalogue:
    """Create a new catalogue version from the exchange format. Never overwrites a version."""
    if by is not None and not by.is_officer:
        raise ValidationError(NOT_ALLOWED)
    if not isinstance(data, dict) or not data.get("name") or not data.get("version"):
        raise _bad("name och version saknas")
    name, version = str(data["name"]).strip(), str(data["version"]).strip()
    if Catalogue.objects.filter(name=name, version=version).exists():
        raise ValidationError(VERSION_EXISTS, params={"name": name, "version": version})
    tender = None
    if data.get("tender"):
        ref = data["tender"]
        tender = TenderDocument.objects.filter(area__code=ref.get("area"), version=str(ref.get("version"))).first()
        if tender is None:
            raise ValidationError(UNKNOWN_TENDER, params={"area": ref.get("area"), "version": ref.get("version")})
    catalogue = Catalogue(name=name, version=version, description=data.get("description") or "", tender=tender)
    catalogue.full_clean()
    catalogue.save()
    areas = data.get("areas")
    if not isinstance(areas, list) or not areas:
        raise _bad("areas saknas")
    for i, area_data in enumerate(areas, start=1):
        if not isinstance(area_data, dict) or not area_data.get("name"):
            raise _bad(f"kravområde {i} saknar namn")
        area = RequirementArea(catalogue=catalogue, name=str(area_data["name"]).strip(),
                               description=area_data.get("description") or "", order=i * 10)
        area.full_clean()
        area.save()
        for j, req in enumerate(area_data.get("requirements") or [], start=1):
            if not isinstance(req, dict) or not req.get("title") or not req.get("question"):
                raise _bad(f"krav {j} i ”{area.name}” saknar title eller question")
            documents = req.get("documents") or []
            if isinstance(documents, str):
                documents = [documents]
            requirement = Requirement(
                area=area, code=str(req.get("code") or ""), title=str(req["title"]).strip(),
                text=req.get("text") or "", question=str(req["question"]).strip(),
                answer_type=req.get("answer_type") or AnswerType.YES_NO, weight=int(req.get("weight") or 2),
                documents="\n".join(str(d).strip() for d in documents if str(d).strip()),
                applies_to=req.get("applies_to") or AppliesTo.ALL, order=j * 10,
            )
            try:
                requirement.full_clean()
            except ValidationError as exc:
                raise _bad(f"krav ”{requirement.title}”: {'; '.join(exc.messages)}") from exc
            requirement.save()
    return catalogue
