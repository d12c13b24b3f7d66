"""The named cast, the page tree, and the real services (Elasticsearch, a Celery worker).

`make test` starts PostgreSQL, Redis and Elasticsearch and exports their URLs; tests that need
one of them fail loudly when it is missing instead of quietly skipping.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import django_otp
import pytest
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test import override_settings
from django.urls import clear_url_caches
from django.utils import translation
from wagtail.models import Locale, Page, Site

from enterprises import access
from foundation import table_memo
from foundation.roles import Role
from portal.config.celery import app as celery_app
from portal.models import ComplaintPage, HomePage, TrackingPage
from portal.site import routing
from tests import object_store
from tests.factories import DistrictFactory, EstateFactory, make_user

ROOT = Path(__file__).resolve().parent.parent


# Tests that stop or restart a shared service, run a real Celery worker on the shared queue, or
# start servers of their own: `make test` runs them alone, after the parallel part.
SERIAL_PATHS = ("tests/faults/", "tests/deployment/", "tests/search/test_slice.py")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "local_media: a test of the demo default, files on local disk"
    )
    config.addinivalue_line(
        "markers", "serial: stops a shared service or uses the shared queue: run alone"
    )
    config.addinivalue_line(
        "markers", "transactional: commits and empties every table at its end: run after"
    )
    _separate_this_worker()


def _separate_this_worker() -> None:
    """Under pytest-xdist each worker gets its own index prefix and Redis database (and, from
    pytest-django, its own test database), so parallel tests never see each other's records
    or flush each other's cache."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{worker}"
    os.environ["ELASTICSEARCH_INDEX_PREFIX"] = settings.ELASTICSEARCH_INDEX_PREFIX
    cache = settings.CACHES["default"]
    if "redis" in cache["BACKEND"].lower():
        base, _, database = cache["LOCATION"].rpartition("/")
        cache["LOCATION"] = f"{base}/{int(database or 0) + 2 + number}"
        os.environ["CACHE_URL"] = "rediscache" + cache["LOCATION"].removeprefix("redis")


def pytest_collection_modifyitems(config, items):
    """Mark what `make test` runs apart: ``serial`` (above) and ``transactional``: tests that
    commit (browser tests, the live server, ``transactional_db``) end by emptying every table,
    the rows the migrations made too (rules, pages, locales), which the other tests expect; in
    one process pytest-django runs them last, on parallel workers `make test` runs them after."""
    for item in items:
        path = item.nodeid.replace("\\", "/")
        fixtures = set(getattr(item, "fixturenames", ()))
        marker = item.get_closest_marker("django_db")
        if path.startswith(SERIAL_PATHS) or "real_celery" in fixtures:
            item.add_marker(pytest.mark.serial)
        elif {"transactional_db", "live_server"} & fixtures or (
            marker is not None and marker.kwargs.get("transaction")
        ):
            item.add_marker(pytest.mark.transactional)


# The world: two districts, a company and an estate in each -------------------------------


@pytest.fixture
def district_1(db):
    return DistrictFactory(code="donghu", name="东湖区")


@pytest.fixture
def district_2(db):
    return DistrictFactory(code="xiling", name="西岭区")


@pytest.fixture
def estate_x(district_1):
    return EstateFactory(name="翠湖花园", district=district_1)


@pytest.fixture
def estate_y(district_2):
    return EstateFactory(name="锦绣苑", district=district_2)


@pytest.fixture
def company_a(estate_x):
    return estate_x.managing_company


@pytest.fixture
def company_b(estate_y):
    return estate_y.managing_company


# The cast -------------------------------------------------------------------------------


def _second_factor_on_force_login(sender, request, user, **kwargs) -> None:
    """``client.force_login`` of an official or administrator (``give_second_factor``) keeps
    their verified device in the session with ``django_otp.login``, as django-otp's own
    receiver does after a real sign-in; the test client's bare request lacks only
    ``request.user``, which ``django.contrib.auth.login`` sets on real requests."""
    device = getattr(user, "otp_device", None)
    if device is not None and getattr(request, "user", None) is None:
        request.user = user
        django_otp.login(request, device)


user_logged_in.connect(_second_factor_on_force_login, dispatch_uid="tests.force_login_otp")


@pytest.fixture
def citizen(db):
    return make_user("citizen", Role.CITIZEN)


@pytest.fixture
def company_a_staff(company_a):
    user = make_user("company_a_staff", None)
    access.grant_company_staff(user, company_a)
    return user


@pytest.fixture
def company_b_staff(company_b):
    user = make_user("company_b_staff", None)
    access.grant_company_staff(user, company_b)
    return user


@pytest.fixture
def committee_member(estate_x):
    user = make_user("committee_member", None)
    access.grant_committee_member(user, estate_x)
    return user


@pytest.fixture
def evaluator(estate_x):
    """A third-party evaluator engaged on estate X only."""
    user = make_user("evaluator", None)
    access.engage_evaluator(user, estate_x)
    return user


@pytest.fixture
def inspector(district_1):
    return make_user("inspector", Role.INSPECTOR, district=district_1)


@pytest.fixture
def other_district_inspector(district_2):
    return make_user("other_district_inspector", Role.INSPECTOR, district=district_2)


@pytest.fixture
def official(district_1):
    return make_user("official", Role.OFFICIAL, district=district_1)


@pytest.fixture
def admin(db):
    return make_user("admin", Role.ADMINISTRATOR)


