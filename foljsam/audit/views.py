from django.core.paginator import Paginator
from django.shortcuts import render

from foljsam.accounts.policy import require

from .models import AuditEntry


@require("audit.view")
def audit_log(request):
    entries = AuditEntry.objects.all()
    model, user = request.GET.get("typ", ""), request.GET.get("anvandare", "")
    if model:
        entries = entries.filter(model=model)
    if user:
        entries = entries.filter(username__icontains=user)
    page = Paginator(entries, 50).get_page(request.GET.get("sida"))
    models = AuditEntry.objects.order_by("model").values_list("model", flat=True).distinct()
    return render(request, "audit/log.html", {"page": page, "models": models, "model": model, "user_q": user})
