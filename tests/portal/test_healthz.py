"""/healthz reports every component and answers 503 only when the database is gone;
/healthz/ready also answers 503 when the work behind the requests is not getting done."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from foundation import tasks as task_policy
from foundation.models import Notification, WorkerHeartbeat
from search.models import IndexOutbox
from search.tasks import index_complaints
from tests.portal.test_project import run_manage

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_component(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body["checks"]) == {"database", "cache", "broker", "elasticsearch", "workers"}
    assert body["checks"]["database"]["status"] == "ok"
    if settings.ELASTICSEARCH_URL:
        assert body["checks"]["elasticsearch"]["status"] == "ok"
    else:
        assert body["checks"]["elasticsearch"]["mode"] == "database-fallback"
    assert response["Cache-Control"].startswith("max-age=0")


def test_unreachable_elasticsearch_degrades_but_stays_200(client, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["elasticsearch"]["status"] == "error"


SCRIPT = """
from django.test import Client
r = Client().get('/healthz')
print(r.status_code, r.content.decode())
"""


def test_unreachable_database_answers_503():
    result = run_manage(
        "shell",
        "-c",
        SCRIPT,
        DATABASE_URL="postgres://nobody:secret@127.0.0.1:9/none",
        ELASTICSEARCH_URL="",
        CELERY_BROKER_URL="",
        ALLOWED_HOSTS="testserver",
    )
    status, _, payload = result.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "503", result.stdout + result.stderr
    body = json.loads(payload)
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "error"


# Readiness --------------------------------------------------------------------------------


@pytest.fixture
def with_workers(settings):
    """Tasks go to workers (not in-process), and a worker started one a moment ago."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(worker="celery@worker-1", consumed_at=timezone.now())


def ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def ready(client) -> tuple[int, dict]:
    response = client.get("/healthz/ready")
    assert response["Cache-Control"].startswith("max-age=0")
    return response.status_code, response.json()


def test_ready_when_a_worker_consumes_and_nothing_waits(client, with_workers):
    status, body = ready(client)
    assert status == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "consuming", "index_backlog", "unsent_messages"}
    assert body["checks"]["consuming"]["seconds_ago"] <= 1


def test_not_ready_when_no_worker_started_a_task_within_the_limit(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["consuming"]["error"].endswith("no worker has started a task yet")

    WorkerHeartbeat.objects.create(
        worker="celery@worker-1", consumed_at=ago(settings.READINESS_WORKER_SILENCE + 1)
    )
    status, body = ready(client)
    assert status == 503
    assert body["status"] == "not ready"
    assert "no worker has started a task for" in body["checks"]["consuming"]["error"]
    # The liveness check keeps the web servers in the load balancer: complaints are still
    # taken (and stored) while the workers are gone.
    assert client.get("/healthz").status_code == 200

    WorkerHeartbeat.objects.create(worker="celery@worker-2", consumed_at=ago(5))
    assert ready(client)[0] == 200  # one worker consuming is enough


def test_not_ready_when_changes_wait_too_long_for_the_search_index(client, settings, with_workers):
    settings.READINESS_MAX_INDEX_BACKLOG = 3
    old = ago(settings.READINESS_BACKLOG_AGE + 1)
    IndexOutbox.objects.bulk_create(
        [IndexOutbox(doc_type="complaint", object_id=pk, changed_at=old) for pk in range(3)]
    )
    # A burst the workers are still clearing does not count, however large.
    IndexOutbox.objects.bulk_create(
        [IndexOutbox(doc_type="complaint", object_id=pk, changed_at=ago(1)) for pk in range(3, 50)]
    )
    status, body = ready(client)
    assert status == 200
    assert body["checks"]["index_backlog"]["waiting"] == 3

    IndexOutbox.objects.create(doc_type="complaint", object_id=99, changed_at=old)
    status, body = ready(client)
    assert status == 503
    assert "more than 3 changes for the search index" in body["checks"]["index_backlog"]["error"]


def test_not_ready_when_messages_wait_too_long_to_be_sent(client, settings, with_workers):
    settings.READINESS_MAX_UNSENT_MESSAGES = 2

    def message(key: str, *, created: float, sent: bool = False) -> None:
        notification = Notification.objects.create(
            dedup_key=key, channel=Notification.SMS, recipient="13800000000", subject="", body="x"
        )
        Notification.objects.filter(pk=notification.pk).update(
            created_at=ago(created), sent_at=timezone.now() if sent else None
        )

    limit = settings.READINESS_BACKLOG_AGE
    for i in range(2):
        message(f"unsent-{i}", created=limit + 60)
    message("sent-long-ago", created=limit + 60, sent=True)
    message("just-queued", created=1)
    assert ready(client)[0] == 200

    message("unsent-2", created=limit + 1)
    status, body = ready(client)
    assert status == 503
    assert "more than 2 messages" in body["checks"]["unsent_messages"]["error"]


def test_eager_mode_has_no_workers_to_wait_for(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the demo: tasks run in the request
    status, body = ready(client)
    assert status == 200, body
    assert body["checks"]["consuming"]["mode"] == "eager"


def test_a_worker_notes_when_it_starts_a_task_at_most_every_few_seconds(monkeypatch):
    monkeypatch.setitem(task_policy._last_heartbeat, "at", float("-inf"))
    index_complaints.push_request(is_eager=False, hostname="celery@worker-1")
    try:
        index_complaints.before_start("task-1", ([1],), {})
        first = WorkerHeartbeat.objects.get(worker="celery@worker-1").consumed_at
        index_complaints.before_start("task-2", ([2],), {})  # a moment later: no write
        assert WorkerHeartbeat.objects.get().consumed_at == first

        task_policy._last_heartbeat["at"] -= task_policy.HEARTBEAT_SECONDS
        index_complaints.before_start("task-3", ([3],), {})
        assert WorkerHeartbeat.objects.get().consumed_at > first
    finally:
        index_complaints.pop_request()


def test_a_task_run_in_process_notes_no_worker(monkeypatch):
    monkeypatch.setitem(task_policy._last_heartbeat, "at", float("-inf"))
    index_complaints.apply(args=[[]])  # eager, as in the demo
    assert not WorkerHeartbeat.objects.exists()
