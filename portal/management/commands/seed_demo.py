"""``manage.py seed_demo``: the demo city 青岚市, seeded by ``portal.demo.seed``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Seed the demo database with the fictional city 青岚市 (idempotent)."
    # Seeding needs no system checks; skipping them (and the URLconf import) saves seconds.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--complaints",
            type=int,
            default=500,
            help="How many complaints the database should hold at least (default 500).",
        )

    def handle(self, *args, complaints: int, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo writes well-known passwords; it runs only with DEBUG=1 / 仅限演示环境"
            )
        if complaints < 0:
            raise CommandError("--complaints must not be negative")
        seed_demo(complaints, write=self.stdout.write, highlight=self.style.SUCCESS)
