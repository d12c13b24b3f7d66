"""The Celery task policy every app's tasks follow.

``PolicyTask`` is the one base (pretix's transaction-aware task idea, on Celery's own
``DjangoTask``): tasks take primary keys and are idempotent, so they are acknowledged late (a
worker killed mid-task gets its task redelivered); transient database errors are retried with
exponential back-off; ``delay_on_commit`` queues after the caller's transaction commits, and a
broker that is down then fails neither the request nor the commit (the sweeps catch up).
Each worker notes in the database when it last started a task (``WorkerHeartbeat``), for the
readiness check.
"""

import logging
import time

from celery.contrib.django.task import DjangoTask
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from foundation.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)

# A worker writes its heartbeat at most this often: one small write per task would be waste.
HEARTBEAT_SECONDS = 15.0
_last_heartbeat = {"at": float("-inf")}  # per process: each prefork child writes its own


def record_heartbeat(worker: str) -> None:
    """Note that ``worker`` is consuming, at most every HEARTBEAT_SECONDS per process. A
    database that is down only costs the note: the task itself retries."""
    now = time.monotonic()
    if now - _last_heartbeat["at"] < HEARTBEAT_SECONDS:
        return
    _last_heartbeat["at"] = now
    try:
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(worker=worker, consumed_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["worker"],
            update_fields=["consumed_at"],
        )
    except DatabaseError as exc:
        logger.warning("worker heartbeat not written: %s", exc)


class PolicyTask(DjangoTask):
    acks_late = True
    autoretry_for = TRANSIENT_DATABASE_ERRORS
    retry_backoff = 30
    retry_backoff_max = 900
    max_retries = 5

    def before_start(self, task_id, args, kwargs) -> None:
        # In-process (eager: the demo, tests) no worker consumes anything.
        if not self.request.is_eager:
            record_heartbeat(self.request.hostname or "unknown")

    def delay_on_commit(self, *args, **kwargs) -> None:
        """Queue once the current transaction commits; nothing if it rolls back. robust: a
        broker that is down is logged, and the committed request still succeeds."""

        def publish() -> None:
            self.delay(*args, **kwargs)

        # A plain function, not functools.partial: Django logs a robust callback's failure by
        # its __qualname__, which a partial lacks (the failure then became a 500).
        publish.task_name = self.name
        transaction.on_commit(publish, robust=True)

    def retry_later(
        self, exc: Exception, *, deferred_result=None, what: str = "", first=5, longest=300
    ):
        """Retry after a transient failure outside the database (a gateway, Elasticsearch),
        ``first`` seconds later, doubling up to ``longest``. Run in-process (eager: the demo,
        tests) there is no later, so the failure is logged and ``deferred_result`` returned:
        the sweep that backs each such task picks the work up."""
        if self.request.is_eager:
            logger.warning("%s deferred to the sweep: %s", what or self.name, exc)
            return deferred_result
        raise self.retry(exc=exc, countdown=min(first * 2**self.request.retries, longest)) from exc
