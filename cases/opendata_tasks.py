"""Celery task of the daily open data set (开放数据), run by beat at night.

The build is idempotent: it covers whole days up to the start of the build day and replaces
that day's files, so a task delivered twice (``acks_late`` after a worker crash) writes the
same release again. A cache lock keeps two deliveries from building at the same time, which
would only waste a worker.
"""

from celery import shared_task
from django.core.cache import cache

from cases import opendata
from foundation.tasks import PolicyTask

LOCK_KEY = "cases:opendata:build-lock"
LOCK_SECONDS = 2 * 3600  # longer than any build; a crashed worker's lock expires by itself


@shared_task(base=PolicyTask)
def build_open_data_task() -> int | None:
    """Build and publish today's release; returns its number of records, or None when
    another build is running."""
    if not cache.add(LOCK_KEY, "1", timeout=LOCK_SECONDS):
        return None
    try:
        return opendata.build_dataset().records
    finally:
        cache.delete(LOCK_KEY)
