"""Rebuilding the complaint index on the real node: searches keep answering, and no change
made during the rebuild is lost. Transactional: the rebuild reads rows in its own thread,
which sees only committed data."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from cases.models import Complaint
from search import engine, indexing
from search.rebuild import RebuildInProgress, rebuild_complaint_index
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def english():
    """The commands speak the active language (Chinese by default); these tests read English."""
    with translation.override("en"):
        yield


COUNT = 7


@pytest.fixture
def complaints(estate_x, search_index):
    made = [
        make_complaint(estate=estate_x, description=f"电梯停运第{n}天").complaint
        for n in range(COUNT)
    ]
    indexing.refresh()
    return made


def live_indices() -> list[str]:
    return engine.indices_behind(engine.get_client(), engine.complaint_alias())


def all_indices() -> list[str]:
    pattern = f"{engine.complaint_alias()}*"
    return sorted(engine.get_client().indices.get(index=pattern, allow_no_indices=True))


def lift_hits() -> list[dict]:
    response = engine.get_client().search(
        index=engine.complaint_alias(),
        query={"match_phrase": {"description": "电梯"}},
        size=100,
    )
    return response["hits"]["hits"]


def indexed_ids() -> set[int]:
    indexing.refresh()
    response = engine.get_client().search(
        index=engine.complaint_alias(), query={"match_all": {}}, size=1000, source=False
    )
    return {int(hit["_id"]) for hit in response["hits"]["hits"]}


def test_rebuild_writes_every_document_and_swaps_the_alias(complaints):
    (old,) = live_indices()

    report = rebuild_complaint_index(batch_size=3)

    assert report.documents == COUNT
    assert report.docs_per_second > 0
    assert report.index != old
    assert live_indices() == [report.index]
    assert report.removed == (old,)
    assert all_indices() == [report.index]  # the old index and the rebuild alias are gone
    assert engine.indices_behind(engine.get_client(), engine.rebuild_alias()) == []
    assert indexed_ids() == {c.pk for c in complaints}
    settings = engine.get_client().indices.get_settings(index=report.index)
    assert settings[report.index]["settings"]["index"]["refresh_interval"] == "1s"


def test_searches_answer_from_the_old_index_during_the_rebuild(complaints):
    (old,) = live_indices()
    seen = []

    def search_meanwhile(_written):
        seen.append({(hit["_index"], hit["_id"]) for hit in lift_hits()})

    report = rebuild_complaint_index(batch_size=2, progress=search_meanwhile)

    assert len(seen) == 4  # 7 documents in batches of 2
    expected = {(old, str(c.pk)) for c in complaints}
    assert all(answer == expected for answer in seen)
    assert {hit["_index"] for hit in lift_hits()} == {report.index}


def test_changes_during_the_rebuild_are_in_the_new_index(complaints, estate_x):
    first, last = complaints[0], complaints[-1]
    added = []

    def change_meanwhile(_written):
        if added:
            return
        # The rebuild has written the first batch and probably read the next ones already.
        added.append(make_complaint(estate=estate_x, description="新投诉：电梯又停了").complaint)
        Complaint.objects.filter(pk=first.pk).delete()  # already loaded into the new index
        indexing.index_complaints([first.pk])
        Complaint.objects.filter(pk=last.pk).update(
            description="已更新：水泵漏水", updated_at=timezone.now()
        )  # not loaded yet, and maybe read by the rebuild before this change
        indexing.index_complaints([last.pk])

    rebuild_complaint_index(batch_size=2, progress=change_meanwhile)

    expected = {c.pk for c in complaints[1:]} | {added[0].pk}
    assert indexed_ids() == expected
    document = engine.get_client().get(index=engine.complaint_alias(), id=str(last.pk))
    assert document["_source"]["description"] == "已更新：水泵漏水"


def test_complaint_indexed_after_the_rebuild_has_read_every_row_is_kept(complaints, estate_x):
    added, written_so_far = [], []

    def add_at_the_end(written):
        written_so_far.append(written)
        if sum(written_so_far) >= COUNT and not added:
            added.append(make_complaint(estate=estate_x, description="最后一刻的投诉").complaint)

    rebuild_complaint_index(batch_size=COUNT, progress=add_at_the_end)

    assert added
    assert indexed_ids() == {c.pk for c in complaints} | {added[0].pk}


def test_failure_during_the_load_leaves_the_live_index_untouched(complaints):
    (old,) = live_indices()

    def fail(_written):
        raise RuntimeError("the load broke")

    with pytest.raises(RuntimeError, match="the load broke"):
        rebuild_complaint_index(batch_size=2, progress=fail)

    assert live_indices() == [old]
    assert all_indices() == [old]  # no half-built index, no rebuild alias
    assert len(lift_hits()) == COUNT


def test_second_rebuild_is_refused_while_one_runs(complaints):
    refusals = []

    def start_another(_written):
        if not refusals:
            with pytest.raises(RebuildInProgress):
                rebuild_complaint_index()
            refusals.append(True)

    report = rebuild_complaint_index(batch_size=3, progress=start_another)

    assert refusals
    assert live_indices() == [report.index]
    assert indexed_ids() == {c.pk for c in complaints}


def test_force_clears_a_rebuild_left_by_a_crashed_run(complaints):
    client = engine.get_client()
    crashed = f"{engine.complaint_alias()}-crashed"
    client.indices.create(index=crashed, aliases={engine.rebuild_alias(): {}})

    with pytest.raises(RebuildInProgress):
        rebuild_complaint_index()
    report = rebuild_complaint_index(force=True)

    assert all_indices() == [report.index]
    assert indexed_ids() == {c.pk for c in complaints}


def test_reindex_command_prints_the_rate_and_leaves_the_index_complete(complaints):
    out, err = io.StringIO(), io.StringIO()

    call_command("search_reindex", "--batch-size", "3", stdout=out, stderr=err)

    (index,) = live_indices()
    assert f"{COUNT} documents in" in out.getvalue()
    assert "docs/s" in out.getvalue()
    assert index in out.getvalue()
    assert f"{COUNT}/{COUNT}" in err.getvalue()  # the progress bar reached the end
    assert indexed_ids() == {c.pk for c in complaints}


def test_reindex_command_refuses_without_elasticsearch(settings):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL"):
        call_command("search_reindex")
