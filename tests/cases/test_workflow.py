"""The case state machine: allowed moves, refusals that change nothing, the timeline."""

import pytest
from django.utils import translation

from cases import dispatch, workflow
from cases.models import CaseEvent, CaseStatus, Complaint, DispatchStatus
from foundation.models import Notification
from tests.factories import make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_refusal_is_explained_in_chinese_by_default(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with translation.override("zh-hans"), pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.close_case(complaint, actor=official)
    assert "已提交" in str(refusal.value) and "已关闭" in str(refusal.value)


def work_to_resolved(complaint, official, inspector, company_staff):
    """Dispatch to the inspector and the company, both sign, the company's answer is
    accepted and the inspector resolves."""
    company = company_staff.staff_profile.company
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company)
    for row in complaint.dispatches.filter(status=DispatchStatus.AWAITING_SIGNATURE):
        dispatch.sign_dispatch(row, actor=inspector if row.inspector_id else company_staff)
    answer = dispatch.submit_answer(complaint, actor=company_staff, text="已更换电梯控制板。")
    dispatch.review_answer(answer, actor=inspector, accept=True)
    return workflow.resolve_case(complaint, actor=inspector, reply="已更换电梯控制板，恢复运行。")


def test_full_loop_writes_one_event_per_transition(official, inspector, company_a_staff, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official, tier="urgent")
    work_to_resolved(complaint, official, inspector, company_a_staff)
    workflow.record_follow_up(complaint, actor=None, satisfaction="satisfied")
    workflow.close_case(complaint, actor=official)

    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.CLOSED
    assert complaint.tier == "urgent"
    assert complaint.public_reply == "已更换电梯控制板，恢复运行。"
    moves = list(
        CaseEvent.objects.filter(complaint=complaint)
        .exclude(to_status="")
        .values_list("from_status", "to_status")
    )
    assert moves == [
        ("", CaseStatus.SUBMITTED),
        (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED),
        (CaseStatus.ACCEPTED, CaseStatus.ASSIGNED),
        (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS),
        (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED),
        (CaseStatus.RESOLVED, CaseStatus.FOLLOWED_UP),
        (CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED),
    ]
    without_move = CaseEvent.objects.filter(complaint=complaint, to_status="")
    assert sorted(without_move.values_list("action", flat=True)) == [
        "cases.answer.accepted",
        "cases.complaint.answered",
        "cases.dispatch.signed",
        "cases.dispatch.signed",
    ]
    assert not without_move.filter(is_public=True).exists()


