"""``manage.py import_companies PATH --as USERNAME``: the register import from the shell.

Prints the same report the admin screen shows and exits non-zero when the file is rejected,
so a script can tell that nothing was saved.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enterprises.importing import import_companies


class Command(BaseCommand):
    help = "Import companies from a CSV or .xlsx file; nothing is saved unless every row is valid."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="the CSV or .xlsx file")
        parser.add_argument(
            "--as", dest="username", required=True, help="the official or administrator importing"
        )

    def handle(self, *args, path: Path, username: str, **options) -> None:
        actor = get_user_model().objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(_("There is no active user “%(name)s”.") % {"name": username})
        try:
            with path.open("rb") as file:
                report = import_companies(file, actor=actor, file_name=path.name)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.as_text())
        if not report.ok:
            raise CommandError(_("The file was rejected; nothing was saved."))
