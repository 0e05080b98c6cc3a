from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("logg/", views.audit_log, name="log"),
    path("logg/atkomst/", views.access_log, name="access"),
]
