"""The drift check on the real node: each kind of drift is reported and fails the command,
and the repair (reconcile, reindex) makes it pass again. Transactional: the reindex reads rows
in its own thread, which sees only committed data."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from cases.models import Complaint
from search import engine, indexing
from search.drift import check_index
from search.indexing import COMPLAINT
from search.models import IndexOutbox
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def english():
    """The commands speak the active language (Chinese by default); these tests read English."""
    with translation.override("en"):
        yield


@pytest.fixture
def complaints(estate_x, search_index):
    made = [
        make_complaint(estate=estate_x, description=f"绿化带{n}无人修剪").complaint
        for n in range(5)
    ]
    assert not IndexOutbox.objects.exists()  # indexed on commit
    return made


def check_command() -> str:
    out = io.StringIO()
    call_command("search_check", stdout=out)
    return out.getvalue()


def assert_drift_fails_the_command():
    with pytest.raises(CommandError, match="drifted"):
        check_command()


def test_clean_index_is_ok(complaints):
    report = check_index()

    assert report.ok
    assert (report.database_count, report.index_count) == (5, 5)
    assert (report.sampled, report.index_sampled) == (5, 5)
    assert report.outbox_backlog == 0
    assert report.oldest_pending is None
    assert "matches the database" in check_command()


def test_document_missing_from_the_index_is_reported_until_reindexed(complaints):
    lost = complaints[2]
    engine.get_client().delete(index=engine.complaint_alias(), id=str(lost.pk))

    report = check_index()

    assert report.missing == [lost.pk]
    assert report.index_count == 4
    assert not report.ok
    assert_drift_fails_the_command()
    call_command("search_reindex", stdout=io.StringIO(), stderr=io.StringIO())
    assert check_index().ok


def test_stale_document_is_reported_until_reconciled(complaints):
    changed = complaints[1]
    queued_at = timezone.now()
    # A change whose index task never ran: the row moved on, the outbox remembers it.
    Complaint.objects.filter(pk=changed.pk).update(updated_at=queued_at + timedelta(seconds=1))
    IndexOutbox.objects.create(doc_type=COMPLAINT, object_id=changed.pk, changed_at=queued_at)

    report = check_index()

    assert report.stale == [changed.pk]
    assert report.missing == report.extra == []
    assert (report.outbox_backlog, report.oldest_pending) == (1, queued_at)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("search_check", stdout=out)
    assert f"Stale in the index: 1 {changed.pk}" in out.getvalue()
    call_command("search_reconcile", stdout=io.StringIO())
    report = check_index()
    assert report.ok
    assert report.outbox_backlog == 0


def test_row_deleted_without_reindexing_is_extra_until_its_id_is_indexed(complaints):
    gone = complaints[0].pk
    complaints[0].delete()

    report = check_index()

    assert report.extra == [gone]
    assert (report.database_count, report.index_count) == (4, 5)
    assert_drift_fails_the_command()
    assert indexing.index_complaints([gone]) == 1
    assert not engine.get_client().exists(index=engine.complaint_alias(), id=str(gone))
    assert check_index().ok


def test_deleting_a_never_indexed_complaint_clears_its_outbox_row(search_index):
    IndexOutbox.objects.create(doc_type=COMPLAINT, object_id=987654, changed_at=timezone.now())

    assert indexing.index_complaints([987654]) == 1

    assert not IndexOutbox.objects.exists()


def test_large_table_is_sampled_not_read_whole(complaints):
    report = check_index(sample_size=2, seed=7)

    assert report.sampled == report.index_sampled == 2
    assert report.ok


def test_check_command_refuses_without_elasticsearch(settings):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL"):
        call_command("search_check")


def test_the_report_is_in_chinese_by_default(search_index):
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("search_check", stdout=out)
    assert "检索索引与数据库一致。" in out.getvalue()
