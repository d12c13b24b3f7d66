from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from search import engine
from search.drift import check_index

SHOWN_IDS = 10


class Command(BaseCommand):
    help = "Compare the complaint index with the database; exit with status 1 on drift."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **options):
        if not engine.search_enabled():
            raise CommandError(_("ELASTICSEARCH_URL is not set: there is no index to check."))
        report = check_index(sample_size=options["sample"], seed=options["seed"])
        oldest = report.oldest_pending.isoformat() if report.oldest_pending else "-"
        lines = [
            _("Database: %(count)d complaints") % {"count": report.database_count},
            _("Index: %(count)d documents") % {"count": report.index_count},
            _("Behind (outbox): %(count)d, oldest change %(oldest)s")
            % {"count": report.outbox_backlog, "oldest": oldest},
            _("Sampled: %(rows)d rows, %(documents)d documents")
            % {"rows": report.sampled, "documents": report.index_sampled},
            _("Missing from the index: %(count)d %(ids)s") % _ids(report.missing),
            _("Stale in the index: %(count)d %(ids)s") % _ids(report.stale),
            _("In the index but not in the database: %(count)d %(ids)s") % _ids(report.extra),
        ]
        for line in lines:
            self.stdout.write(line.rstrip())
        if not report.ok:
            raise CommandError(_("The search index has drifted from the database."))
        self.stdout.write(_("The search index matches the database."))


def _ids(ids: list[int]) -> dict:
    shown = " ".join(str(pk) for pk in ids[:SHOWN_IDS])
    more = " …" if len(ids) > SHOWN_IDS else ""
    return {"count": len(ids), "ids": f"{shown}{more}"}
