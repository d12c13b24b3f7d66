"""The rebuild's documents written by PostgreSQL (``search.sql_documents``) are the documents
``search.documents.complaint_document`` builds, field for field, on complaints that differ in
every way a document can: no estate (no district, no company), dispatched and assigned,
rated, no due date, timestamps with and without microseconds, text with quotes, newlines,
control characters and characters outside the BMP."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from cases.models import Complaint
from search import sql_documents
from search.documents import complaint_document, complaint_rows
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
INDEXED_AT = "2026-12-05T10:11:12.131415+00:00"


@pytest.fixture
def varied(estate_x, estate_y, inspector):
    texts = [
        "电梯停运三天，无人维修",
        'He said "lift" \\ broken\nsecond line\ttab',
        "控制字符\x01\x1f结束 😀 𠀀",
        "",
    ]
    made = [make_complaint(estate=e, description=t or "x").complaint
            for e in (estate_x, estate_y, None) for t in texts]  # fmt: skip
    first, second, third, fourth = made[:4]
    whole_second = dt.datetime(2026, 1, 31, 16, 0, 0, tzinfo=dt.UTC)  # Feb 1st in Shanghai
    Complaint.objects.filter(pk=first.pk).update(
        satisfaction="satisfied",
        dispatched_company_id=first.company_id,
        assigned_inspector=inspector,
        created_at=whole_second,
        updated_at=whole_second,
    )
    Complaint.objects.filter(pk=second.pk).update(resolve_due_at=None, description="")
    Complaint.objects.filter(pk=third.pk).update(
        updated_at=dt.datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),
        created_at=timezone.now() - dt.timedelta(days=400, microseconds=1),
    )
    Complaint.objects.filter(pk=fourth.pk).update(
        updated_at=dt.datetime(2001, 9, 9, 1, 46, 40, 100, tzinfo=dt.UTC)
    )
    return [c.pk for c in made]


def test_postgresql_writes_the_same_documents_and_actions(varied):
    lines = sql_documents.bulk_lines("the-index", 0, 1000, INDEXED_AT)
    rows = {row["id"]: row for row in complaint_rows(varied)}
    assert [pk for pk, _ in lines] == sorted(varied)
    for pk, line in lines:
        action, source = line.split("\n")
        expected = complaint_document(rows[pk], INDEXED_AT)
        assert json.loads(source) == expected
        assert json.loads(action) == {
            "index": {
                "_index": "the-index",
                "_id": str(pk),
                "version": expected["version"],
                "version_type": "external_gte",
            }
        }


def test_pages_follow_the_primary_key(varied):
    ordered = sorted(varied)
    first = sql_documents.bulk_lines("i", 0, 5, INDEXED_AT)
    rest = sql_documents.bulk_lines("i", first[-1][0], 1000, INDEXED_AT)
    assert [pk for pk, _ in first + rest] == ordered
