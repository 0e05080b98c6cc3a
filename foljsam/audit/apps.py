from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "foljsam.audit"
    label = "audit"
    verbose_name = "Ändringslogg"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login/logout receivers)
