"""``manage.py restore_portal DIR``: a backup of ``backup_portal`` into the configured
database (new and empty: ``createdb`` first) and file storage (new and empty), every hash
checked first. Then ``migrate`` (a newer release), ``search_reindex`` and ``search_check``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.operations.backup import BackupError, restore

SHOWN = 10


class Command(BaseCommand):
    help = "Restore a backup_portal folder into an empty database and an empty file storage."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The backup folder.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Parallel pg_restore jobs (faster on a large dump, but not in one transaction).",
        )

    def handle(self, *args, source: Path, jobs: int, **options):
        try:
            report = restore(source, jobs=jobs, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Files restored: %(count)d; already there and identical: %(present)d.")
            % {"count": report.files, "present": report.already_there}
        )
        missing = report.missing_references
        if missing:
            shown = ", ".join(missing[:SHOWN]) + (" …" if len(missing) > SHOWN else "")
            raise CommandError(
                _("Files named by the database but not in the backup (%(count)d): %(names)s")
                % {"count": len(missing), "names": shown}
            )
        self.stdout.write(_("Every file the database names is in the storage."))
