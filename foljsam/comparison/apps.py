from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonConfig(AppConfig):
    name = "foljsam.comparison"
    label = "comparison"
    verbose_name = "Jämförelser och publicering"

    def ready(self):
        from foljsam.home import register_nav

        register_nav(label=_("Jämförelser"), url_name="comparison:index", capability="comparison.view", order=60)
