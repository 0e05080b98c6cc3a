from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "foljsam.registry"
    label = "registry"
    verbose_name = "Utförarregister"

    def ready(self):
        from . import panels  # noqa: F401  (registers the start-page panels)
