"""Rectification orders (整改通知书): issuing, the company's acknowledgement and evidence, the
regulator's verification or failure, the overdue sweep with its credit record, who sees
which order, and the audit trail. Refusals change nothing."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from wagtail.models import ModelLogEntry

from cases import permissions, rectification
from cases.models import (
    ChecklistTemplate,
    Inspection,
    InspectionKind,
    InspectionStatus,
    OrderStatus,
    RectificationEvidence,
    RectificationOrder,
)
from cases.rectification import OrderError
from cases.supervision_tasks import flag_overdue_orders_task
from enterprises.models import CreditRecord, CreditRecordKind
from foundation.models import Notification
from foundation.roles import Role
from tests.enterprises.pdfs import contract_pdf
from tests.factories import make_user
from tests.images import jpeg_with_gps, lying_jpeg, png
from tests.object_store import stored_files

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)  # 18:00 in Shanghai
DEADLINE = datetime.date(2026, 3, 20)
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def make_inspection(estate, inspectors, *, status=InspectionStatus.COMPLETED, order=None):
    """An inspection row as the inspection workflow leaves it (that module is not ours)."""
    checklist, _ = ChecklistTemplate.objects.get_or_create(name="日常检查表", version=1)
    inspection = Inspection.objects.create(
        kind=InspectionKind.REINSPECTION if order else InspectionKind.ROUTINE,
        status=status,
        estate=estate,
        company=estate.managing_company,
        district=estate.district,
        checklist=checklist,
        order=order,
        planned_on=datetime.date(2026, 3, 1),
    )
    inspection.inspectors.set(inspectors)
    return inspection


@pytest.fixture
def inspection(estate_x, inspector):
    return make_inspection(estate_x, [inspector])


def issue(actor, inspection, **kwargs) -> RectificationOrder:
    return rectification.issue_order(
        actor=actor,
        company=inspection.company,
        requirements=kwargs.pop("requirements", "清理消防通道堆放杂物，修复单元门禁。"),
        deadline=kwargs.pop("deadline", DEADLINE),
        inspection=inspection,
        **kwargs,
    )


@pytest.fixture
def order(inspection, inspector):
    return issue(inspector, inspection)


@pytest.fixture
def submitted(order, company_a_staff):
    return rectification.submit_rectification(
        order, actor=company_a_staff, response="已清理通道，门禁已修复。", files=[png()]
    )


def trail(order) -> list[tuple[str, int | None]]:
    return list(
        ModelLogEntry.objects.for_instance(order)
        .order_by("timestamp", "id")
        .values_list("action", "user_id")
    )


def snapshot(order) -> dict:
    row = RectificationOrder.objects.get(pk=order.pk)
    return {
        "status": row.status,
        "overdue_since": row.overdue_since,
        "decided_by": row.decided_by_id,
        "evidence": list(row.evidence.values_list("pk", flat=True)),
        "audit": trail(row),
    }


# Issuing -----------------------------------------------------------------------------------


def test_inspector_issues_a_numbered_order_on_a_completed_inspection(
    inspection, inspector, company_a, estate_x, company_a_staff
):
    order = issue(inspector, inspection)
    assert order.number == "整改〔2026〕第001号"
    assert (order.status, order.company, order.estate, order.district_id) == (
        OrderStatus.ISSUED,
        company_a,
        estate_x,
        estate_x.district_id,
    )
    assert (order.issued_by, order.deadline, order.inspection) == (inspector, DEADLINE, inspection)
    assert trail(order) == [("cases.order.issued", inspector.pk)]
    mail = Notification.objects.get(recipient=company_a_staff.email)
    assert order.number in mail.subject and DEADLINE.isoformat() in mail.body


def test_numbers_count_up_within_a_year_and_restart_with_the_next(inspection, inspector, clock):
    assert issue(inspector, inspection).number == "整改〔2026〕第001号"
    assert issue(inspector, inspection).number == "整改〔2026〕第002号"
    clock.move_to(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=datetime.UTC))
    assert issue(inspector, inspection, deadline=datetime.date(2027, 2, 1)).number == (
        "整改〔2027〕第001号"
    )


def test_a_number_taken_by_a_concurrent_request_is_drawn_again(inspection, inspector, monkeypatch):
    """The other request committed 第001号 after this one read the highest number: the unique
    index refuses the duplicate and the order is numbered 第002号."""
    first = issue(inspector, inspection)
    real_next_number = rectification.next_number
    stale = iter([first.number])
    monkeypatch.setattr(
        rectification,
        "next_number",
        lambda *args, **kwargs: next(stale, None) or real_next_number(*args, **kwargs),
    )
    second = issue(inspector, inspection)
    assert second.number == "整改〔2026〕第002号"
    assert RectificationOrder.objects.count() == 2


def test_numbers_past_999_keep_counting(inspection, inspector):
    order = issue(inspector, inspection)
    RectificationOrder.objects.filter(pk=order.pk).update(number="整改〔2026〕第999号")
    assert issue(inspector, inspection).number == "整改〔2026〕第1000号"
    assert issue(inspector, inspection).number == "整改〔2026〕第1001号"


def test_official_issues_an_order_without_an_inspection(official, company_a, estate_x):
    order = rectification.issue_order(
        actor=official, company=company_a, requirements="公示收费标准。", deadline=DEADLINE,
        estate=estate_x,
    )  # fmt: skip
    assert (order.status, order.district_id, order.inspection) == (
        OrderStatus.ISSUED,
        estate_x.district_id,
        None,
    )


def test_another_districts_inspector_cannot_issue(
    inspection, other_district_inspector, company_a, estate_x
):
    with pytest.raises(OrderError, match="may not issue orders on this inspection"):
        issue(other_district_inspector, inspection)
    with pytest.raises(OrderError, match="may not issue orders in this district"):
        rectification.issue_order(
            actor=other_district_inspector, company=company_a, requirements="公示收费标准。",
            deadline=DEADLINE, estate=estate_x,
        )  # fmt: skip
    assert not RectificationOrder.objects.exists()


@pytest.mark.parametrize("who", ["company_a_staff", "committee_member", "evaluator"])
def test_nobody_outside_the_regulator_issues(request, who, company_a, estate_x):
    with pytest.raises(OrderError):
        rectification.issue_order(
            actor=request.getfixturevalue(who), company=company_a, requirements="公示收费标准。",
            deadline=DEADLINE, estate=estate_x,
        )  # fmt: skip
    assert not RectificationOrder.objects.exists()


def test_an_inspection_not_completed_issues_no_order(estate_x, inspector):
    running = make_inspection(estate_x, [inspector], status=InspectionStatus.IN_PROGRESS)
    with pytest.raises(OrderError, match="only on a completed inspection"):
        issue(inspector, running)
    assert not RectificationOrder.objects.exists()


def test_a_deadline_already_passed_or_no_requirements_are_refused(inspection, inspector):
    with pytest.raises(OrderError, match="2026-03-01 has already passed"):
        issue(inspector, inspection, deadline=datetime.date(2026, 3, 1))
    with pytest.raises(OrderError, match="must put right"):
        issue(inspector, inspection, requirements="  ")
    assert not RectificationOrder.objects.exists()
    assert issue(inspector, inspection, deadline=datetime.date(2026, 3, 2)).deadline == NOW.date()


def test_the_inspection_must_be_of_the_company(inspection, inspector, company_b):
    with pytest.raises(OrderError, match="another company"):
        rectification.issue_order(
            actor=inspector, company=company_b, requirements="x", deadline=DEADLINE,
            inspection=inspection,
        )  # fmt: skip


# The company's side --------------------------------------------------------------------------


def test_company_acknowledges_its_order_once(order, company_a_staff, inspector):
    acknowledged = rectification.acknowledge_order(order, actor=company_a_staff)
    assert (
        acknowledged.status == OrderStatus.ACKNOWLEDGED and acknowledged.acknowledged_at is not None
    )
    again = rectification.acknowledge_order(order, actor=company_a_staff)
    assert again.acknowledged_at == acknowledged.acknowledged_at
    assert trail(order) == [
        ("cases.order.issued", inspector.pk),
        ("cases.order.acknowledged", company_a_staff.pk),
    ]


def test_company_b_cannot_acknowledge_company_as_order(order, company_b_staff, inspector):
    before = snapshot(order)
    with pytest.raises(OrderError, match="Only staff of the company"):
        rectification.acknowledge_order(order, actor=company_b_staff)
    with pytest.raises(OrderError, match="Only staff of the company"):
        rectification.acknowledge_order(order, actor=inspector)
    assert snapshot(order) == before


def test_submission_stores_photos_reencoded_and_pdfs_as_evidence(order, company_a_staff):
    result = rectification.submit_rectification(
        order,
        actor=company_a_staff,
        response="已清理通道。",
        files=[jpeg_with_gps(), contract_pdf("整改报告.pdf")],
    )
    assert (result.status, result.response) == (OrderStatus.SUBMITTED, "已清理通道。")
    assert result.submitted_at is not None and result.acknowledged_at is not None
    photo, report = RectificationEvidence.objects.filter(order=order).order_by("pk")
    assert (photo.content_type, report.content_type) == ("image/jpeg", "application/pdf")
    assert photo.file.name.startswith(f"rectification/{order.pk}/")
    assert "整改报告" not in report.file.name  # the uploader's name is not kept
    photo_bytes = photo.file.read()
    assert photo_bytes.startswith(b"\xff\xd8") and b"PhoneMaker" not in photo_bytes
    assert report.file.read().startswith(b"%PDF-")
    assert photo.uploaded_by == company_a_staff


def test_submitting_an_unacknowledged_order_acknowledges_it_first(order, company_a_staff):
    rectification.submit_rectification(order, actor=company_a_staff, response="好了", files=[png()])
    assert [action for action, _ in trail(order)] == [
        "cases.order.issued",
        "cases.order.acknowledged",
        "cases.order.submitted",
    ]


def test_a_jpg_that_is_really_text_is_refused_and_nothing_stored(
    order, company_a_staff, media_root
):
    before = snapshot(order)
    with pytest.raises(OrderError, match="photo.jpg"):
        rectification.submit_rectification(
            order, actor=company_a_staff, response="已整改", files=[png(), lying_jpeg()]
        )
    assert snapshot(order) == before
    assert not RectificationEvidence.objects.exists()
    assert stored_files(media_root) == []


def test_a_submission_without_evidence_or_account_is_refused(order, company_a_staff):
    before = snapshot(order)
    with pytest.raises(OrderError, match="at least one photo or PDF"):
        rectification.submit_rectification(order, actor=company_a_staff, response="好", files=[])
    with pytest.raises(OrderError, match="Describe what the company did"):
        rectification.submit_rectification(
            order, actor=company_a_staff, response=" ", files=[png()]
        )
    assert snapshot(order) == before


def test_another_company_cannot_submit(order, company_b_staff):
    with pytest.raises(OrderError, match="Only staff of the company"):
        rectification.submit_rectification(
            order, actor=company_b_staff, response="x", files=[png()]
        )
    assert not RectificationEvidence.objects.exists()


def test_a_repeated_submission_stores_nothing_more(submitted, company_a_staff):
    before = snapshot(submitted)
    rectification.submit_rectification(
        submitted, actor=company_a_staff, response="再次提交", files=[png()]
    )
    assert snapshot(submitted) == before
    assert RectificationOrder.objects.get(pk=submitted.pk).response == "已清理通道，门禁已修复。"


# The regulator's decision ------------------------------------------------------------------


def test_inspector_of_the_district_verifies_a_submitted_order(submitted, inspector):
    verified = rectification.verify_order(submitted, actor=inspector, note="现场复查合格")
    assert (verified.status, verified.decided_by, verified.decision_note) == (
        OrderStatus.VERIFIED,
        inspector,
        "现场复查合格",
    )
    assert trail(submitted)[-1] == ("cases.order.verified", inspector.pk)
    assert rectification.verify_order(submitted, actor=inspector, note="again") == verified
    assert len(trail(submitted)) == 4


def test_verification_may_rest_on_a_completed_reinspection_of_the_order(
    submitted, inspector, estate_x, inspection
):
    reinspection = make_inspection(estate_x, [inspector], order=submitted)
    verified = rectification.verify_order(
        submitted, actor=inspector, note="复查合格", reinspection=reinspection
    )
    assert verified.status == OrderStatus.VERIFIED
    entry = ModelLogEntry.objects.for_instance(submitted).get(action="cases.order.verified")
    assert entry.data["reinspection"] == reinspection.pk


def test_an_inspection_of_something_else_is_no_reinspection(submitted, inspector, inspection):
    with pytest.raises(OrderError, match="completed inspection of this order"):
        rectification.verify_order(submitted, actor=inspector, reinspection=inspection)
    assert RectificationOrder.objects.get(pk=submitted.pk).status == OrderStatus.SUBMITTED


def test_an_order_cannot_be_verified_without_evidence(order, submitted, inspector):
    RectificationEvidence.objects.filter(order=submitted).delete()
    with pytest.raises(OrderError, match="cannot be verified without evidence"):
        rectification.verify_order(submitted, actor=inspector, note="")
    assert RectificationOrder.objects.get(pk=submitted.pk).status == OrderStatus.SUBMITTED


def test_an_order_not_yet_submitted_cannot_be_verified(order, inspector, company_a_staff):
    rectification.acknowledge_order(order, actor=company_a_staff)
    with pytest.raises(OrderError, match="“Acknowledged” cannot become “Verified”"):
        rectification.verify_order(order, actor=inspector, note="")


@pytest.mark.parametrize("who", ["company_a_staff", "committee_member", "other_district_inspector"])
def test_only_regulator_staff_of_the_district_decide(request, submitted, who):
    actor = request.getfixturevalue(who)
    before = snapshot(submitted)
    with pytest.raises(OrderError, match="Only regulator staff of the order's district"):
        rectification.verify_order(submitted, actor=actor, note="")
    with pytest.raises(OrderError, match="Only regulator staff of the order's district"):
        rectification.fail_order(submitted, actor=actor, note="不合格")
    assert snapshot(submitted) == before


def test_a_submitted_rectification_may_fail_with_a_reason(submitted, inspector):
    with pytest.raises(OrderError, match="Say why"):
        rectification.fail_order(submitted, actor=inspector, note="")
    failed = rectification.fail_order(submitted, actor=inspector, note="门禁仍未修复")
    assert (failed.status, failed.decision_note) == (OrderStatus.FAILED, "门禁仍未修复")
    with pytest.raises(OrderError, match="“Failed” cannot become “Verified”"):
        rectification.verify_order(submitted, actor=inspector)


def test_an_open_order_fails_only_after_its_deadline_and_by_an_official(
    order, inspector, official, clock
):
    with pytest.raises(OrderError, match="2026-03-20 has not passed"):
        rectification.fail_order(order, actor=official, note="逾期未整改")
    clock.move_to(datetime.datetime(2026, 3, 21, 0, 30, tzinfo=ZONE))
    with pytest.raises(OrderError, match="Only an official"):
        rectification.fail_order(order, actor=inspector, note="逾期未整改")
    failed = rectification.fail_order(order, actor=official, note="逾期未整改")
    assert failed.status == OrderStatus.FAILED and failed.overdue_since is not None
    assert [action for action, _ in trail(order)][-2:] == [
        "cases.order.overdue",
        "cases.order.failed",
    ]
    assert CreditRecord.objects.filter(source_key=f"rectification:{order.pk}").count() == 1


# The overdue sweep ---------------------------------------------------------------------------


def test_the_sweep_flags_an_open_order_once_after_its_deadline_day(
    order, company_a, clock, official, django_capture_on_commit_callbacks
):
    clock.move_to(datetime.datetime(2026, 3, 20, 23, 59, tzinfo=ZONE))
    assert rectification.flag_overdue_orders() == 0
    clock.move_to(datetime.datetime(2026, 3, 21, 0, 1, tzinfo=ZONE))
    with django_capture_on_commit_callbacks(execute=True):
        assert rectification.flag_overdue_orders() == 1
    flagged = RectificationOrder.objects.get(pk=order.pk)
    assert flagged.status == OrderStatus.ISSUED
    assert flagged.overdue_since == datetime.datetime(2026, 3, 21, 0, 1, tzinfo=ZONE)
    record = CreditRecord.objects.get(company=company_a)
    assert (record.kind, record.source_key, record.source_label, record.occurred_on) == (
        CreditRecordKind.OVERDUE_RECTIFICATION,
        f"rectification:{order.pk}",
        order.number,
        datetime.date(2026, 3, 21),
    )
    company_a.refresh_from_db()
    assert company_a.credit_score == 95  # 100 − 5, recomputed once the sweep committed
    assert Notification.objects.filter(recipient=official.email, dedup_key__contains="overdue")

    before = snapshot(order)
    clock.move_to(datetime.datetime(2026, 3, 22, 9, 0, tzinfo=ZONE))
    assert rectification.flag_overdue_orders() == 0
    assert flag_overdue_orders_task() == 0
    assert snapshot(order) == before
    assert CreditRecord.objects.filter(company=company_a).count() == 1
    assert [action for action, _ in trail(order)].count("cases.order.overdue") == 1


def test_the_sweep_leaves_submitted_and_decided_orders_alone(
    submitted, inspection, inspector, company_a_staff, clock
):
    acknowledged = issue(inspector, inspection)
    rectification.acknowledge_order(acknowledged, actor=company_a_staff)
    clock.move_to(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=ZONE))
    assert flag_overdue_orders_task() == 1
    assert RectificationOrder.objects.get(pk=acknowledged.pk).overdue_since is not None
    assert RectificationOrder.objects.get(pk=submitted.pk).overdue_since is None
    assert list(CreditRecord.objects.values_list("source_key", flat=True)) == [
        f"rectification:{acknowledged.pk}"
    ]


def test_a_late_submission_before_the_sweep_still_counts_as_overdue(order, company_a_staff, clock):
    clock.move_to(datetime.datetime(2026, 3, 25, 9, 0, tzinfo=ZONE))
    submitted = rectification.submit_rectification(
        order, actor=company_a_staff, response="迟交", files=[png()]
    )
    assert submitted.status == OrderStatus.SUBMITTED and submitted.overdue_since is not None
    assert CreditRecord.objects.filter(source_key=f"rectification:{order.pk}").count() == 1
    assert rectification.flag_overdue_orders() == 0


def test_the_credit_record_is_written_once_even_if_flagged_twice(order, company_a, clock):
    """``overdue_since`` cleared by hand (a data fix) must not double the company's record."""
    clock.move_to(datetime.datetime(2026, 3, 22, 9, 0, tzinfo=ZONE))
    rectification.flag_overdue_orders()
    RectificationOrder.objects.filter(pk=order.pk).update(overdue_since=None)
    assert rectification.flag_overdue_orders() == 1
    assert CreditRecord.objects.filter(company=company_a).count() == 1


