from django.urls import path

from . import views

app_name = "comparison"
urlpatterns = [
    path("jamfor/", views.public_index, name="public_index"),
    path("jamfor/<slug:area_code>/", views.public_area, name="public_area"),
    path("jamforelse/", views.index, name="index"),
    path("jamforelse/publicera/", views.publish, name="publish"),
    path("jamforelse/publicering/<int:pk>/dra-tillbaka/", views.withdraw, name="withdraw"),
    path("jamforelse/kolada/", views.kolada_upload, name="kolada_upload"),
    path("jamforelse/profil/<int:provider_pk>/", views.profile_edit, name="profile"),
]
