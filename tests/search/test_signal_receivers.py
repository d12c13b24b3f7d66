"""Search follows the case domain through ``cases.signals``: the outbox row is written in the
writer's transaction and the index task queued only once it commits."""

import pytest
from django.db import transaction

from cases import workflow
from cases.signals import complaint_changed
from search.models import IndexOutbox
from search.tasks import index_complaints
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def search_configured(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # configured; nothing runs on commit


def index_tasks(callbacks) -> int:
    """How many of the on-commit callbacks queue the index task (``delay_on_commit``)."""
    name = index_complaints.name
    return sum(1 for callback in callbacks if getattr(callback, "task_name", None) == name)


def test_search_subscribes_to_complaint_changes():
    uids = {key[0] for key, *_rest in complaint_changed.receivers}
    assert "search.queue_changed_complaints" in uids


def test_a_case_change_writes_its_outbox_row_and_queues_indexing_on_commit(
    search_configured, estate_x, official, django_capture_on_commit_callbacks
):
    complaint = make_complaint(estate=estate_x).complaint
    IndexOutbox.objects.all().delete()
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.accept_case(complaint, actor=official)
    assert list(IndexOutbox.objects.values_list("object_id", flat=True)) == [complaint.pk]
    assert index_tasks(callbacks) == 1


def test_a_rolled_back_change_leaves_no_outbox_row_and_queues_nothing(
    search_configured, estate_x, official, django_capture_on_commit_callbacks
):
    complaint = make_complaint(estate=estate_x).complaint
    IndexOutbox.objects.all().delete()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.accept_case(complaint, actor=official)
        raise RuntimeError("the request failed after the change")
    assert not IndexOutbox.objects.exists()
    assert index_tasks(callbacks) == 0
