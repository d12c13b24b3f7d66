"""The complainant hears of acceptance, rejection (with the reason) and resolution (with the
follow-up request), once per event, and nothing of internal steps."""

import pytest

from cases import workflow
from portal.notifications import MemorySmsBackend
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "portal.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def complaint(estate_x):
    return make_complaint(estate=estate_x, phone="13900001111").complaint


def test_acceptance_tells_the_due_date(
    complaint, official, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official, tier="urgent")
    complaint.refresh_from_db()
    [(phone, text)] = sms
    assert phone == "13900001111"
    assert complaint.tracking_number in text and "受理" in text
    assert f"{complaint.resolve_due_at:%Y-%m-%d}" in text


def test_rejection_tells_the_reason(complaint, official, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reject_case(complaint, actor=official, reason="属于供水公司职责")
    [(_phone, text)] = sms
    assert "属于供水公司职责" in text


def test_resolution_asks_for_the_rating(
    complaint, official, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official)
        workflow.assign_case(complaint, actor=official)
        workflow.start_work(complaint, actor=official)
        workflow.resolve_case(complaint, actor=official, reply="已更换水泵。")
    texts = [text for _phone, text in sms]
    assert len(texts) == 2  # accepted, resolved: dispatch and work are internal steps
    assert "已更换水泵。" in texts[1] and "满意" in texts[1]


def test_a_repeated_transition_sends_nothing_more(
    complaint, official, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official)
        workflow.accept_case(complaint, actor=official)
    assert len(sms) == 1


def test_a_refused_transition_sends_nothing(complaint, official, sms):
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.resolve_case(complaint, actor=official, reply="x")
    assert sms == []


def test_due_dates_are_set_at_intake_and_follow_the_tier(complaint, official):
    assert complaint.accept_due_at < complaint.respond_due_at < complaint.resolve_due_at
    general_due = complaint.resolve_due_at
    workflow.accept_case(complaint, actor=official, tier="urgent")
    complaint.refresh_from_db()
    assert complaint.resolve_due_at < general_due  # 3 working days instead of 15
