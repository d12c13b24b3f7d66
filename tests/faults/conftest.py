"""Fault tests: the real services, taken away from the app through a fault proxy.

Shared pieces: proxies closed after each test, the test process's Celery producer pointed at
a broker URL and a queue of the test's own, workers on that queue, the file SMS gateway, and
the public complaint form driven through the Django test client.
"""

import os
import uuid
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

import pytest
import redis
from django.db import connection

from cases.models import Complaint
from portal.config.celery import app as celery_app
from tests.faults.proxy import FaultProxy
from tests.faults.worker import Worker

FORM = {"category": "facilities", "estate_name": "翠湖花园"}


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


# Read once: a test's producer changes the variable while it points at a proxy.
_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")


def broker_url() -> str:
    """The real broker (not a proxy)."""
    url = _BROKER_URL
    if not url:
        pytest.fail("CELERY_BROKER_URL is not set: run `make test`.")
    return url


def test_database_url(host: str | None = None, port: int | None = None) -> str:
    """The test database as a URL for another process, optionally through a proxy."""
    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("The fault tests need PostgreSQL: run `make test`.")
    user, password = quote(s["USER"] or "", safe=""), quote(s["PASSWORD"] or "", safe="")
    # No TLS: the proxy may read the queries to cut the connection in the middle of one.
    return (
        f"postgres://{user}:{password}@{host or s['HOST']}:{port or s['PORT']}/{s['NAME']}"
        "?sslmode=disable"
    )


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def make_proxy():
    proxies = []

    def make(target: tuple[str, int]) -> FaultProxy:
        proxy = FaultProxy(target).start()
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.close()


@pytest.fixture
def queue():
    """A Celery queue of this test's own, emptied afterwards."""
    name = f"faults-{uuid.uuid4().hex[:12]}"
    yield name
    broker_redis().delete(name)


def broker_redis() -> redis.Redis:
    """redis-py on the broker's database, to look at the queues directly."""
    return redis.Redis.from_url(broker_url())


def _reset_producer() -> None:
    # The connection pool and the routing (default queue) are built once and cached.
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@contextmanager
def celery_producer(url: str, queue: str):
    """Tasks queued by this process go to ``url``, on ``queue``, for real (not eager)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_default_queue, conf.task_always_eager
    saved_env = os.environ.get("CELERY_BROKER_URL")
    # Celery prefers the environment variable to its configuration: set both.
    os.environ["CELERY_BROKER_URL"] = url
    conf.broker_url, conf.task_default_queue, conf.task_always_eager = url, queue, False
    _reset_producer()
    try:
        yield
    finally:
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        conf.broker_url, conf.task_default_queue, conf.task_always_eager = saved
        _reset_producer()


@pytest.fixture
def start_worker(tmp_path, queue):
    """Start real workers on the test's queue (with extra environment); stopped afterwards."""
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        worker_env = {"DATABASE_URL": test_database_url(), "CELERY_BROKER_URL": broker_url()}
        worker = Worker(queue=queue, env={**worker_env, **env}, log_dir=tmp_path)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def sms_dir(tmp_path, settings, monkeypatch):
    """The file SMS gateway, for this process and the workers it starts."""
    directory = tmp_path / "sms"
    directory.mkdir()
    monkeypatch.setenv("FAULTS_SMS_DIR", str(directory))
    settings.SMS_BACKEND = "tests.faults.sms.FileSmsBackend"
    return directory


WORKER_SMS = {"SMS_BACKEND": "tests.faults.sms.FileSmsBackend"}


@pytest.fixture
def open_form(settings):
    """The complaint form without its per-address limit: the tests file hundreds."""
    settings.COMPLAINT_RATE_LIMIT = "100000/h"
    settings.RATELIMIT_CACHE_PREFIX = f"rl-faults-{uuid.uuid4().hex}:"


def file_complaint(client, description: str, phone: str, files=None) -> str:
    """POST the public form like a citizen; the tracking number shown on the receipt."""
    data = {**FORM, "description": description, "contact_phone": phone}
    response = client.post("/complain/", {**data, **(files or {})})
    assert response.status_code == 302, response.content[:500]
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    number = receipt.context["receipt"]["tracking_number"]
    assert number in receipt.content.decode()
    return number


def complaints_filed(numbers: list[str]) -> int:
    return Complaint.objects.filter(tracking_number__in=numbers).count()
