"""First response (首次响应): the first public reply or contact after acceptance is recorded
once; the sweep warns and then escalates a case nobody answered in time, each once; the
figures report the first-response on-time rate.

The sweep's case is a general one filed Monday 9 March 2026 10:00: its first response is due
16 working hours later (``sla.DEFAULT_RULES``).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import clock, contacts, metrics, notes, workflow
from cases.models import CaseEvent, CaseStatus, Complaint
from cases.supervision import SweepReport, sweep_sla
from cases.workflow import TransitionNotAllowed
from foundation.models import Notification
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def accepted(estate_x, official):
    with time_machine.travel(at(3, 9, 10), tick=False):
        complaint = make_complaint(estate=estate_x).complaint
        workflow.accept_case(complaint, actor=official)
    complaint.refresh_from_db()
    return complaint


def test_acceptance_and_internal_notes_are_no_response_but_a_question_is(
    accepted, inspector, official
):
    assert accepted.first_responded_at is None  # acceptance is an automatic notice
    notes.add_internal_note(accepted, actor=official, text="先联系物业")
    accepted.refresh_from_db()
    assert accepted.first_responded_at is None
    with time_machine.travel(at(3, 9, 14), tick=False):
        clock.request_information(accepted, actor=official, question="请提供照片")
    with time_machine.travel(at(3, 9, 15), tick=False):
        clock.answer_information(accepted, answer="见附件")
        contacts.record_contact(accepted, actor=official, summary="电话确认明日上门")
    accepted.refresh_from_db()
    assert accepted.first_responded_at == at(3, 9, 14)  # the first, never moved later


def test_a_logged_call_counts_and_is_public(accepted, official):
    event = contacts.record_contact(accepted, actor=official, summary="电话告知处理进度")
    accepted.refresh_from_db()
    assert event.is_public and event.action == "cases.complaint.contacted"
    assert accepted.first_responded_at == event.timestamp


@pytest.mark.parametrize(
    ("who", "summary", "message"),
    [
        ("official", "  ", "Write what was said"),
        ("official", "长" * 2001, "at most"),
        ("company_a_staff", "电话", "may not"),
        ("other_district_inspector", "电话", "may not"),
    ],
)
def test_bad_contacts_are_refused_and_change_nothing(
    request, accepted, english, who, summary, message
):
    with pytest.raises(TransitionNotAllowed, match=message):
        contacts.record_contact(accepted, actor=request.getfixturevalue(who), summary=summary)
    accepted.refresh_from_db()
    assert accepted.first_responded_at is None
    assert not accepted.events.filter(action="cases.complaint.contacted").exists()


def test_no_contact_is_logged_before_acceptance(estate_x, official, english):
    complaint = make_complaint(estate=estate_x).complaint
    with pytest.raises(TransitionNotAllowed, match="accepted case"):
        contacts.record_contact(complaint, actor=official, summary="电话")


def sweep(moment) -> SweepReport:
    with time_machine.travel(moment, tick=False):
        return sweep_sla()


def test_the_sweep_warns_then_escalates_an_unanswered_case_each_once(
    accepted, inspector, official, english
):
    Complaint.objects.filter(pk=accepted.pk).update(assigned_inspector=inspector)
    due = accepted.respond_due_at
    assert due == at(3, 11, 12)  # 16 working hours (7 a day) after Monday 10:00
    assert sweep(at(3, 10, 10)) == SweepReport()  # 9 of 16 hours left
    assert sweep(at(3, 11, 9)) == SweepReport(response_warned=1)  # 3 hours left
    assert sweep(at(3, 11, 10)) == SweepReport()
    assert sweep(at(3, 11, 13)) == SweepReport(response_overdue=1)
    assert sweep(at(3, 12, 9)) == SweepReport()
    accepted.refresh_from_db()
    assert accepted.first_response_warned_at == at(3, 11, 9)
    assert accepted.first_response_overdue_since == at(3, 11, 13)
    assert accepted.escalation_level == 0  # the resolve ladder is its own
    flags = CaseEvent.objects.filter(complaint=accepted, action__startswith="cases.complaint.first")
    assert [(e.action, e.is_public) for e in flags] == [
        ("cases.complaint.first_response_warning", False),
        ("cases.complaint.first_response_overdue", False),
    ]
    mails = Notification.objects.filter(subject__contains="first response")
    assert sorted((n.recipient, n.subject.split(": ")[1]) for n in mails) == [
        ("inspector@example.test", "first response due soon"),
        ("official@example.test", "first response overdue"),
    ]


def test_an_answered_case_is_left_alone_by_the_first_response_rungs(accepted, official):
    with time_machine.travel(at(3, 9, 11), tick=False):
        contacts.record_contact(accepted, actor=official, summary="电话")
    assert sweep(at(3, 12, 9)) == SweepReport()
    accepted.refresh_from_db()
    assert accepted.first_response_overdue_since is None


def test_the_first_response_on_time_rate_over_known_cases(estate_x, official):
    now = at(3, 20, 10)

    def case(responded_at=None, due_in_hours=0, status=CaseStatus.ACCEPTED):
        complaint = make_complaint(estate=estate_x).complaint
        Complaint.objects.filter(pk=complaint.pk).update(
            status=status,
            respond_due_at=now + dt.timedelta(hours=due_in_hours),
            first_responded_at=responded_at,
        )

    case(responded_at=now - dt.timedelta(hours=5), due_in_hours=-2)  # on time
    case(responded_at=now - dt.timedelta(hours=1), due_in_hours=-2)  # late
    case(due_in_hours=-1)  # unanswered past due: late already
    case(due_in_hours=+4)  # unanswered, still in time: not judged
    case(due_in_hours=-3, status=CaseStatus.SUBMITTED)  # not handled yet: intake's figure
    with time_machine.travel(now, tick=False):
        figures = metrics.figures(Complaint.objects.all(), now=now)
    assert (figures.responded, figures.responded_on_time, figures.response_overdue) == (2, 1, 1)
    assert figures.first_response_on_time_rate == pytest.approx(1 / 3)
    assert metrics.figures(Complaint.objects.none()).first_response_on_time_rate is None
