from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("plan/generera/", views.plan_generate, name="generate"),
    path("plan/ny/", views.plan_item_add, name="item_add"),
    path("plan/<int:pk>/", views.plan_item_edit, name="item"),
    path("plan/dokument.<str:fmt>", views.plan_document, name="document"),
    path("dialogmoten/", views.meetings, name="meetings"),
    path("dialogmoten/nytt/", views.meeting_create, name="meeting_create"),
    path("dialogmoten/<int:pk>/", views.meeting, name="meeting"),
    path("dialogmoten/<int:pk>/<slug:step>/", views.meeting_step, name="meeting_step"),
    path("kvalitetsundersokningar/", views.studies, name="studies"),
    path("kvalitetsundersokningar/ny/", views.study_edit, name="study_create"),
    path("kvalitetsundersokningar/<int:pk>/", views.study, name="study"),
    path("kvalitetsundersokningar/<int:pk>/andra/", views.study_edit, name="study_edit"),
    path("kvalitetsundersokningar/<int:pk>/aterkoppling/", views.study_feedback, name="study_feedback"),
    path("kvalitetsundersokningar/<int:pk>/rapport.<str:fmt>", views.study_document, name="study_document"),
]
