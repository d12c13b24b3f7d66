"""Liveness and readiness, as JSON.

``/healthz/live`` (liveness, for systemd's or the container runtime's restart decision): the
process answers requests. It touches nothing (no database, cache or search), so a backing
service that is down never gets every web server restarted at once.

``/healthz`` (readiness of this web server, for the load balancer): the state of every
component. Only the database is essential (a complaint can be taken without the others), so
only its failure turns the answer into HTTP 503: a web server keeps taking complaints while
the workers, the cache or the search node are down.

``/healthz/ready`` (readiness of the whole service, for monitoring and alerting, not for
the load balancer): 503 when the database is gone or the work queued behind the requests is
not being done: no worker has started a task for ``READINESS_WORKER_SILENCE`` seconds, or
changes waiting for the search index or messages waiting to be sent pile up past their
thresholds (settings ``READINESS_*``). It catches what no component check sees: a worker
that died or runs but no longer consumes, and (beat's sweeps give the workers a task every
minute) a beat that stopped.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from foundation.models import WorkerHeartbeat
from foundation.notifications import pending_notifications
from portal.config.celery import app as celery_app
from search import engine
from search.models import IndexOutbox


def _timed(check):
    started = time.monotonic()
    try:
        detail = check()
        state = {"status": "ok", **(detail or {})}
    except Exception as exc:  # noqa: BLE001 - any failure is a state to report, not a crash
        state = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    state["ms"] = round((time.monotonic() - started) * 1000, 1)
    return state


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"vendor": connection.vendor}


def _cache():
    # The Redis cache degrades to misses when Redis is gone (DegradingRedisCache): a value
    # that does not come back is the sign.
    key, token = "portal:healthz", str(time.time_ns())
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not keep a value")
    return {"backend": cache.__class__.__name__}


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"mode": "broker"}


def _elasticsearch():
    if not engine.search_enabled():
        return {"mode": "database-fallback"}
    health = engine.get_client().options(request_timeout=2).cluster.health()
    if health["status"] == "red":
        raise RuntimeError("cluster status red")
    return {"mode": "elasticsearch", "cluster": health["status"]}


def _workers():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager", "count": 0}
    replies = celery_app.control.ping(timeout=1.0) or []
    if not replies:
        raise RuntimeError("no worker answered")
    return {"count": len(replies)}


def _consuming():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager"}
    last = WorkerHeartbeat.objects.aggregate(last=Max("consumed_at"))["last"]
    limit = settings.READINESS_WORKER_SILENCE
    if last is None:
        raise RuntimeError("no worker has started a task yet")
    silence = (timezone.now() - last).total_seconds()
    if silence > limit:
        raise RuntimeError(f"no worker has started a task for {silence:.0f} s (limit {limit} s)")
    return {"last_task_started": last.isoformat(), "seconds_ago": round(silence)}


def _backlog(queryset, limit: int, what: str):
    # Counted up to the limit only: a huge backlog costs no more to report than a small one.
    waiting = queryset[: limit + 1].count()
    if waiting > limit:
        raise RuntimeError(
            f"more than {limit} {what} waiting for {settings.READINESS_BACKLOG_AGE} s or more"
        )
    return {"waiting": waiting, "limit": limit}


def _index_backlog():
    cutoff = timezone.now() - timedelta(seconds=settings.READINESS_BACKLOG_AGE)
    return _backlog(
        IndexOutbox.objects.filter(changed_at__lte=cutoff).values("pk"),
        settings.READINESS_MAX_INDEX_BACKLOG,
        "changes for the search index",
    )


def _unsent_messages():
    cutoff = timezone.now() - timedelta(seconds=settings.READINESS_BACKLOG_AGE)
    return _backlog(
        pending_notifications().filter(created_at__lte=cutoff).values("pk"),
        settings.READINESS_MAX_UNSENT_MESSAGES,
        "messages",
    )


@never_cache
def liveness(request):
    return JsonResponse({"status": "alive"})


@never_cache
def healthz(request):
    checks = {
        "database": _timed(_database),
        "cache": _timed(_cache),
        "broker": _timed(_broker),
        "elasticsearch": _timed(_elasticsearch),
        "workers": _timed(_workers),
    }
    healthy = checks["database"]["status"] == "ok"
    degraded = any(c["status"] != "ok" for c in checks.values())
    overall = "ok" if not degraded else ("degraded" if healthy else "down")
    return JsonResponse({"status": overall, "checks": checks}, status=200 if healthy else 503)


@never_cache
def readiness(request):
    # Only the database and the work itself: a component that is down but whose work gets
    # done anyway (Elasticsearch, served by the fallback meanwhile) is /healthz's business.
    checks = {"database": _timed(_database)}
    if checks["database"]["status"] == "ok":
        checks["consuming"] = _timed(_consuming)
        checks["index_backlog"] = _timed(_index_backlog)
        checks["unsent_messages"] = _timed(_unsent_messages)
    ready = all(c["status"] == "ok" for c in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)
