"""Celery tasks of the cases app, run by beat (see ``CELERY_BEAT_SCHEDULE``).

The SLA sweep re-reads every case under its row lock and acts only on what is still owed, so a
task delivered twice (``acks_late`` after a worker crash) or two sweeps overlapping do each
thing once. A database that is briefly unreachable is retried with back-off
(``foundation.tasks.PolicyTask``).
"""

from dataclasses import asdict

from celery import shared_task

from cases import retention, supervision
from foundation.tasks import PolicyTask


@shared_task(base=PolicyTask)
def sweep_sla() -> dict[str, int]:
    """Warn, mark overdue and escalate (督办); returns the counts of this sweep."""
    return asdict(supervision.sweep_sla())


@shared_task(base=PolicyTask)
def anonymise_closed_complaints() -> int:
    """Remove the personal data of cases closed longer than the retention period (daily);
    each batch commits on its own, so a retry after a failure goes on where it stopped."""
    return retention.anonymise_closed_complaints()
