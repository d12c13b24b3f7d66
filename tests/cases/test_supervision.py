"""The SLA sweep (督办): warning, overdue, escalation to the district official and then to the
head of department, late signatures; each once, with the clock moved, never slept.

The ladder case is a general one filed Monday 9 March 2026 10:00 and due Monday 30 March 17:30:
111 working hours, amber under 27.75 left; escalated to the head past 14 working hours late.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from cases import clock
from cases.models import CaseEvent, CaseStatus, Complaint, Dispatch, DispatchStatus
from cases.supervision import SweepReport, sweep_sla
from cases.tasks import sweep_sla as sweep_sla_task
from foundation.models import Notification
from foundation.roles import Role
from tests.factories import make_complaint, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTHING = SweepReport()


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def sweep(moment) -> SweepReport:
    with time_machine.travel(moment, tick=False):
        return sweep_sla()


def mailed() -> list[str]:
    return sorted(Notification.objects.values_list("recipient", flat=True))


def actions(complaint) -> list[tuple[str, dict]]:
    events = CaseEvent.objects.filter(complaint=complaint).exclude(
        action="cases.complaint.submitted"
    )
    return [(event.action, event.data) for event in events]


@pytest.fixture
def head(db):
    """A head of department: an official without a district."""
    return make_user("head", Role.OFFICIAL, city_wide=True)


def open_case(estate, status=CaseStatus.ASSIGNED, **fields) -> Complaint:
    # Answered within the hour: the first-response rungs (tests/cases/test_first_response.py)
    # stay out of the resolve ladder's way.
    fields.setdefault("first_responded_at", at(2026, 3, 9, 11))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        complaint = make_complaint(estate=estate).complaint
    Complaint.objects.filter(pk=complaint.pk).update(status=status, **fields)
    complaint.refresh_from_db()
    assert complaint.resolve_due_at == at(2026, 3, 30, 17, 30)
    return complaint


def test_the_ladder_climbs_one_rung_at_a_time_and_each_once(
    estate_x, inspector, official, head, admin, other_district_inspector
):
    case = open_case(estate_x, assigned_inspector=inspector)

    assert sweep(at(2026, 3, 25, 9)) == NOTHING  # 28 working hours left: still green
    assert mailed() == []

    assert sweep(at(2026, 3, 26, 9)) == SweepReport(warned=1)  # 21 left: amber
    assert sweep(at(2026, 3, 26, 9)) == NOTHING
    assert sweep(at(2026, 3, 30, 17, 30)) == NOTHING  # due, not yet overdue
    assert mailed() == ["inspector@example.test"]
    case.refresh_from_db()
    assert case.sla_warned_at == at(2026, 3, 26, 9) and case.escalation_level == 0

    assert sweep(at(2026, 3, 30, 17, 31)) == SweepReport(overdue=1, escalated_to_official=1)
    assert sweep(at(2026, 3, 30, 17, 31)) == NOTHING
    assert sweep(at(2026, 4, 1, 17, 30)) == NOTHING  # exactly 14 working hours late
    assert mailed() == ["inspector@example.test", "official@example.test"]
    case.refresh_from_db()
    assert (case.overdue_since, case.escalation_level) == (at(2026, 3, 30, 17, 31), 1)

    assert sweep(at(2026, 4, 2, 9, 30)) == SweepReport(escalated_to_head=1)  # 14.5 h late
    assert sweep(at(2026, 4, 2, 9, 30)) == NOTHING
    assert sweep(at(2026, 4, 20, 9)) == NOTHING
    assert mailed() == ["head@example.test", "inspector@example.test", "official@example.test"]
    case.refresh_from_db()
    assert case.escalation_level == 2

    due = at(2026, 3, 30, 17, 30).isoformat()
    assert actions(case) == [
        ("cases.complaint.sla_warning", {"due": due}),
        ("cases.complaint.overdue", {"due": due}),
        ("cases.complaint.escalated", {"level": 1}),
        ("cases.complaint.escalated", {"level": 2}),
    ]
    assert not CaseEvent.objects.filter(complaint=case, is_public=True).exclude(
        action="cases.complaint.submitted"
    )


def test_the_warning_goes_to_the_district_official_while_nobody_is_assigned(
    estate_x, official, other_district_inspector
):
    open_case(estate_x, status=CaseStatus.ACCEPTED)
    assert sweep(at(2026, 3, 26, 9)) == SweepReport(warned=1)
    assert mailed() == ["official@example.test"]
    message = Notification.objects.get()
    assert message.channel == "email" and "due soon" in message.subject


def test_a_case_found_late_for_the_first_time_climbs_every_rung_at_once(estate_x, official, head):
    case = open_case(estate_x)
    report = sweep(at(2026, 4, 3, 10))
    assert report == SweepReport(overdue=1, escalated_to_official=1, escalated_to_head=1)
    assert [action for action, _ in actions(case)] == [
        "cases.complaint.overdue",
        "cases.complaint.escalated",
        "cases.complaint.escalated",
    ]
    assert mailed() == ["head@example.test", "official@example.test"]


def test_a_case_without_a_district_escalates_to_the_head(head, official):
    case = open_case(None)
    assert sweep(at(2026, 3, 31, 9)) == SweepReport(overdue=1, escalated_to_official=1)
    assert mailed() == ["head@example.test"]
    case.refresh_from_db()
    assert case.escalation_level == 1


def test_a_case_waiting_on_the_complainant_does_not_escalate(estate_x, inspector, official, head):
    case = open_case(estate_x, assigned_inspector=inspector)
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        clock.request_information(case, actor=inspector, question="请提供照片")
    messages = mailed()

    assert sweep(at(2026, 4, 10, 10)) == NOTHING
    case.refresh_from_db()
    assert (case.sla_warned_at, case.overdue_since, case.escalation_level) == (None, None, 0)
    assert mailed() == messages == ["13812345678"]  # only the question to the complainant


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.RESOLVED,
        CaseStatus.FOLLOWED_UP,
        CaseStatus.CLOSED,
        CaseStatus.REJECTED,
        CaseStatus.MERGED,
    ],
)
def test_a_finished_case_does_not_escalate(estate_x, official, head, status):
    case = open_case(estate_x, status=status)
    assert sweep(at(2026, 4, 10, 10)) == NOTHING
    case.refresh_from_db()
    assert (case.overdue_since, case.escalation_level) == (None, 0)
    assert actions(case) == [] and mailed() == []


def test_an_unsigned_dispatch_is_flagged_once_to_the_district_official(
    estate_x, company_a, inspector, official
):
    case = open_case(estate_x, dispatched_company=company_a)
    late = Dispatch.objects.create(
        complaint=case, company=company_a, dispatched_by=official, sign_due_at=at(2026, 3, 9, 14)
    )
    signed = Dispatch.objects.create(
        complaint=case,
        inspector=inspector,
        status=DispatchStatus.SIGNED,
        sign_due_at=at(2026, 3, 9, 14),
    )
    in_time = Dispatch.objects.create(
        complaint=case, inspector=inspector, sign_due_at=at(2026, 3, 10, 14)
    )

    assert sweep(at(2026, 3, 9, 14)) == NOTHING  # due now, not yet late
    assert sweep(at(2026, 3, 10, 9)) == SweepReport(signatures_late=1)
    assert sweep(at(2026, 3, 10, 9)) == NOTHING

    for dispatch in (late, signed, in_time):
        dispatch.refresh_from_db()
    assert late.sign_overdue_at == at(2026, 3, 10, 9)
    assert signed.sign_overdue_at is None and in_time.sign_overdue_at is None
    event = CaseEvent.objects.get(complaint=case, action="cases.dispatch.sign_late")
    assert not event.is_public
    assert event.data == {
        "dispatch": late.pk,
        "unit": company_a.name,
        "sign_due_at": at(2026, 3, 9, 14).isoformat(),
    }
    assert mailed() == ["official@example.test"]
    assert company_a.name in Notification.objects.get().body


def test_an_unsigned_dispatch_of_a_resolved_case_is_left_alone(estate_x, company_a, official):
    case = open_case(estate_x, status=CaseStatus.RESOLVED)
    dispatch = Dispatch.objects.create(
        complaint=case, company=company_a, sign_due_at=at(2026, 3, 9, 14)
    )
    assert sweep(at(2026, 3, 10, 9)) == NOTHING
    dispatch.refresh_from_db()
    assert dispatch.sign_overdue_at is None and mailed() == []


def test_a_quiet_sweep_reads_a_fixed_number_of_queries(estate_x, django_assert_max_num_queries):
    for _ in range(3):
        open_case(estate_x)
    # 5: the bound of 4 before, and the late rulings on returns (退单).
    with django_assert_max_num_queries(5):
        assert sweep(at(2026, 3, 20, 10)) == NOTHING
    for _ in range(27):
        open_case(estate_x)
    with django_assert_max_num_queries(5):
        assert sweep(at(2026, 3, 20, 10)) == NOTHING


def test_the_beat_task_sweeps_and_is_idempotent(estate_x, official, head):
    assert settings.CELERY_BEAT_SCHEDULE["cases-sla-sweep"]["task"] == sweep_sla_task.name
    case = open_case(estate_x)
    with time_machine.travel(at(2026, 3, 31, 9), tick=False):
        first = sweep_sla_task.delay().get()
        second = sweep_sla_task.delay().get()
    assert first == {
        "warned": 0,
        "overdue": 1,
        "escalated_to_official": 1,
        "escalated_to_head": 0,
        "signatures_late": 0,
        "rulings_late": 0,
        "response_warned": 0,
        "response_overdue": 0,
    }
    assert set(second.values()) == {0}
    case.refresh_from_db()
    assert case.escalation_level == 1 and mailed() == ["official@example.test"]
