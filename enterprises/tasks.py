"""Daily sweeps of the register, run by Celery beat.

Each task delegates to its service function, which re-checks every row under a lock, so a
task delivered twice (``acks_late`` after a worker crash) does nothing the second time. A
database that is briefly unreachable is retried with back-off.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from enterprises import contracts, licensing

TRANSIENT = (OperationalError, InterfaceError)
RETRY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "max_retries": 5,
}


@shared_task(**RETRY)
def expire_licences_task() -> int:
    return licensing.expire_licences()


@shared_task(**RETRY)
def warn_expiring_licences_task() -> int:
    return licensing.warn_expiring_licences()


@shared_task(**RETRY)
def expire_contracts_task() -> int:
    return contracts.expire_contracts()
