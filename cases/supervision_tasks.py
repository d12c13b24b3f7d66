"""Celery tasks of the supervision loop (rectification orders), run by beat.

The overdue sweep re-reads each order under its row lock and flags only what is still open
and unflagged, and the credit record is keyed by the order: a task delivered twice
(``acks_late`` after a worker crash) or two sweeps overlapping flag each order once.
"""

from celery import shared_task

from cases import rectification
from foundation.tasks import PolicyTask


@shared_task(base=PolicyTask)
def flag_overdue_orders_task() -> int:
    """Flag rectification orders past their deadline day (超期); returns how many now."""
    return rectification.flag_overdue_orders()
