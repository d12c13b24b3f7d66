"""Keeping the complaint index in step with the database, losing nothing.

1. ``search.tasks.queue_for_indexing`` runs inside the writer's transaction: it upserts
   outbox rows and asks for an index task once the transaction commits (a rolled-back write
   queues nothing).
2. ``index_complaints`` writes the current rows (or deletes documents whose row is gone), to
   the rebuild's index too while a rebuild runs (``search.rebuild``), and then clears the
   outbox rows it has covered; a row changed again meanwhile, or a failed write, stays queued.
3. ``reconcile`` indexes everything still in the outbox; Celery beat runs it every minute.
"""

import logging
from collections.abc import Iterable

from django.utils import timezone
from elasticsearch import helpers

from search import engine
from search.documents import complaint_document, complaint_rows, document_version
from search.models import IndexOutbox

logger = logging.getLogger(__name__)
COMPLAINT = "complaint"
BATCH_SIZE = 500


def index_complaints(complaint_ids: Iterable[int]) -> int:
    """Index (or delete) these complaints; returns how many were brought up to date.

    Every write goes to each of ``engine.write_targets`` (two while a rebuild runs) with the
    row's ``updated_at`` as an external version, so an older copy never overwrites a newer
    one: not when two tasks for one complaint race, and not when a rebuild sends a row it read
    just before the change this call writes. A delete carries the current time as its version
    and leaves a tombstone, so a rebuild cannot bring the document back either.
    """
    ids = sorted(set(complaint_ids))
    if not ids:
        return 0
    started = timezone.now()
    client = engine.get_client()
    targets = engine.write_targets(client)
    rows = {row["id"]: row for row in complaint_rows(ids)}
    deleted_version = document_version(started)
    actions = []
    for pk in ids:
        document = complaint_document(rows[pk]) if pk in rows else None
        for target in targets:
            actions.append(_write_action(target, pk, document, deleted_version))
    _ok, errors = helpers.bulk(
        client, actions, raise_on_error=False, require_alias=True, refresh=False
    )
    failed = {str(item["_id"]) for op, item in map(_only, errors) if not _harmless(op, item)}
    if failed:
        logger.warning(
            "search: %d complaints failed to index: %s", len(failed), sorted(failed)[:10]
        )
    done = [pk for pk in ids if str(pk) not in failed]
    IndexOutbox.objects.filter(
        doc_type=COMPLAINT, object_id__in=done, changed_at__lte=started
    ).delete()
    return len(done)


def _write_action(target: str, pk: int, document: dict | None, deleted_version: int) -> dict:
    if document is None:
        return {
            "_op_type": "delete",
            "_index": target,
            "_id": str(pk),
            "version": deleted_version,
            "version_type": "external_gte",
        }
    return {
        "_index": target,
        "_id": str(pk),
        "_source": document,
        "version": document["version"],
        "version_type": "external_gte",
    }


def _only(error: dict) -> tuple[str, dict]:
    return next(iter(error.items()))


def _harmless(op: str, item: dict) -> bool:
    """A delete of a document that is not there (404 without an error: the index exists), or
    an index refused because a newer version is already there (409): the index is right."""
    if op == "delete":
        return item.get("status") == 404 and "error" not in item
    return item.get("status") == 409


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
