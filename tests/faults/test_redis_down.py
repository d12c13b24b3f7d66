"""Redis gone (the broker and the cache) during submissions: every complaint is stored and
receipted at once, the site keeps answering, and once Redis is back the beat sweeps recover
every task: all complaints indexed, every citizen messaged exactly once."""

import statistics
import threading
import time
import uuid

import pytest
from django.core.cache import cache

from cases.models import Complaint
from cases.workflow import accept_case
from foundation.models import Notification
from foundation.notifications import send_pending_notifications
from search import engine, indexing
from search.models import IndexOutbox
from search.tasks import reconcile_index
from tests.conftest import wait_until
from tests.faults.conftest import (
    WORKER_SMS,
    address,
    broker_redis,
    broker_url,
    celery_producer,
    file_complaint,
)
from tests.faults.sms import sent_messages

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 50


@pytest.fixture
def redis_proxy(settings, make_proxy, queue):
    """The broker and the cache of this process reach Redis only through the proxy."""
    proxy = make_proxy(address(broker_url()))
    cache_config = settings.CACHES["default"]
    assert cache_config["BACKEND"] == "portal.availability.unavailable.DegradingRedisCache", (
        "the fault tests need CACHE_URL on Redis: run `make test`"
    )
    settings.CACHES = {"default": {**cache_config, "LOCATION": proxy.url(cache_config["LOCATION"])}}
    with celery_producer(proxy.url(broker_url()), queue):
        yield proxy


@pytest.fixture
def worker(redis_proxy, start_worker, sms_dir, search_index):
    """A real worker whose broker is behind the same proxy: Redis goes for it too."""
    return start_worker(CELERY_BROKER_URL=redis_proxy.url(broker_url()), **WORKER_SMS)


def sms_per_phone(sms_dir) -> dict[str, int]:
    counts: dict[str, int] = {}
    for phone, _text in sent_messages(sms_dir):
        counts[phone] = counts.get(phone, 0) + 1
    return counts


def test_submissions_while_redis_is_down_are_stored_and_every_task_is_recovered(
    client, site_pages, estate_x, official, open_form, redis_proxy, worker, sms_dir, queue
):
    marker = f"fault{uuid.uuid4().hex[:10]}"
    # Before the outage the worker sends it at once, through the same proxy.
    number = file_complaint(client, f"水管漏水 {marker} 预热", "13700000099")
    accept_case(Complaint.objects.get(tracking_number=number), actor=official)
    wait_until(lambda: sms_per_phone(sms_dir) == {"13700000099": 1})
    redis_proxy.cut()

    numbers, seconds = [], []
    for i in range(SUBMISSIONS):
        started = time.monotonic()
        numbers.append(file_complaint(client, f"水管漏水 {marker} 第{i:02d}号", f"137{i:08d}"))
        seconds.append(time.monotonic() - started)
        # The regulator accepts it at once: the citizen's SMS is queued with Redis still gone.
        accept_case(Complaint.objects.get(tracking_number=numbers[-1]), actor=official)
    assert client.get("/").status_code == 200  # the page cache misses instead of failing
    assert client.get("/track/").status_code == 200
    assert cache.get("anything", "missed") == "missed"

    complaints = Complaint.objects.filter(tracking_number__in=numbers)
    assert complaints.count() == SUBMISSIONS
    assert not complaints.exclude(status="accepted").exists()
    pending = Notification.objects.filter(sent_at__isnull=True, channel=Notification.SMS)
    assert pending.count() == SUBMISSIONS
    assert IndexOutbox.objects.filter(object_id__in=complaints.values("pk")).count() == SUBMISSIONS
    # Figures for the report: with the broker refused, a submission waits for nothing.
    print(
        f"POST + receipt with Redis down: median {statistics.median(seconds):.3f} s, "
        f"max {max(seconds):.3f} s"
    )
    assert max(seconds) < 2.0, seconds

    redis_proxy.restore()
    assert broker_redis().llen(queue) == 0  # nothing was queued while Redis was gone
    # The beat sweeps, twice each, while this process sweeps too: nothing twice.
    for _ in range(2):
        reconcile_index.delay()
        send_pending_notifications.delay()
    send_pending_notifications.apply()
    wait_until(lambda: not pending.exists(), timeout=60)
    wait_until(lambda: not IndexOutbox.objects.exists(), timeout=30)
    wait_until(
        lambda: worker.succeeded_count("foundation.notifications.send_pending_notifications") == 2
    )

    counts = sms_per_phone(sms_dir)
    assert counts == {"13700000099": 1, **{f"137{i:08d}": 1 for i in range(SUBMISSIONS)}}
    indexing.refresh()
    client_es = engine.get_client()
    assert client_es.count(index=engine.complaint_alias())["count"] == SUBMISSIONS + 1


def test_a_frozen_redis_does_not_hold_the_citizen(
    client, site_pages, estate_x, open_form, redis_proxy
):
    """Redis accepts connections but never answers (a failover, a stuck host): the socket
    timeouts bound the wait, and the complaint is stored and receipted."""
    file_complaint(client, "电梯困人，物业无人接听电话。", "13600000000")  # a site in use
    redis_proxy.hold_answers_after(b"")
    result: dict = {}

    def submit() -> None:
        started = time.monotonic()
        result["number"] = file_complaint(client, "电梯困人，物业无人接听电话。", "13600000001")
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=submit, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the submission is still waiting for Redis"
    redis_proxy.release()
    print(f"POST + receipt with Redis frozen: {result['seconds']:.1f} s")
    assert Complaint.objects.filter(tracking_number=result["number"]).exists()


def test_a_redis_restart_between_two_submissions_loses_no_task(
    client, site_pages, estate_x, open_form, redis_proxy, queue
):
    """The producer's pooled connection dies with Redis; the next task is still queued."""
    file_complaint(client, "小区大门门禁损坏，外来车辆随意进出。", "13600000002")
    assert broker_redis().llen(queue) == 1
    redis_proxy.cut()
    redis_proxy.restore()
    file_complaint(client, "垃圾清运不及时，楼下堆满垃圾。", "13600000003")
    assert broker_redis().llen(queue) == 2
