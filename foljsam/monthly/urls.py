from django.urls import path

from . import views

app_name = "monthly"
urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("utforare/<int:pk>/", views.provider_detail, name="provider"),
    path("utforare/<int:pk>/<str:period>/<slug:key>/", views.flagged, name="flagged"),
    path("utforare/<int:pk>/<str:period>/<slug:key>/avvikelse/", views.figure_deviation, name="figure_deviation"),
    path("import/", views.imports, name="imports"),
    path("import/<int:pk>/", views.import_detail, name="import"),
    path("import/<int:pk>/bekrafta/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/avbryt/", views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/avvisade.csv", views.import_rejects_csv, name="import_rejects"),
    path("troskelvarden/", views.thresholds, name="thresholds"),
    path("troskelvarden/<slug:key>/", views.threshold_edit, name="threshold_edit"),
    path("omfattning/", views.scopes, name="scopes"),
    path("mappningar/", views.mappings, name="mappings"),
    path("mappningar/ny/", views.mapping_edit, name="mapping_create"),
    path("mappningar/<int:pk>/", views.mapping_edit, name="mapping_edit"),
    path("mappningar/<int:pk>/ta-bort/", views.mapping_delete, name="mapping_delete"),
    path("kvartal/<str:quarter>.<str:fmt>", views.quarter_export, name="quarter_export"),
    path("kvartal/<str:quarter>/skicka/", views.quarter_send, name="quarter_send"),
]
