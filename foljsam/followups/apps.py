from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "foljsam.followups"
    label = "followups"
    verbose_name = "Avtalsuppföljning"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from foljsam.accounts.policy import OWN
        from foljsam.home import register_nav

        from . import panels  # noqa: F401  (registers the start-page panels and the provider section)

        register_nav(label=_("Avtalsuppföljning"), url_name="followups:campaigns", capability="campaign.view", order=30)
        register_nav(label=_("Avtalsuppföljning"), url_name="followups:portal", capability="followup.answer",
                     scopes=OWN, order=30)
