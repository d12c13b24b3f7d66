"""Transfer (转办): an official sends an open case out of remit to an active agency; the case
leaves every queue and unit, the citizen is told where it went, the agency's outcome is
recorded later, and the figures count it apart. Every refusal changes nothing."""

import pytest
from django.contrib.auth import get_user_model

from cases import dispatch, metrics, transfers, workflow
from cases.models import Agency, CaseStatus, Complaint, DispatchStatus, Transfer
from cases.permissions import visible_complaints
from cases.transfers import TransferRefused
from foundation.models import Notification
from foundation.notifications import MemorySmsBackend
from search.statistics import StatisticsRequest, _from_database
from tests.factories import make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
REASON = "楼道堆物堵塞消防通道，属消防部门职责"


@pytest.fixture(autouse=True)
def tuesday_morning(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def fire_brigade(district_1):
    return Agency.objects.create(
        name="东湖区消防救援大队", district=district_1, contact="0571-87111119", remit="消防通道"
    )


@pytest.fixture
def in_progress(estate_x, official, inspector, company_a, company_a_staff):
    case = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    dispatch.dispatch_case(case, actor=official, inspector=inspector, company=company_a)
    dispatch.sign_dispatch(case.dispatches.get(company__isnull=False), actor=company_a_staff)
    return Complaint.objects.get(pk=case.pk)


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def snapshot(complaint) -> tuple:
    c = Complaint.objects.get(pk=complaint.pk)
    return (
        c.status,
        c.assigned_inspector_id,
        c.dispatched_company_id,
        sorted(c.dispatches.values_list("pk", "status")),
        c.events.count(),
        Transfer.objects.count(),
        Notification.objects.count(),
    )


def test_official_transfers_a_case_out_of_every_queue_and_the_citizen_hears_where(
    in_progress,
    official,
    inspector,
    company_a_staff,
    fire_brigade,
    sms,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        transfers.transfer_case(
            in_progress, actor=official, agency=fire_brigade, reason=REASON, reference="XF-1"
        )
    case = Complaint.objects.get(pk=in_progress.pk)
    assert case.status == CaseStatus.TRANSFERRED
    assert (case.assigned_inspector, case.dispatched_company) == (None, None)
    assert set(case.dispatches.values_list("status", flat=True)) == {DispatchStatus.WITHDRAWN}
    assert (case.transfer.agency, case.transfer.reference) == (fire_brigade, "XF-1")
    event = case.events.get(action=transfers.TRANSFERRED)
    assert event.is_public and event.data["contact"] == "0571-87111119"
    assert not visible_complaints(fresh(company_a_staff)).filter(pk=case.pk).exists()
    [(_phone, text)] = sms
    assert fire_brigade.name in text and "0571-87111119" in text
    # A repeated request (a double click) changes nothing more.
    transfers.transfer_case(case, actor=official, agency=fire_brigade, reason=REASON)
    assert case.events.filter(action=transfers.TRANSFERRED).count() == 1


def test_the_agencys_outcome_is_recorded_once_per_change(in_progress, official, fire_brigade):
    transfers.transfer_case(in_progress, actor=official, agency=fire_brigade, reason=REASON)
    transfers.record_transfer_outcome(
        in_progress, actor=official, outcome="已责令清理堆物", reference="XF-2026-001"
    )
    transfers.record_transfer_outcome(
        in_progress, actor=official, outcome="已责令清理堆物", reference=""
    )
    transfer = Transfer.objects.get(complaint=in_progress)
    assert (transfer.outcome, transfer.reference) == ("已责令清理堆物", "XF-2026-001")
    assert transfer.outcome_recorded_by == official
    assert in_progress.events.filter(action=transfers.OUTCOME_RECORDED).count() == 1


def test_an_inactive_agency_is_refused(in_progress, official, fire_brigade):
    Agency.objects.filter(pk=fire_brigade.pk).update(active=False)
    before = snapshot(in_progress)
    with pytest.raises(TransferRefused, match="no longer active") as refusal:
        transfers.transfer_case(in_progress, actor=official, agency=fire_brigade, reason=REASON)
    assert refusal.value.field == "agency"
    assert snapshot(in_progress) == before


@pytest.mark.parametrize("who", ["inspector", "company_a_staff", "committee_member"])
def test_only_an_official_transfers(request, in_progress, fire_brigade, who):
    before = snapshot(in_progress)
    with pytest.raises(TransferRefused, match="Only an official"):
        transfers.transfer_case(
            in_progress, actor=request.getfixturevalue(who), agency=fire_brigade, reason=REASON
        )
    assert snapshot(in_progress) == before


def test_a_closed_or_rejected_case_is_not_transferred(estate_x, official, fire_brigade):
    rejected = workflow.reject_case(
        make_complaint(estate=estate_x).complaint, actor=official, reason="重复"
    )
    closed = make_complaint(estate=estate_x).complaint
    Complaint.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    for case in (rejected, closed):
        before = snapshot(case)
        with pytest.raises(TransferRefused, match="only an open case"):
            transfers.transfer_case(case, actor=official, agency=fire_brigade, reason=REASON)
        assert snapshot(case) == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"agency": None}, "agency"),
        ({"reference": "X" * 101}, "reference"),
    ],
)
def test_bad_input_is_refused_naming_the_field(in_progress, official, fire_brigade, values, field):
    before = snapshot(in_progress)
    arguments = {"agency": fire_brigade, "reason": REASON, **values}
    with pytest.raises(TransferRefused) as refusal:
        transfers.transfer_case(in_progress, actor=official, **arguments)
    assert refusal.value.field == field
    assert snapshot(in_progress) == before


def test_an_outcome_needs_a_transferred_case_and_words(in_progress, official, fire_brigade):
    with pytest.raises(TransferRefused, match="only for a transferred case"):
        transfers.record_transfer_outcome(in_progress, actor=official, outcome="已处理")
    transfers.transfer_case(in_progress, actor=official, agency=fire_brigade, reason=REASON)
    with pytest.raises(TransferRefused) as refusal:
        transfers.record_transfer_outcome(in_progress, actor=official, outcome="  ")
    assert refusal.value.field == "outcome"
    assert Transfer.objects.get().outcome == ""


def test_transferred_cases_count_apart_in_the_figures(estate_x, official, inspector, fire_brigade):
    resolved = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    dispatch.dispatch_case(resolved, actor=official, inspector=inspector)
    dispatch.sign_dispatch(resolved.dispatches.get(), actor=inspector)
    workflow.resolve_case(resolved, actor=inspector, reply="已修复")
    workflow.reject_case(make_complaint(estate=estate_x).complaint, actor=official, reason="重复")
    transfers.transfer_case(
        make_complaint(estate=estate_x).complaint,
        actor=official,
        agency=fire_brigade,
        reason=REASON,
    )
    figures = metrics.figures(Complaint.objects.all())
    assert (figures.submitted, figures.handled, figures.resolved) == (3, 1, 1)
    assert figures.transferred == 1
    assert figures.resolution_rate == 1.0  # the transfer is neither resolved nor unresolved
    assert figures.intake_decided == 3  # a transfer from intake decides the intake
    moment = Complaint.objects.earliest("created_at").created_at
    stats = _from_database(
        None,
        StatisticsRequest(start=moment.replace(year=2025), end=moment.replace(year=2027)),
        moment,
    )
    assert dict(stats.breakdowns["status"])[CaseStatus.TRANSFERRED] == 1