# The public site's pages ----------------------------------------------------------------


@pytest.fixture
def site_pages(db):
    """Home, complaint and tracking pages as the default site (rebuilt after a table flush)."""
    Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=HomePage(title="物业服务监管平台", slug="home-test"))
    complaint_page = home.add_child(instance=ComplaintPage(title="我要投诉", slug="complain"))
    tracking_page = home.add_child(instance=TrackingPage(title="进度查询", slug="track"))
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return {"home": home, "complaint": complaint_page, "tracking": tracking_page}


@pytest.fixture(autouse=True)
def media_root(request, settings, tmp_path, monkeypatch, object_store_prefix):
    """Uploaded files go to a temporary folder, never into the demo's media. With the object
    store (``make test``), each test's files go under a prefix of its own in the bucket
    (``tests.object_store.stored_files`` lists them) and no test writes a local media file,
    except those marked ``local_media`` (the demo default): a write to disk fails the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.node.get_closest_marker("local_media"):
        settings.STORAGES = {**settings.STORAGES, "default": LOCAL_STORAGE}
    elif object_store_prefix:
        default = settings.STORAGES["default"]
        location = f"{object_store_prefix}/{uuid.uuid4().hex[:12]}"
        options = {**default["OPTIONS"], "location": location}
        settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}
        monkeypatch.setattr(FileSystemStorage, "_save", _no_local_media_files)
    return settings.MEDIA_ROOT


LOCAL_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
_save_to_disk = FileSystemStorage._save


def _no_local_media_files(storage, name, content):
    if isinstance(storage, StaticFilesStorage):
        return _save_to_disk(storage, name, content)
    raise AssertionError(f"{name} written to local disk: files go to the object store")


@pytest.fixture(scope="session", autouse=True)
def object_store_prefix():
    """With the object store, this run's files live under a prefix of their own (other runs
    may share the bucket), also for the servers and workers the tests start; the prefix is
    emptied at the end."""
    if not object_store.configured():
        yield None
        return
    object_store.sign_with_the_real_clock()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    os.environ["OBJECT_STORE_PREFIX"] = prefix
    storages = {**settings.STORAGES}
    storages["default"] = {
        **storages["default"],
        "OPTIONS": {**storages["default"]["OPTIONS"], "location": prefix},
    }
    with override_settings(STORAGES=storages):
        yield prefix
        object_store.remove_prefix(prefix)


@pytest.fixture(autouse=True)
def migrated_rows_after_a_flush(request, django_db_blocker):
    """A transactional test ends by emptying every table, the rows the migrations made too
    (the default locale, Wagtail's root page); the next test on this database expects them,
    as a fresh test database has them. (Its teardown runs after the flush: autouse fixtures
    are set up first.)"""
    yield
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    with django_db_blocker.unblock():
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        if Page.get_first_root_node() is None:
            Page.add_root(title="Root", slug="root")


@pytest.fixture
def english(settings):
    """English messages in tests that read them, whether they are made in the test's thread,
    in a request (admin pages follow LANGUAGE_CODE) or for e-mails (sent in LANGUAGE_CODE).
    Each module that uses it also checks one message in Chinese, the default."""
    default = settings.LANGUAGE_CODE
    settings.LANGUAGE_CODE = "en"
    # Django keeps each language's reversed URLs; with English the default they lose their
    # /en/ prefix, so they are forgotten on the way in and out (else a later test on this
    # worker reverses "/vote/1/" for English).
    clear_url_caches()
    try:
        with translation.override("en"):
            yield
    finally:
        settings.LANGUAGE_CODE = default
        clear_url_caches()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language. A request through the test client leaves its
    language active in the thread (LocaleMiddleware does not deactivate it), which would turn
    the next test's page URLs into English ones."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def memories_forgotten():
    """Each test routes its own page tree and reads its own rule tables: what this process
    remembers (``portal.site.routing``, ``foundation.table_memo``) may hold rows a previous
    test rolled back."""
    routing.forget_routes()
    table_memo.forget_all()


# Celery: eager by default, a real worker process on request -------------------------------


@pytest.fixture(autouse=True)
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("The real-worker tests need PostgreSQL: run `make test`.")
    user, password = quote(s["USER"] or "", safe=""), quote(s["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` consuming from Redis and writing to the test database."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.fail("CELERY_BROKER_URL is not set: run `make test`.")
    with django_db_blocker.unblock():
        database_url = _database_url()
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url}
    celery_app.control.purge()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                f"pytest-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start:\n{log.read_text()[-3000:]}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def real_celery(celery_worker_process):
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = True


# Elasticsearch --------------------------------------------------------------------------


@pytest.fixture
def search_index(settings):
    """A fresh, empty complaint index behind the alias, removed afterwards."""
    if not settings.ELASTICSEARCH_URL:
        pytest.fail("ELASTICSEARCH_URL is not set: run `make test`.")
    from search import engine

    client = engine.get_client()
    pattern = f"{engine.complaint_alias()}*"
    client.indices.delete(index=pattern, ignore_unavailable=True, allow_no_indices=True)
    engine.ensure_complaint_index(client)
    yield client
    client.indices.delete(index=pattern, ignore_unavailable=True, allow_no_indices=True)


def wait_until(condition, timeout: float = 30.0, interval: float = 0.2):
    """Poll a real asynchronous process (a worker, a node) until it has done its work."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
