"""/healthz reports every component and answers 503 only when the database is gone."""

import json

import pytest

from tests.portal.test_project import run_manage

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_component(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body["checks"]) == {"database", "broker", "elasticsearch", "workers"}
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
