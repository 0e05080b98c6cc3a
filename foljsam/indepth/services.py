"""Writes of signals and in-depth follow-ups. Every write is audited through the model signals."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foljsam.accounts import policy
from foljsam.actions import services as actions
from foljsam.actions.models import Severity, Source
from foljsam.lib.csvfiles import CsvError, read_rows
from foljsam.lib.personnummer import find_personnummer
from foljsam.registry.models import Area, Contract, EventKind, Provider, ProviderEvent

from .models import (
    BistandNotice,
    Case,
    CaseCheck,
    CaseStatus,
    ChecklistItem,
    DecisionStatus,
    Finding,
    FindingRating,
    Sanction,
    Signal,
    SignalDecision,
    SignalSeverity,
    SignalSource,
    SignalStatus,
    SignalTheme,
    Termination,
    TriggerKind,
)

NOT_ALLOWED = gettext_lazy("Bara uppföljare och administratörer får göra det här.")
PERSONNUMMER = gettext_lazy(
    "Beskrivningen innehåller något som ser ut som ett personnummer (%(found)s). Ta bort det: signaler ska "
    "aldrig innehålla uppgifter om brukaren."
)
WRONG_SIGNAL_STATE = gettext_lazy("Signalen har status ”%(status)s”; det går inte nu.")
DECISION_REQUIRED = gettext_lazy("Välj ett beslut.")
UNIT_OTHER_PROVIDER = gettext_lazy("Enheten hör till en annan utförare.")
NO_CONTRACT_IN_AREA = gettext_lazy("Utföraren har inget avtal inom området.")
FUTURE_DATE = gettext_lazy("Datumet kan inte ligga i framtiden.")
CASE_CLOSED = gettext_lazy("Uppföljningen är avslutad och kan inte ändras.")
CASE_NOT_VISITED = gettext_lazy("Registrera besöket innan uppföljningen avslutas.")
RESULT_REQUIRED = gettext_lazy("Skriv resultatet till utföraren.")
NOT_RED_OR_YELLOW = gettext_lazy("Bara gula och röda iakttagelser blir avvikelser.")
ALREADY_DEVIATION = gettext_lazy("Iakttagelsen har redan en avvikelse.")
ALREADY_DECIDED = gettext_lazy("Förslaget är redan beslutat.")
DECIDER_REQUIRED = gettext_lazy("Ange vem som beslutade och när.")
AMOUNT_POSITIVE = gettext_lazy("Beloppet måste vara större än noll.")
CONTRACT_OTHER = gettext_lazy("Avtalet hör inte till uppföljningens utförare.")
LAST_DAY_BEFORE_START = gettext_lazy("Sista avtalsdag kan inte ligga före avtalets start.")
LAST_DAY_AFTER_END = gettext_lazy("Avtalet slutar redan %(end)s, före den föreslagna sista dagen.")
LAST_DAY_BEFORE_DECISION = gettext_lazy("Sista avtalsdag kan inte ligga före beslutsdatum.")
TEXT_REQUIRED = gettext_lazy("Skriv texten som skickades.")
AREA_REQUIRED = gettext_lazy("Utföraren finns i flera områden: välj verksamhetsområde eller enhet.")


def _officer(by, capability="indepth.edit"):
    policy.ensure(by, capability, message=NOT_ALLOWED)


def check_personnummer(text: str) -> None:
    found = find_personnummer(text)
    if found:
        raise ValidationError(PERSONNUMMER, code="personnummer", params={"found": ", ".join(found)})


def _area_of(provider, unit, area):
    """The signal's area: given, else the unit's, else the provider's only area."""
    if area is not None:
        return area
    if unit is not None:
        return unit.area
    areas = Area.objects.filter(contracts__provider=provider).distinct()
    return areas.first() if areas.count() == 1 else None


# --- Signals ------------------------------------------------------------------------------------

@transaction.atomic
def signal_create(
    *, by, provider, received_on: date, source: str, theme, description: str, severity: int = SignalSeverity.MEDIUM,
    unit=None, area=None, shared: bool = False,
) -> Signal:
    _officer(by, "signal.edit")
    return _signal_new(by=by, provider=provider, received_on=received_on, source=source, theme=theme,
                       description=description, severity=severity, unit=unit, area=area, shared=shared)


