from django.apps import AppConfig


class IndepthConfig(AppConfig):
    name = "foljsam.indepth"
    label = "indepth"
    verbose_name = "Signaler och fördjupad uppföljning"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from foljsam.home import register_nav

        from . import panels  # noqa: F401  (start-page panels and the provider section)

        register_nav(label=_("Signaler"), url_name="indepth:signals", capability="signal.view", order=40)
        register_nav(label=_("Fördjupad uppföljning"), url_name="indepth:cases", capability="indepth.view", order=41)
        register_nav(label=_("Risk"), url_name="indepth:risk", capability="indepth.propose.view", order=42)
