"""Dispatch (分派), signing for a case (签收) and returning it (退单): who may, in which state,
what each unit then sees, and who is told."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from cases import dispatch, returns, workflow
from cases.models import CaseEvent, CaseStatus, Complaint, Dispatch, DispatchStatus
from cases.permissions import visible_complaints
from enterprises.models import ContractStatus, ServiceContract
from foundation.models import Notification
from foundation.roles import Role
from tests.factories import CompanyFactory, make_complaint, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def english_on_a_tuesday_morning(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00")
    with translation.override("en"):
        yield


@pytest.fixture
def accepted(estate_x, official):
    complaint = make_complaint(estate=estate_x).complaint
    return workflow.accept_case(complaint, actor=official)


@pytest.fixture
def dispatched(accepted, official, inspector, company_a):
    return dispatch.dispatch_case(accepted, actor=official, inspector=inspector, company=company_a)


def fresh(user):
    """The user as a new request sees them (roles and grants are cached on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def sees(user, complaint) -> bool:
    return visible_complaints(fresh(user)).filter(pk=complaint.pk).exists()


def unit_dispatch(complaint, **unit) -> Dispatch:
    return Dispatch.objects.get(complaint=complaint, status__in=dispatch.ACTIVE, **unit)


def snapshot(complaint):
    complaint = Complaint.objects.get(pk=complaint.pk)
    return (
        complaint.status,
        complaint.assigned_inspector_id,
        complaint.dispatched_company_id,
        sorted(complaint.dispatches.values_list("pk", "status")),
        complaint.events.count(),
        Notification.objects.count(),
    )


def contract(estate, company, *, status=ContractStatus.FILED, starts=-100, ends=265):
    today = timezone.localdate()
    return ServiceContract.objects.create(
        company=company,
        estate=estate,
        starts_on=today + dt.timedelta(days=starts),
        ends_on=today + dt.timedelta(days=ends),
        service_level="2",
        fee_per_sqm_month="2.50",
        document="contracts/test.pdf",
        status=status,
    )


# The responsible company ------------------------------------------------------------------


def test_responsible_company_is_the_filed_current_contracts(accepted, estate_x, company_b):
    contract(estate_x, company_b)
    assert dispatch.responsible_company(accepted) == company_b


def test_responsible_company_ignores_unfiled_and_past_contracts(accepted, estate_x, company_a):
    contract(estate_x, CompanyFactory(), status=ContractStatus.SUBMITTED)
    contract(estate_x, CompanyFactory(), status=ContractStatus.EXPIRED, starts=-500, ends=-20)
    assert dispatch.responsible_company(accepted) == company_a  # the managing company


def test_a_complaint_without_an_estate_has_no_responsible_company(db):
    assert dispatch.responsible_company(make_complaint(estate=None).complaint) is None


def test_a_filed_contract_not_yet_in_force_does_not_count(accepted, estate_x, company_a):
    contract(estate_x, CompanyFactory(), starts=10, ends=400)
    assert dispatch.responsible_company(accepted) == company_a


# Dispatching ------------------------------------------------------------------------------


def test_dispatch_to_inspector_and_company(dispatched, inspector, company_a):
    assert dispatched.status == CaseStatus.ASSIGNED
    assert dispatched.assigned_inspector == inspector
    assert dispatched.dispatched_company == company_a
    rows = list(dispatched.dispatches.order_by("id"))
    assert [(d.inspector, d.company, d.status) for d in rows] == [
        (inspector, None, DispatchStatus.AWAITING_SIGNATURE),
        (None, company_a, DispatchStatus.AWAITING_SIGNATURE),
    ]
    # 4 working hours from Tuesday 10:00: 12:00, lunch, then 13:30 → 15:30.
    assert {f"{timezone.localtime(d.sign_due_at):%Y-%m-%d %H:%M}" for d in rows} == {
        "2026-03-10 15:30"
    }


def test_the_public_event_names_the_kind_of_unit_never_a_person(
    accepted, official, inspector, company_a
):
    dispatch.dispatch_case(
        accepted, actor=official, inspector=inspector, company=company_a, note="请今日到场"
    )
    event = CaseEvent.objects.get(complaint=accepted, action="cases.complaint.assigned")
    assert event.is_public
    assert event.data == {"units": ["inspector", "company"]}
    note = CaseEvent.objects.get(complaint=accepted, action="cases.complaint.note_added")
    assert not note.is_public and note.data["text"] == "请今日到场"


def test_the_units_are_told_by_email_once(accepted, official, inspector, company_a_staff):
    company_a = company_a_staff.staff_profile.company
    for _attempt in range(2):
        dispatch.dispatch_case(accepted, actor=official, inspector=inspector, company=company_a)
    mails = Notification.objects.filter(
        channel=Notification.EMAIL, dedup_key__startswith="dispatch:"
    )
    assert sorted(mails.values_list("recipient", flat=True)) == [
        company_a_staff.email,
        inspector.email,
    ]
    assert all(accepted.tracking_number in m.body and "15:30" in m.body for m in mails)
    assert all(accepted.contact_phone not in m.body for m in mails)


def test_dispatch_to_the_company_alone(accepted, official, company_a):
    done = dispatch.dispatch_case(accepted, actor=official, company=company_a)
    assert (done.status, done.assigned_inspector, done.dispatched_company) == (
        CaseStatus.ASSIGNED,
        None,
        company_a,
    )
    assert CaseEvent.objects.get(complaint=accepted, action="cases.complaint.assigned").data == {
        "units": ["company"]
    }


@pytest.fixture
def district_2_official(district_2):
    return make_user("official_2", Role.OFFICIAL, district=district_2)


@pytest.mark.parametrize(
    "actor_name",
    [
        "inspector",
        "other_district_inspector",
        "district_2_official",
        "company_a_staff",
        "company_b_staff",
        "committee_member",
        "citizen",
    ],
)
def test_only_an_official_of_the_district_dispatches(request, accepted, actor_name, company_a):
    before = snapshot(accepted)
    with pytest.raises(workflow.TransitionNotAllowed, match="Only an official"):
        dispatch.dispatch_case(
            accepted, actor=request.getfixturevalue(actor_name), company=company_a
        )
    assert snapshot(accepted) == before


def test_anonymous_cannot_dispatch(accepted, company_a):
    before = snapshot(accepted)
    with pytest.raises(workflow.TransitionNotAllowed):
        dispatch.dispatch_case(accepted, actor=None, company=company_a)
    assert snapshot(accepted) == before


def test_a_submitted_case_is_accepted_before_dispatch(estate_x, official, company_a):
    complaint = make_complaint(estate=estate_x).complaint
    before = snapshot(complaint)
    with pytest.raises(workflow.TransitionNotAllowed, match="cannot become"):
        dispatch.dispatch_case(complaint, actor=official, company=company_a)
    assert snapshot(complaint) == before


def test_a_dispatched_case_is_not_dispatched_again_to_other_units(
    dispatched, official, other_district_inspector
):
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed, match="already dispatched"):
        dispatch.dispatch_case(dispatched, actor=official, inspector=other_district_inspector)
    assert snapshot(dispatched) == before


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ({}, "Choose an inspector"),
        ({"inspector": "company_a_staff"}, "is not an inspector"),
        ({"inspector": "official"}, "is not an inspector"),
        ({"company": "estate_x"}, "registered company"),
    ],
)
def test_dispatch_needs_a_real_unit(request, accepted, official, units, message):
    before = snapshot(accepted)
    kwargs = {key: request.getfixturevalue(name) for key, name in units.items()}
    with pytest.raises(workflow.TransitionNotAllowed, match=message):
        dispatch.dispatch_case(accepted, actor=official, **kwargs)
    assert snapshot(accepted) == before


