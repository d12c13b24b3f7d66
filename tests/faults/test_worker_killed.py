"""A worker killed (SIGKILL) in the middle of a task: the task comes back (acks late, the
message was never acknowledged; the Redis transport hands it out again after the visibility
timeout), runs to the end on another worker, and its effect happens once."""

import pytest
from django.db import transaction
from django.utils import timezone

from cases.models import Complaint
from foundation.models import Notification
from foundation.notifications import notify, send_notification
from search import engine
from search.documents import document_version
from search.models import IndexOutbox
from tests.conftest import wait_until
from tests.factories import make_complaint
from tests.faults.conftest import WORKER_SMS, address, broker_url, celery_producer
from tests.faults.sms import BLOCKED, HOLD, sent_messages

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# A killed worker's task is handed out again after this many seconds (production: 2 hours).
REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": "2"}


@pytest.fixture
def producer(queue):
    with celery_producer(broker_url(), queue):
        yield


def test_notification_killed_mid_send_is_redelivered_and_sent_exactly_once(
    sms_dir, start_worker, producer
):
    (sms_dir / HOLD).touch()
    first = start_worker(**WORKER_SMS, **REDELIVERY)
    with transaction.atomic():
        notify(
            dedup_key="complaint:1:accepted",
            subject="受理",
            body="您的投诉已受理。",
            phone="13800000001",
        )
    notification = Notification.objects.get()

    wait_until(lambda: (sms_dir / BLOCKED).exists())  # the worker is inside send()
    _pid, task_id = (sms_dir / BLOCKED).read_text().split()
    first.kill()
    (sms_dir / HOLD).unlink()
    assert sent_messages(sms_dir) == []
    notification.refresh_from_db()
    assert notification.sent_at is None  # the killed worker's transaction rolled back

    second = start_worker(**WORKER_SMS, **REDELIVERY)
    wait_until(lambda: second.succeeded(task_id) == 1)
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 1
    assert sent_messages(sms_dir) == [("13800000001", "您的投诉已受理。")]

    # The same task delivered once more (same id): it finds the message sent, sends nothing.
    send_notification.apply_async(args=[notification.pk], task_id=task_id)
    wait_until(lambda: second.succeeded(task_id) == 2)
    assert sent_messages(sms_dir) == [("13800000001", "您的投诉已受理。")]


def test_index_task_killed_mid_write_ends_indexed_once_at_the_right_version(
    settings, estate_x, search_index, make_proxy, start_worker, producer
):
    es = make_proxy(address(settings.ELASTICSEARCH_URL))
    es_env = {
        "ELASTICSEARCH_URL": es.url(settings.ELASTICSEARCH_URL),
        "ELASTICSEARCH_TIMEOUT": "60",
    }
    first = start_worker(**es_env, **REDELIVERY)
    # The bulk write reaches the node; its answer never reaches the worker.
    es.hold_answers_after(b"/_bulk")

    complaint = make_complaint(estate=estate_x).complaint  # queues its index task on commit
    wait_until(es.held.is_set)
    first.kill()
    es.release()
    assert IndexOutbox.objects.filter(object_id=complaint.pk).exists()  # not cleared
    # Changed meanwhile, without a task of its own: the redelivered task writes this version.
    Complaint.objects.filter(pk=complaint.pk).update(
        description="电梯停运五天，仍无人维修", updated_at=timezone.now()
    )
    complaint.refresh_from_db()

    start_worker(**es_env, **REDELIVERY)
    wait_until(lambda: not IndexOutbox.objects.filter(object_id=complaint.pk).exists())

    client = engine.get_client()
    client.indices.refresh(index=engine.complaint_alias())
    document = client.get(index=engine.complaint_alias(), id=str(complaint.pk))
    assert document["_version"] == document_version(complaint.updated_at)
    assert document["_source"]["description"] == "电梯停运五天，仍无人维修"
    assert client.count(index=engine.complaint_alias())["count"] == 1
