from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonthlyConfig(AppConfig):
    name = "foljsam.monthly"
    label = "monthly"
    verbose_name = "Månadsuppföljning hemtjänst"

    def ready(self):
        from foljsam.home import register_nav

        from . import panels  # noqa: F401  (start-page panel and provider section)

        register_nav(label=_("Månadsuppföljning"), url_name="monthly:matrix",
                     capability="monthly.view", order=30)
