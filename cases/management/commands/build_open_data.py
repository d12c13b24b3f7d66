"""``manage.py build_open_data [--date YYYY-MM-DD]``: build the open data set now.

The same build as the nightly Celery task, with a progress bar for the person watching it;
``--date`` builds the release of another day (the 365 days before it).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from cases import opendata


class Command(BaseCommand):
    help = "Build the open data set of complaints (开放数据) into the default storage."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="Build day, YYYY-MM-DD (default: today).")

    def handle(self, *args, date: str | None = None, **options) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        start, end = opendata.period(today or timezone.localdate())
        total = opendata.published_complaints(start, end).count()
        with tqdm(total=total, unit=" complaints", disable=options["verbosity"] == 0) as bar:
            release = opendata.build_dataset(today, progress=bar.update)
        self.stdout.write(
            f"{release.records} records, {release.first_day} to {release.last_day}: "
            + ", ".join(release.files.values())
        )
