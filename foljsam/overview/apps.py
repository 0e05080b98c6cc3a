from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "foljsam.overview"
    label = "overview"
    verbose_name = "Utföraröversikt"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from foljsam.home import register_nav

        from . import panels  # noqa: F401  (registers the provider start-page panel)

        register_nav(label=_("Utföraröversikt"), url_name="overview:overview",
                     capability="overview.view", order=25)
