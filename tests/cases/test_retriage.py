"""Re-triage (重新分类定级): an official of the district or the assigned inspector changes the
category, tier or estate of an open case; the due dates follow from the submission time on
the working calendar, routing follows the estate, the timeline keeps before and after, and
the citizen hears once of a new date. Every refusal changes nothing.

The cases are filed on Tuesday 10 March 2026 at 10:00; Thursday 12 March is a day off
(a calendar override, as for a typhoon).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases import clock, dispatch, merging, retriage, workflow
from cases.models import (
    CalendarOverride,
    CaseEvent,
    CaseStatus,
    Category,
    Complaint,
    DispatchStatus,
    DutyAssignment,
    Tier,
)
from cases.permissions import visible_complaints
from cases.retriage import RetriageRefused
from foundation.models import Notification
from foundation.notifications import MemorySmsBackend
from tests.factories import make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CST = ZoneInfo("Asia/Shanghai")
REASON = "电梯困人，应为紧急件"


def at(month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CST)


@pytest.fixture(autouse=True)
def tuesday_before_a_day_off(time_machine):
    CalendarOverride.objects.create(date=dt.date(2026, 3, 12), is_workday=False, note="台风")
    time_machine.move_to(at(3, 10, 10), tick=False)


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def accepted(estate_x, official):
    complaint = make_complaint(estate=estate_x, category=Category.OTHER).complaint
    return workflow.accept_case(complaint, actor=official)


@pytest.fixture
def in_progress(accepted, official, inspector, company_a, company_a_staff):
    """Dispatched to the inspector and company A; the company signed, the inspector not yet."""
    dispatch.dispatch_case(accepted, actor=official, inspector=inspector, company=company_a)
    company = accepted.dispatches.get(company__isnull=False)
    dispatch.sign_dispatch(company, actor=company_a_staff)
    return Complaint.objects.get(pk=accepted.pk)


def snapshot(complaint) -> tuple:
    c = Complaint.objects.get(pk=complaint.pk)
    return (
        c.status,
        c.category,
        c.tier,
        c.estate_id,
        c.district_id,
        c.company_id,
        c.dispatched_company_id,
        c.accept_due_at,
        c.resolve_due_at,
        sorted(c.dispatches.values_list("pk", "status")),
        c.events.count(),
        Notification.objects.count(),
    )


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_a_new_tier_recomputes_the_due_dates_from_submission_across_the_day_off(
    accepted, official, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        retriage.retriage_case(
            accepted,
            actor=official,
            category=Category.FACILITIES,
            tier=Tier.URGENT,
            estate=accepted.estate,
            reason=REASON,
        )
    case = Complaint.objects.get(pk=accepted.pk)
    # Urgent: 2 and 4 working hours, 3 working days; Thursday 12 March is not one of them.
    assert (case.tier, case.category) == (Tier.URGENT, Category.FACILITIES)
    assert case.accept_due_at == at(3, 10, 12)
    assert case.respond_due_at == at(3, 10, 15, 30)
    assert case.resolve_due_at == at(3, 16, 17, 30)
    event = case.events.get(action=retriage.RETRIAGED)
    assert not event.is_public
    assert event.data["tier_before"] == Tier.GENERAL and event.data["tier_after"] == Tier.URGENT
    assert event.data["category_before"] == Category.OTHER
    assert event.data["reason"] == REASON
    told = case.events.get(action=retriage.DUE_CHANGED)
    assert told.is_public and told.data == {"due": at(3, 16, 17, 30).isoformat()}
    [(_phone, text)] = sms  # once, in English (the fixture), with the new date
    assert case.tracking_number in text and "2026-03-16" in text


def test_an_approved_extension_is_carried_over_to_the_new_tier(accepted, official, inspector):
    dispatch.dispatch_case(accepted, actor=official, inspector=inspector)
    extension = clock.request_extension(accepted, actor=inspector, working_days=2, reason="配件")
    clock.decide_extension(extension, actor=official, approve=True)
    retriage.retriage_case(
        accepted,
        actor=official,
        category=accepted.category,
        tier=Tier.URGENT,
        estate=accepted.estate,
        reason=REASON,
    )
    # Three working days (Mon 16 March) and the two approved ones: Wednesday 18 March.
    assert Complaint.objects.get(pk=accepted.pk).resolve_due_at == at(3, 18, 17, 30)


def test_a_category_change_that_keeps_the_dates_tells_the_citizen_nothing(
    accepted, official, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        retriage.retriage_case(
            accepted,
            actor=official,
            category=Category.FEES,
            tier=accepted.tier,
            estate=accepted.estate,
            reason="实为收费问题",
        )
    case = Complaint.objects.get(pk=accepted.pk)
    assert case.category == Category.FEES
    assert not case.events.filter(action=retriage.DUE_CHANGED).exists()
    assert sms == []


def test_linking_a_free_text_estate_brings_its_district_and_company(
    admin, official, estate_x, company_a
):
    typed = make_complaint(estate=None).complaint  # "无名小区": no district, no company
    assert not visible_complaints(fresh(official)).filter(pk=typed.pk).exists()
    retriage.retriage_case(
        typed,
        actor=admin,
        category=typed.category,
        tier=typed.tier,
        estate=estate_x,
        reason="小区名称录入错误",
    )
    case = Complaint.objects.get(pk=typed.pk)
    assert (case.estate, case.estate_name) == (estate_x, estate_x.name)
    assert (case.district_id, case.company) == (estate_x.district_id, company_a)
    event = case.events.get(action=retriage.RETRIAGED)
    assert (event.data["estate_before"], event.data["estate_after"]) == ("无名小区", estate_x.name)
    assert visible_complaints(fresh(official)).filter(pk=typed.pk).exists()


def test_moving_the_estate_withdraws_the_company_no_longer_responsible(
    in_progress, official, inspector, estate_y, company_a_staff, company_b
):
    retriage.retriage_case(
        in_progress,
        actor=official,
        category=in_progress.category,
        tier=in_progress.tier,
        estate=estate_y,
        reason="实为锦绣苑",
    )
    case = Complaint.objects.get(pk=in_progress.pk)
    assert (case.district_id, case.company) == (estate_y.district_id, company_b)
    assert case.dispatched_company is None
    company, unit = sorted(case.dispatches.all(), key=lambda d: d.inspector_id or 0)
    assert company.status == DispatchStatus.WITHDRAWN
    assert unit.status == DispatchStatus.AWAITING_SIGNATURE
    # The inspector's dispatch is still open: the case stays at work, in another district,
    # and the inspector keeps it by a grant; company A no longer sees it.
    assert case.status == CaseStatus.IN_PROGRESS
    assert visible_complaints(fresh(inspector)).filter(pk=case.pk).exists()
    assert not visible_complaints(fresh(company_a_staff)).filter(pk=case.pk).exists()
    assert case.events.get(action=retriage.RETRIAGED).data["withdrawn"] == [company.pk]


def test_a_case_left_without_any_unit_goes_back_to_the_official(
    accepted, official, company_a, company_a_staff, estate_y
):
    dispatch.dispatch_case(accepted, actor=official, company=company_a)
    dispatch.sign_dispatch(accepted.dispatches.get(), actor=company_a_staff)
    retriage.retriage_case(
        accepted,
        actor=official,
        category=accepted.category,
        tier=accepted.tier,
        estate=estate_y,
        reason="实为锦绣苑",
    )
    case = Complaint.objects.get(pk=accepted.pk)
    assert case.status == CaseStatus.ACCEPTED
    event = case.events.get(action=retriage.RETRIAGED)
    assert (event.from_status, event.to_status) == (CaseStatus.IN_PROGRESS, CaseStatus.ACCEPTED)


def test_the_assigned_inspector_may_retriage(in_progress, inspector):
    retriage.retriage_case(
        in_progress,
        actor=fresh(inspector),
        category=in_progress.category,
        tier=Tier.SERIOUS,
        estate=in_progress.estate,
        reason="影响多户",
    )
    assert Complaint.objects.get(pk=in_progress.pk).tier == Tier.SERIOUS


@pytest.mark.parametrize("who", ["company_a_staff", "other_district_inspector", "unassigned"])
def test_others_may_not_retriage(request, in_progress, who, district_1):
    from foundation.roles import Role
    from tests.factories import make_user

    if who == "unassigned":
        actor = make_user("inspector_2", Role.INSPECTOR, district=district_1)
    else:
        actor = request.getfixturevalue(who)
    before = snapshot(in_progress)
    with pytest.raises(RetriageRefused, match="Only an official"):
        retriage.retriage_case(
            in_progress,
            actor=fresh(actor),
            category=in_progress.category,
            tier=Tier.URGENT,
            estate=in_progress.estate,
            reason=REASON,
        )
    assert snapshot(in_progress) == before


@pytest.mark.parametrize("ending", ["rejected", "merged", "closed"])
def test_a_case_no_longer_open_is_refused(ending, estate_x, official, inspector):
    case = make_complaint(estate=estate_x).complaint
    if ending == "rejected":
        workflow.reject_case(case, actor=official, reason="不属于受理范围")
    elif ending == "merged":
        primary = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
        merging.merge_complaint(case, into=primary, actor=official)
    else:
        Complaint.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    before = snapshot(case)
    with pytest.raises(RetriageRefused, match="only an open case"):
        retriage.retriage_case(
            case, actor=official, category=case.category, tier=Tier.URGENT, estate=estate_x,
            reason=REASON,
        )  # fmt: skip
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({}, "category", "Nothing would change"),
        ({"estate": None}, "estate", "cannot be unlinked"),
        ({"reason": "  "}, "reason", "Reason"),
        ({"category": "lifts", "tier": Tier.URGENT}, "category", "Category"),
        ({"tier": "critical"}, "tier", "Severity tier"),
    ],
)
def test_bad_input_is_refused_naming_the_field(accepted, official, change, field, words):
    values = {
        "category": accepted.category,
        "tier": accepted.tier,
        "estate": accepted.estate,
        "reason": REASON,
        **change,
    }
    before = snapshot(accepted)
    with pytest.raises(RetriageRefused, match=words) as refusal:
        retriage.retriage_case(accepted, actor=official, **values)
    assert refusal.value.field == field
    assert snapshot(accepted) == before
    assert not CaseEvent.objects.filter(action=retriage.RETRIAGED).exists()


def test_a_case_made_urgent_alerts_the_on_duty_official_once(
    accepted, official, district_1, sms, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    DutyAssignment.objects.create(
        district=district_1, official=official, starts_on=today, ends_on=today, phone="13900009999"
    )
    for tier in (Tier.URGENT, Tier.GENERAL, Tier.URGENT):  # made urgent twice: alerted once
        with django_capture_on_commit_callbacks(execute=True):
            retriage.retriage_case(
                Complaint.objects.get(pk=accepted.pk),
                actor=official,
                category=Category.FACILITIES,
                tier=tier,
                estate=accepted.estate,
                reason=REASON,
            )
    alerts = [text for phone, text in sms if phone == "13900009999"]
    assert len(alerts) == 1 and accepted.tracking_number in alerts[0]
