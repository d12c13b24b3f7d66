"""Celery tasks of the search projection: they take ids and are safe to run twice, and
``queue_for_indexing``, which the domain's signals reach through ``search.signal_receivers``."""

import logging
from collections.abc import Iterable

from celery import shared_task
from django.utils import timezone
from elastic_transport import ConnectionError as ESConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError

from foundation.tasks import PolicyTask
from search import engine, indexing
from search.models import IndexOutbox

logger = logging.getLogger(__name__)
TRANSIENT = (ESConnectionError, ConnectionTimeout, ApiError)


@shared_task(base=PolicyTask, bind=True)
def index_complaints(self, complaint_ids: list[int]) -> int:
    try:
        return indexing.index_complaints(complaint_ids)
    except TRANSIENT as exc:
        # In-process (demo, tests) the outbox keeps the ids for the reconcile sweep.
        return self.retry_later(exc, deferred_result=0, what="search: indexing")


@shared_task(base=PolicyTask)
def reconcile_index() -> int:
    try:
        return indexing.reconcile()
    except TRANSIENT as exc:
        logger.warning("search: reconcile skipped, Elasticsearch unavailable: %s", exc)
        return 0


def queue_for_indexing(complaint_ids: Iterable[int]) -> None:
    if not engine.search_enabled():
        return
    ids = sorted(set(complaint_ids))
    now = timezone.now()
    IndexOutbox.objects.bulk_create(
        [IndexOutbox(doc_type=indexing.COMPLAINT, object_id=pk, changed_at=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["doc_type", "object_id"],
        update_fields=["changed_at"],
    )

    # robust (the task policy): a broker that is down must not turn a committed complaint
    # into an error page; the outbox keeps the ids for the reconcile sweep.
    index_complaints.delay_on_commit(ids)
