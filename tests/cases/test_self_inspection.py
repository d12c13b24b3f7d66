"""The company's own quality loop (issue 20): patrol plans, patrols scored on the regulator's
checklist, internal rectification tasks closed by a re-check (``cases.self_inspection``), and
who reads them (``cases.permissions``)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import permissions, self_inspection
from cases.inspections import dimension_scores
from cases.models import PatrolStatus, QualityTask, TaskEvidence, TaskStatus
from cases.self_inspection import SelfInspectionError
from enterprises import access
from portal.demo.files import pdf_bytes
from tests.cases.supervision_fixtures import audit_actions, item, make_checklist
from tests.factories import make_user
from tests.images import lying_jpeg, png

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NEXT_WEEK = TODAY + datetime.timedelta(days=7)


@pytest.fixture
def colleague(company_a):
    """A second quality staff member of company A."""
    user = make_user("company_a_quality", None)
    access.grant_company_staff(user, company_a)
    return user


@pytest.fixture
def checklist(admin):
    return make_checklist(
        admin,
        "自查表",
        [
            {"number": "1.1", "text": "合同公示", "dimension": "basic_management", "weight": 10},
            {"number": "2.1", "text": "地面无垃圾", "dimension": "cleaning", "weight": 10},
        ],
    )


@pytest.fixture
def patrol(company_a_staff, colleague, estate_x, checklist):
    return self_inspection.schedule_patrol(
        actor=company_a_staff,
        estate=estate_x,
        kind="routine",
        checklist=checklist,
        quality_staff=colleague,
        planned_on=TODAY,
    )


def _failed_patrol(patrol, actor):
    self_inspection.start_patrol(patrol, actor=actor)
    first, second = item(patrol.checklist, "1.1"), item(patrol.checklist, "2.1")
    self_inspection.score_patrol_item(patrol, first, actor=actor, passed=True)
    return self_inspection.score_patrol_item(
        patrol, second, actor=actor, passed=False, note="楼道堆放杂物"
    )


def test_the_loop_check_feedback_rectify_recheck(patrol, company_a_staff, colleague):
    failed = _failed_patrol(patrol, colleague)
    with pytest.raises(SelfInspectionError, match="2.1"):
        self_inspection.complete_patrol(patrol, actor=colleague)  # the finding has no task yet
    task = self_inspection.raise_task(failed, actor=colleague, owner=company_a_staff,
                                      deadline=NEXT_WEEK)  # fmt: skip
    self_inspection.complete_patrol(patrol, actor=colleague, summary="一处不合格")
    assert (patrol.status, patrol.score) == (PatrolStatus.COMPLETED, 50)
    dimensions = dimension_scores(patrol)
    assert dimensions["cleaning"] == 0 and dimensions["greening"] is None

    self_inspection.rectify_task(
        task, actor=company_a_staff, rectification="已清理", files=[png(), _pdf()]
    )
    assert task.status == TaskStatus.RECTIFIED and task.evidence.count() == 2
    # The one who rectified never passes their own fix ...
    with pytest.raises(SelfInspectionError):
        self_inspection.recheck_task(task, actor=company_a_staff, passed=True)
    # ... the one who raised the finding may (check → feedback → rectify → re-check).
    self_inspection.recheck_task(task, actor=colleague, passed=True, note="复查合格")
    assert task.status == TaskStatus.CLOSED and task.closed_at is not None
    assert [a for a, _user in audit_actions(task)] == [
        "cases.patrol_task.raised",
        "cases.patrol_task.rectified",
        "cases.patrol_task.closed",
    ]
    assert [a for a, _user in audit_actions(patrol)][-1] == "cases.patrol.completed"


def test_a_reopened_task_needs_a_reason_and_is_rectified_again(patrol, company_a_staff, colleague):
    failed = _failed_patrol(patrol, colleague)
    task = self_inspection.raise_task(failed, actor=colleague, owner=company_a_staff,
                                      deadline=NEXT_WEEK)  # fmt: skip
    self_inspection.rectify_task(task, actor=company_a_staff, rectification="已清理", files=[png()])
    with pytest.raises(SelfInspectionError) as refused:
        self_inspection.recheck_task(task, actor=colleague, passed=False)
    assert refused.value.field == "note"
    self_inspection.recheck_task(task, actor=colleague, passed=False, note="仍有杂物")
    assert task.status == TaskStatus.REOPENED
    self_inspection.rectify_task(task, actor=company_a_staff, rectification="再次清理",
                                 files=[png()])  # fmt: skip
    assert task.status == TaskStatus.RECTIFIED and task.evidence.count() == 2


def test_evidence_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_stored(
    patrol, company_a_staff, colleague, english
):
    failed = _failed_patrol(patrol, colleague)
    task = self_inspection.raise_task(failed, actor=colleague, owner=company_a_staff,
                                      deadline=NEXT_WEEK)  # fmt: skip
    with pytest.raises(SelfInspectionError) as refused:
        self_inspection.rectify_task(
            task, actor=company_a_staff, rectification="已清理", files=[png(), lying_jpeg()]
        )
    assert refused.value.field == "files" and "photo.jpg" in refused.value.message
    with pytest.raises(SelfInspectionError, match="photo or PDF"):
        self_inspection.rectify_task(task, actor=company_a_staff, rectification="x", files=[])
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and not TaskEvidence.objects.exists()
    with pytest.raises(SelfInspectionError) as refused:
        self_inspection.add_patrol_photo(patrol, lying_jpeg(), actor=colleague)
    assert refused.value.field == "photo" and not patrol.photos.exists()


def test_a_patrol_of_an_estate_the_company_does_not_manage_is_refused(
    company_a_staff, estate_y, checklist
):
    with pytest.raises(SelfInspectionError) as refused:
        self_inspection.schedule_patrol(
            actor=company_a_staff, estate=estate_y, kind="routine", checklist=checklist,
            quality_staff=company_a_staff, planned_on=TODAY,
        )  # fmt: skip
    assert refused.value.field == "estate" and estate_y.name in refused.value.message
    with pytest.raises(SelfInspectionError):
        self_inspection.plan_patrols(
            actor=company_a_staff, estate=estate_y, period="2026-Q1", kind="routine",
            planned_count=3,
        )  # fmt: skip


def test_plans_refuse_bad_periods_counts_and_a_second_plan(company_a_staff, estate_x, english):
    def plan(**kwargs):
        values = {"period": "2026-Q1", "kind": "routine", "planned_count": 6} | kwargs
        return self_inspection.plan_patrols(actor=company_a_staff, estate=estate_x, **values)

    for bad, field in (({"period": "Q1"}, "period"), ({"planned_count": 0}, "planned_count"),
                       ({"kind": "monthly"}, "kind")):  # fmt: skip
        with pytest.raises(SelfInspectionError) as refused:
            plan(**bad)
        assert refused.value.field == field
    assert plan(period="2026-q1").period == "2026-Q1"
    with pytest.raises(SelfInspectionError, match="already"):
        plan()


def test_quality_staff_and_task_owners_are_the_company_s_own(
    patrol, company_a_staff, company_b_staff, estate_x, checklist, colleague
):
    with pytest.raises(SelfInspectionError) as refused:
        self_inspection.schedule_patrol(
            actor=company_a_staff, estate=estate_x, kind="special", checklist=checklist,
            quality_staff=company_b_staff, planned_on=TODAY,
        )  # fmt: skip
    assert refused.value.field == "quality_staff"
    failed = _failed_patrol(patrol, colleague)
    with pytest.raises(SelfInspectionError) as refused:
        self_inspection.raise_task(failed, actor=colleague, owner=company_b_staff,
                                   deadline=NEXT_WEEK)  # fmt: skip
    assert refused.value.field == "owner" and not QualityTask.objects.exists()


def test_another_company_and_the_regulator_cannot_work_a_patrol(
    patrol, company_b_staff, inspector, official
):
    for outsider in (company_b_staff, inspector, official):
        with pytest.raises(SelfInspectionError):
            self_inspection.start_patrol(patrol, actor=outsider)
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.PLANNED


def test_who_reads_the_records(
    patrol, company_a_staff, company_b_staff, committee_member, evaluator, inspector,
    other_district_inspector, official, admin, estate_y,
):  # fmt: skip
    readers = {company_a_staff, committee_member, inspector, official, admin}
    for user in readers | {company_b_staff, evaluator, other_district_inspector}:
        assert permissions.visible_patrols(user).filter(pk=patrol.pk).exists() == (user in readers)
    # The committee of another estate sees nothing of estate X's patrols.
    other_committee = make_user("committee_y", None)
    access.grant_committee_member(other_committee, estate_y)
    assert not permissions.visible_patrols(other_committee).exists()


def _pdf():
    return SimpleUploadedFile("fixed.pdf", pdf_bytes(), "application/pdf")
