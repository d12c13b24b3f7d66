"""Return arbitration (退单审定, issue 18): a return cites a listed reason and awaits an
official's ruling due in working hours; upheld, the case is re-dispatched or left for a
transfer; overruled, the same unit must handle it and cannot return it again. Every refusal
changes nothing; a late ruling is flagged once by the sweep; the figures count returns per unit.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from cases import dispatch, merging, metrics, returns, workflow
from cases.models import (
    CaseEvent,
    CaseStatus,
    Complaint,
    Dispatch,
    DispatchStatus,
    ReturnReason,
    ReturnRuling,
    RulingStatus,
)
from cases.supervision import sweep_sla
from cases.workflow import TransitionNotAllowed
from foundation.models import Notification
from foundation.roles import Role
from search.reports import render_monthly_report
from tests.factories import make_complaint, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_OURS = ReturnReason.NOT_OUR_ESTATE


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def a_tuesday_morning(time_machine):
    time_machine.move_to(at(2026, 3, 10, 10), tick=False)


@pytest.fixture
def accepted(estate_x, official):
    return workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)


def to_company(complaint, official, company) -> Dispatch:
    dispatch.dispatch_case(complaint, actor=official, company=company)
    return complaint.dispatches.get(status=DispatchStatus.AWAITING_SIGNATURE)


def give_back(row, actor, code=NOT_OURS, text="不是本公司的小区") -> Dispatch:
    return dispatch.return_dispatch(row, actor=actor, reason_code=code, reason=text)


def snapshot(complaint) -> tuple:
    c = Complaint.objects.get(pk=complaint.pk)
    return (
        c.status,
        c.assigned_inspector_id,
        c.dispatched_company_id,
        sorted(c.dispatches.values_list("pk", "status")),
        sorted(ReturnRuling.objects.filter(complaint=c).values_list("pk", "status", "ruled_by")),
        c.events.count(),
        Notification.objects.count(),
    )


# Returning --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("returned_at", "due"),
    [
        (at(2026, 3, 13, 16), at(2026, 3, 16, 16)),  # Friday 16:00 → Monday 16:00 (7 h)
        # The eve of National Day: 1.5 h left that day, then the 8 October after 1–7 off.
        (at(2026, 9, 30, 16), at(2026, 10, 8, 16)),
    ],
)
def test_a_return_cites_a_listed_reason_and_awaits_a_ruling_due_in_working_hours(
    accepted, official, company_a, company_a_staff, returned_at, due
):
    row = to_company(accepted, official, company_a)
    with time_machine.travel(returned_at, tick=False):
        give_back(row, company_a_staff)
    ruling = ReturnRuling.objects.get(dispatch=row)
    assert (ruling.status, ruling.reason, ruling.returned_by) == (
        RulingStatus.PENDING,
        NOT_OURS,
        company_a_staff,
    )
    assert ruling.rule_due_at == due
    assert Complaint.objects.get(pk=accepted.pk).status == CaseStatus.ACCEPTED
    event = accepted.events.get(action="cases.dispatch.returned")
    assert (event.data["reason_code"], event.data["reason"]) == (NOT_OURS, "不是本公司的小区")


def test_a_return_without_a_listed_reason_is_refused(
    accepted, official, company_a, company_a_staff
):
    row = to_company(accepted, official, company_a)
    before = snapshot(accepted)
    with pytest.raises(TransitionNotAllowed, match="Reason for returning"):
        give_back(row, company_a_staff, code="too_busy")
    assert snapshot(accepted) == before


def test_the_official_may_not_dispatch_past_a_pending_return(
    accepted, official, company_a, company_a_staff, inspector
):
    give_back(to_company(accepted, official, company_a), company_a_staff)
    before = snapshot(accepted)
    with pytest.raises(TransitionNotAllowed, match="awaits a ruling"):
        dispatch.dispatch_case(accepted, actor=official, inspector=inspector)
    assert snapshot(accepted) == before


def test_the_case_page_offers_the_ruling_and_no_dispatch_while_a_return_waits(
    client, accepted, official, company_a, company_a_staff
):
    client.force_login(official)
    url = reverse("cases_admin:case", args=[accepted.pk])
    assert "dispatch" in {o["action"].name for o in client.get(url).context["actions"]}
    give_back(to_company(accepted, official, company_a), company_a_staff)
    response = client.get(url)
    assert "dispatch" not in {o["action"].name for o in response.context["actions"]}
    [row] = response.context["dispatches"]
    assert "rule_return" in {o["action"].name for o in row.actions}


# Upholding --------------------------------------------------------------------------------


def test_upheld_the_official_dispatches_to_another_unit_at_once(
    accepted, official, company_a, company_a_staff, company_b
):
    row = to_company(accepted, official, company_a)
    give_back(row, company_a_staff)
    ruling = returns.rule_on_return(row, actor=official, uphold=True, redispatch_to=company_b)
    assert (ruling.status, ruling.ruled_by, ruling.ruled_at) == (
        RulingStatus.UPHELD,
        official,
        at(2026, 3, 10, 10),
    )
    complaint = Complaint.objects.get(pk=accepted.pk)
    assert (complaint.status, complaint.dispatched_company) == (CaseStatus.ASSIGNED, company_b)
    actions = list(complaint.events.values_list("action", flat=True))
    assert actions[-2:] == ["cases.dispatch.return_upheld", "cases.complaint.assigned"]


def test_upheld_without_a_unit_the_case_waits_accepted_for_a_transfer_or_a_dispatch(
    accepted, official, company_a, company_a_staff, inspector
):
    row = to_company(accepted, official, company_a)
    give_back(row, company_a_staff)
    returns.rule_on_return(row, actor=official, uphold=True, note="转其他部门")
    assert Complaint.objects.get(pk=accepted.pk).status == CaseStatus.ACCEPTED
    # Nothing pending any more: the plain dispatch works again.
    assert dispatch.dispatch_case(accepted, actor=official, inspector=inspector).status == (
        CaseStatus.ASSIGNED
    )


def test_upholding_and_sending_back_to_the_same_unit_is_refused(
    accepted, official, company_a, company_a_staff
):
    row = to_company(accepted, official, company_a)
    give_back(row, company_a_staff)
    before = snapshot(accepted)
    with pytest.raises(TransitionNotAllowed, match="another unit"):
        returns.rule_on_return(row, actor=official, uphold=True, redispatch_to=company_a)
    assert snapshot(accepted) == before


# Overruling -------------------------------------------------------------------------------


def test_overruled_the_same_company_must_handle_it_and_cannot_return_it_again(
    accepted, official, company_a, company_a_staff
):
    row = to_company(accepted, official, company_a)
    give_back(row, company_a_staff)
    Notification.objects.all().delete()
    returns.rule_on_return(row, actor=official, uphold=False, note="合同附件列明该小区")
    complaint = Complaint.objects.get(pk=accepted.pk)
    assert (complaint.status, complaint.dispatched_company) == (CaseStatus.ASSIGNED, company_a)
    reopened = complaint.dispatches.get(status=DispatchStatus.AWAITING_SIGNATURE)
    assert (reopened.company, reopened.instructions) == (company_a, "合同附件列明该小区")
    assert Notification.objects.filter(recipient=company_a_staff.email).count() == 1
    event = complaint.events.get(action="cases.dispatch.return_overruled")
    assert (event.from_status, event.to_status) == (CaseStatus.ACCEPTED, CaseStatus.ASSIGNED)

    before = snapshot(accepted)
    with pytest.raises(TransitionNotAllowed, match="cannot return it again"):
        give_back(reopened, company_a_staff, code=ReturnReason.OTHER, text="还是不归我们")
    assert snapshot(accepted) == before
    dispatch.sign_dispatch(reopened, actor=company_a_staff)
    assert Complaint.objects.get(pk=accepted.pk).status == CaseStatus.IN_PROGRESS


def test_overruled_an_inspector_gets_the_case_back_beside_the_company(
    accepted, official, inspector, company_a
):
    dispatch.dispatch_case(accepted, actor=official, inspector=inspector, company=company_a)
    row = accepted.dispatches.get(inspector=inspector)
    give_back(row, inspector, code=ReturnReason.OTHER, text="太忙")
    assert Complaint.objects.get(pk=accepted.pk).assigned_inspector is None
    returns.rule_on_return(row, actor=official, uphold=False, note="本片区由你负责")
    complaint = Complaint.objects.get(pk=accepted.pk)
    assert (complaint.status, complaint.assigned_inspector) == (CaseStatus.ASSIGNED, inspector)
    assert get_user_model().objects.get(pk=inspector.pk).has_perm("cases.view_complaint", complaint)


# Refusals ---------------------------------------------------------------------------------


@pytest.fixture
def pending(accepted, official, company_a, company_a_staff):
    row = to_company(accepted, official, company_a)
    give_back(row, company_a_staff)
    return row


def _official_of_district_2(district_2):
    return make_user("official_d2", Role.OFFICIAL, district=district_2)


@pytest.mark.parametrize(
    ("who", "uphold", "note", "message"),
    [
        ("inspector", True, "", "Only an official"),
        ("company_a_staff", True, "", "Only an official"),
        ("official_d2", True, "", "Only an official"),
        ("official", False, " ", "needs a note"),
    ],
)
def test_a_ruling_is_refused_and_changes_nothing(
    request, pending, district_2, who, uphold, note, message
):
    actor = (
        _official_of_district_2(district_2)
        if who == "official_d2"
        else request.getfixturevalue(who)
    )
    before = snapshot(pending.complaint)
    with pytest.raises(TransitionNotAllowed, match=message):
        returns.rule_on_return(pending, actor=actor, uphold=uphold, note=note)
    assert snapshot(pending.complaint) == before


def test_the_official_who_returned_the_case_may_not_rule_on_it(accepted, official, district_1):
    both = make_user("official_and_inspector", Role.OFFICIAL, district=district_1)
    both.groups.add(Group.objects.get_or_create(name=Role.INSPECTOR)[0])
    both = get_user_model().objects.get(pk=both.pk)
    dispatch.dispatch_case(accepted, actor=official, inspector=both)
    row = accepted.dispatches.get()
    give_back(row, both, code=ReturnReason.OTHER)
    before = snapshot(accepted)
    with pytest.raises(TransitionNotAllowed, match="another official rules"):
        returns.rule_on_return(row, actor=both, uphold=True)
    assert snapshot(accepted) == before


def test_a_return_is_ruled_on_once(pending, official, admin):
    returns.rule_on_return(pending, actor=official, uphold=True)
    before = snapshot(pending.complaint)
    with pytest.raises(TransitionNotAllowed, match="already ruled on"):
        returns.rule_on_return(pending, actor=admin, uphold=False, note="改判")
    assert snapshot(pending.complaint) == before


def test_a_return_on_a_merged_case_lapses_and_can_no_longer_be_ruled_on(
    pending, official, estate_x
):
    """Merged before anyone ruled: nothing is left to rule on, so the return lapses instead
    of waiting for ever, and is never flagged late."""
    primary = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    merging.merge_complaint(pending.complaint, into=primary, actor=official)
    ruling = ReturnRuling.objects.get(dispatch=pending)
    assert (ruling.status, ruling.ruled_by, ruling.ruled_at) == (
        RulingStatus.LAPSED,
        None,
        at(2026, 3, 10, 10),
    )
    lapsed = pending.complaint.events.get(action="cases.dispatch.return_lapsed")
    assert (lapsed.is_public, lapsed.user, lapsed.data["status"]) == (
        False,
        official,
        CaseStatus.MERGED,
    )
    before = snapshot(pending.complaint)
    with pytest.raises(TransitionNotAllowed, match=r"already ruled on \(.Lapsed"):
        returns.rule_on_return(pending, actor=official, uphold=True)
    assert snapshot(pending.complaint) == before
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        assert sweep_sla().rulings_late == 0


def test_a_return_on_a_transferred_case_lapses(pending, official, client):
    from cases.models import Agency
    from cases.transfers import transfer_case

    agency = Agency.objects.create(name="市住房保障局", contact="12345")
    transfer_case(pending.complaint, actor=official, agency=agency, reason="属住房保障局职责")
    assert ReturnRuling.objects.get(dispatch=pending).status == RulingStatus.LAPSED
    [row] = metrics.returns_by_unit(Complaint.objects.all())  # returned, no longer pending
    assert (row.returns, row.upheld, row.overruled, row.pending, row.lapsed) == (1, 0, 0, 0, 1)
    # The figures add up where people read them: the dashboard's and the report's column.
    import io

    from pdfminer.high_level import extract_text

    text = extract_text(io.BytesIO(render_monthly_report(None, dt.date(2026, 3, 1))))
    assert "已失效" in text
    client.force_login(official)
    page = client.get(reverse("statistics_dashboard")).content.decode()
    assert ">Lapsed</th>" in page and "<td>1</td><td>0</td><td>0</td><td>0</td><td>1</td>" in page


def test_a_dispatch_never_returned_has_no_ruling_to_make(accepted, official, company_a):
    row = to_company(accepted, official, company_a)
    with pytest.raises(TransitionNotAllowed, match="not returned"):
        returns.rule_on_return(row, actor=official, uphold=True)


# The sweep --------------------------------------------------------------------------------


def test_a_late_ruling_is_flagged_once_to_the_districts_officials(pending, official):
    Notification.objects.all().delete()
    with time_machine.travel(at(2026, 3, 11, 9, 59), tick=False):  # 7 working hours: 10:00
        assert sweep_sla().rulings_late == 0
    with time_machine.travel(at(2026, 3, 11, 10, 1), tick=False):
        assert sweep_sla().rulings_late == 1
        assert sweep_sla().rulings_late == 0  # idempotent
    ruling = ReturnRuling.objects.get(dispatch=pending)
    assert ruling.overdue_since == at(2026, 3, 11, 10, 1)
    assert CaseEvent.objects.filter(action="cases.dispatch.ruling_late").count() == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [official.email]
    with translation.override("en"):
        assert "awaits a ruling" in Notification.objects.get().subject


def test_a_ruled_return_is_never_late(pending, official):
    returns.rule_on_return(pending, actor=official, uphold=True)
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):
        assert sweep_sla().rulings_late == 0


# Figures ----------------------------------------------------------------------------------


def test_the_figures_count_returns_and_rulings_per_unit(
    estate_x, official, inspector, company_a, company_a_staff, company_b, company_b_staff,
    client, django_assert_max_num_queries,
):  # fmt: skip
    cases = [
        workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
        for _n in range(3)
    ]
    first = to_company(cases[0], official, company_a)
    give_back(first, company_a_staff)
    returns.rule_on_return(first, actor=official, uphold=False, note="是你们的")
    second = to_company(cases[1], official, company_a)
    give_back(second, company_a_staff)
    returns.rule_on_return(second, actor=official, uphold=True, redispatch_to=company_b)
    third = to_company(cases[2], official, company_b)
    give_back(third, company_b_staff)
    with django_assert_max_num_queries(1):
        rows = metrics.returns_by_unit(Complaint.objects.all())
    assert [(r.unit, r.returns, r.upheld, r.overruled, r.pending) for r in rows] == [
        (company_a.name, 2, 1, 1, 0),
        (company_b.name, 1, 0, 0, 1),
    ]
    assert (rows[0].overruled_rate, rows[1].overruled_rate) == (0.5, None)

    report = render_monthly_report(None, dt.date(2026, 3, 1))
    assert report.startswith(b"%PDF")

    client.force_login(official)
    page = client.get(reverse("statistics_dashboard")).content.decode()
    assert "Returns and rulings per unit" in page and company_a.name in page


def test_the_migration_lapses_returns_left_pending_on_cases_that_had_ended(
    pending, official, company_a, company_a_staff, estate_x
):
    """Before returns lapsed, a return on a case merged or transferred stayed pending."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0019_returns_lapse")
    Complaint.objects.filter(pk=pending.complaint_id).update(status=CaseStatus.MERGED)
    other = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    still_open = give_back(to_company(other, official, company_a), company_a_staff)
    migration.lapse_returns_of_finished_cases(apps, None)
    assert ReturnRuling.objects.get(dispatch=pending).status == RulingStatus.LAPSED
    assert ReturnRuling.objects.get(dispatch=still_open).status == RulingStatus.PENDING
