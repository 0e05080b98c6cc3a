from django.shortcuts import render
from django.utils import timezone

from foljsam.accounts.policy import require
from foljsam.lib.forms import parse_pk
from foljsam.registry.forms import YearForm
from foljsam.registry.models import Board
from foljsam.registry.selectors import providers_table


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
    return render(request, "reports/index.html")
