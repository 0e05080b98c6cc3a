from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Följsam: backup/restore commands and the local secrets of `make serve`. No models."""

    name = "foljsam.ops"
    label = "ops"
    verbose_name = "Drift"