def test_illegal_transition_is_refused_and_changes_nothing(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot become"):
        workflow.resolve_case(complaint, actor=official, reply="done")
    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.SUBMITTED
    assert complaint.public_reply == ""
    assert CaseEvent.objects.filter(complaint=complaint).count() == 1


def test_repeating_a_reached_state_is_quiet(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    workflow.accept_case(complaint, actor=official)
    assert CaseEvent.objects.filter(complaint=complaint, to_status=CaseStatus.ACCEPTED).count() == 1


def test_rejection_needs_a_reason(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.reject_case(complaint, actor=official, reason="  ")
    workflow.reject_case(complaint, actor=official, reason="不属于物业服务范围")
    assert Complaint.objects.get(pk=complaint.pk).public_reply == "不属于物业服务范围"


@pytest.mark.parametrize(
    "actor_name",
    ["other_district_inspector", "company_a_staff", "committee_member", "evaluator", "citizen"],
)
def test_outsiders_cannot_accept(request, actor_name, estate_x):
    actor = request.getfixturevalue(actor_name)
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed, match="may not"):
        workflow.accept_case(complaint, actor=actor)
    assert Complaint.objects.get(pk=complaint.pk).status == CaseStatus.SUBMITTED


def test_anonymous_cannot_move_an_unresolved_case(estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.accept_case(complaint, actor=None)


# The public transition and plain events, for the other case modules --------------------------


def test_transition_returns_the_event_and_none_when_already_there(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    moved, event = workflow.transition(
        complaint,
        actor=official,
        to=CaseStatus.ACCEPTED,
        action="cases.complaint.accepted",
        public=True,
    )
    assert (moved.status, event.to_status) == (CaseStatus.ACCEPTED, CaseStatus.ACCEPTED)
    assert event.action == "cases.complaint.accepted"
    assert complaint.status == CaseStatus.ACCEPTED  # the caller's instance follows
    again, no_event = workflow.transition(
        complaint,
        actor=official,
        to=CaseStatus.ACCEPTED,
        action="cases.complaint.accepted",
        public=True,
    )
    assert (again.status, no_event) == (CaseStatus.ACCEPTED, None)


def test_a_callers_permission_replaces_the_default_check(official, company_a_staff, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed, match="may not"):
        workflow.transition(
            complaint,
            actor=official,
            to=CaseStatus.ACCEPTED,
            action="cases.complaint.accepted",
            public=True,
            permitted=False,
        )
    assert Complaint.objects.get(pk=complaint.pk).status == CaseStatus.SUBMITTED
    workflow.transition(
        complaint,
        actor=company_a_staff,
        to=CaseStatus.ACCEPTED,
        action="cases.complaint.accepted",
        public=True,
        permitted=True,
    )
    assert Complaint.objects.get(pk=complaint.pk).status == CaseStatus.ACCEPTED


def test_a_callers_permission_does_not_skip_the_transition_table(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot become"):
        workflow.transition(
            complaint,
            actor=official,
            to=CaseStatus.CLOSED,
            action="cases.complaint.closed",
            public=True,
            permitted=True,
        )
    assert Complaint.objects.get(pk=complaint.pk).status == CaseStatus.SUBMITTED


def test_log_event_writes_an_event_without_a_status_change(inspector, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    event = workflow.log_event(
        complaint, "cases.complaint.note_added", actor=inspector, public=False, data={"text": "x"}
    )
    assert (event.from_status, event.to_status, event.is_public) == ("", "", False)
    assert (event.user, event.data) == (inspector, {"text": "x"})
    assert Complaint.objects.get(pk=complaint.pk).status == CaseStatus.SUBMITTED


# Resolving a case that a company works on ---------------------------------------------------


@pytest.fixture
def company_working(estate_x, official, inspector, company_a_staff):
    """Dispatched to the inspector and the company, both signed: in progress."""
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    company = company_a_staff.staff_profile.company
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company)
    for row in complaint.dispatches.all():
        dispatch.sign_dispatch(row, actor=inspector if row.inspector_id else company_a_staff)
    return Complaint.objects.get(pk=complaint.pk)


def assert_not_resolved(complaint, inspector):
    events = complaint.events.count()
    with pytest.raises(workflow.TransitionNotAllowed, match="accept the company's answer"):
        workflow.resolve_case(complaint, actor=inspector, reply="已处理")
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.public_reply) == (CaseStatus.IN_PROGRESS, "")
    assert complaint.events.count() == events


def test_resolving_without_the_companys_answer_is_refused(company_working, inspector):
    assert_not_resolved(company_working, inspector)


def test_resolving_while_the_answer_awaits_review_is_refused(
    company_working, inspector, company_a_staff
):
    dispatch.submit_answer(company_working, actor=company_a_staff, text="已处理")
    assert_not_resolved(company_working, inspector)


def test_resolving_after_the_answer_was_sent_back_is_refused(
    company_working, inspector, company_a_staff
):
    answer = dispatch.submit_answer(company_working, actor=company_a_staff, text="已处理")
    dispatch.review_answer(answer, actor=inspector, accept=False, note="缺少照片")
    assert_not_resolved(company_working, inspector)


def test_resolving_after_the_answer_was_accepted(company_working, inspector, company_a_staff):
    answer = dispatch.submit_answer(company_working, actor=company_a_staff, text="已处理")
    dispatch.review_answer(answer, actor=inspector, accept=True)
    resolved = workflow.resolve_case(company_working, actor=inspector, reply="已处理完毕")
    assert (resolved.status, resolved.public_reply) == (CaseStatus.RESOLVED, "已处理完毕")


def test_a_case_only_the_inspector_works_needs_no_answer(estate_x, official, inspector):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    assert workflow.resolve_case(complaint, actor=inspector, reply="现场核实已修复").status == (
        CaseStatus.RESOLVED
    )


@pytest.mark.parametrize("actor_name", ["company_a_staff", "committee_member", "citizen"])
def test_only_regulator_staff_resolve(request, company_working, actor_name, inspector):
    answer = dispatch.submit_answer(
        company_working, actor=request.getfixturevalue("company_a_staff"), text="已处理"
    )
    dispatch.review_answer(answer, actor=inspector, accept=True)
    with pytest.raises(workflow.TransitionNotAllowed, match="may not"):
        workflow.resolve_case(
            company_working, actor=request.getfixturevalue(actor_name), reply="已处理"
        )
    assert Complaint.objects.get(pk=company_working.pk).status == CaseStatus.IN_PROGRESS


# Satisfaction follow-up: an unsatisfied rating reopens once --------------------------------


def official_mails(official):
    return Notification.objects.filter(channel=Notification.EMAIL, recipient=official.email)


def test_unsatisfied_reopens_once_and_tells_the_official(
    official, inspector, company_a_staff, estate_x
):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    work_to_resolved(complaint, official, inspector, company_a_staff)
    workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied", comment="没修好")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.satisfaction, complaint.reopen_count) == (
        CaseStatus.REOPENED,
        "unsatisfied",
        1,
    )
    # Kept until the official dispatches again: the old units' dispatches are withdrawn then.
    assert complaint.assigned_inspector == inspector
    [mail] = official_mails(official)
    assert complaint.tracking_number in mail.subject and "reopened" in mail.subject


def test_a_second_unsatisfied_rating_is_recorded_and_flagged(
    official, inspector, company_a_staff, estate_x
):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    work_to_resolved(complaint, official, inspector, company_a_staff)
    workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied")
    work_to_resolved(complaint, official, inspector, company_a_staff)
    assert complaint.dispatches.filter(status=DispatchStatus.WITHDRAWN).count() == 2

    workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied", comment="还是坏")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == (CaseStatus.FOLLOWED_UP, 1)
    flag = CaseEvent.objects.get(complaint=complaint, action="cases.complaint.unsatisfied_again")
    assert not flag.is_public and flag.data["comment"] == "还是坏"
    assert official_mails(official).filter(subject__contains="unsatisfied again").count() == 1

    # Rated again (a double submit): nothing more is recorded or sent.
    workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied")
    assert CaseEvent.objects.filter(complaint=complaint, action=flag.action).count() == 1
    assert official_mails(official).count() == 2  # reopened, unsatisfied again


def test_a_case_reopened_by_the_official_is_not_reopened_by_the_rating(
    official, inspector, estate_x
):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(complaint, actor=inspector, reply="已处理")
    workflow.record_follow_up(complaint, actor=None, satisfaction="satisfied")
    workflow.close_case(complaint, actor=official)
    workflow.reopen_case(complaint, actor=official, reason="回访发现未修复")
    assert Complaint.objects.get(pk=complaint.pk).reopen_count == 1

    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(
        complaint.dispatches.get(status=DispatchStatus.AWAITING_SIGNATURE), actor=inspector
    )
    workflow.resolve_case(complaint, actor=inspector, reply="再次处理")
    workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied")
    assert Complaint.objects.get(pk=complaint.pk).status == CaseStatus.FOLLOWED_UP


def test_reopening_needs_a_reason(official, inspector, estate_x):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(complaint, actor=inspector, reply="已处理")
    workflow.record_follow_up(complaint, actor=None, satisfaction="basically")
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a reason"):
        workflow.reopen_case(complaint, actor=official, reason=" ")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == (CaseStatus.FOLLOWED_UP, 0)


def test_a_rating_other_than_the_three_is_refused(official, inspector, estate_x):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    with pytest.raises(workflow.TransitionNotAllowed, match="Choose satisfied"):
        workflow.record_follow_up(complaint, actor=None, satisfaction="great")
    assert Complaint.objects.get(pk=complaint.pk).satisfaction == ""


def test_the_citizen_cannot_rate_an_unresolved_case(official, estate_x):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == (CaseStatus.ACCEPTED, 0)
