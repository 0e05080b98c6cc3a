from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foljsam.accounts import policy
from foljsam.accounts.policy import require
from foljsam.lib.documents import docx_response, pdf_response, render_pdf
from foljsam.lib.forms import parse_pk
from foljsam.lib.outline import to_docx
from foljsam.registry.forms import YearForm
from foljsam.registry.models import Board
from foljsam.registry.selectors import providers_table

from .forms import SectionTextForm
from .models import SectionText
from .services import section_text_save


@require("reports.view")
def providers_table_view(request):
    form = YearForm(request.GET or {"year": timezone.localdate().year - 1})
    table = None
    boards = Board.objects.all()
    board = boards.filter(pk=parse_pk(request.GET.get("namnd"))).first()
    if form.is_valid():
        table = providers_table(year=form.cleaned_data["year"], board=board)
    return render(request, "reports/providers_table.html",
                  {"form": form, "table": table, "boards": boards, "board": board},
                  status=200 if form.is_valid() else 400)


@require("reports.view")
def report_index(request):
    return render(request, "reports/index.html", {"last_year": timezone.localdate().year - 1})


def _report_year(value) -> int | None:
    year = parse_pk(str(value))
    return year if year and 2000 <= year <= 2100 else None


@require("reports.view")
def yearly(request, year):
    from .yearly import SECTIONS, providers_chart, share_chart, yearly_report

    if _report_year(year) is None:
        raise Http404
    data = yearly_report(year)
    return render(request, "reports/yearly.html", {
        "data": data, "year": year, "forms": _section_forms(request, SECTIONS, data["sections"]),
        "section_url": "reports:yearly_section",
        "chart": providers_chart(data), "share_chart": share_chart(data),
        "versions": SectionText.objects.filter(report="yearly", year=year).select_related("by"),
    })


def _save_section(request, *, report: str, year, section: str, page: str):
    from .services import report_sections

    if _report_year(year) is None or section not in report_sections(report):
        raise Http404
    form = SectionTextForm(request.POST, prefix=section)
    if form.is_valid():
        try:
            section_text_save(year=year, section=section, text=form.cleaned_data["text"], by=request.user,
                              based_on=form.cleaned_data["based_on"], report=report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Texten är sparad som en ny version."))
    else:
        messages.error(request, _("Texten kunde inte sparas."))
    return redirect(f"{reverse(page, args=[year])}#avsnitt-{section}")


def _section_forms(request, sections: dict, data_sections: dict) -> dict:
    if not policy.can(request.user, "reports.edit"):
        return {}
    return {key: SectionTextForm(prefix=key, initial={"text": data_sections[key]["text"],
                                                      "based_on": data_sections[key]["version"]})
            for key in sections}


def _outline_download(outline, name: str, fmt: str):
    """One report outline as the Word file officers finish or the PDF (the same outline for both)."""
    if fmt == "docx":
        return docx_response(to_docx(outline), f"{name}.docx")
    return pdf_response(render_pdf("documents/outline.html", {"outline": outline}), f"{name}.pdf")


@require("reports.edit")
@require_POST
def yearly_section(request, year, section):
    return _save_section(request, report="yearly", year=year, section=section, page="reports:yearly")


@require("reports.view")
def yearly_document(request, year, fmt):
    from .yearly import yearly_outline, yearly_report

    if _report_year(year) is None or fmt not in ("docx", "pdf"):
        raise Http404
    return _outline_download(yearly_outline(yearly_report(year)), f"uppfoljning-{year}", fmt)


@require("reports.view")
def quality(request, year):
    """The quality report (seed 003): the data per section and the officer's prose, saved in versions."""
    from .quality import SECTIONS, deviations_chart, quality_report

    if _report_year(year) is None:
        raise Http404
    data = quality_report(year)
    return render(request, "reports/quality.html", {
        "data": data, "year": year, "forms": _section_forms(request, SECTIONS, data["sections"]),
        "section_url": "reports:quality_section", "deviations_chart": deviations_chart(data),
        "versions": SectionText.objects.filter(report="quality", year=year).select_related("by"),
    })


@require("reports.edit")
@require_POST
def quality_section(request, year, section):
    return _save_section(request, report="quality", year=year, section=section, page="reports:quality")


@require("reports.view")
def quality_document(request, year, fmt):
    from .quality import quality_outline, quality_report

    if _report_year(year) is None or fmt not in ("docx", "pdf"):
        raise Http404
    return _outline_download(quality_outline(quality_report(year)), f"kvalitetsberattelse-{year}", fmt)
