"""Intake (受理登记): the complaint, its first event and its outbox row commit together."""

import pytest

from cases import services
from cases.models import CaseEvent, Complaint
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def test_tracking_number_clash_draws_another_number(monkeypatch, estate_x):
    first = make_complaint(estate=estate_x)
    numbers = iter([first.tracking_number, "WY20261121NEWNUM"])
    monkeypatch.setattr(services, "new_tracking_number", lambda: next(numbers))

    second = make_complaint(estate=estate_x)

    assert second.tracking_number == "WY20261121NEWNUM"
    assert Complaint.objects.count() == 2
    assert CaseEvent.objects.filter(complaint=second.complaint).count() == 1


def test_complaint_without_register_match_keeps_the_typed_place():
    receipt = make_complaint(estate=None)
    complaint = receipt.complaint
    assert (complaint.estate, complaint.district, complaint.company) == (None, None, None)
    assert complaint.estate_name == "无名小区"


def test_outbox_row_is_written_with_the_complaint(settings, estate_x):
    from search.models import IndexOutbox

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # configured; nothing runs on commit
    receipt = make_complaint(estate=estate_x)
    assert IndexOutbox.objects.filter(object_id=receipt.complaint.pk).exists()


def test_database_fallback_queues_nothing(settings, estate_x):
    from search.models import IndexOutbox

    settings.ELASTICSEARCH_URL = ""
    make_complaint(estate=estate_x)
    assert not IndexOutbox.objects.exists()
