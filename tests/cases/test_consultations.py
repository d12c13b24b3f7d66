"""Consultations answered at once (即问即答, cases.consultations): an official in scope or the
clerk who registered the question resolves it without dispatch, the answer is the public reply
the citizen is told of once, no credit record is written; every refusal changes nothing."""

import pytest

from cases import consultations, dispatch, staff_intake, workflow
from cases.consultations import ConsultationRefused, answer_consultation
from cases.models import CaseEvent, CaseStatus, Channel, Tier
from enterprises.models import CreditRecord
from foundation.notifications import MemorySmsBackend
from foundation.roles import Role
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db

ANSWER = "电梯困人时物业须在30分钟内到场救援，详见常见问题。"


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def clerk(db):
    return make_user("clerk", Role.INTAKE_CLERK)


def consultation(estate, *, tier=Tier.CONSULTATION, by=None):
    """A question by phone, registered by ``by`` (a clerk), else filed on the web."""
    if by is not None:
        return staff_intake.register_for_caller(
            actor=by,
            channel=Channel.HOTLINE,
            category="facilities",
            description="请问电梯困人物业多久必须到场？",
            contact_phone="13900002222",
            tier=tier,
            estate=estate,
            estate_name=estate.name,
        ).receipt.complaint
    complaint = make_complaint(estate=estate, phone="13900002222").complaint
    complaint.tier = tier
    complaint.save(update_fields=["tier"])
    return complaint


def snapshot(complaint):
    complaint.refresh_from_db()
    return (complaint.status, complaint.public_reply, complaint.events.count())


def test_official_answers_a_submitted_consultation_at_once(
    estate_x, official, sms, django_capture_on_commit_callbacks
):
    complaint = consultation(estate_x)

    with django_capture_on_commit_callbacks(execute=True):
        answer_consultation(complaint, actor=official, answer=f"  {ANSWER} ", faq_page=7)

    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.RESOLVED
    assert complaint.public_reply == ANSWER
    steps = list(complaint.events.filter(to_status__isnull=False).order_by("pk"))
    assert [(e.from_status, e.to_status, e.is_public) for e in steps[-2:]] == [
        (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, True),
        (CaseStatus.ACCEPTED, CaseStatus.RESOLVED, True),
    ]
    assert steps[-1].data["reply"] == ANSWER and steps[-1].data["faq_page"] == 7
    assert steps[-1].user == official
    # One message, the answer's; nothing against the company.
    assert len(sms) == 1 and complaint.tracking_number in sms[0][1]
    assert not CreditRecord.objects.filter(source_key=f"complaint:{complaint.pk}").exists()


def test_accepted_consultation_goes_straight_to_resolved(estate_x, official):
    complaint = consultation(estate_x)
    workflow.accept_case(complaint, actor=official)

    answer_consultation(complaint, actor=official, answer=ANSWER)

    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.RESOLVED
    assert complaint.events.filter(action="cases.complaint.accepted").count() == 1


def test_the_clerk_who_registered_it_answers_it(estate_x, clerk):
    complaint = consultation(estate_x, by=clerk)

    answer_consultation(complaint, actor=clerk, answer=ANSWER)

    assert snapshot(complaint)[:2] == (CaseStatus.RESOLVED, ANSWER)


def test_the_same_answer_twice_is_one_resolution(estate_x, official):
    complaint = consultation(estate_x)
    answer_consultation(complaint, actor=official, answer=ANSWER)
    before = snapshot(complaint)

    answer_consultation(complaint, actor=official, answer=ANSWER)

    assert snapshot(complaint) == before


@pytest.mark.parametrize("who", ["other_clerk", "inspector", "company_a_staff", "outsider"])
def test_who_may_not_answer_is_refused(who, estate_x, clerk, request, district_2):
    complaint = consultation(estate_x, by=clerk)
    actor = {
        "other_clerk": lambda: make_user("other_clerk", Role.INTAKE_CLERK),
        "inspector": lambda: request.getfixturevalue("inspector"),
        "company_a_staff": lambda: request.getfixturevalue("company_a_staff"),
        "outsider": lambda: make_user("official_d2", Role.OFFICIAL, district=district_2),
    }[who]()
    before = snapshot(complaint)

    with pytest.raises(ConsultationRefused) as refused:
        answer_consultation(complaint, actor=actor, answer=ANSWER)

    assert refused.value.field is None
    assert snapshot(complaint) == before


def test_a_complaint_that_is_not_a_consultation_is_refused(estate_x, official):
    complaint = consultation(estate_x, tier=Tier.GENERAL)
    before = snapshot(complaint)

    with pytest.raises(ConsultationRefused) as refused:
        answer_consultation(complaint, actor=official, answer=ANSWER)

    assert refused.value.field == "tier"
    assert snapshot(complaint) == before


@pytest.mark.parametrize("where", ["rejected", "assigned", "closed", "answered_differently"])
def test_a_case_past_answering_is_refused(where, estate_x, official, inspector):
    complaint = consultation(estate_x)
    if where == "rejected":
        workflow.reject_case(complaint, actor=official, reason="重复提交")
    elif where == "assigned":
        workflow.accept_case(complaint, actor=official)
        dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    else:
        answer_consultation(complaint, actor=official, answer="第一次的答复")
        if where == "closed":
            workflow.record_follow_up(complaint, actor=official, satisfaction="satisfied")
            workflow.close_case(complaint, actor=official)
    before = snapshot(complaint)

    with pytest.raises(ConsultationRefused) as refused:
        answer_consultation(complaint, actor=official, answer=ANSWER)

    assert refused.value.field is None
    assert snapshot(complaint) == before


@pytest.mark.parametrize("answer", ["", "   ", "答" * (consultations.MAX_ANSWER_CHARS + 1)])
def test_an_empty_or_overlong_answer_is_refused_on_its_field(answer, estate_x, official):
    complaint = consultation(estate_x)
    before = snapshot(complaint)

    with pytest.raises(ConsultationRefused) as refused:
        answer_consultation(complaint, actor=official, answer=answer)

    assert refused.value.field == "answer"
    assert snapshot(complaint) == before


def test_resolve_case_still_needs_a_dispatch_for_an_accepted_case(estate_x, official):
    """The table lets "accepted" become "resolved" for consultations only: the ordinary
    resolution of an accepted, undispatched case is refused as before."""
    complaint = consultation(estate_x)
    workflow.accept_case(complaint, actor=official)

    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.resolve_case(complaint, actor=official, reply=ANSWER)

    assert snapshot(complaint)[0] == CaseStatus.ACCEPTED
    assert not CaseEvent.objects.filter(complaint=complaint, action="cases.complaint.resolved")
