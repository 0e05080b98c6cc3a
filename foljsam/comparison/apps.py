from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonConfig(AppConfig):
    name = "foljsam.comparison"
    label = "comparison"
    verbose_name = "Jämförelser och publicering"

    def ready(self):
        from foljsam.home import register_nav

        register_nav(label=_("Jämförelser"), url_name="comparison:index", roles=("officer", "reader"), order=60)
