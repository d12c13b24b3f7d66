"""PostgreSQL unreachable: a real server process (gunicorn, production settings) answers
every page with the 503 page, never a 500 or a stack trace, and a submission cut off in the
middle of its transaction leaves nothing behind: no row, no photo file, no outbox entry."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from cases.models import CaseEvent, Complaint, ComplaintPhoto
from foundation.models import Notification
from search.models import IndexOutbox
from tests import object_store
from tests.conftest import ROOT, wait_until
from tests.faults.conftest import test_database_url
from tests.images import jpeg_with_gps

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FORM = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "消防通道被堵塞，多次反映无人处理。",
    "contact_phone": "13512345678",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def db_proxy(make_proxy):
    s = connection.settings_dict
    return make_proxy((s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)))


@pytest.fixture
def server(db_proxy, site_pages, tmp_path):
    """gunicorn with the production settings (DEBUG=0), on the test database via the proxy."""
    port = free_port()
    media = tmp_path / "served-media"
    if object_store.configured():  # the server's own folder of the bucket
        media = f"{os.environ['OBJECT_STORE_PREFIX']}/pg-down-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": django_settings.SECRET_KEY,
        "SALT_KEY": ",".join(getattr(django_settings, "SALT_KEY", ["faults"])),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": test_database_url("127.0.0.1", db_proxy.port),
        "CACHE_URL": "locmemcache://faults",  # no page from the cache: every answer is fresh
        "CELERY_BROKER_URL": "",  # eager: nothing queued elsewhere
        "MEDIA_ROOT": str(media),
        "OBJECT_STORE_PREFIX": str(media),
        "COMPLAINT_RATE_LIMIT": "1000/h",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=30).status_code == 200
        except requests.ConnectionError:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
            return False

    try:
        wait_until(answers, timeout=60)
        yield base, media
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def csrf(base: str) -> tuple[str, dict]:
    """A CSRF token and its cookie (secure cookies under DEBUG=0: sent back by hand)."""
    response = requests.get(f"{base}/complain/", timeout=10)
    assert response.status_code == 200
    token = response.cookies["csrftoken"]
    return token, {"Cookie": f"csrftoken={token}"}


def post_complaint(base: str, token: str, headers: dict) -> requests.Response:
    return requests.post(
        f"{base}/complain/",
        data={**FORM, "csrfmiddlewaretoken": token},
        files={"files": ("photo.jpg", jpeg_with_gps().read(), "image/jpeg")},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )


def assert_unavailable_page(response: requests.Response) -> None:
    assert response.status_code == 503, response.text[:1000]
    assert response.headers["Retry-After"].isdigit()
    assert "no-store" in response.headers["Cache-Control"]
    body = response.text
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert gettext("Service temporarily unavailable") in body
            assert (
                gettext(
                    "Nothing was saved: if you were filing a complaint, it has not been received. "
                    "Please send it again later."
                )
                in body
            )
    assert "12345" in body
    assert "Traceback" not in body and "OperationalError" not in body


def files_under(directory) -> list:
    """The server's stored files: objects under its prefix, or files in its media folder."""
    if isinstance(directory, str):
        return object_store.keys(directory)
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def test_every_page_answers_503_while_postgresql_is_unreachable(server, db_proxy):
    base, media = server
    cached = requests.get(f"{base}/en/", timeout=10)  # a public page, now in the page cache
    assert cached.status_code == 200
    token, headers = csrf(base)

    db_proxy.cut()
    for path in ("/", "/complain/", "/track/", "/en/complain/"):
        assert_unavailable_page(requests.get(f"{base}{path}", timeout=30))
    # A public page already in the cache still answers, with no query at all.
    again = requests.get(f"{base}/en/", timeout=10)
    assert (again.status_code, again.text) == (200, cached.text)
    assert_unavailable_page(post_complaint(base, token, headers))
    # Signed in or with a session: the session middleware must not fail first either.
    assert_unavailable_page(
        requests.get(f"{base}/track/", headers={"Cookie": "sessionid=abc123"}, timeout=30)
    )

    db_proxy.restore()
    assert requests.get(f"{base}/", timeout=10).status_code == 200  # back by itself
    assert not Complaint.objects.exists()
    assert files_under(media) == []


def test_a_submission_cut_off_mid_transaction_leaves_nothing_half_written(server, db_proxy):
    base, media = server
    token, headers = csrf(base)
    # PostgreSQL goes away just as the photo row is written: the photo file is on disk
    # already, the complaint row and its event are written but not committed.
    db_proxy.cut_when(b'INSERT INTO "cases_complaintphoto"')

    assert_unavailable_page(post_complaint(base, token, headers))

    db_proxy.restore()
    wait_until(lambda: requests.get(f"{base}/", timeout=10).status_code == 200)
    assert not Complaint.objects.exists()
    assert not ComplaintPhoto.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not IndexOutbox.objects.exists()
    assert not Notification.objects.exists()
    assert files_under(media) == []

    # And the same submission, once the database is back, is taken.
    assert post_complaint(base, token, headers).status_code == 302
    assert Complaint.objects.count() == 1
    assert len(files_under(media)) == 1
