import logging
import os
import socket

from django.core.management.base import BaseCommand, CommandError
from django_tasks_db.management.commands.db_worker import Worker

from foljsam.ops import worker


class Command(BaseCommand):
    help = ("Kör bakgrundsjobben: importer, omräkning av nyckeltal, e-post och påminnelser, samt det "
            "schemalagda (inkorgen, påminnelser, gallring; foljsam/ops/schedule.py). En worker per installation.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Sekunder mellan kontroller av kön.")
        parser.add_argument("--no-schedule", action="store_true", help="Kör inte det schemalagda.")
        parser.add_argument("--batch", action="store_true", help="Kör det som står i kö och avsluta.")

    def handle(self, *args, **options):
        handler = logging.StreamHandler(self.stdout)
        for name in ("foljsam.worker", "django_tasks_db", "django_tasks"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
            if not logger.handlers:
                logger.addHandler(handler)
        try:
            held = worker.lock()
        except worker.AlreadyRunning as exc:
            raise CommandError(f"En annan worker körs redan (låset {exc} är taget).") from exc
        closed = worker.recover()
        self.stdout.write(f"Worker startad (pid {os.getpid()}); {closed} avbrutna jobb stängda.")
        scheduler = None
        if not options["no_schedule"] and not options["batch"]:
            scheduler = worker.Scheduler()
            scheduler.start()
        loop = Worker(queue_names=["*"], interval=options["interval"], batch=options["batch"],
                      backend_name="default", startup_delay=False, max_tasks=None,
                      worker_id=f"{socket.gethostname()}:{os.getpid()}"[:64], excluded_queue_names=[])
        loop.configure_signals()
        try:
            loop.run()
        finally:
            if scheduler:
                scheduler.stopped.set()
            held.close()
