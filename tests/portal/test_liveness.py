"""/healthz/live answers while every backing service is gone: it touches none of them (a
database outage must not get every web server restarted), and it needs no HTTPS redirect."""

import pytest
from django.core.cache import cache


def test_liveness_touches_neither_database_nor_cache(client, monkeypatch):
    # No django_db mark: any query would raise.
    def no_cache(*args, **kwargs):
        raise AssertionError("liveness used the cache")

    for method in ("get", "set", "add", "get_many"):
        monkeypatch.setattr(cache, method, no_cache)
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_now_reports_the_cache(client):
    body = client.get("/healthz").json()
    assert body["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_a_cache_that_keeps_nothing_degrades_healthz_but_keeps_it_200(client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"]["error"].endswith("did not keep a value")


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/live").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/admin/login/").status_code == 301
