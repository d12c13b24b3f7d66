"""Extensions (延期): asked by whoever works the case, decided by another official.

The case is due Thursday 30 April 2026 17:30, just before the Labour Day holiday (1–5 May off)
and its adjusted workday (Saturday 9 May worked).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import clock
from cases.models import CaseEvent, CaseStatus, Complaint, Extension, ExtensionStatus
from cases.workflow import TransitionNotAllowed
from tests.factories import make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DUE = dt.datetime(2026, 4, 30, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
REASON = "需更换电梯主板，厂家供货需要一周。"


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def case(estate_x, company_a):
    with time_machine.travel(at(2026, 4, 20, 10), tick=False):
        complaint = make_complaint(estate=estate_x).complaint
    Complaint.objects.filter(pk=complaint.pk).update(
        status=CaseStatus.IN_PROGRESS, dispatched_company=company_a, resolve_due_at=DUE
    )
    complaint.refresh_from_db()
    return complaint


def apply(case, actor, days=4, reason=REASON, moment=None):
    with time_machine.travel(moment or at(2026, 4, 28, 10), tick=False):
        return clock.request_extension(case, actor=actor, working_days=days, reason=reason)


def decide(extension, actor, approve=True, note="", moment=None):
    with time_machine.travel(moment or at(2026, 4, 29, 10), tick=False):
        return clock.decide_extension(extension, actor=actor, approve=approve, note=note)


def state(case):
    case.refresh_from_db()
    return (
        case.resolve_due_at,
        case.overdue_since,
        case.sla_warned_at,
        case.escalation_level,
        list(Extension.objects.filter(complaint=case).values_list("status", flat=True)),
        CaseEvent.objects.filter(complaint=case).count(),
    )


def test_approval_moves_the_due_date_over_the_holiday_to_the_adjusted_workday(
    case, inspector, official
):
    extension = apply(case, inspector)
    asked = CaseEvent.objects.get(complaint=case, action="cases.extension.requested")
    assert not asked.is_public and asked.data == {
        "extension": extension.pk,
        "days": 4,
        "reason": REASON,
    }

    decided = decide(extension, official, note="同意")

    case.refresh_from_db()
    # 6, 7, 8 May, then Saturday 9 May, worked in exchange for 5 May.
    assert case.resolve_due_at == at(2026, 5, 9, 17, 30)
    assert (decided.status, decided.decided_by, decided.decision_note) == (
        ExtensionStatus.APPROVED,
        official,
        "同意",
    )
    assert (decided.previous_due_at, decided.new_due_at) == (DUE, at(2026, 5, 9, 17, 30))
    extended = CaseEvent.objects.get(complaint=case, action="cases.complaint.extended")
    assert extended.is_public
    assert extended.data == {"days": 4, "due": at(2026, 5, 9, 17, 30).isoformat()}


def test_the_dispatched_company_may_ask_for_an_extension(case, company_a_staff):
    extension = apply(case, company_a_staff, days=1)
    assert (extension.requested_by, extension.status) == (
        company_a_staff,
        ExtensionStatus.REQUESTED,
    )


def test_approval_of_an_overdue_case_restarts_the_supervision_ladder(case, inspector, official):
    Complaint.objects.filter(pk=case.pk).update(
        overdue_since=DUE, sla_warned_at=at(2026, 4, 28, 9), escalation_level=1
    )
    extension = apply(case, inspector, moment=at(2026, 5, 6, 9))
    decide(extension, official, moment=at(2026, 5, 6, 10))
    assert state(case)[:4] == (at(2026, 5, 9, 17, 30), None, None, 0)


def test_approval_that_leaves_the_case_overdue_keeps_its_flags(case, inspector, official):
    Complaint.objects.filter(pk=case.pk).update(
        overdue_since=DUE, sla_warned_at=at(2026, 4, 28, 9), escalation_level=2
    )
    extension = apply(case, inspector, days=1, moment=at(2026, 5, 20, 9))
    decide(extension, official, moment=at(2026, 5, 20, 10))
    assert state(case)[:4] == (at(2026, 5, 6, 17, 30), DUE, at(2026, 4, 28, 9), 2)


def test_the_requester_may_not_approve_their_own_extension(case, official):
    extension = apply(case, official)
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="your own extension"):
        decide(extension, official)
    assert state(case) == before


@pytest.mark.parametrize("decider", ["inspector", "other_district_inspector", "company_a_staff"])
def test_only_an_official_of_the_case_decides(case, official, decider, request):
    extension = apply(case, official)
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="Only an official"):
        decide(extension, request.getfixturevalue(decider))
    assert state(case) == before


@pytest.mark.parametrize("outsider", ["company_b_staff", "other_district_inspector", "citizen"])
def test_outsiders_may_not_ask_for_an_extension(case, outsider, request):
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="may not ask for an extension"):
        apply(case, request.getfixturevalue(outsider))
    assert state(case) == before


@pytest.mark.parametrize("days", [0, 31, -1])
def test_an_extension_is_one_to_thirty_working_days(case, inspector, days):
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="between 1 and 30 working days"):
        apply(case, inspector, days=days)
    assert state(case) == before


def test_thirty_working_days_is_allowed(case, inspector):
    assert apply(case, inspector, days=30).working_days == 30


def test_an_extension_needs_a_reason(case, inspector):
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="why the case needs more time"):
        apply(case, inspector, reason="  ")
    assert state(case) == before


@pytest.mark.parametrize(
    "status", [CaseStatus.SUBMITTED, CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REJECTED]
)
def test_no_extension_outside_the_working_states(case, inspector, status):
    Complaint.objects.filter(pk=case.pk).update(status=status)
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="cannot be done while the case is"):
        apply(case, inspector)
    assert state(case) == before


def test_no_approval_once_the_case_is_resolved(case, inspector, official):
    extension = apply(case, inspector)
    Complaint.objects.filter(pk=case.pk).update(status=CaseStatus.RESOLVED)
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="cannot be done while the case is"):
        decide(extension, official)
    assert state(case) == before


def test_one_pending_extension_at_a_time(case, inspector, company_a_staff, official):
    first = apply(case, inspector)
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="already waiting for a decision"):
        apply(case, company_a_staff, days=2)
    assert state(case) == before
    decide(first, official, approve=False, note="先按原期限办理")
    assert apply(case, company_a_staff, days=2).status == ExtensionStatus.REQUESTED


def test_a_refusal_needs_a_note_and_leaves_the_due_date(case, inspector, official):
    extension = apply(case, inspector)
    before = state(case)
    with pytest.raises(TransitionNotAllowed, match="why the extension is refused"):
        decide(extension, official, approve=False)
    assert state(case) == before

    refused = decide(extension, official, approve=False, note="理由不充分")

    assert (refused.status, refused.decision_note, refused.new_due_at) == (
        ExtensionStatus.REFUSED,
        "理由不充分",
        None,
    )
    assert state(case)[0] == DUE
    event = CaseEvent.objects.get(complaint=case, action="cases.extension.refused")
    assert not event.is_public and event.data["note"] == "理由不充分"


def test_a_repeated_decision_is_quiet_and_a_contrary_one_refused(case, inspector, official):
    extension = apply(case, inspector)
    decide(extension, official)
    after = state(case)
    assert decide(extension, official).status == ExtensionStatus.APPROVED
    assert state(case) == after
    with pytest.raises(TransitionNotAllowed, match="already decided"):
        decide(extension, official, approve=False, note="改变主意")
    assert state(case) == after