def _signal_new(*, by, provider, received_on, source, theme, description, severity, unit, area, shared):
    check_personnummer(description)
    if unit is not None and unit.provider_id != provider.pk:
        raise ValidationError(UNIT_OTHER_PROVIDER, code="unit_other_provider")
    if received_on > timezone.localdate():
        raise ValidationError(FUTURE_DATE, code="future_date")
    area = _area_of(provider, unit, area)
    if area is None:
        raise ValidationError(AREA_REQUIRED, code="area_required")
    signal = Signal(provider=provider, unit=unit, area=area, received_on=received_on, source=source, theme=theme,
                    description=description.strip(), severity=severity, shared=shared, created_by=by)
    signal.full_clean()
    signal.save()
    return signal


@transaction.atomic
def signal_update(*, signal: Signal, by, **values) -> Signal:
    _officer(by, "signal.edit")
    for key, value in values.items():
        setattr(signal, key, value)
    check_personnummer(signal.description)
    if signal.unit is not None and signal.unit.provider_id != signal.provider_id:
        raise ValidationError(UNIT_OTHER_PROVIDER, code="unit_other_provider")
    signal.area = _area_of(signal.provider, signal.unit, signal.area)
    if signal.area is None:
        raise ValidationError(AREA_REQUIRED, code="area_required")
    signal.full_clean()
    signal.save()
    return signal


@transaction.atomic
def signal_assess(*, signal: Signal, by, decision: str, note: str = "", case: Case | None = None) -> Signal:
    """Received → assessed with the decision. "Deviation" registers one in the existing process;
    "in-depth follow-up" joins the provider's open case, or opens one."""
    _officer(by, "signal.edit")
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != SignalStatus.RECEIVED:
        raise ValidationError(WRONG_SIGNAL_STATE, code="wrong_state", params={"status": signal.get_status_display()})
    if decision not in SignalDecision.values:
        raise ValidationError(DECISION_REQUIRED, code="decision_required")
    signal.status, signal.decision, signal.decision_note = SignalStatus.ASSESSED, decision, note.strip()
    if decision == SignalDecision.DEVIATION:
        signal.deviation = actions.deviation_create(
            provider=signal.provider, unit=signal.unit, by=by, source=Source.SIGNAL,
            requirement=f"{signal.get_source_display()}: {signal.theme.name}", text=signal.description,
            severity=Severity.SERIOUS if signal.severity >= SignalSeverity.SERIOUS else Severity.DEVIATION,
            source_ref=f"signal:{signal.pk}", found_on=timezone.localdate(),
        )
    elif decision == SignalDecision.INDEPTH:
        if case is None:
            case = Case.objects.filter(provider=signal.provider, area=signal.area).exclude(
                status=CaseStatus.CLOSED).first()
        if case is None:
            case = case_open(by=by, provider=signal.provider, area=signal.area, unit=signal.unit,
                             trigger=TriggerKind.SIGNALS, evidence=str(signal))
        signal.case = case
    signal.save()
    return signal


@transaction.atomic
def signal_close(*, signal: Signal, by) -> Signal:
    _officer(by, "signal.edit")
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if signal.status != SignalStatus.ASSESSED:
        raise ValidationError(WRONG_SIGNAL_STATE, code="wrong_state", params={"status": signal.get_status_display()})
    signal.status = SignalStatus.CLOSED
    signal.save()
    return signal


SIGNAL_COLUMNS = ["provider_id", "received_on", "source", "theme", "severity", "description"]


