from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc, views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("tvastegsverifiering/", views.totp_step, name="totp"),
    path("oidc/start/", oidc.OIDCStartView.as_view(), name="oidc_start"),
    path("oidc/callback/", oidc.OIDCCallbackView.as_view(), name="oidc_callback"),
    path("anvandare/", views.user_list, name="users"),
    path("anvandare/ny/", views.user_edit, name="user_create"),
    path("anvandare/<int:pk>/", views.user_edit, name="user_edit"),
    path("anvandare/<int:pk>/tvasteg/ta-bort/", views.user_totp_reset, name="user_totp_reset"),
]
