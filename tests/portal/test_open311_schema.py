"""The Open311 API fuzzed against its own OpenAPI schema (schemathesis), in-process.

Every operation gets generated requests, valid and invalid: none may end in a server error,
and every answer must be one the schema describes (status, content type, body). The schema is
loaded from the running WSGI application, so what partners download is what is tested.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks

from portal.config.wsgi import application
from portal.open311 import keys

URLCONF = "tests.open311_urls"
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


def app(environ: dict, start_response):
    """The project's WSGI application with a client address, which a real server always
    gives and werkzeug's test client does not."""
    environ.setdefault("REMOTE_ADDR", "192.0.2.10")
    return application(environ, start_response)


@pytest.fixture(autouse=True)
def served_in_process(settings, db):
    """The API mounted, limits no fuzzing run reaches, and the test's database connection
    kept open: Django closes "old" connections when a request ends, which would end the
    test's transaction (its own test client switches that off the same way)."""
    settings.ROOT_URLCONF = URLCONF
    settings.OPEN311_READ_RATE_LIMIT = "100000/m"
    settings.OPEN311_CREATE_RATE_LIMIT = "100000/m"
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def partner_key(db) -> str:
    return keys.issue_key("fuzzing partner")[1]


# Loaded when the module is collected, one test per operation. (The lazy loader,
# schemathesis.pytest.from_fixture, does not run under pytest 9.2 with schemathesis 4.32.5.)
# Serving the schema reads no database, which pytest-django blocks at collection.
with override_settings(ROOT_URLCONF=URLCONF):
    schema = schemathesis.openapi.from_wsgi("/api/open311/v2/openapi.json", app)


@schema.parametrize()
@schema.given(use_valid_key=st.booleans())
@settings(
    max_examples=60,
    deadline=None,
    database=None,  # no example files left in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case, use_valid_key, partner_key):
    # Half the generated filings carry a real key, so validation is reached, not only the 403.
    if case.method == "POST" and use_valid_key and isinstance(case.body, dict):
        case.body = {**case.body, "api_key": partner_key}
    case.call_and_validate(checks=CHECKS)
