"""Improvement requests (enterprises.improvement_requests, escalated by
cases.committee_requests): the committee sends, the company answers, the committee accepts or
escalates once, which opens a case through the owners' committee channel carrying the request's
history; who may do each; the daily sweep flags unanswered requests once."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from cases import committee_requests
from cases.models import Channel, Complaint
from enterprises import improvement_requests as requests_
from enterprises.models import ImprovementRequest, RequestStatus
from foundation.models import Notification

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=14)


@pytest.fixture(autouse=True)
def english(default_language):
    """Messages are matched in English (the Chinese ones are merged later)."""
    translation.activate("en")


def send(member, estate, text="电梯经常停运，请在两周内修复并说明原因。"):
    return requests_.send_request(actor=member, estate=estate, text=text, deadline=SOON)


def test_sent_answered_escalated_opens_one_case_with_the_history(
    committee_member, company_a_staff, estate_x, company_a
):
    request = send(committee_member, estate_x)
    assert (request.status, request.company) == (RequestStatus.SENT, company_a)
    with pytest.raises(requests_.RequestRefused, match="not answered"):
        committee_requests.escalate_request(request, actor=committee_member, note="x")
    requests_.answer_request(request, actor=company_a_staff, answer="已联系维保单位。")
    with pytest.raises(requests_.RequestRefused, match="answered already"):
        requests_.answer_request(request, actor=company_a_staff, answer="again")
    with pytest.raises(requests_.RequestRefused) as refused:
        committee_requests.escalate_request(request, actor=committee_member, note=" ")
    assert refused.value.field == "note" and not Complaint.objects.exists()
    escalated = committee_requests.escalate_request(
        request, actor=committee_member, note="电梯仍然停运。"
    )
    case = Complaint.objects.get()
    assert escalated.status == RequestStatus.ESCALATED
    assert escalated.case_tracking_number == case.tracking_number
    assert case.channel == Channel.OWNERS_COMMITTEE and case.estate == estate_x
    assert case.company == company_a and case.registered_by == committee_member
    for part in ("电梯经常停运", "已联系维保单位。", "电梯仍然停运。", estate_x.name):
        assert part in case.description
    with pytest.raises(requests_.RequestRefused, match=case.tracking_number):
        committee_requests.escalate_request(request, actor=committee_member, note="again")
    with pytest.raises(requests_.RequestRefused):
        requests_.accept_answer(request, actor=committee_member)
    assert Complaint.objects.count() == 1


def test_an_accepted_answer_closes_the_request(committee_member, company_a_staff, estate_x):
    request = send(committee_member, estate_x)
    requests_.answer_request(request, actor=company_a_staff, answer="已修复。")
    requests_.accept_answer(request, actor=committee_member, note="确认已修复")
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED and request.decided_by == committee_member
    with pytest.raises(requests_.RequestRefused, match="accepted"):
        committee_requests.escalate_request(request, actor=committee_member, note="x")
    assert not Complaint.objects.exists()


def test_who_may_send_answer_and_decide(
    committee_member, company_a_staff, company_b_staff, official, evaluator, estate_x
):
    for actor in (company_a_staff, official, evaluator):
        with pytest.raises(requests_.RequestNotAllowed):
            send(actor, estate_x)
    request = send(committee_member, estate_x)
    for actor in (committee_member, company_b_staff, official):
        with pytest.raises(requests_.RequestNotAllowed):
            requests_.answer_request(request, actor=actor, answer="x")
    requests_.answer_request(request, actor=company_a_staff, answer="已修复。")
    for actor in (company_a_staff, official, evaluator):
        with pytest.raises(requests_.RequestNotAllowed):
            requests_.accept_answer(request, actor=actor)
        with pytest.raises(requests_.RequestNotAllowed):
            committee_requests.escalate_request(request, actor=actor, note="x")
    assert ImprovementRequest.objects.get().status == RequestStatus.ANSWERED
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("text", "deadline", "field"),
    [(" ", SOON, "text"), ("x", timezone.localdate(), "deadline"), ("x", None, "deadline")],
)
def test_bad_requests_are_refused(committee_member, estate_x, text, deadline, field):
    with pytest.raises(requests_.RequestRefused) as refused:
        requests_.send_request(
            actor=committee_member, estate=estate_x, text=text, deadline=deadline
        )
    assert refused.value.field == field and not ImprovementRequest.objects.exists()


def test_the_sweep_flags_an_unanswered_request_once(
    committee_member, company_a_staff, official, estate_x
):
    late = send(committee_member, estate_x)
    answered = send(committee_member, estate_x)
    requests_.answer_request(answered, actor=company_a_staff, answer="好")
    after = SOON + dt.timedelta(days=1)
    assert requests_.flag_overdue_requests(SOON) == 0
    assert requests_.flag_overdue_requests(after) == 1
    assert requests_.flag_overdue_requests(after) == 0
    late.refresh_from_db()
    assert late.overdue_flagged_at is not None
    queued = Notification.objects.filter(dedup_key__startswith=f"improvement_request:{late.pk}:")
    assert official.email in set(queued.values_list("recipient", flat=True))
