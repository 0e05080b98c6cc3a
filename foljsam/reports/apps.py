from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "foljsam.reports"
    label = "reports"
    verbose_name = "Rapporter"