# Object permissions and visibility --------------------------------------------------------


def test_an_inspector_of_another_district_is_granted_the_case(
    accepted, official, other_district_inspector
):
    assert not sees(other_district_inspector, accepted)
    dispatch.dispatch_case(accepted, actor=official, inspector=other_district_inspector)
    assert sees(other_district_inspector, accepted)
    assert fresh(other_district_inspector).has_perm("cases.change_complaint", accepted)


def test_an_inspector_who_returns_the_case_loses_the_grant(
    accepted, official, other_district_inspector
):
    dispatch.dispatch_case(accepted, actor=official, inspector=other_district_inspector)
    dispatch.return_dispatch(
        unit_dispatch(accepted),
        actor=other_district_inspector,
        reason_code="other",
        reason="不在本区",
    )
    assert not sees(other_district_inspector, accepted)


def test_a_replaced_inspector_no_longer_sees_the_case(
    accepted, official, inspector, other_district_inspector, company_a
):
    dispatch.dispatch_case(accepted, actor=official, inspector=other_district_inspector)
    first = unit_dispatch(accepted)
    dispatch.sign_dispatch(first, actor=other_district_inspector)
    workflow.resolve_case(accepted, actor=other_district_inspector, reply="已处理")
    workflow.record_follow_up(accepted, actor=None, satisfaction="unsatisfied")

    again = dispatch.dispatch_case(accepted, actor=official, inspector=inspector)
    first.refresh_from_db()
    assert first.status == DispatchStatus.WITHDRAWN
    assert again.assigned_inspector == inspector
    assert not sees(other_district_inspector, accepted)
    assert not fresh(other_district_inspector).has_perm("cases.view_complaint", accepted)
    assert fresh(inspector).has_perm("cases.view_complaint", accepted)