@dataclass
class SignalImportResult:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_signal_row(row, providers, themes, areas, today):
    problems, values = [], {}
    provider = providers.get(row.get("provider_id", ""))
    if provider is None:
        problems.append(_("okänd utförare ”%(v)s”") % {"v": row.get("provider_id", "")})
    try:
        values["received_on"] = date.fromisoformat(row.get("received_on", ""))
        if values["received_on"] > today or values["received_on"].year < 2000:
            problems.append(_("received_on ”%(v)s” ligger utanför rimliga datum") % {"v": row["received_on"]})
    except ValueError:
        problems.append(_("received_on måste vara ett datum ÅÅÅÅ-MM-DD, inte ”%(v)s”") % {"v": row.get("received_on")})
    if row.get("source") not in SignalSource.values:
        problems.append(_("source måste vara en av %(s)s, inte ”%(v)s”")
                        % {"s": ", ".join(SignalSource.values), "v": row.get("source", "")})
    theme = themes.get((row.get("theme") or "").lower())
    if theme is None:
        problems.append(_("okänt tema ”%(v)s”") % {"v": row.get("theme", "")})
    severity = row.get("severity", "")
    if severity not in {str(v) for v in SignalSeverity.values}:
        problems.append(_("severity måste vara 1–4, inte ”%(v)s”") % {"v": severity})
    description = row.get("description", "")
    if not description:
        problems.append(_("description saknas"))
    elif find_personnummer(description):
        problems.append(_("description innehåller något som ser ut som ett personnummer"))
    area = None
    if row.get("area"):
        area = areas.get(row["area"])
        if area is None:
            problems.append(_("okänt område ”%(v)s”") % {"v": row["area"]})
    if problems:
        return None, problems
    return dict(provider=provider, theme=theme, source=row["source"], severity=int(severity),
                description=description, area=area, received_on=values["received_on"]), []


def signals_import(*, data: bytes, by=None) -> SignalImportResult:
    """Import signals.csv (`provider_id, received_on, source, theme, severity, description`, optional `area`):
    all or nothing; each bad row reported with its line number. `by` None: the command line."""
    if by is not None:
        _officer(by, "signal.edit")
    result = SignalImportResult()
    try:
        header, rows = read_rows(data)
    except CsvError as exc:
        result.errors.append((0, str(exc)))
        return result
    missing = [c for c in SIGNAL_COLUMNS if c not in header]
    if missing:
        result.errors.append((1, _("Kolumner saknas: %(cols)s") % {"cols": ", ".join(missing)}))
        return result
    if not rows:
        result.errors.append((1, _("Filen har inga rader under rubrikraden.")))
        return result
    providers = {p.code: p for p in Provider.objects.all()}
    themes = {t.name.lower(): t for t in SignalTheme.objects.all()}
    areas = {a.code: a for a in Area.objects.all()}
    today = timezone.localdate()
    parsed = []
    for line, row in rows:
        values, problems = _parse_signal_row(row, providers, themes, areas, today)
        if problems:
            result.errors.append((line, "; ".join(problems)))
        else:
            parsed.append((line, values))
    if result.errors:
        return result
    with transaction.atomic():
        for line, values in parsed:
            try:
                _signal_new(by=by, shared=False, unit=None, **values)
            except ValidationError as exc:
                result.errors.append((line, "; ".join(exc.messages)))
        if result.errors:
            transaction.set_rollback(True)
            return result
    result.created = len(parsed)
    return result


def signals_import_file(*, path: Path, by=None) -> SignalImportResult:
    return signals_import(data=Path(path).read_bytes(), by=by)


# --- The case -----------------------------------------------------------------------------------

def _open(case: Case):
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(CASE_CLOSED, code="case_closed")


@transaction.atomic
def case_open(*, by, provider, area, trigger: str, evidence: str = "", unit=None, opened_on: date | None = None,
              signals=()) -> Case:
    """Open an in-depth follow-up; the checklist is copied from the area's template."""
    _officer(by)
    if not Contract.objects.filter(provider=provider, area=area).exists():
        raise ValidationError(NO_CONTRACT_IN_AREA, code="no_contract")
    if unit is not None and unit.provider_id != provider.pk:
        raise ValidationError(UNIT_OTHER_PROVIDER, code="unit_other_provider")
    case = Case(provider=provider, area=area, unit=unit, trigger=trigger, trigger_evidence=evidence,
                opened_on=opened_on or timezone.localdate(), opened_by=by)
    case.full_clean()
    case.save()
    items = ChecklistItem.objects.filter(active=True).filter(area__isnull=True) | ChecklistItem.objects.filter(
        active=True, area=area)
    for item in items.order_by("group", "order", "id"):
        CaseCheck.objects.create(case=case, group=item.group, text=item.text, order=item.order)
    for signal in signals:
        if signal.provider_id == provider.pk:
            signal.case = case
            signal.save()
    return case


