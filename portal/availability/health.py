"""``/healthz``: the state of every component, for load balancers and people on call.

Only the database is essential (a complaint can be taken without the others), so only its
failure turns the answer into HTTP 503.
"""

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from portal.config.celery import app as celery_app
from search import engine


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


@never_cache
def healthz(request):
    checks = {
        "database": _timed(_database),
        "broker": _timed(_broker),
        "elasticsearch": _timed(_elasticsearch),
        "workers": _timed(_workers),
    }
    healthy = checks["database"]["status"] == "ok"
    degraded = any(c["status"] != "ok" for c in checks.values())
    overall = "ok" if not degraded else ("degraded" if healthy else "down")
    return JsonResponse({"status": overall, "checks": checks}, status=200 if healthy else 503)
