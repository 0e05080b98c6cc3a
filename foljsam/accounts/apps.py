from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "foljsam.accounts"
    label = "accounts"
    verbose_name = "Användare och behörighet"
