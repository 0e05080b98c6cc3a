from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("avtalsuppfoljning/", views.campaign_list, name="campaigns"),
    path("avtalsuppfoljning/ny/", views.campaign_create, name="campaign_create"),
    path("avtalsuppfoljning/ar/<int:year>/", views.year_summary, name="year_summary"),
    path("avtalsuppfoljning/<int:pk>/", views.campaign_detail, name="campaign"),
    path("avtalsuppfoljning/<int:pk>/skicka/", views.campaign_send, name="campaign_send"),
    path("avtalsuppfoljning/<int:pk>/paminn/", views.campaign_remind, name="campaign_remind"),
    path("avtalsuppfoljning/<int:pk>/resultat/", views.campaign_results, name="results"),
    path("avtalsuppfoljning/<int:pk>/resultat.<str:fmt>", views.campaign_export, name="results_export"),
    path("avtalsuppfoljning/bedomning/<int:pk>/", views.assessment_detail, name="assessment"),
    path("avtalsuppfoljning/bedomning/<int:pk>/bedom/", views.assessment_ratings, name="assessment_ratings"),
    path("avtalsuppfoljning/bedomning/<int:pk>/intervju/", views.assessment_interview, name="assessment_interview"),
    path("avtalsuppfoljning/bedomning/<int:pk>/sakgranskning/", views.assessment_factcheck,
         name="assessment_factcheck"),
    path("avtalsuppfoljning/bedomning/<int:pk>/slutfor/", views.assessment_finalise, name="assessment_finalise"),
    path("avtalsuppfoljning/vardering/<int:pk>/", views.area_override_view, name="area_override"),
    path("avtalsuppfoljning/svar/<int:pk>/bedom/", views.answer_rate, name="answer_rate"),
    path("avtalsuppfoljning/svar/<int:pk>/stickprov/", views.sample_save_view, name="sample_save"),
    path("avtalsuppfoljning/svar/<int:pk>/komplettering/", views.completion_request_view, name="completion_request"),
    path("portal/", views.portal, name="portal"),
    path("portal/<int:pk>/", views.portal_assessment, name="portal_assessment"),
    path("portal/<int:pk>/sakgranskning/", views.portal_factcheck, name="portal_factcheck"),
    path("portal/svar/<int:pk>/komplettering/", views.portal_completion, name="portal_completion"),
    path("portal/dokument/<int:pk>/", views.document_download, name="document"),
    path("portal/dokument/<int:pk>/ta-bort/", views.document_delete_view, name="document_delete"),
]
