from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonConfig(AppConfig):
    name = "foljsam.comparison"
    label = "comparison"
    verbose_name = "Jämförelser och publicering"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from foljsam.home import register_nav

        from .fastpath import bump_stamp
        from .models import Publication

        # Publish and withdraw reach every worker's stored public pages at once (fastpath.py).
        post_save.connect(bump_stamp, sender=Publication, dispatch_uid="jamfor-stamp-save")
        post_delete.connect(bump_stamp, sender=Publication, dispatch_uid="jamfor-stamp-delete")

        register_nav(label=_("Jämförelser"), url_name="comparison:index", capability="comparison.view", order=60)
