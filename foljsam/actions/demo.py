"""Demo municipality, part 2: deviations and action plans in every state."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .models import ActionPlan, PlanStep, Severity, Source


def _backdate(plan, days):
    """Move a plan's history `days` into the past, as if it had been going on for a while."""
    ActionPlan.objects.filter(pk=plan.pk).update(
        submit_by=plan.submit_by - timedelta(days=days),
        complete_by=(plan.complete_by - timedelta(days=days)) if plan.complete_by else None,
    )
    for step in plan.steps.all():
        PlanStep.objects.filter(pk=step.pk).update(at=step.at - timedelta(days=days))
    plan.deviations.update(found_on=timezone.localdate() - timedelta(days=days))


def load(ctx: dict) -> None:
    officer, hc = ctx["users"]["uppfoljare"], ctx["home_care"]
    aros_user, eveo_user = ctx["users"]["aros"], ctx["users"]["eveo"]

    def dev(code, source, requirement, text, severity=Severity.DEVIATION):
        return services.deviation_create(provider=hc[code], by=officer, source=source, requirement=requirement,
                                         text=text, severity=severity)

    # Requested and overdue: the provider has not answered.
    d = dev("HT-NYCKELN", Source.CONTRACT_FOLLOWUP, "Registrering hos kontrollmyndighet för livsmedel",
            "Enheten är inte registrerad hos kontrollmyndigheten för hantering av matlådor.")
    plan = services.action_plan_request(deviations=[d], by=officer, title="Livsmedelsregistrering",
                                        submit_within_weeks=2)
    _backdate(plan, 30)

    # Submitted by the provider: waiting for the officer's review.
    d = dev("HT-EVEO", Source.CONTRACT_FOLLOWUP, "Rutin för hjälpmedel",
            "Skriftlig rutin för hjälpmedel saknas.")
    plan = services.action_plan_request(deviations=[d], by=officer, title="Rutin för hjälpmedel")
    services.action_plan_submit(plan=plan, by=eveo_user, cause="Rutinen föll bort vid byte av ledningssystem.",
                                measures="Ny rutin skrivs och gås igenom på APT i nästa månad.",
                                responsible="Verksamhetsansvarig")
    _backdate(plan, 5)

    # Approved, being carried out (monthly follow-up finding).
    d1 = dev("HT-AROS", Source.MONTHLY, "Manuell registrering (manual_share)",
             "Andelen manuellt registrerade besök var 12 % i september, över kravet på högst 10 %.")
    d2 = dev("HT-AROS", Source.MONTHLY, "Generella kvittenser (generic_share)",
             "Generella in- och utkvittenser utan personal i 6 % av besöken.", Severity.NOTE)
    plan = services.action_plan_request(deviations=[d1, d2], by=officer, title="Tids- och insatsregistrering")
    services.action_plan_submit(plan=plan, by=aros_user, measures="Alla medarbetare får personliga NFC-taggar "
                                "och utbildning i appen. Chefen följer upp veckovis.", responsible="Amina Aros")
    services.action_plan_approve(plan=plan, by=officer, complete_within_weeks=4)
    _backdate(plan, 10)

    # Carried out: waiting for the officer's verification.
    d = dev("HT-SAAND", Source.CONTRACT_FOLLOWUP, "Tvätt av arbetskläder", "Arbetskläder tvättas i hemmet.")
    plan = services.action_plan_request(deviations=[d], by=officer, title="Tvätt av arbetskläder")
    services.action_plan_submit(plan=plan, by=officer, measures="Avtal med tvätteri tecknat.")
    services.action_plan_approve(plan=plan, by=officer)
    services.action_plan_carry_out(plan=plan, by=officer, comment="Tvätteriet hämtar två gånger i veckan.")
    _backdate(plan, 40)

    # Returned with comments.
    d = dev("HT-LINNEA", Source.INDEPTH, "Genomförandeplaner upprättas inom en månad",
            "Stickprov: 4 av 10 genomförandeplaner upprättades för sent.")
    plan = services.action_plan_request(deviations=[d], by=officer, title="Genomförandeplaner i tid")
    services.action_plan_submit(plan=plan, by=officer, measures="Vi ska bli bättre.")
    services.action_plan_return(plan=plan, by=officer, comment="Ange konkreta åtgärder, ansvarig och tidplan.")
    _backdate(plan, 3)

    # Verified and closed.
    d = dev("HT-TRYGGA", Source.INDEPTH, "Nyckelhantering", "Kvittens av nycklar saknades vid besöket.")
    plan = services.action_plan_request(deviations=[d], by=officer, title="Nyckelhantering")
    services.action_plan_submit(plan=plan, by=officer, measures="Digital nyckelhantering införd.")
    services.action_plan_approve(plan=plan, by=officer)
    services.action_plan_carry_out(plan=plan, by=officer)
    services.action_plan_verify(plan=plan, by=officer, comment="Kontrollerat vid uppföljningsbesök.")
    _backdate(plan, 60)

    # A signal without a plan yet.
    dev("HT-EVEO", Source.SIGNAL, "Klagomål", "Anhörig klagar på att besök uteblivit två kvällar i rad.")
