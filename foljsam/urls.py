from django.urls import include, path
from django.views.i18n import set_language

from . import home

urlpatterns = [
    path("", home.home, name="home"),
    path("konto/", include("foljsam.accounts.urls")),
    path("sprak/", set_language, name="set_language"),
    path("", include("foljsam.registry.urls")),
    path("", include("foljsam.actions.urls")),
    path("", include("foljsam.catalogue.urls")),
    path("", include("foljsam.followups.urls")),
    path("manadsuppfoljning/", include("foljsam.monthly.urls")),
    path("", include("foljsam.reports.urls")),
    path("", include("foljsam.audit.urls")),
    path("", include("foljsam.comparison.urls")),
]
