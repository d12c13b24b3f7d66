"""/metrics: only for the monitoring network, request latency by view, and the work behind the
requests (queues, failures, search outbox, unsent messages, overdue cases) read at scrape time
with a fixed, small number of queries."""

from datetime import timedelta

import pytest
from celery import shared_task
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from cases.models import Complaint
from foundation.models import Notification
from portal.operations import metrics as metrics_module
from portal.operations import task_failures
from search.models import IndexOutbox
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def scrape(client, address: str = "127.0.0.1") -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    values: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            values.setdefault(sample.name, {})[labels] = sample.value
    return values


@pytest.mark.parametrize("address", ["10.20.0.7", "192.168.1.1", "2001:db8::1", "not-an-ip"])
def test_other_networks_get_a_404(client, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 404


def test_a_forwarded_header_does_not_open_it(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.9.0.0/24"]
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.0.2")
    assert response.status_code == 404
    # Loopback is not in the configured list either: a proxy on this machine gets no answer.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_the_monitoring_network_gets_the_metrics(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.9.0.0/24", "fd00:9::/64"]
    assert client.get("/metrics", REMOTE_ADDR="10.9.0.200").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00:9::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.9.1.1").status_code == 404


def test_request_latency_is_reported_by_view(client):
    client.get("/healthz/live")
    values = scrape(client)
    buckets = values["django_http_requests_latency_seconds_by_view_method_count"]
    assert any(("view", "healthz_live") in labels for labels in buckets)


def test_work_waiting_is_reported_at_scrape_time(client, django_assert_max_num_queries):
    now = timezone.now()
    late, on_time, waiting = (make_complaint().complaint for _ in range(3))
    IndexOutbox.objects.all().delete()  # the complaints' own rows: replaced by four old ones
    IndexOutbox.objects.bulk_create(
        [
            IndexOutbox(doc_type="complaint", object_id=pk, changed_at=now - timedelta(minutes=5))
            for pk in range(90_001, 90_005)
        ]
    )
    for i, channel in enumerate(["sms", "sms", "email"]):
        Notification.objects.create(
            dedup_key=f"metrics-{i}", channel=channel, recipient="x", subject="", body="x"
        )
    Notification.objects.create(
        dedup_key="metrics-sent", channel="sms", recipient="x", subject="", body="x", sent_at=now
    )
    Complaint.objects.filter(pk__in=[late.pk, waiting.pk]).update(
        resolve_due_at=now - timedelta(hours=1)
    )
    Complaint.objects.filter(pk=on_time.pk).update(resolve_due_at=now + timedelta(days=1))
    # The clock stops while the case waits on the complainant: not overdue.
    Complaint.objects.filter(pk=waiting.pk).update(awaiting_complainant_since=now)

    with django_assert_max_num_queries(3):
        values = scrape(client)
    assert values["portal_search_outbox_backlog"][()] == 4
    assert values["portal_search_outbox_oldest_age_seconds"][()] >= 299
    assert values["portal_notifications_unsent"][(("channel", "sms"),)] == 2
    assert values["portal_notifications_unsent"][(("channel", "email"),)] == 1
    assert values["portal_cases_overdue"][()] == 1
    assert values["portal_metrics_source_up"][(("source", "database"),)] == 1


@pytest.fixture
def broker(settings):
    client = task_failures.broker_redis()
    if client is None:
        pytest.fail("CELERY_BROKER_URL must name Redis: run `make test`.")
    return client


def test_queue_depth_counts_every_priority_of_each_queue(client, broker, monkeypatch):
    queue = "test-metrics-queue"
    monkeypatch.setattr(metrics_module, "queue_names", lambda: [queue])
    try:
        broker.lpush(queue, "a", "b", "c")
        broker.lpush(f"{queue}\x06\x166", "d")  # a task sent with priority 6
        values = scrape(client)
    finally:
        broker.delete(queue, f"{queue}\x06\x166")
    assert values["portal_celery_queue_depth"][(("queue", queue),)] == 4
    assert values["portal_metrics_source_up"][(("source", "broker"),)] == 1
    assert "portal_celery_tasks_held" in values


@shared_task(name="tests.metrics.always_fails")
def always_fails():
    raise ValueError("broken on purpose")


def test_failed_tasks_are_counted_by_task(client, broker):
    broker.hdel(task_failures.KEY, always_fails.name)
    try:
        always_fails.delay()
        always_fails.delay()
        values = scrape(client)
    finally:
        broker.hdel(task_failures.KEY, always_fails.name)
    failures = values["portal_celery_task_failures_total"]
    assert failures[(("task", always_fails.name),)] == 2


def test_a_broker_that_is_gone_is_reported_not_fatal(client, settings, monkeypatch):
    monkeypatch.setattr(task_failures, "_clients", {})
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens
    values = scrape(client)
    assert values["portal_metrics_source_up"][(("source", "broker"),)] == 0
    assert values["portal_metrics_source_up"][(("source", "database"),)] == 1
    assert "portal_search_outbox_backlog" in values
