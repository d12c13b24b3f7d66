import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from cases.models import Complaint
from search import engine
from search.rebuild import RebuildInProgress, rebuild_complaint_index


class Command(BaseCommand):
    help = "Rebuild the complaint index into a new index and swap the alias, without downtime."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Clear a rebuild left behind by a crashed run before starting.",
        )

    def handle(self, *args, **options):
        if not engine.search_enabled():
            raise CommandError(_("ELASTICSEARCH_URL is not set: there is no index to rebuild."))
        # The raw stream, not self.stderr: tqdm redraws its line with carriage returns.
        stream = options.get("stderr") or sys.stderr
        with tqdm(total=Complaint.objects.count(), unit="doc", file=stream) as bar:
            try:
                report = rebuild_complaint_index(
                    batch_size=options["batch_size"], progress=bar.update, force=options["force"]
                )
            except RebuildInProgress as exc:
                raise CommandError(
                    _("%(reason)s Use --force if that run has crashed.") % {"reason": exc}
                ) from exc
        self.stdout.write(
            _("%(documents)d documents in %(seconds).1f s (%(rate).0f docs/s) into %(index)s")
            % {
                "documents": report.documents,
                "seconds": report.seconds,
                "rate": report.docs_per_second,
                "index": report.index,
            }
        )
        if report.removed:
            self.stdout.write(_("Removed: %(indices)s") % {"indices": ", ".join(report.removed)})