def test_the_company_sees_the_case_only_while_it_is_dispatched_to_it(
    accepted, official, company_a, company_a_staff, company_b_staff
):
    assert not sees(company_a_staff, accepted)
    dispatch.dispatch_case(accepted, actor=official, company=company_a)
    assert sees(company_a_staff, accepted)
    assert not sees(company_b_staff, accepted)
    dispatch.return_dispatch(
        unit_dispatch(accepted), actor=company_a_staff, reason_code="other", reason="非本公司项目"
    )
    assert not sees(company_a_staff, accepted)


def test_re_dispatching_a_reopened_case_away_from_the_company_hides_it(
    accepted, official, inspector, company_a, company_a_staff
):
    dispatch.dispatch_case(accepted, actor=official, inspector=inspector)
    dispatch.sign_dispatch(unit_dispatch(accepted), actor=inspector)
    workflow.resolve_case(accepted, actor=inspector, reply="已处理")
    workflow.record_follow_up(accepted, actor=None, satisfaction="unsatisfied")
    dispatch.dispatch_case(accepted, actor=official, company=company_a)
    assert sees(company_a_staff, accepted)
    assert Complaint.objects.get(pk=accepted.pk).assigned_inspector is None


# Signing for the case ---------------------------------------------------------------------


def test_the_first_signature_starts_the_work(dispatched, inspector, company_a_staff):
    dispatch.sign_dispatch(unit_dispatch(dispatched, company__isnull=False), actor=company_a_staff)
    complaint = Complaint.objects.get(pk=dispatched.pk)
    assert complaint.status == CaseStatus.IN_PROGRESS
    started = CaseEvent.objects.get(complaint=complaint, action="cases.complaint.started")
    assert started.is_public and (started.from_status, started.to_status) == (
        CaseStatus.ASSIGNED,
        CaseStatus.IN_PROGRESS,
    )

    signed = dispatch.sign_dispatch(unit_dispatch(dispatched, inspector=inspector), actor=inspector)
    assert (signed.status, signed.signed_by) == (DispatchStatus.SIGNED, inspector)
    assert signed.signed_at is not None
    assert Complaint.objects.get(pk=dispatched.pk).status == CaseStatus.IN_PROGRESS
    signatures = CaseEvent.objects.filter(complaint=complaint, action="cases.dispatch.signed")
    assert [e.is_public for e in signatures] == [False, False]
    assert (
        CaseEvent.objects.filter(complaint=complaint, action="cases.complaint.started").count() == 1
    )


def test_signing_twice_is_quiet(dispatched, inspector):
    row = unit_dispatch(dispatched, inspector=inspector)
    dispatch.sign_dispatch(row, actor=inspector)
    before = snapshot(dispatched)
    assert dispatch.sign_dispatch(row, actor=inspector).status == DispatchStatus.SIGNED
    assert snapshot(dispatched) == before


@pytest.mark.parametrize(
    ("unit", "actor_name"),
    [
        ("company", "company_b_staff"),
        ("company", "inspector"),
        ("company", "committee_member"),
        ("inspector", "other_district_inspector"),
        ("inspector", "official"),
        ("inspector", "company_a_staff"),
        ("inspector", "citizen"),
    ],
)
def test_only_the_receiving_unit_signs(request, dispatched, unit, actor_name):
    row = unit_dispatch(dispatched, **{f"{unit}__isnull": False})
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed, match="Only the unit"):
        dispatch.sign_dispatch(row, actor=request.getfixturevalue(actor_name))
    with pytest.raises(workflow.TransitionNotAllowed, match="Only the unit"):
        dispatch.return_dispatch(
            row, actor=request.getfixturevalue(actor_name), reason_code="other", reason="不是我的"
        )
    assert snapshot(dispatched) == before


def test_anonymous_cannot_sign(dispatched):
    row = unit_dispatch(dispatched, inspector__isnull=False)
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed):
        dispatch.sign_dispatch(row, actor=None)
    assert snapshot(dispatched) == before


def test_a_returned_dispatch_cannot_be_signed(dispatched, company_a_staff):
    row = unit_dispatch(dispatched, company__isnull=False)
    dispatch.return_dispatch(row, actor=company_a_staff, reason_code="other", reason="非本公司项目")
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed, match="no longer be signed"):
        dispatch.sign_dispatch(row, actor=company_a_staff)
    assert snapshot(dispatched) == before


# Returning the case -----------------------------------------------------------------------


