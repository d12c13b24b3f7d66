"""Due process before a penalty decision (issue 21): the prior notice, the statement and
defence, the hearing and the 90-day limit, counted across National Day 2026. Every refusal
leaves the penalty as it was."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pdfminer.high_level import extract_text

from cases import penalties, penalty_deadlines, penalty_process, permissions
from cases.models import PenaltyKind, PenaltyRule, PenaltyStatus
from cases.penalties import PenaltyError
from foundation.models import Notification
from foundation.roles import Role
from tests.cases.penalty_fixtures import EVE, actions, local, propose, snapshot
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "national_day_eve")]
S = PenaltyStatus


def notice(penalty, official):
    return penalty_process.serve_prior_notice(
        penalty, actor=official, evidence="现场检查笔录、照片"
    )


# The procedure a penalty takes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "amount", "simple"),
    [
        (PenaltyKind.WARNING, None, True),
        (PenaltyKind.FINE, Decimal("3000"), True),
        (PenaltyKind.FINE, Decimal("3000.01"), False),
        (PenaltyKind.SUSPENSION, None, False),
    ],
)
def test_only_a_warning_or_a_small_fine_takes_the_simple_procedure(kind, amount, simple):
    assert penalties.takes_simple_procedure(kind, amount) is simple


def test_no_decision_without_the_prior_notice(inspector, company_a, second_official):
    penalty = propose(inspector, company_a)
    before = snapshot(penalty)
    with pytest.raises(PenaltyError, match="Serve the prior notice first"):
        penalties.approve_penalty(penalty, actor=second_official, decision="罚款")
    assert snapshot(penalty) == before


# 1. Prior notice ----------------------------------------------------------------------------


def test_the_prior_notice_is_numbered_rendered_served_and_the_company_told(
    inspector, official, company_a, company_a_staff
):
    penalty = notice(propose(inspector, company_a), official)
    assert (penalty.status, penalty.notice_number) == (S.NOTIFIED, "青岚住建罚告〔2026〕第001号")
    assert (penalty.noticed_kind, penalty.noticed_fine_amount) == (PenaltyKind.FINE, 80000)
    assert penalty.notice_served_at == EVE and penalty.hearing_right  # 80,000 ≥ 50,000
    with penalty.notice_document.open("rb") as stored:
        text = extract_text(BytesIO(stored.read()))
    for words in ("行政处罚事先告知书", penalty.notice_number, "现场检查笔录", "拟作出的行政处罚"):
        assert words in text
    assert "2026年10月13日前" in text and "要求听证" in text
    mail = Notification.objects.get(recipient=company_a_staff.email)
    assert penalty.notice_number in mail.subject and "2026-10-13 17:30" in mail.body
    assert actions(penalty) == ["cases.penalty.proposed", "cases.penalty.notified"]
    assert notice(penalty, official).notice_number == penalty.notice_number  # quietly again


def test_the_company_sees_the_notified_penalty_and_the_committee_only_once_served(
    inspector, official, company_a, estate_x, company_a_staff, committee_member
):
    penalty = propose(inspector, company_a, estate=estate_x)

    def seen(user) -> bool:
        return permissions.visible_penalties(user).filter(pk=penalty.pk).exists()

    assert not seen(company_a_staff) and not seen(committee_member)
    notice(penalty, official)
    assert seen(company_a_staff) and not seen(committee_member)


def test_the_periods_end_five_working_days_later_across_national_day(
    inspector, official, company_a
):
    penalty = notice(propose(inspector, company_a), official)
    # 1–7 October are off; 8, 9, Saturday 10 (worked), 12 and 13 October are the five days.
    assert penalty.statement_due_at == local(2026, 10, 13, 17, 30)
    assert penalty.hearing_request_due_at == local(2026, 10, 13, 17, 30)


@pytest.mark.parametrize(
    ("who", "evidence", "message"),
    [
        ("inspector", "笔录", "Only an official of the penalty's district"),
        ("company_a_staff", "笔录", "Only an official of the penalty's district"),
        ("official", "  ", "List the evidence"),
    ],
)
def test_the_notice_needs_an_official_and_the_evidence(
    request, inspector, company_a, who, evidence, message
):
    penalty = propose(inspector, company_a)
    before = snapshot(penalty)
    with pytest.raises(PenaltyError, match=message):
        penalty_process.serve_prior_notice(
            penalty, actor=request.getfixturevalue(who), evidence=evidence
        )
    assert snapshot(penalty) == before and not penalty.notice_document


# 2. Statement and defence; no heavier penalty ----------------------------------------------


def test_no_decision_before_the_statement_period_ends(
    inspector, official, second_official, company_a, national_day_eve
):
    penalty = notice(propose(inspector, company_a, amount="20000"), official)
    national_day_eve.move_to(local(2026, 10, 13, 17, 0), tick=False)
    before = snapshot(penalty)
    with pytest.raises(PenaltyError, match="may state its case .* until 2026-10-13 17:30"):
        penalties.approve_penalty(penalty, actor=second_official, decision="罚款")
    assert snapshot(penalty) == before
    national_day_eve.move_to(local(2026, 10, 14), tick=False)
    decided = penalties.approve_penalty(penalty, actor=second_official, decision="罚款")
    assert decided.status == S.APPROVED and decided.decided_on == datetime.date(2026, 10, 14)


def test_the_company_states_its_case_within_the_period(
    inspector, official, company_a, company_a_staff, company_b_staff, national_day_eve
):
    penalty = notice(propose(inspector, company_a), official)
    with pytest.raises(PenaltyError, match="Only staff of the company concerned"):
        penalty_process.record_statement(penalty, actor=company_b_staff, statement="不服")
    with pytest.raises(PenaltyError, match="Write the company's statement"):
        penalty_process.record_statement(penalty, actor=company_a_staff, statement=" ")
    national_day_eve.move_to(local(2026, 10, 13, 17, 29), tick=False)
    stated = penalty_process.record_statement(
        penalty, actor=company_a_staff, statement="已于9月完成清洗消毒，附检测报告。"
    )
    assert "已于9月完成清洗消毒" in stated.statement and stated.statement_by == company_a_staff
    assert stated.status == S.NOTIFIED
    national_day_eve.move_to(local(2026, 10, 13, 17, 31), tick=False)
    before = snapshot(penalty)
    with pytest.raises(PenaltyError, match="statement period ended on 2026-10-13 17:30"):
        penalty_process.record_statement(penalty, actor=official, statement="补充")
    assert snapshot(penalty) == before
    assert actions(penalty)[-1] == "cases.penalty.statement_recorded"


@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        (PenaltyKind.FINE, Decimal("80000.01")),
        (PenaltyKind.SUSPENSION, None),
        (PenaltyKind.REVOCATION, None),
    ],
)
def test_the_penalty_is_never_raised_after_the_notice(
    inspector, official, second_official, company_a, kind, amount
):
    penalty = notice(propose(inspector, company_a), official)
    before = snapshot(penalty)
    with pytest.raises(PenaltyError, match="may not be raised"):
        penalty_process.revise_penalty(
            penalty, actor=second_official, kind=kind, fine_amount=amount, reason="情节严重"
        )
    assert snapshot(penalty) == before


def test_the_penalty_may_be_lowered_after_the_defence(
    inspector, official, second_official, company_a
):
    penalty = notice(propose(inspector, company_a), official)
    with pytest.raises(PenaltyError, match="Say why"):
        penalty_process.revise_penalty(
            penalty, actor=second_official, kind=PenaltyKind.FINE, fine_amount=1, reason=""
        )
    lowered = penalty_process.revise_penalty(
        penalty, actor=second_official, kind=PenaltyKind.FINE, fine_amount=Decimal("40000"),
        reason="当事人已主动改正",
    )  # fmt: skip
    assert (lowered.fine_amount, lowered.noticed_fine_amount) == (40000, 80000)
    # Back up to what was notified is no raise; a warning is lighter still.
    penalty_process.revise_penalty(
        penalty, actor=second_official, kind=PenaltyKind.WARNING, fine_amount=None, reason="轻微"
    )
    assert actions(penalty).count("cases.penalty.revised") == 2


# 3. Hearing ---------------------------------------------------------------------------------


def test_the_hearing_right_follows_the_administrators_rule(inspector, official, company_a):
    assert not notice(propose(inspector, company_a, amount="49999"), official).hearing_right
    PenaltyRule.objects.filter(kind=PenaltyKind.FINE).update(hearing_from_amount=20000)
    assert notice(propose(inspector, company_a, amount="20000"), official).hearing_right
    PenaltyRule.objects.filter(kind=PenaltyKind.FINE).update(hearing_from_amount=None)
    assert not notice(propose(inspector, company_a, amount="900000"), official).hearing_right


def test_a_licence_suspension_always_gives_the_right(
    inspector, official, company_a, approved_licence
):
    penalty = notice(propose(inspector, company_a, PenaltyKind.SUSPENSION), official)
    assert penalty.hearing_right and penalty.licence == approved_licence


def test_a_hearing_is_requested_only_with_the_right_and_in_time(
    inspector, official, company_a, company_a_staff, national_day_eve
):
    small = notice(propose(inspector, company_a, amount="20000"), official)
    with pytest.raises(PenaltyError, match="gives no right to a hearing"):
        penalty_process.request_hearing(small, actor=company_a_staff)
    large = notice(propose(inspector, company_a), official)
    national_day_eve.move_to(local(2026, 10, 13, 17, 31), tick=False)
    before = snapshot(large)
    with pytest.raises(PenaltyError, match="could be requested until 2026-10-13 17:30"):
        penalty_process.request_hearing(large, actor=company_a_staff)
    assert snapshot(large) == before


@pytest.fixture
def requested(inspector, official, company_a, company_a_staff, national_day_eve):
    penalty = notice(propose(inspector, company_a), official)
    national_day_eve.move_to(local(2026, 10, 12), tick=False)
    return penalty_process.request_hearing(penalty, actor=company_a_staff)


def test_the_investigators_may_not_hold_the_hearing(
    requested, inspector, official, district_1, estate_x, company_a, national_day_eve
):
    assert requested.status == S.HEARING_REQUESTED
    proposer_official = make_user("proposer_official", Role.OFFICIAL, district=district_1)
    own = notice(propose(proposer_official, company_a), official)
    national_day_eve.move_to(local(2026, 10, 12), tick=False)
    penalty_process.request_hearing(own, actor=official)
    before = snapshot(own)
    with pytest.raises(PenaltyError, match="investigated this case and may not hold"):
        penalty_process.schedule_hearing(
            own, actor=official, officer=proposer_official, hearing_at=local(2026, 10, 30),
            place="区住建局听证室",
        )  # fmt: skip
    assert snapshot(own) == before
    with pytest.raises(PenaltyError, match="held by an official of the penalty's district"):
        penalty_process.schedule_hearing(
            requested, actor=official, officer=inspector, hearing_at=local(2026, 10, 30),
            place="区住建局听证室",
        )  # fmt: skip


def test_the_hearing_is_notified_seven_working_days_ahead(
    requested, official, second_official, company_a_staff, national_day_eve
):
    national_day_eve.move_to(local(2026, 10, 14), tick=False)
    # 15, 16, 19, 20, 21, 22 and 23 October: the 23rd is the first day it may be held.
    with pytest.raises(PenaltyError, match="hold it on 2026-10-23 or later"):
        penalty_process.schedule_hearing(
            requested, actor=official, officer=second_official,
            hearing_at=local(2026, 10, 22, 15), place="区住建局听证室",
        )  # fmt: skip
    with pytest.raises(PenaltyError, match="Give the place"):
        penalty_process.schedule_hearing(
            requested, actor=official, officer=second_official,
            hearing_at=local(2026, 10, 23), place=" ",
        )  # fmt: skip
    scheduled = penalty_process.schedule_hearing(
        requested, actor=official, officer=second_official, hearing_at=local(2026, 10, 23),
        place="区住建局听证室",
    )  # fmt: skip
    assert (scheduled.status, scheduled.hearing_officer) == (S.HEARING_SCHEDULED, second_official)
    mail = Notification.objects.filter(recipient=company_a_staff.email).latest("pk")
    assert "2026-10-23 10:00" in mail.body and "区住建局听证室" in mail.body


def test_the_official_who_held_the_hearing_records_it_then_the_decision_follows(
    requested, official, second_official, inspector, national_day_eve
):
    national_day_eve.move_to(local(2026, 10, 14), tick=False)
    penalty_process.schedule_hearing(
        requested, actor=official, officer=second_official, hearing_at=local(2026, 10, 23),
        place="区住建局听证室",
    )  # fmt: skip
    with pytest.raises(PenaltyError, match="cannot become “Approved”"):
        penalties.approve_penalty(requested, actor=second_official, decision="罚款")
    with pytest.raises(PenaltyError, match="record it once held"):
        penalty_process.record_hearing(requested, actor=second_official, record="笔录")
    national_day_eve.move_to(local(2026, 10, 23, 11), tick=False)
    before = snapshot(requested)
    with pytest.raises(PenaltyError, match="Only the official who held the hearing"):
        penalty_process.record_hearing(requested, actor=official, record="笔录")
    with pytest.raises(PenaltyError, match="Write the record"):
        penalty_process.record_hearing(requested, actor=second_official, record="")
    assert snapshot(requested) == before
    heard = penalty_process.record_hearing(
        requested, actor=second_official, record="当事人陈述：已整改。调查人员出示证据。"
    )
    assert (heard.status, heard.hearing_record[:5]) == (S.HEARD, "当事人陈述")
    decided = penalties.approve_penalty(heard, actor=official, decision="罚款人民币捌万元。")
    assert decided.status == S.APPROVED
    assert actions(heard)[-4:] == [
        "cases.penalty.hearing_requested",
        "cases.penalty.hearing_scheduled",
        "cases.penalty.heard",
        "cases.penalty.approved",
    ]


# The 90-day limit ---------------------------------------------------------------------------


def test_the_limit_is_ninety_days_from_opening_and_an_official_extends_it_with_a_reason(
    inspector, second_official, company_a
):
    penalty = propose(inspector, company_a)
    assert penalty.decision_due_on == datetime.date(2026, 12, 29)
    assert penalty.decision_days_left == 90
    before = snapshot(penalty)
    for actor, days, reason, message in (
        (inspector, 30, "案情复杂", "Only an official of the penalty's district"),
        (second_official, 30, " ", "Say why"),
        (second_official, 61, "案情复杂", "between 1 and 60 days"),
    ):
        with pytest.raises(PenaltyError, match=message):
            penalty_process.extend_decision_limit(penalty, actor=actor, days=days, reason=reason)
    assert snapshot(penalty) == before
    extended = penalty_process.extend_decision_limit(
        penalty, actor=second_official, days=30, reason="需委托检测机构检测"
    )
    assert extended.decision_due_on == datetime.date(2027, 1, 28)
    assert extended.limit_extension_reason == "需委托检测机构检测"


def test_the_sweep_warns_then_escalates_once(
    inspector, official, company_a, national_day_eve, district_1
):
    head = make_user("head", Role.OFFICIAL, city_wide=True)
    penalty = propose(inspector, company_a)
    assert penalty_deadlines.sweep_decision_limits() == penalty_deadlines.LimitReport(0, 0)
    national_day_eve.move_to(local(2026, 12, 14), tick=False)  # 15 days left
    assert penalty_deadlines.sweep_decision_limits().warned == 1
    assert penalty_deadlines.sweep_decision_limits() == penalty_deadlines.LimitReport(0, 0)
    warned = set(Notification.objects.values_list("recipient", flat=True))
    assert warned == {official.email, inspector.email}
    national_day_eve.move_to(local(2026, 12, 30), tick=False)
    assert penalty_deadlines.sweep_decision_limits().overdue == 1
    assert penalty_deadlines.sweep_decision_limits().overdue == 0
    late = Notification.objects.filter(dedup_key__contains="limit_overdue")
    assert set(late.values_list("recipient", flat=True)) == {official.email, head.email}
    assert actions(penalty)[-2:] == ["cases.penalty.limit_warning", "cases.penalty.limit_overdue"]