@transaction.atomic
def case_plan_visit(*, case: Case, by, visit_on: date, visit_by: str) -> Case:
    _officer(by)
    _open(case)
    case.visit_on, case.visit_by = visit_on, visit_by.strip()
    if case.status == CaseStatus.OPEN:
        case.status = CaseStatus.PLANNED
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def case_record_visit(*, case: Case, by, visited_on: date, interviewed: str = "", interview_notes: str = "",
                      internal_notes: str | None = None) -> Case:
    _officer(by)
    _open(case)
    if visited_on > timezone.localdate():
        raise ValidationError(FUTURE_DATE, code="future_date")
    case.visited_on, case.interviewed, case.interview_notes = visited_on, interviewed.strip(), interview_notes.strip()
    if internal_notes is not None:
        case.internal_notes = internal_notes.strip()
    case.visit_on = case.visit_on or visited_on
    case.status = CaseStatus.VISITED
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def case_checks_save(*, case: Case, by, values: dict[int, tuple[str, str]]) -> None:
    """values: {check id: (result, comment)}."""
    _officer(by)
    _open(case)
    for check in case.checks.filter(pk__in=list(values)):
        result, comment = values[check.pk]
        if (check.result, check.comment) != (result, comment):
            check.result, check.comment = result, comment.strip()
            check.full_clean()
            check.save()


@transaction.atomic
def case_check_add(*, case: Case, by, group: str, text: str) -> CaseCheck:
    _officer(by)
    _open(case)
    check = CaseCheck(case=case, group=group, text=text.strip(), order=1000)
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def finding_add(*, case: Case, by, requirement_area: str, rating: str, text: str) -> Finding:
    _officer(by)
    _open(case)
    check_personnummer(text)
    finding = Finding(case=case, requirement_area=requirement_area.strip(), rating=rating, text=text.strip())
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def findings_to_deviations(*, case: Case, by, findings, plan_title: str = "", submit_within_weeks: int = 2):
    """Yellow and red findings → deviations (source: in-depth follow-up) and one action plan asked of
    the provider through the existing process. Returns the plan."""
    _officer(by)
    findings = list(findings)
    deviations = []
    for finding in findings:
        if finding.case_id != case.pk or finding.rating == FindingRating.GREEN:
            raise ValidationError(NOT_RED_OR_YELLOW, code="not_red_or_yellow")
        if finding.deviation_id:
            raise ValidationError(ALREADY_DEVIATION, code="already_deviation")
        finding.deviation = actions.deviation_create(
            provider=case.provider, unit=case.unit, by=by, source=Source.INDEPTH,
            requirement=finding.requirement_area, text=finding.text,
            severity=Severity.DEVIATION if finding.rating == FindingRating.RED else Severity.NOTE,
            source_ref=case.source_ref,
        )
        finding.save()
        deviations.append(finding.deviation)
    return actions.action_plan_request(
        deviations=deviations, by=by, submit_within_weeks=submit_within_weeks,
        title=plan_title or _("Fördjupad uppföljning %(date)s") % {"date": case.opened_on.isoformat()},
    )


@transaction.atomic
def bistand_notify(*, case: Case, by, recipient: str, text: str, sent_on: date | None = None) -> BistandNotice:
    """Record that bistånd was told clients may not get the help they are granted, with the text sent."""
    _officer(by)
    if not text.strip():
        raise ValidationError(TEXT_REQUIRED, code="text_required")
    check_personnummer(text)
    notice = BistandNotice(case=case, recipient=recipient.strip(), text=text.strip(),
                           sent_on=sent_on or timezone.localdate(), by=by)
    notice.full_clean()
    notice.save()
    return notice


@transaction.atomic
def case_close(*, case: Case, by, result: str, closed_on: date | None = None) -> Case:
    """Close with the result the provider sees. Records "fördjupad uppföljning genomförd" in the
    provider's history, which also stops the six-month clock of the registry."""
    _officer(by)
    _open(case)
    if not case.visited_on:
        raise ValidationError(CASE_NOT_VISITED, code="not_visited")
    if not result.strip():
        raise ValidationError(RESULT_REQUIRED, code="result_required")
    case.result, case.closed_on, case.status = result.strip(), closed_on or timezone.localdate(), CaseStatus.CLOSED
    case.full_clean()
    case.save()
    ProviderEvent.objects.create(provider=case.provider, area=case.area, unit=case.unit, kind=EventKind.INDEPTH_DONE,
                                 date=case.visited_on, note=str(case.get_trigger_display()))
    return case


# --- Sanctions and terminations -------------------------------------------------------------------

