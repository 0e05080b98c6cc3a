from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "foljsam.registry"
    label = "registry"
    verbose_name = "Utförarregister"
