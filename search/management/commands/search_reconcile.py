from django.core.management.base import BaseCommand, CommandError

from search import engine, indexing
from search.models import IndexOutbox


class Command(BaseCommand):
    help = "Index every complaint whose change has not reached Elasticsearch yet (the outbox)."

    def handle(self, *args, **options):
        if not engine.search_enabled():
            raise CommandError("ELASTICSEARCH_URL is not set: the database search needs no index.")
        pending = IndexOutbox.objects.count()
        handled = indexing.reconcile()
        left = IndexOutbox.objects.count()
        self.stdout.write(f"pending={pending} indexed={handled} left={left}")
        if left:
            raise CommandError(f"{left} changes are still not indexed")
