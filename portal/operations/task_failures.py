"""Failed Celery tasks, counted where every web process can read them: a hash in the
broker's Redis (``HINCRBY`` on ``task_failure``), so ``/metrics`` on any web server reports
the failures of every worker on every machine, and the count survives a worker's restart.
Without a Redis broker (the demo, in-process tasks) the count stays in the process.

Only final failures count: a retry is not a failure (``task_retry`` is another signal).
"""

import logging
from collections import Counter

import redis
from celery.signals import task_failure
from django.conf import settings

logger = logging.getLogger(__name__)

KEY = "portal:metrics:task-failures"
_clients: dict[str, redis.Redis] = {}
_in_process: Counter[str] = Counter()


def broker_redis() -> redis.Redis | None:
    """A client of the broker's Redis (short timeouts: a scrape must not hang), or None."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url, socket_timeout=1.0, socket_connect_timeout=1.0, decode_responses=True
        )
    return _clients[url]


@task_failure.connect(dispatch_uid="portal.metrics.task_failure")
def count_failure(sender=None, **_: object) -> None:
    name = getattr(sender, "name", None) or "unknown"
    client = broker_redis()
    if client is None:
        _in_process[name] += 1
        return
    try:
        client.hincrby(KEY, name, 1)
    except redis.RedisError as exc:  # the broker is gone: the failure itself is logged anyway
        logger.warning("task failure of %s not counted: %s", name, exc)


def in_process_failures() -> dict[str, int]:
    return dict(_in_process)
