"""Keeping the complaint index in step with the database, losing nothing.

1. ``queue_for_indexing`` runs inside the writer's transaction: it upserts outbox rows and
   asks for an index task once the transaction commits (a rolled-back write queues nothing).
2. ``index_complaints`` writes the current rows (or deletes documents whose row is gone) and
   then clears the outbox rows it has covered; a row changed again meanwhile stays queued.
3. ``reconcile`` indexes everything still in the outbox; Celery beat runs it every minute.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from elasticsearch import helpers

from search import engine
from search.documents import complaint_document, complaint_rows
from search.models import IndexOutbox

logger = logging.getLogger(__name__)
COMPLAINT = "complaint"
BATCH_SIZE = 500


def queue_for_indexing(complaint_ids: Iterable[int]) -> None:
    if not engine.search_enabled():
        return
    ids = sorted(set(complaint_ids))
    now = timezone.now()
    IndexOutbox.objects.bulk_create(
        [IndexOutbox(doc_type=COMPLAINT, object_id=pk, changed_at=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["doc_type", "object_id"],
        update_fields=["changed_at"],
    )

    def enqueue() -> None:
        from search.tasks import index_complaints

        index_complaints.delay(ids)

    # robust: a broker that is down must not turn a committed complaint into an error page.
    transaction.on_commit(enqueue, robust=True)


def index_complaints(complaint_ids: Iterable[int]) -> int:
    """Index (or delete) these complaints; returns how many documents were written."""
    ids = sorted(set(complaint_ids))
    if not ids:
        return 0
    started = timezone.now()
    client = engine.get_client()
    alias = engine.ensure_complaint_index(client)
    rows = {row["id"]: row for row in complaint_rows(ids)}
    actions = []
    for pk in ids:
        if pk in rows:
            actions.append(
                {"_index": alias, "_id": str(pk), "_source": complaint_document(rows[pk])}
            )
        else:
            actions.append({"_op_type": "delete", "_index": alias, "_id": str(pk)})
    # A delete of a document that was never indexed answers 404: that is success here.
    _ok, errors = helpers.bulk(
        client, actions, raise_on_error=False, ignore_status=(404,), refresh=False
    )
    failed = {str(next(iter(error.values())).get("_id")) for error in errors}
    if failed:
        logger.warning(
            "search: %d complaints failed to index: %s", len(failed), sorted(failed)[:10]
        )
    done = [pk for pk in ids if str(pk) not in failed]
    IndexOutbox.objects.filter(
        doc_type=COMPLAINT, object_id__in=done, changed_at__lte=started
    ).delete()
    return len(done)


def reconcile(batch_size: int = BATCH_SIZE) -> int:
    """Index everything the outbox still holds; returns the number of complaints handled."""
    handled = 0
    last_id = 0
    while True:
        batch = list(
            IndexOutbox.objects.filter(doc_type=COMPLAINT, object_id__gt=last_id)
            .order_by("object_id")
            .values_list("object_id", flat=True)[:batch_size]
        )
        if not batch:
            return handled
        handled += index_complaints(batch)
        last_id = batch[-1]


def refresh() -> None:
    """Make recent writes visible to search now (tests and commands; Elasticsearch does it
    by itself within a second)."""
    engine.get_client().indices.refresh(index=engine.complaint_alias())
