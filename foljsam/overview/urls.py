from django.urls import path

from . import views

app_name = "overview"
urlpatterns = [
    path("utforaroversikt/", views.overview, name="overview"),
    path("utforaroversikt/begar-kvalitetsberattelser/", views.request_narratives, name="request_narratives"),
    path("utforaroversikt/import/", views.import_figures, name="import"),
    path("kvalitetsberattelser/", views.narratives, name="narratives"),
    path("kvalitetsberattelser/<int:pk>/", views.narrative, name="narrative"),
]
