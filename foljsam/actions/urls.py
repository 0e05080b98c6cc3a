from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("avvikelser/", views.deviation_list, name="deviations"),
    path("avvikelser/ny/", views.deviation_create, name="deviation_create"),
    path("avvikelser/<int:pk>/", views.deviation_detail, name="deviation"),
    path("avvikelser/<int:deviation_pk>/begar-atgardsplan/", views.plan_request, name="plan_request"),
    path("atgardsplaner/", views.plan_list, name="plans"),
    path("atgardsplaner/<int:pk>/", views.plan_detail, name="plan"),
    path("atgardsplaner/<int:pk>/<slug:step>/", views.plan_step, name="plan_step"),
]
