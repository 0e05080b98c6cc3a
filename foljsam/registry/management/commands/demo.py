import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from foljsam.audit.context import acting_user
from foljsam.registry.demo import DEMO_PASSWORD, DEMO_USERS
from foljsam.registry.models import Provider


class Command(BaseCommand):
    help = "Laddar demokommunen (bara i en tom databas)."

    def handle(self, *args, **options):
        if Provider.objects.exists():
            self.stdout.write("Databasen innehåller redan utförare; demon laddas inte igen.")
            return
        ctx: dict = {}
        with acting_user(None), transaction.atomic():
            # Every installed app may add its part in `<app>/demo.py: load(ctx)`, in INSTALLED_APPS order.
            for config in apps.get_app_configs():
                if not config.name.startswith("foljsam."):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                self.stdout.write(f"Laddar demo: {config.verbose_name} …")
                module.load(ctx)
        self.stdout.write(self.style.SUCCESS("Demokommunen är laddad. Inloggningar (lösenord för alla: "
                                             f"{DEMO_PASSWORD}):"))
        for username, full_name, role, _code in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role.label}: {full_name}")
