from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("rapporter/", views.report_index, name="index"),
    path("rapporter/utforartabell/", views.providers_table_view, name="providers_table"),
    path("rapporter/arsrapport/<int:year>/", views.yearly, name="yearly"),
    path("rapporter/arsrapport/<int:year>/avsnitt/<slug:section>/", views.yearly_section, name="yearly_section"),
    path("rapporter/arsrapport/<int:year>/rapport.<str:fmt>", views.yearly_document, name="yearly_document"),
    path("rapporter/kvalitetsberattelse/<int:year>/", views.quality, name="quality"),
    path("rapporter/kvalitetsberattelse/<int:year>/avsnitt/<slug:section>/", views.quality_section,
         name="quality_section"),
    path("rapporter/kvalitetsberattelse/<int:year>/rapport.<str:fmt>", views.quality_document,
         name="quality_document"),
]
