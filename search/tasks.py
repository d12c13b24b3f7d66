"""Celery tasks of the search projection: they take ids and are safe to run twice."""

import logging

from celery import shared_task
from elastic_transport import ConnectionError as ESConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError

from search import indexing

logger = logging.getLogger(__name__)
TRANSIENT = (ESConnectionError, ConnectionTimeout, ApiError)


@shared_task(bind=True, acks_late=True, max_retries=5)
def index_complaints(self, complaint_ids: list[int]) -> int:
    try:
        return indexing.index_complaints(complaint_ids)
    except TRANSIENT as exc:
        if self.request.is_eager:
            # In-process (demo, tests): the outbox keeps the ids for the reconcile sweep.
            logger.warning("search: indexing deferred to the sweep: %s", exc)
            return 0
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 300)) from exc


@shared_task(acks_late=True)
def reconcile_index() -> int:
    try:
        return indexing.reconcile()
    except TRANSIENT as exc:
        logger.warning("search: reconcile skipped, Elasticsearch unavailable: %s", exc)
        return 0
