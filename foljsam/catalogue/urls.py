from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("kravkatalog/", views.catalogue_list, name="list"),
    path("kravkatalog/ny/", views.catalogue_edit, name="create"),
    path("kravkatalog/importera/", views.catalogue_import_view, name="import"),
    path("kravkatalog/enhetstyper/", views.unit_types, name="unit_types"),
    path("kravkatalog/enhetstyper/ny/", views.unit_type_create, name="unit_type_create"),
    path("kravkatalog/enhetstyper/<int:pk>/ta-bort/", views.unit_type_delete_view, name="unit_type_delete"),
    path("kravkatalog/<int:pk>/", views.catalogue_detail, name="detail"),
    path("kravkatalog/<int:pk>/andra/", views.catalogue_edit, name="edit"),
    path("kravkatalog/<int:pk>/ny-version/", views.catalogue_copy_view, name="copy"),
    path("kravkatalog/<int:pk>/export.<str:fmt>", views.catalogue_export, name="export"),
    path("kravkatalog/<int:pk>/omrade/ny/", views.area_edit, name="area_create"),
    path("kravkatalog/omrade/<int:area_pk>/andra/", views.area_edit, name="area_edit"),
    path("kravkatalog/omrade/<int:area_pk>/krav/nytt/", views.requirement_edit, name="requirement_create"),
    path("kravkatalog/krav/<int:req_pk>/andra/", views.requirement_edit, name="requirement_edit"),
    path("kravkatalog/krav/<int:req_pk>/ta-bort/", views.requirement_delete_view, name="requirement_delete"),
]
