from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "foljsam.planning"
    label = "planning"
    verbose_name = "Uppföljningsplan, kvalitetsundersökningar och dialogmöten"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from foljsam.home import register_nav

        from . import signals  # noqa: F401  (links realised campaigns to the plan)

        register_nav(label=_("Uppföljningsplan"), url_name="planning:plan",
                     capability="followup_plan.view", order=20)
        register_nav(label=_("Kvalitetsundersökningar"), url_name="planning:studies",
                     capability="study.view", order=44)
        register_nav(label=_("Dialogmöten"), url_name="planning:meetings",
                     capability="meeting.view", order=45)
