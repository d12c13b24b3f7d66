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

    def handle(self, *args, destination: Path, **options):
        try:
            summary = backup(destination, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup complete in %(folder)s: %(count)d files, database and manifest.")
            % {"folder": destination, "count": summary["files"]["count"]}
        )
