from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "foljsam.audit"
    label = "audit"
    verbose_name = "Ändringslogg"
