"""``manage.py anonymise_closed_complaints [--dry-run]``: apply the retention rule now.

The same run as the daily Celery task, with a progress bar; ``--dry-run`` only counts the
cases whose complainant's personal data would be removed.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from cases import retention


class Command(BaseCommand):
    help = (
        "Remove the complainant's personal data from cases closed longer than "
        "PERSONAL_DATA_RETENTION_DAYS ago (个人信息到期匿名化)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the cases due, change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        days = settings.PERSONAL_DATA_RETENTION_DAYS
        due = retention.complaints_due(now).count()
        if dry_run:
            self.stdout.write(f"{due} closed cases are past the {days}-day retention period.")
            return
        # The raw stream, not self.stderr: tqdm redraws its line with carriage returns.
        stream = options.get("stderr") or sys.stderr
        with tqdm(total=due, unit=" cases", file=stream, disable=options["verbosity"] == 0) as bar:
            done = retention.anonymise_closed_complaints(now=now, on_batch=bar.update)
        self.stdout.write(f"Anonymised {done} cases closed more than {days} days ago.")
