"""The case state machine: allowed moves, refusals that change nothing, the timeline."""

import pytest
from django.utils import translation

from cases import workflow
from cases.models import CaseEvent, CaseStatus, Complaint
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
S = CaseStatus


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_refusal_is_explained_in_chinese_by_default(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with translation.override("zh-hans"), pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.close_case(complaint, actor=official)
    assert "已提交" in str(refusal.value) and "已关闭" in str(refusal.value)


def test_full_loop_writes_one_event_per_transition(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official, tier="urgent")
    workflow.assign_case(complaint, actor=official)
    workflow.start_work(complaint, actor=official)
    workflow.resolve_case(complaint, actor=official, reply="已更换电梯控制板，恢复运行。")
    workflow.record_follow_up(complaint, actor=None, satisfaction="satisfied")
    workflow.close_case(complaint, actor=official)

    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    assert complaint.tier == "urgent"
    assert complaint.public_reply == "已更换电梯控制板，恢复运行。"
    moves = list(
        CaseEvent.objects.filter(complaint=complaint).values_list("from_status", "to_status")
    )
    assert moves == [
        ("", S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED),
        (S.ACCEPTED, S.ASSIGNED),
        (S.ASSIGNED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.RESOLVED),
        (S.RESOLVED, S.FOLLOWED_UP),
        (S.FOLLOWED_UP, S.CLOSED),
    ]


def test_illegal_transition_is_refused_and_changes_nothing(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot become"):
        workflow.resolve_case(complaint, actor=official, reply="done")
    complaint.refresh_from_db()
    assert complaint.status == S.SUBMITTED
    assert complaint.public_reply == ""
    assert CaseEvent.objects.filter(complaint=complaint).count() == 1


def test_repeating_a_reached_state_is_quiet(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    workflow.accept_case(complaint, actor=official)
    assert CaseEvent.objects.filter(complaint=complaint, to_status=S.ACCEPTED).count() == 1


def test_rejection_needs_a_reason(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.reject_case(complaint, actor=official, reason="  ")
    workflow.reject_case(complaint, actor=official, reason="不属于物业服务范围")
    assert Complaint.objects.get(pk=complaint.pk).public_reply == "不属于物业服务范围"


def test_unsatisfied_follow_up_reopens(official, estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    for step in (workflow.accept_case, workflow.assign_case, workflow.start_work):
        step(complaint, actor=official)
    workflow.resolve_case(complaint, actor=official, reply="已处理")
    workflow.record_follow_up(complaint, actor=None, satisfaction="unsatisfied", comment="没修好")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.satisfaction) == (S.REOPENED, "unsatisfied")
    workflow.assign_case(complaint, actor=official)
    assert Complaint.objects.get(pk=complaint.pk).status == S.ASSIGNED


@pytest.mark.parametrize(
    "actor_name",
    ["other_district_inspector", "company_a_staff", "committee_member", "evaluator", "citizen"],
)
def test_outsiders_cannot_accept(request, actor_name, estate_x):
    actor = request.getfixturevalue(actor_name)
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed, match="may not"):
        workflow.accept_case(complaint, actor=actor)
    assert Complaint.objects.get(pk=complaint.pk).status == S.SUBMITTED


def test_anonymous_cannot_move_an_unresolved_case(estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.accept_case(complaint, actor=None)
