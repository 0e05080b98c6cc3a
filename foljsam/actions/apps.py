from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "foljsam.actions"
    label = "actions"
    verbose_name = "Avvikelser och åtgärdsplaner"

    def ready(self):
        from . import panels  # noqa: F401  (registers the start-page panels)
