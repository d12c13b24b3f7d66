"""``/metrics`` for Prometheus: request latency by view (django-prometheus's middleware) and
the state of the work behind the requests, read at scrape time.

What is read per scrape, and what it costs: three aggregate queries (the search outbox, unsent
notifications by channel, overdue cases) and one Redis round trip (queue lengths, tasks held
by workers, failed tasks). Nothing is counted in the background, so a web process that
is not scraped does no work for this.

Only addresses in ``METRICS_ALLOWED_NETWORKS`` get an answer; everyone else a 404, as if the
URL did not exist. The address is ``REMOTE_ADDR``: a forwarded header could be forged. Under
gunicorn with several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` (docs/deploy.md), or
each scrape sees the request figures of whichever process answers it.
"""

import ipaddress
import logging
import os
from collections.abc import Iterator

import redis
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu.transport import redis as kombu_redis
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from cases.models import CaseStatus, Complaint
from foundation.notifications import pending_notifications
from portal.config.celery import app as celery_app
from portal.operations import task_failures
from search.models import IndexOutbox

logger = logging.getLogger(__name__)


def client_allowed(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


def _age(oldest, now) -> float:
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def overdue_cases():
    """Open cases past their resolve date with the clock running: the workbench's red tab."""
    return Complaint.objects.filter(
        status__in=CaseStatus.OPEN_STATES,
        resolve_due_at__lt=timezone.now(),
        awaiting_complainant_since__isnull=True,
    )


def _database_metrics() -> Iterator[Metric]:
    now = timezone.now()
    outbox = IndexOutbox.objects.aggregate(waiting=Count("pk"), oldest=Min("changed_at"))
    yield GaugeMetricFamily(
        "portal_search_outbox_backlog",
        "Changes committed but not yet in the search index.",
        value=outbox["waiting"],
    )
    yield GaugeMetricFamily(
        "portal_search_outbox_oldest_age_seconds",
        "Age of the oldest change waiting for the search index (0: none).",
        value=_age(outbox["oldest"], now),
    )
    unsent = GaugeMetricFamily(
        "portal_notifications_unsent", "Messages queued and not sent yet.", labels=["channel"]
    )
    oldest = GaugeMetricFamily(
        "portal_notifications_unsent_oldest_age_seconds",
        "Age of the oldest unsent message (0: none).",
        labels=["channel"],
    )
    by_channel = {
        row["channel"]: row
        for row in pending_notifications()
        .order_by()
        .values("channel")
        .annotate(waiting=Count("pk"), oldest=Min("created_at"))
    }
    for channel in ("email", "sms"):
        row = by_channel.get(channel, {"waiting": 0, "oldest": None})
        unsent.add_metric([channel], row["waiting"])
        oldest.add_metric([channel], _age(row["oldest"], now))
    yield unsent
    yield oldest
    yield GaugeMetricFamily(
        "portal_cases_overdue",
        "Open complaints past their resolve date, clock running.",
        value=overdue_cases().count(),
    )


def queue_names() -> list[str]:
    return list(celery_app.amqp.queues) or [celery_app.conf.task_default_queue]


def _broker_metrics(client: redis.Redis) -> Iterator[Metric]:
    queues = queue_names()
    steps = kombu_redis.PRIORITY_STEPS
    sep = kombu_redis.Channel.sep
    pipe = client.pipeline(transaction=False)
    for queue in queues:
        for step in steps:
            pipe.llen(f"{queue}{sep}{step}" if step else queue)
    pipe.hlen(kombu_redis.Channel.unacked_key)
    pipe.hgetall(task_failures.KEY)
    *lengths, held, failures = pipe.execute()
    depth = GaugeMetricFamily(
        "portal_celery_queue_depth", "Tasks waiting in the broker's queue.", labels=["queue"]
    )
    for i, queue in enumerate(queues):
        depth.add_metric([queue], sum(lengths[i * len(steps) : (i + 1) * len(steps)]))
    yield depth
    yield GaugeMetricFamily(
        "portal_celery_tasks_held",
        "Tasks taken by a worker and not acknowledged yet (running, or waiting for a retry).",
        value=held,
    )
    yield _failures({name: int(count) for name, count in failures.items()})


def _failures(counts: dict[str, int]) -> Metric:
    family = CounterMetricFamily(
        "portal_celery_task_failures", "Tasks that failed for good, by task.", labels=["task"]
    )
    for name, count in sorted(counts.items()):
        family.add_metric([name], count)
    return family


class PortalCollector:
    """Read at scrape time; a source that does not answer is reported, not fatal."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "portal_metrics_source_up",
            "Whether the scrape could read this source (1) or not (0).",
            labels=["source"],
        )
        try:
            collected = list(_database_metrics())
        except DatabaseError as exc:
            logger.warning("metrics: database not read: %s", exc)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield from collected
        client = task_failures.broker_redis()
        if client is None:  # tasks run in-process: no queue, failures counted here
            yield _failures(task_failures.in_process_failures())
        else:
            try:
                collected = list(_broker_metrics(client))
            except redis.RedisError as exc:
                logger.warning("metrics: broker not read: %s", exc)
                up.add_metric(["broker"], 0)
            else:
                up.add_metric(["broker"], 1)
                yield from collected
        yield up


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every gunicorn worker process writes its figures to files there; read them all.
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    registry.register(PortalCollector())
    return registry


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not client_allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
