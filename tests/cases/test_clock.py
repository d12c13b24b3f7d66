"""The case clock: a question to the complainant stops it, the answer moves the due dates on.

The case works from Monday 20 April 2026 10:00 and is due Thursday 30 April 17:30, just before
the Labour Day holiday (1–5 May off, Saturday 9 May worked).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import clock, sla
from cases.models import CaseEvent, CaseStatus, Complaint, InfoRequest
from cases.workflow import TransitionNotAllowed
from foundation.models import Notification
from tests.factories import make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SHANGHAI = ZoneInfo("Asia/Shanghai")
QUESTION = "请提供停运电梯所在的楼栋号和单元号。"


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def case(estate_x, company_a):
    with time_machine.travel(at(2026, 4, 20, 10), tick=False):
        complaint = make_complaint(estate=estate_x).complaint
    Complaint.objects.filter(pk=complaint.pk).update(
        status=CaseStatus.ASSIGNED,
        dispatched_company=company_a,
        contact_email="resident@example.test",
        accept_due_at=at(2026, 4, 20, 17),
        respond_due_at=at(2026, 4, 24, 12),
        resolve_due_at=at(2026, 4, 30, 17, 30),
    )
    complaint.refresh_from_db()
    return complaint


def ask(complaint, actor, moment=None, question=QUESTION):
    moment = moment or at(2026, 4, 22, 16)  # a Wednesday afternoon
    with time_machine.travel(moment, tick=False):
        return clock.request_information(complaint, actor=actor, question=question)


def answer(complaint, moment, text="3号楼2单元", actor=None):
    with time_machine.travel(moment, tick=False):
        return clock.answer_information(complaint, answer=text, actor=actor)


def snapshot(complaint):
    complaint.refresh_from_db()
    return (
        complaint.status,
        complaint.accept_due_at,
        complaint.respond_due_at,
        complaint.resolve_due_at,
        complaint.awaiting_complainant_since,
        InfoRequest.objects.filter(complaint=complaint, answered_at__isnull=True).count(),
        CaseEvent.objects.filter(complaint=complaint).count(),
        Notification.objects.count(),
    )


# Asking -----------------------------------------------------------------------------------


def test_question_stops_the_clock_and_tells_the_complainant_on_both_channels(case, inspector):
    request = ask(case, inspector)

    case.refresh_from_db()
    assert case.awaiting_complainant_since == at(2026, 4, 22, 16)
    assert (request.question, request.asked_by, request.answered_at) == (QUESTION, inspector, None)
    event = CaseEvent.objects.get(complaint=case, action="cases.complaint.info_requested")
    assert event.is_public and event.data["question"] == QUESTION and event.user == inspector
    sent = {n.channel: n for n in Notification.objects.all()}
    assert {n.recipient for n in sent.values()} == {"resident@example.test", "13812345678"}
    assert sent["sms"].dedup_key == f"complaint:{case.pk}:event:{event.pk}:sms"
    assert QUESTION in sent["email"].body and "tracking page" in sent["email"].body


def test_a_second_question_waits_for_the_first_answer(case, inspector):
    ask(case, inspector)
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="not answered the previous question"):
        ask(case, inspector, moment=at(2026, 4, 23, 10), question="还有别的情况吗？")
    assert snapshot(case) == before


@pytest.mark.parametrize("outsider", ["other_district_inspector", "company_a_staff", "citizen"])
def test_only_staff_working_the_case_may_ask(case, outsider, request):
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="may not ask"):
        ask(case, request.getfixturevalue(outsider))
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "status", [CaseStatus.SUBMITTED, CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.MERGED]
)
def test_no_question_outside_the_working_states(case, official, status):
    Complaint.objects.filter(pk=case.pk).update(status=status)
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="cannot be done while the case is"):
        ask(case, official)
    assert snapshot(case) == before


def test_an_empty_question_is_refused(case, official):
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="Write the question"):
        ask(case, official, question="   ")
    assert snapshot(case) == before


# The paused clock -------------------------------------------------------------------------


def test_sla_state_stands_still_while_the_case_waits(case, inspector):
    assert sla.sla_state(case, now=at(2026, 5, 6, 10)) == "red"
    ask(case, inspector)
    case.refresh_from_db()

    share_when_asked = sla.time_left_share(case, now=at(2026, 4, 22, 16))
    assert share_when_asked == pytest.approx(43.5 / 62)
    assert sla.time_left_share(case, now=at(2026, 5, 6, 10)) == share_when_asked
    assert sla.sla_state(case, now=at(2026, 5, 6, 10)) == "green"


def test_a_case_paused_while_amber_stays_amber(case, inspector):
    ask(case, inspector, moment=at(2026, 4, 29, 16))  # 8.5 of 62 working hours left
    case.refresh_from_db()
    assert sla.sla_state(case, now=at(2026, 6, 1, 10)) == "amber"


# Answering --------------------------------------------------------------------------------


def test_answer_moves_the_dues_still_ahead_by_the_paused_working_hours(case, inspector):
    ask(case, inspector)  # Wednesday 16:00; the time to accept ran out on Monday
    request = answer(case, at(2026, 4, 27, 10, 30))  # Monday after a weekend: 17 h paused

    case.refresh_from_db()
    assert case.accept_due_at == at(2026, 4, 20, 17)
    assert case.respond_due_at == at(2026, 4, 28, 16, 30)  # Fri 12:00 + 17 working hours
    # Thu 30 Apr 17:30 + 17 h: over Labour Day (1–5 May) to Friday 8 May noon.
    assert case.resolve_due_at == at(2026, 5, 8, 12)
    assert case.awaiting_complainant_since is None
    assert (request.answer, request.answered_at) == ("3号楼2单元", at(2026, 4, 27, 10, 30))
    event = CaseEvent.objects.get(complaint=case, action="cases.complaint.info_provided")
    assert event.is_public and event.user is None
    assert event.data["paused_hours"] == 17.0 and event.data["answer"] == "3号楼2单元"
    # Without the pause this moment was red; now 16 of 79 working hours are left.
    assert sla.sla_state(case, now=at(2026, 5, 6, 10)) == "amber"


def test_an_answer_given_over_the_weekend_moves_nothing(case, inspector):
    ask(case, inspector, moment=at(2026, 4, 24, 18))  # Friday after office hours
    answer(case, at(2026, 4, 26, 11))  # Sunday

    case.refresh_from_db()
    assert (case.respond_due_at, case.resolve_due_at) == (
        at(2026, 4, 24, 12),
        at(2026, 4, 30, 17, 30),
    )
    assert case.awaiting_complainant_since is None


def test_staff_may_record_an_answer_given_by_phone(case, inspector, official):
    ask(case, inspector)
    request = answer(case, at(2026, 4, 23, 9), actor=official)
    assert request.answered_at is not None
    assert CaseEvent.objects.get(action="cases.complaint.info_provided").user == official


def test_staff_outside_the_case_may_not_answer_for_the_complainant(
    case, inspector, other_district_inspector
):
    ask(case, inspector)
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="may not answer"):
        answer(case, at(2026, 4, 23, 9), actor=other_district_inspector)
    assert snapshot(case) == before


def test_an_answer_without_an_open_question_is_refused(case, inspector):
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="no open question"):
        answer(case, at(2026, 4, 23, 9))
    assert snapshot(case) == before
    ask(case, inspector)
    answer(case, at(2026, 4, 23, 9))
    after_first = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match="no open question"):
        answer(case, at(2026, 4, 23, 10), text="再补充一点")
    assert snapshot(case) == after_first


@pytest.mark.parametrize(
    "text, message",
    [("", "Write your answer"), (" \n", "Write your answer"), ("字" * 2001, "2000")],
)
def test_an_empty_or_overlong_answer_is_refused_and_the_clock_stays_stopped(
    case, inspector, text, message
):
    ask(case, inspector)
    before = snapshot(case)
    with pytest.raises(TransitionNotAllowed, match=message):
        answer(case, at(2026, 4, 23, 9), text=text)
    assert snapshot(case) == before
    assert before[4] == at(2026, 4, 22, 16)


def test_an_answer_of_exactly_the_limit_is_taken(case, inspector):
    ask(case, inspector)
    assert len(answer(case, at(2026, 4, 23, 9), text="字" * 2000).answer) == 2000
