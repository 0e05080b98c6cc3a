from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "foljsam.catalogue"
    label = "catalogue"
    verbose_name = "Kravkatalog"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from foljsam.home import register_nav

        register_nav(label=_("Kravkatalog"), url_name="catalogue:list", capability="catalogue.view", order=40)
