"""The complainant hears of acceptance, rejection (with the reason), a merge, an extension and
resolution (with the follow-up request), once per event, by SMS and e-mail, and nothing of
internal steps."""

import pytest
from django.utils import timezone

from cases import clock, dispatch, merging, workflow
from cases.models import Complaint
from foundation.models import Notification
from foundation.notifications import MemorySmsBackend
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def complaint(estate_x):
    return make_complaint(estate=estate_x, phone="13900001111").complaint


def start(complaint, official, inspector):
    """Dispatched to the inspector, who signs for it: in progress."""
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)


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
    complaint, official, inspector, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official)
        start(complaint, official, inspector)
        workflow.resolve_case(complaint, actor=official, reply="已更换水泵。")
    texts = [text for _phone, text in sms]
    assert len(texts) == 3  # accepted, dispatched (tests/cases/test_step_messages.py), resolved
    assert "已更换水泵。" in texts[2] and "满意" in texts[2]


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


def test_the_complainant_with_an_e_mail_address_gets_e_mails_too(
    complaint, official, sms, mailoutbox, django_capture_on_commit_callbacks
):
    Complaint.objects.filter(pk=complaint.pk).update(contact_email="wang@example.com")
    complaint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official)
    [mail] = mailoutbox
    assert mail.to == ["wang@example.com"]
    assert complaint.tracking_number in mail.subject
    assert len(sms) == 1  # and the SMS as before


def test_a_complainant_without_an_e_mail_address_gets_no_e_mail(
    complaint, official, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept_case(complaint, actor=official)
    assert mailoutbox == []
    assert Notification.objects.filter(channel="email").count() == 0


def test_a_merged_complainant_is_told_which_case_they_now_follow(
    complaint, estate_x, official, sms, django_capture_on_commit_callbacks
):
    primary = make_complaint(estate=estate_x, phone="13900002222").complaint
    with django_capture_on_commit_callbacks(execute=True):
        merging.merge_complaint(complaint, into=primary, actor=official)
    [(phone, text)] = sms
    assert phone == "13900001111"
    assert complaint.tracking_number in text and primary.tracking_number in text


def test_an_approved_extension_tells_the_new_due_date(
    complaint, official, inspector, sms, django_capture_on_commit_callbacks
):
    workflow.accept_case(complaint, actor=official)
    start(complaint, official, inspector)
    extension = clock.request_extension(
        complaint, actor=inspector, working_days=5, reason="需更换主板，等待厂家配件"
    )
    before = f"{timezone.localtime(complaint.resolve_due_at):%Y-%m-%d}"
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        clock.decide_extension(extension, actor=official, approve=True)
    complaint.refresh_from_db()
    [(_phone, text)] = sms
    assert complaint.tracking_number in text and before not in text
    assert f"{timezone.localtime(complaint.resolve_due_at):%Y-%m-%d}" in text


def test_a_refused_extension_tells_the_complainant_nothing(
    complaint, official, inspector, sms, django_capture_on_commit_callbacks
):
    workflow.accept_case(complaint, actor=official)
    start(complaint, official, inspector)
    extension = clock.request_extension(complaint, actor=inspector, working_days=5, reason="x")
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        clock.decide_extension(extension, actor=official, approve=False, note="时间足够")
    assert sms == []


def test_merged_complainants_are_asked_to_rate_the_primarys_resolution_once_each(
    complaint, estate_x, official, inspector, sms, django_capture_on_commit_callbacks
):
    first = make_complaint(estate=estate_x, phone="13900003333").complaint
    second = make_complaint(estate=estate_x, phone="13900004444").complaint
    workflow.accept_case(complaint, actor=official)
    merging.merge_complaint(first, into=complaint, actor=official)
    merging.merge_complaint(second, into=complaint, actor=official)
    start(complaint, official, inspector)
    sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.resolve_case(complaint, actor=official, reply="已更换水泵。")
        workflow.resolve_case(complaint, actor=official, reply="已更换水泵。")
    by_phone = {phone: text for phone, text in sms}
    assert len(sms) == 3 and set(by_phone) == {"13900001111", "13900003333", "13900004444"}
    for follower in (first, second):
        text = by_phone[follower.contact_phone]
        assert "已更换水泵。" in text
        assert follower.tracking_number in text and complaint.tracking_number in text
