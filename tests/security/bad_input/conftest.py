"""Hostile input for every public form and API: strategies, row counts, rolled-back examples.

Each Hypothesis example runs inside a savepoint that is rolled back, so one example's rows
never meet the next one's and the real PostgreSQL database sees exactly what production would.
"""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from cases.models import CaseAttachment, CaseEvent, Complaint, ComplaintPhoto, InfoRequest
from foundation.models import Notification
from search.models import IndexOutbox

# Few examples each, and no deadline: the database is real and the machine has two cores.
FEW = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SCRIPT = "<script>alert(1)</script>"
HOSTILE_SNIPPETS = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'; DROP TABLE cases_complaint; --",
    "{{ 7*7 }}{% debug %}",
    "\u202egnp.exe",
    "%00%0d%0a",
    "١٢٣٤ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
]
# Characters a browser can send (no lone surrogates: UTF-8 cannot carry them).
browser_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
hostile_text = st.one_of(
    browser_text,
    st.sampled_from(HOSTILE_SNIPPETS),
    st.lists(st.sampled_from(HOSTILE_SNIPPETS), min_size=1, max_size=4).map("".join),
    st.integers(min_value=10_000, max_value=60_000).map(lambda n: "长" * n),
    st.sampled_from(["\x00", "a\x00b", "\x1b[31m", "\x07", "\x85", "\x7f"]),
    st.sampled_from(["-1", "0", "1e309", "NaN", "9" * 5000, "", " "]),
)


def zh(message: str) -> str:
    """``message`` as Chinese pages show it (the default language)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def counts() -> dict[str, int]:
    """Rows any public submission could write."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Complaint,
            ComplaintPhoto,
            CaseAttachment,
            CaseEvent,
            InfoRequest,
            Notification,
            IndexOutbox,
        )
    }


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, undone afterwards (a savepoint inside the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_not_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])


def assert_escaped(body: str) -> None:
    """No markup from the hostile snippets reaches the page unescaped."""
    assert "<script>alert(1)" not in body
    assert "<img src=x onerror" not in body


@pytest.fixture(autouse=True)
def no_limits(settings):
    """Every request here is hostile on purpose: rate limits would answer before validation.
    Counters under this test's own prefix; public pages rendered, never cached."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-badinput-{uuid.uuid4().hex}:"
    settings.COMPLAINT_RATE_LIMIT = "100000/h"
    settings.TRACKING_RATE_LIMIT = "100000/h"
    settings.OPEN311_READ_RATE_LIMIT = "100000/m"
    settings.OPEN311_CREATE_RATE_LIMIT = "100000/m"
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    settings.ELASTICSEARCH_URL = ""  # the statistics and search pages use the database here
    yield
    cache.clear()
