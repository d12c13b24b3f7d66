"""Side effects happen once: a rolled-back intake leaves no task, message, outbox row or
document behind; a notification or index task run twice (or delivered twice with the same
id, or by two workers at once) has the effect of one run."""

import threading

import pytest
from django.db import connection, transaction

from cases.models import Complaint
from foundation.models import Notification
from foundation.notifications import deliver, notify, send_notification
from search import engine, indexing
from search.documents import document_version
from search.models import IndexOutbox
from search.tasks import index_complaints
from tests.conftest import wait_until
from tests.factories import make_complaint
from tests.faults.conftest import broker_redis, broker_url, celery_producer
from tests.faults.sms import BLOCKED, HOLD, sent_messages

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_rolled_back_intake_leaves_no_task_message_outbox_row_or_document(
    estate_x, search_index, queue
):
    with celery_producer(broker_url(), queue):  # the real broker, and no worker on the queue
        kept = make_complaint(estate=estate_x).complaint
        assert broker_redis().llen(queue) == 1  # a committed intake does queue its task

        with pytest.raises(RuntimeError), transaction.atomic():
            receipt = make_complaint(estate=estate_x, phone="13800000002")
            notify(
                dedup_key=f"complaint:{receipt.complaint.pk}:receipt",
                subject="回执",
                body="您的投诉已提交。",
                phone="13800000002",
            )
            raise RuntimeError("the caller fails after the intake")

        assert broker_redis().llen(queue) == 1
    assert list(Complaint.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Notification.objects.exists()
    assert list(IndexOutbox.objects.values_list("object_id", flat=True)) == [kept.pk]
    indexing.reconcile()
    indexing.refresh()
    client = engine.get_client()
    assert client.count(index=engine.complaint_alias())["count"] == 1
    assert client.exists(index=engine.complaint_alias(), id=str(kept.pk))


def test_notification_run_twice_or_delivered_twice_with_one_id_sends_once(sms_dir):
    with transaction.atomic():  # eager here: the task runs once on commit
        notify(
            dedup_key="complaint:7:accepted", subject="受理", body="已受理。", phone="13800000003"
        )
    notification = Notification.objects.get()
    assert sent_messages(sms_dir) == [("13800000003", "已受理。")]

    assert send_notification.apply(args=[notification.pk]).get() is False
    for _ in range(2):
        assert send_notification.apply(args=[notification.pk], task_id="same-id").get() is False
    # A second notify with the same key (a repeated transition) queues nothing either.
    with transaction.atomic():
        assert (
            notify(
                dedup_key="complaint:7:accepted",
                subject="受理",
                body="已受理。",
                phone="13800000003",
            )
            == 0
        )
    assert sent_messages(sms_dir) == [("13800000003", "已受理。")]


def test_two_deliveries_at_once_send_once(sms_dir):
    """Two workers given the same message at the same moment (a redelivery racing the
    original): the row lock makes the second wait and then find it sent."""
    notification = Notification.objects.create(
        dedup_key="complaint:8:accepted:sms",
        channel=Notification.SMS,
        recipient="13800000004",
        subject="受理",
        body="已受理。",
    )
    (sms_dir / HOLD).touch()
    results: list[bool] = []

    def run() -> None:
        try:
            results.append(deliver(notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    wait_until(lambda: (sms_dir / BLOCKED).exists())  # one is inside send(), holding the row
    (sms_dir / HOLD).unlink()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert sent_messages(sms_dir) == [("13800000004", "已受理。")]


def test_index_task_run_twice_leaves_one_document_at_the_right_version(estate_x, search_index):
    complaint = make_complaint(estate=estate_x).complaint  # eager: indexed on commit
    for _ in range(2):
        index_complaints.apply(args=[[complaint.pk]])
    indexing.refresh()
    client = engine.get_client()
    document = client.get(index=engine.complaint_alias(), id=str(complaint.pk))
    assert document["_version"] == document_version(complaint.updated_at)
    assert client.count(index=engine.complaint_alias())["count"] == 1
    assert not IndexOutbox.objects.exists()
