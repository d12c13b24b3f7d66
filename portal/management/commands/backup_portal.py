"""``manage.py backup_portal DIR``: the database, then every stored file, into a new folder
(portal.operations.backup says why in that order). Run it from cron or a systemd timer
(docs/deploy.md), then ship the folder off the machine."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up PostgreSQL (pg_dump) and every stored file, with a manifest of hashes."

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="A new (or empty) folder.")
        parser.add_argument(
            "--previous",
            type=Path,
            help="An earlier backup on the same disk: unchanged files are hard-linked from it.",
        )

    def handle(self, *args, destination: Path, previous: Path | None, **options):
        try:
            summary = backup(destination, previous=previous, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup complete in %(folder)s (files: %(count)d).")
            % {"folder": destination, "count": summary["files"]["count"]}
        )
