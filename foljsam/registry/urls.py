from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("utforare/", views.provider_list, name="providers"),
    path("utforare/ny/", views.provider_edit, name="provider_create"),
    path("utforare/importera/", views.provider_import, name="provider_import"),
    path("utforare/<int:pk>/", views.provider_detail, name="provider"),
    path("utforare/<int:pk>/andra/", views.provider_edit, name="provider_edit"),
    path("utforare/<int:provider_pk>/<slug:kind>/ny/", views.child_create, name="child_create"),
    path("registret/", views.settings_list, name="settings"),
    path("registret/<slug:kind>/ny/", views.settings_edit, name="settings_create"),
    path("registret/<slug:kind>/<int:pk>/andra/", views.child_or_settings_edit, name="edit"),
    path("registret/<slug:kind>/<int:pk>/ta-bort/", views.child_delete, name="child_delete"),
]
