"""The "database unavailable" page (503) answers a lost database only (issue 24): an
``OperationalError`` is also how a backend refuses a query it cannot run (SQLite's full-text
search on a stray quote), which is our error, a 500, and must not tell a citizen that the
platform lost its database."""

import sys

import pytest
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.test import RequestFactory

from portal.availability.unavailable import (
    DatabaseUnavailableMiddleware,
    database_lost,
    server_error,
)

pytestmark = pytest.mark.django_db(transaction=True)
QUERY_ERROR = OperationalError('fts5: syntax error near """')


def _middleware():
    return DatabaseUnavailableMiddleware(lambda request: None)


def test_a_query_the_engine_refuses_is_not_the_unavailable_page():
    request = RequestFactory().get("/search/", {"q": '"'})
    assert not database_lost(QUERY_ERROR)
    assert _middleware().process_exception(request, QUERY_ERROR) is None
    try:
        raise QUERY_ERROR
    except OperationalError:
        assert sys.exc_info()[1] is QUERY_ERROR
        assert server_error(request).status_code == 500


def test_a_lost_connection_is_the_unavailable_page():
    request = RequestFactory().get("/")
    response = _middleware().process_exception(request, InterfaceError("connection already closed"))
    assert response.status_code == 503
    assert response["Retry-After"]


def test_an_unreachable_database_is_the_unavailable_page(monkeypatch):
    """The probe opens a fresh connection: with the server's port closed, it is lost."""
    settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        pytest.fail("the suite runs on PostgreSQL (REQUIRE_REAL_SERVICES)")
    monkeypatch.setitem(settings_dict, "PORT", "9")  # discard port: nothing listens
    monkeypatch.setitem(
        settings_dict, "OPTIONS", {**settings_dict["OPTIONS"], "connect_timeout": 2}
    )
    request = RequestFactory().get("/")
    response = _middleware().process_exception(request, OperationalError("server closed"))
    assert response.status_code == 503
