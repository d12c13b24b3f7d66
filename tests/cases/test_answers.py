"""The company's answer (答复) with its evidence, and the inspector's review of it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases import dispatch, workflow
from cases.models import (
    AnswerStatus,
    AttachmentKind,
    CaseAttachment,
    CaseEvent,
    CaseStatus,
    CompanyAnswer,
    Complaint,
    Dispatch,
)
from foundation.models import Notification
from tests.enterprises.pdfs import contract_pdf
from tests.factories import make_complaint
from tests.images import jpeg_with_gps, lying_jpeg
from tests.object_store import stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def english_on_a_tuesday_morning(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00")
    with translation.override("en"):
        yield


def unit(complaint, **which) -> Dispatch:
    return Dispatch.objects.get(complaint=complaint, status__in=dispatch.ACTIVE, **which)


@pytest.fixture
def dispatched(estate_x, official, inspector, company_a):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    return dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company_a)


@pytest.fixture
def signed(dispatched, inspector, company_a_staff):
    """Both units signed for the case: it is in progress."""
    dispatch.sign_dispatch(unit(dispatched, inspector=inspector), actor=inspector)
    dispatch.sign_dispatch(unit(dispatched, company__isnull=False), actor=company_a_staff)
    return Complaint.objects.get(pk=dispatched.pk)


@pytest.fixture
def answered(signed, company_a_staff):
    return dispatch.submit_answer(signed, actor=company_a_staff, text="已更换电梯控制板。")


def snapshot(complaint):
    complaint = Complaint.objects.get(pk=complaint.pk)
    return (
        complaint.status,
        sorted(complaint.answers.values_list("pk", "status", "review_note")),
        complaint.attachments.count(),
        complaint.events.count(),
        Notification.objects.count(),
    )


# Answering --------------------------------------------------------------------------------


def test_the_company_answers_with_evidence(signed, company_a_staff, company_a, inspector):
    answer = dispatch.submit_answer(
        signed,
        actor=company_a_staff,
        text="已更换电梯控制板，恢复运行。",
        files=[contract_pdf("report.pdf"), jpeg_with_gps("after.jpg")],
    )
    assert (answer.status, answer.company, answer.submitted_by) == (
        AnswerStatus.SUBMITTED,
        company_a,
        company_a_staff,
    )
    files = CaseAttachment.objects.filter(answer=answer)
    assert sorted(files.values_list("kind", "content_type")) == [
        (AttachmentKind.EVIDENCE, "application/pdf"),
        (AttachmentKind.EVIDENCE, "image/jpeg"),
    ]
    event = CaseEvent.objects.get(complaint=signed, action="cases.complaint.answered")
    assert not event.is_public
    assert event.data == {"answer": answer.pk, "attachments": sorted(f.pk for f in files)}
    [mail] = Notification.objects.filter(
        dedup_key__startswith=f"complaint:{signed.pk}:event:{event.pk}:"
    )
    assert mail.recipient == inspector.email and signed.tracking_number in mail.subject
    assert Complaint.objects.get(pk=signed.pk).status == CaseStatus.IN_PROGRESS


def test_a_bad_file_refuses_the_whole_answer(signed, company_a_staff, media_root):
    before = snapshot(signed)
    with pytest.raises(ValidationError, match="neither a PDF"):
        dispatch.submit_answer(
            signed,
            actor=company_a_staff,
            text="见附件",
            files=[jpeg_with_gps("ok.jpg"), lying_jpeg("bad.jpg")],
        )
    assert snapshot(signed) == before
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "actor_name",
    ["company_b_staff", "inspector", "official", "committee_member", "citizen"],
)
def test_only_the_dispatched_companys_staff_answer(request, signed, actor_name):
    before = snapshot(signed)
    with pytest.raises(workflow.TransitionNotAllowed, match="Only staff of the company"):
        dispatch.submit_answer(signed, actor=request.getfixturevalue(actor_name), text="已处理")
    assert snapshot(signed) == before


def test_anonymous_cannot_answer(signed):
    with pytest.raises(workflow.TransitionNotAllowed):
        dispatch.submit_answer(signed, actor=None, text="已处理")
    assert not CompanyAnswer.objects.exists()


def test_an_answer_needs_a_text(signed, company_a_staff):
    before = snapshot(signed)
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a text"):
        dispatch.submit_answer(signed, actor=company_a_staff, text="  ")
    assert snapshot(signed) == before


def test_the_company_signs_before_answering(dispatched, inspector, company_a_staff):
    dispatch.sign_dispatch(unit(dispatched, inspector=inspector), actor=inspector)
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed, match="Sign for the case"):
        dispatch.submit_answer(dispatched, actor=company_a_staff, text="已处理")
    assert snapshot(dispatched) == before


def test_no_answer_before_the_work_started(dispatched, company_a_staff):
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed, match="not in progress"):
        dispatch.submit_answer(dispatched, actor=company_a_staff, text="已处理")
    assert snapshot(dispatched) == before


def test_no_second_answer_while_one_awaits_review(answered, company_a_staff):
    complaint = answered.complaint
    before = snapshot(complaint)
    with pytest.raises(workflow.TransitionNotAllowed, match="still awaiting review"):
        dispatch.submit_answer(complaint, actor=company_a_staff, text="补充说明")
    assert snapshot(complaint) == before


def test_no_answer_after_one_was_accepted(answered, company_a_staff, inspector):
    dispatch.review_answer(answered, actor=inspector, accept=True)
    before = snapshot(answered.complaint)
    with pytest.raises(workflow.TransitionNotAllowed, match="already accepted"):
        dispatch.submit_answer(answered.complaint, actor=company_a_staff, text="再补充")
    assert snapshot(answered.complaint) == before


# Reviewing --------------------------------------------------------------------------------


def test_the_inspector_accepts_the_answer(answered, inspector, company_a_staff):
    reviewed = dispatch.review_answer(answered, actor=inspector, accept=True, note="属实")
    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_note) == (
        AnswerStatus.ACCEPTED,
        inspector,
        "属实",
    )
    assert reviewed.reviewed_at is not None
    event = CaseEvent.objects.get(complaint=answered.complaint, action="cases.answer.accepted")
    assert not event.is_public and event.data == {"answer": answered.pk, "note": "属实"}
    mail = Notification.objects.get(
        dedup_key__startswith=f"complaint:{answered.complaint_id}:event:{event.pk}:"
    )
    assert mail.recipient == company_a_staff.email
    assert "accepted" in mail.subject


def test_sending_back_needs_a_note(answered, inspector):
    before = snapshot(answered.complaint)
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a note"):
        dispatch.review_answer(answered, actor=inspector, accept=False, note="")
    assert snapshot(answered.complaint) == before


def test_a_sent_back_answer_lets_the_company_answer_again(answered, inspector, company_a_staff):
    back = dispatch.review_answer(answered, actor=inspector, accept=False, note="缺少维修照片")
    assert back.status == AnswerStatus.SENT_BACK
    mail = Notification.objects.get(recipient=company_a_staff.email, subject__contains="sent back")
    assert "缺少维修照片" in mail.body
    second = dispatch.submit_answer(
        answered.complaint, actor=company_a_staff, text="补充照片", files=[jpeg_with_gps()]
    )
    assert second.status == AnswerStatus.SUBMITTED
    assert list(answered.complaint.answers.values_list("status", flat=True)) == [
        AnswerStatus.SENT_BACK,
        AnswerStatus.SUBMITTED,
    ]


def test_reviewing_the_same_way_twice_is_quiet(answered, inspector):
    dispatch.review_answer(answered, actor=inspector, accept=True)
    before = snapshot(answered.complaint)
    assert (
        dispatch.review_answer(answered, actor=inspector, accept=True).status
        == AnswerStatus.ACCEPTED
    )
    assert snapshot(answered.complaint) == before


def test_a_reviewed_answer_is_not_reviewed_again(answered, inspector):
    dispatch.review_answer(answered, actor=inspector, accept=False, note="不完整")
    before = snapshot(answered.complaint)
    with pytest.raises(workflow.TransitionNotAllowed, match="already reviewed"):
        dispatch.review_answer(answered, actor=inspector, accept=True)
    assert snapshot(answered.complaint) == before


def test_an_official_of_the_district_may_review(answered, official):
    assert (
        dispatch.review_answer(answered, actor=official, accept=True).status
        == AnswerStatus.ACCEPTED
    )


@pytest.mark.parametrize(
    "actor_name",
    [
        "company_a_staff",
        "company_b_staff",
        "other_district_inspector",
        "committee_member",
        "citizen",
    ],
)
def test_only_regulator_staff_working_the_case_review(request, answered, actor_name):
    before = snapshot(answered.complaint)
    with pytest.raises(workflow.TransitionNotAllowed, match="Only regulator staff"):
        dispatch.review_answer(answered, actor=request.getfixturevalue(actor_name), accept=True)
    assert snapshot(answered.complaint) == before


def test_anonymous_cannot_review(answered):
    with pytest.raises(workflow.TransitionNotAllowed):
        dispatch.review_answer(answered, actor=None, accept=True)
    assert CompanyAnswer.objects.get(pk=answered.pk).status == AnswerStatus.SUBMITTED