@transaction.atomic
def sanction_propose(*, case: Case, by, amount, clause: str, reason: str, proposed_on: date | None = None) -> Sanction:
    _officer(by)
    if amount is None or amount <= 0:
        raise ValidationError(AMOUNT_POSITIVE, code="amount_positive")
    sanction = Sanction(case=case, amount=amount, clause=clause.strip(), reason=reason.strip(),
                        proposed_on=proposed_on or timezone.localdate())
    sanction.full_clean()
    sanction.save()
    return sanction


def _decide(obj, *, approve: bool, decided_by: str, decision_on: date | None, note: str):
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    if obj.status != DecisionStatus.PROPOSED:
        raise ValidationError(ALREADY_DECIDED, code="already_decided")
    if not decided_by.strip() or decision_on is None:
        raise ValidationError(DECIDER_REQUIRED, code="decider_required")
    obj.status = DecisionStatus.DECIDED if approve else DecisionStatus.REJECTED
    obj.decided_by, obj.decision_on, obj.decision_note = decided_by.strip(), decision_on, note.strip()
    return obj


@transaction.atomic
def sanction_decide(*, sanction: Sanction, by, approve: bool, decided_by: str, decision_on: date,
                    note: str = "") -> Sanction:
    _officer(by)
    sanction = _decide(sanction, approve=approve, decided_by=decided_by, decision_on=decision_on, note=note)
    sanction.full_clean()
    sanction.save()
    return sanction


def _check_last_day(contract: Contract, last_day: date):
    if last_day < contract.start:
        raise ValidationError(LAST_DAY_BEFORE_START, code="last_day_before_start")
    if contract.end and contract.end < last_day:
        raise ValidationError(LAST_DAY_AFTER_END, code="contract_ends_earlier", params={"end": contract.end})


@transaction.atomic
def termination_propose(*, case: Case, by, contract: Contract, reason: str, notice: str, last_day: date,
                        initiator: str = "municipality", proposed_on: date | None = None) -> Termination:
    _officer(by)
    if contract.provider_id != case.provider_id:
        raise ValidationError(CONTRACT_OTHER, code="contract_other")
    _check_last_day(contract, last_day)
    termination = Termination(case=case, contract=contract, reason=reason.strip(), notice=notice.strip(),
                              last_day=last_day, initiator=initiator, proposed_on=proposed_on or timezone.localdate())
    termination.full_clean()
    termination.save()
    return termination


@transaction.atomic
def termination_decide(*, termination: Termination, by, approve: bool, decided_by: str, decision_on: date,
                       note: str = "", last_day: date | None = None) -> Termination:
    """A decided termination ends the contract in the registry on its last day: the contract's end date
    becomes the last day (in force through that day), so the providers table and the matrices follow;
    the provider's history gets the termination event."""
    _officer(by)
    termination = _decide(termination, approve=approve, decided_by=decided_by, decision_on=decision_on, note=note)
    if last_day is not None:
        termination.last_day = last_day
    if approve:
        contract = Contract.objects.select_for_update().get(pk=termination.contract_id)
        if termination.last_day < decision_on:
            raise ValidationError(LAST_DAY_BEFORE_DECISION, code="last_day_before_decision")
        _check_last_day(contract, termination.last_day)
        contract.end = termination.last_day
        contract.full_clean()
        contract.save()
        # One termination event per contract end in the history (one may already have been recorded by hand).
        event, _created = ProviderEvent.objects.get_or_create(
            provider=contract.provider, area=contract.area, kind=EventKind.TERMINATION, date=termination.last_day)
        event.note = f"{termination.get_initiator_display()}: {termination.reason}"[:500]
        event.save()
    termination.full_clean()
    termination.save()
    return termination


# --- Settings: themes, thresholds, checklist template, risk weights ----------------------------------

@transaction.atomic
def formset_save(*, formset, by) -> None:
    """Save an officers' settings formset (themes, signal thresholds, checklist template)."""
    _officer(by)
    for obj in formset.save(commit=False):
        obj.full_clean()
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()


@transaction.atomic
def risk_weights_save(*, values: dict, by) -> None:
    from .models import RiskWeight
    from .risk import WEIGHTS

    _officer(by)
    for key, value in values.items():
        if key not in WEIGHTS:
            continue
        weight = RiskWeight.objects.filter(key=key).first() or RiskWeight(key=key)
        if weight.value != value:
            weight.value = value
            weight.full_clean()
            weight.save()