# Who sees which order ------------------------------------------------------------------------


def test_each_role_sees_the_orders_of_its_scope(
    order, inspector, official, admin, other_district_inspector, company_a_staff,
    company_b_staff, committee_member, evaluator, estate_y,
):  # fmt: skip
    other = rectification.issue_order(
        actor=admin, company=estate_y.managing_company, requirements="x", deadline=DEADLINE,
        estate=estate_y,
    )  # fmt: skip
    seen = {
        name: set(permissions.visible_orders(user).values_list("pk", flat=True))
        for name, user in {
            "inspector": inspector,
            "official": official,
            "admin": admin,
            "other_district_inspector": other_district_inspector,
            "company_a_staff": company_a_staff,
            "company_b_staff": company_b_staff,
            "committee_member": committee_member,
            "evaluator": evaluator,
        }.items()
    }
    assert seen == {
        "inspector": {order.pk},
        "official": {order.pk},
        "admin": {order.pk, other.pk},
        "other_district_inspector": {other.pk},
        "company_a_staff": {order.pk},
        "company_b_staff": {other.pk},
        "committee_member": {order.pk},
        "evaluator": set(),
    }


def test_a_head_of_department_decides_in_every_district(submitted):
    head = make_user("head", Role.OFFICIAL, city_wide=True)
    assert rectification.verify_order(submitted, actor=head, note="").status == OrderStatus.VERIFIED