def test_returning_needs_a_reason(dispatched, company_a_staff):
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed, match="needs a reason"):
        dispatch.return_dispatch(
            unit_dispatch(dispatched, company__isnull=False),
            actor=company_a_staff,
            reason_code="other",
            reason=" ",
        )
    assert snapshot(dispatched) == before


def test_a_signed_case_cannot_be_returned(dispatched, inspector):
    row = unit_dispatch(dispatched, inspector=inspector)
    dispatch.sign_dispatch(row, actor=inspector)
    before = snapshot(dispatched)
    with pytest.raises(workflow.TransitionNotAllowed, match="signed case cannot be returned"):
        dispatch.return_dispatch(row, actor=inspector, reason_code="other", reason="太忙")
    assert snapshot(dispatched) == before


def test_one_unit_returning_leaves_the_other(dispatched, company_a_staff, inspector):
    row = unit_dispatch(dispatched, company__isnull=False)
    returned = dispatch.return_dispatch(
        row, actor=company_a_staff, reason_code="other", reason="非本公司项目"
    )
    assert (returned.status, returned.return_reason) == (DispatchStatus.RETURNED, "非本公司项目")
    complaint = Complaint.objects.get(pk=dispatched.pk)
    assert (complaint.status, complaint.dispatched_company, complaint.assigned_inspector) == (
        CaseStatus.ASSIGNED,
        None,
        inspector,
    )
    event = CaseEvent.objects.get(complaint=complaint, action="cases.dispatch.returned")
    assert not event.is_public and event.data["reason"] == "非本公司项目"
    assert event.to_status == ""  # no status change


def test_when_every_unit_returned_the_case_goes_back_to_the_official(
    dispatched, official, company_a_staff, inspector, company_a
):
    dispatch.return_dispatch(
        unit_dispatch(dispatched, company__isnull=False),
        actor=company_a_staff,
        reason_code="other",
        reason="非本公司",
    )
    dispatch.return_dispatch(
        unit_dispatch(dispatched, inspector=inspector),
        actor=inspector,
        reason_code="other",
        reason="应由供水公司处理",
    )
    complaint = Complaint.objects.get(pk=dispatched.pk)
    assert (complaint.status, complaint.assigned_inspector, complaint.dispatched_company) == (
        CaseStatus.ACCEPTED,
        None,
        None,
    )
    last = complaint.events.filter(action="cases.dispatch.returned").last()
    assert (last.from_status, last.to_status, last.is_public) == (
        CaseStatus.ASSIGNED,
        CaseStatus.ACCEPTED,
        False,
    )
    # The official rules on both returns (cases.returns), then dispatches it again.
    for row in complaint.dispatches.all():
        returns.rule_on_return(row, actor=official, uphold=True)
    again = dispatch.dispatch_case(complaint, actor=official, company=company_a)
    assert again.status == CaseStatus.ASSIGNED


def test_returning_twice_is_quiet(dispatched, company_a_staff):
    row = unit_dispatch(dispatched, company__isnull=False)
    dispatch.return_dispatch(row, actor=company_a_staff, reason_code="other", reason="非本公司")
    before = snapshot(dispatched)
    assert dispatch.return_dispatch(
        row, actor=company_a_staff, reason_code="other", reason="再说一次"
    ).status == (DispatchStatus.RETURNED)
    assert snapshot(dispatched) == before


# Bulk dispatch ----------------------------------------------------------------------------


def test_bulk_dispatch_does_what_it_may_and_says_why_not(estate_x, estate_y, official, inspector):
    first, second = (
        workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
        for _n in range(2)
    )
    not_accepted = make_complaint(estate=estate_x).complaint
    other_district = make_complaint(estate=estate_y).complaint
    before = {c.pk: snapshot(c)[:-1] for c in (not_accepted, other_district)}

    result = dispatch.bulk_dispatch(
        [first, not_accepted, second, other_district], actor=official, inspector=inspector
    )

    assert [c.pk for c in result.done] == [first.pk, second.pk]
    assert all(c.status == CaseStatus.ASSIGNED for c in result.done)
    refused = {c.pk: message for c, message in result.refused}
    assert list(refused) == [not_accepted.pk, other_district.pk]
    assert "cannot become" in refused[not_accepted.pk]
    assert "Only an official" in refused[other_district.pk]
    # (The notification count moved: the dispatched cases' units were told.)
    assert {c.pk: snapshot(c)[:-1] for c in (not_accepted, other_district)} == before


def test_bulk_dispatch_without_a_unit_refuses_every_case(accepted, official):
    result = dispatch.bulk_dispatch([accepted], actor=official)
    assert result.done == []
    assert [(c.pk, "Choose an inspector" in m) for c, m in result.refused] == [(accepted.pk, True)]
