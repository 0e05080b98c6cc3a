"""A new contract follow-up campaign realises the plan's item of its area and year."""

from django.apps import apps
from django.db.models.signals import post_save


def _campaign_saved(sender, instance, created, **kwargs):
    if created:
        from .services import link_realised

        link_realised(obj=instance)


if apps.is_installed("foljsam.followups"):
    post_save.connect(_campaign_saved, sender="followups.Campaign", dispatch_uid="planning_campaign_realises")
