from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("rapporter/", views.report_index, name="index"),
    path("rapporter/utforartabell/", views.providers_table_view, name="providers_table"),
]
