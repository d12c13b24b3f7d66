"""``manage.py export_companies PATH --as USERNAME [--format csv|xlsx]``: the register as the
user sees it, in the columns the import reads back."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enterprises.exporting import CONTENT_TYPES, export_companies
from enterprises.permissions import visible_companies


class Command(BaseCommand):
    help = "Export the companies a user may see to a CSV or .xlsx file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="the file to write")
        parser.add_argument(
            "--as", dest="username", required=True, help="whose view of the register to export"
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=sorted(CONTENT_TYPES),
            help="csv or xlsx; by default taken from the file name, else csv",
        )

    def handle(self, *args, path: Path, username: str, fmt: str | None, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user “%(name)s”.") % {"name": username})
        fmt = fmt or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        count = visible_companies(user).count()
        try:
            with path.open("wb") as out:
                for chunk in export_companies(user, fmt):
                    out.write(chunk)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        self.stdout.write(
            _("%(count)d companies written to %(path)s.") % {"count": count, "path": path}
        )
