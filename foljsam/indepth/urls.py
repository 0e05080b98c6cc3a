from django.urls import path

from . import views

app_name = "indepth"
urlpatterns = [
    path("signaler/", views.signal_list, name="signals"),
    path("signaler/ny/", views.signal_create, name="signal_create"),
    path("signaler/kontroll/", views.signal_check, name="signal_check"),
    path("signaler/importera/", views.signal_import, name="signal_import"),
    path("signaler/<int:pk>/", views.signal_detail, name="signal"),
    path("signaler/<int:pk>/andra/", views.signal_edit, name="signal_edit"),
    path("signaler/<int:pk>/bedom/", views.signal_assess, name="signal_assess"),
    path("signaler/<int:pk>/avsluta/", views.signal_close, name="signal_close"),
    path("fordjupad/", views.case_list, name="cases"),
    path("fordjupad/forslag/", views.proposal_list, name="proposals"),
    path("fordjupad/ny/", views.case_create, name="case_create"),
    path("fordjupad/installningar/", views.settings_view, name="settings"),
    path("fordjupad/<int:pk>/", views.case_detail, name="case"),
    path("fordjupad/<int:pk>/planera-besok/", views.case_plan_visit, name="case_plan_visit"),
    path("fordjupad/<int:pk>/besok/", views.case_record_visit, name="case_record_visit"),
    path("fordjupad/<int:pk>/checklista/", views.case_checks, name="case_checks"),
    path("fordjupad/<int:pk>/kontrollpunkt/", views.case_check_add, name="case_check_add"),
    path("fordjupad/<int:pk>/iakttagelse/", views.case_finding, name="case_finding"),
    path("fordjupad/<int:pk>/avvikelser/", views.case_deviations, name="case_deviations"),
    path("fordjupad/<int:pk>/bistand/", views.case_bistand, name="case_bistand"),
    path("fordjupad/<int:pk>/vite/", views.case_sanction, name="case_sanction"),
    path("fordjupad/<int:pk>/avsluta-avtal/", views.case_termination, name="case_termination"),
    path("fordjupad/<int:pk>/avsluta/", views.case_close, name="case_close"),
    path("fordjupad/vite/<int:pk>/beslut/", views.sanction_decide, name="sanction_decide"),
    path("fordjupad/avsluta-avtal/<int:pk>/beslut/", views.termination_decide, name="termination_decide"),
    path("risk/", views.risk_view, name="risk"),
    path("rapporter/fordjupad/", views.board_view, name="board"),
]
