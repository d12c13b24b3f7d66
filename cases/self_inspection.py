"""A company's own quality loop (企业自查): check → feedback → rectify → re-check
(检查-反馈-整改-复查), run by the company's quality staff on the regulator's checklists.

- Patrol plans: per estate, period (2026, 2026-H1, 2026-Q3) and kind (routine or special),
  how many patrols the company means to make; what "patrols done against plan" is read from.
- Patrols: ``planned → in_progress → completed``. Scored item by item on a checklist version
  (the regulator's, ``cases.checklists``; a version a patrol uses is frozen like one an
  inspection uses), with photos re-encoded without metadata. A failed item needs its finding
  and becomes an internal rectification task; a patrol completes once every item is scored
  and every failed item has its task. The score is 100 × points ÷ weights, to one decimal.
- Internal rectification tasks: ``open → rectified → closed`` or ``→ reopened → rectified``
  ... The owner is a staff member of the company; the rectification needs evidence (photos
  or PDFs, checked by content).

Who re-checks (decided here, issue 20): anyone of the company's staff except the person who
rectified the task, so a fix is never passed by the one who made it. The person who raised
the finding MAY re-check: that is the loop as the regulator runs it too (the inspector who
found the fault comes back to see it mended).

Only the company's own staff (``cases.permissions.runs_self_inspection``) write; the
regulator of the estate's district and the estate's owners' committee read. Every verb
locks its row, writes its audit entry in the same transaction and refuses with
``SelfInspectionError`` (naming the form field where there is one); nothing half-happens.
"""

import datetime
import os
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.inspections import InspectionError, points_and_result
from cases.models import (
    ChecklistItem,
    ChecklistTemplate,
    Patrol,
    PatrolKind,
    PatrolPhoto,
    PatrolPlan,
    PatrolScore,
    PatrolStatus,
    QualityTask,
    TaskEvidence,
    TaskStatus,
)
from enterprises.evaluations import check_period
from enterprises.models import Estate
from foundation import audit
from foundation.names import display_name
from foundation.state_machine import StateMachine
from foundation.uploads import reencode_photo, validate_evidence

MAX_PLANNED = 366  # a patrol a day for a year
MAX_EVIDENCE_FILES = 10
ONE_DECIMAL = Decimal("0.1")
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class SelfInspectionError(Exception):
    """Refused; ``message`` is shown as is, on ``field`` of the form when it names one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


PATROL_MACHINE = StateMachine(
    Patrol,
    transitions={
        PatrolStatus.PLANNED: {PatrolStatus.IN_PROGRESS},
        PatrolStatus.IN_PROGRESS: {PatrolStatus.COMPLETED},
        PatrolStatus.COMPLETED: set(),
    },
    error=SelfInspectionError,
    refusal=gettext_lazy("A patrol that is “%(current)s” cannot become “%(target)s”."),
)
TASK_MACHINE = StateMachine(
    QualityTask,
    transitions={
        TaskStatus.OPEN: {TaskStatus.RECTIFIED},
        TaskStatus.RECTIFIED: {TaskStatus.CLOSED, TaskStatus.REOPENED},
        TaskStatus.REOPENED: {TaskStatus.RECTIFIED},
        TaskStatus.CLOSED: set(),
    },
    error=SelfInspectionError,
    refusal=gettext_lazy("A task that is “%(current)s” cannot become “%(target)s”."),
)


# Planning -----------------------------------------------------------------------------------


def _managed_by_actor(actor, estate: Estate):
    """The company running ``estate``, when ``actor`` acts for it; else refused."""
    company = estate.managing_company
    if company is None or not permissions.runs_self_inspection(actor, company):
        raise SelfInspectionError(
            _("Your company does not manage “%(estate)s”: patrol only the estates you manage.")
            % {"estate": estate.name},
            "estate",
        )
    return company


def plan_patrols(*, actor, estate: Estate, period: str, kind: str, planned_count) -> PatrolPlan:
    """How many patrols of ``kind`` the company plans for ``estate`` in ``period``."""
    company = _managed_by_actor(actor, estate)
    try:
        period = check_period(period)
    except ValidationError as error:
        raise SelfInspectionError(" ".join(error.messages), "period") from error
    if kind not in PatrolKind.values:
        raise SelfInspectionError(_("Choose a routine or a special patrol."), "kind")
    if isinstance(planned_count, bool) or not isinstance(planned_count, int):
        raise SelfInspectionError(_("Give the number of patrols planned."), "planned_count")
    if not 1 <= planned_count <= MAX_PLANNED:
        raise SelfInspectionError(
            _("Plan 1 to %(max)d patrols.") % {"max": MAX_PLANNED}, "planned_count"
        )
    try:
        with transaction.atomic():
            plan = PatrolPlan.objects.create(
                estate=estate,
                company=company,
                district_id=estate.district_id,
                period=period,
                kind=kind,
                planned_count=planned_count,
                created_by=actor,
            )
            audit.record(
                plan,
                "cases.patrol_plan.made",
                actor=actor,
                estate=estate.pk,
                period=period,
                kind=kind,
                planned_count=planned_count,
            )
    except IntegrityError as error:
        raise SelfInspectionError(
            _("“%(estate)s” already has a plan of this kind for %(period)s.")
            % {"estate": estate.name, "period": period},
            "period",
        ) from error
    return plan


def schedule_patrol(
    *,
    actor,
    estate: Estate,
    kind: str,
    checklist: ChecklistTemplate,
    quality_staff,
    planned_on: datetime.date,
    plan: PatrolPlan | None = None,
) -> Patrol:
    """A patrol of ``estate`` by ``quality_staff`` (a staff member of the company)."""
    company = _managed_by_actor(actor, estate)
    if kind not in PatrolKind.values:
        raise SelfInspectionError(_("Choose a routine or a special patrol."), "kind")
    if quality_staff is None or not permissions.runs_self_inspection(quality_staff, company):
        raise SelfInspectionError(
            _("The patrol is made by a staff member of “%(company)s”.") % {"company": company},
            "quality_staff",
        )
    if checklist is None or not checklist.items.exists():
        raise SelfInspectionError(_("Choose a checklist with items to score."), "checklist")
    if planned_on is None:
        raise SelfInspectionError(_("Give the day of the patrol."), "planned_on")
    if plan is not None and (plan.estate_id, plan.kind) != (estate.pk, kind):
        raise SelfInspectionError(
            _("The plan chosen is for another estate or kind of patrol."), "plan"
        )
    with transaction.atomic():
        patrol = Patrol.objects.create(
            kind=kind,
            plan=plan,
            estate=estate,
            company=company,
            district_id=estate.district_id,
            checklist=checklist,
            quality_staff=quality_staff,
            planned_on=planned_on,
            created_by=actor,
        )
        audit.record(
            patrol,
            "cases.patrol.planned",
            actor=actor,
            to_status=PatrolStatus.PLANNED,
            estate=estate.pk,
            checklist=checklist.pk,
            quality_staff=quality_staff.pk,
            planned_on=planned_on.isoformat(),
        )
    return patrol


# Carrying it out ----------------------------------------------------------------------------


def _require_patrol_worker(locked: Patrol, actor) -> None:
    if not permissions.can_work_patrol(actor, locked):
        raise SelfInspectionError(_("Only the company's own staff work on its patrols."))


def _lock_patrol(patrol: Patrol, actor, *, status: str, doing: str) -> Patrol:
    locked = PATROL_MACHINE.lock(patrol)
    _require_patrol_worker(locked, actor)
    if locked.status != status:
        raise SelfInspectionError(
            _("%(doing)s while the patrol is in progress; it is “%(status)s”.")
            % {"doing": doing, "status": locked.get_status_display()}
        )
    return locked


def start_patrol(patrol: Patrol, *, actor) -> Patrol:
    return PATROL_MACHINE.transition(
        patrol,
        PatrolStatus.IN_PROGRESS,
        actor=actor,
        action="cases.patrol.started",
        authorise=_require_patrol_worker,
        started_at=timezone.now(),
    )


def score_patrol_item(
    patrol: Patrol, item: ChecklistItem, *, actor, points=None, passed=None, note: str = ""
) -> PatrolScore:
    """Score one item (again: the new score replaces the old, unless a task was raised on
    it). A failed item needs its finding in ``note``."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = _lock_patrol(
            patrol, actor, status=PatrolStatus.IN_PROGRESS, doing=_("Items are scored")
        )
        if item.template_id != locked.checklist_id:
            raise SelfInspectionError(
                _("Item %(number)s is not on this patrol's checklist.") % {"number": item.number}
            )
        try:
            points, passed = points_and_result(item, points, passed)
        except InspectionError as error:
            raise SelfInspectionError(str(error), "points") from error
        if not passed and not note:
            raise SelfInspectionError(
                _("Item %(number)s failed: describe the finding.") % {"number": item.number},
                "note",
            )
        if len(note) > PatrolScore._meta.get_field("note").max_length:
            raise SelfInspectionError(_("The finding is longer than 500 characters."), "note")
        score, created = PatrolScore.objects.get_or_create(
            patrol=locked, item=item, defaults={"points": points, "passed": passed, "note": note}
        )
        if not created:
            if (score.points, score.passed, score.note) == (points, passed, note):
                return score
            if QualityTask.objects.filter(score=score).exists():
                raise SelfInspectionError(
                    _("Item %(number)s has a rectification task; its score stands.")
                    % {"number": item.number}
                )
            score.points, score.passed, score.note = points, passed, note
            score.save()
        audit.record(
            locked,
            "cases.patrol.scored",
            actor=actor,
            item=item.number,
            points=str(points),
            passed=passed,
            note=note,
            replaced=not created,
        )
    return score


def add_patrol_photo(patrol: Patrol, uploaded_file, *, actor, caption: str = "") -> PatrolPhoto:
    """A photo taken on the patrol, re-encoded without its metadata; a file that is not an
    image is refused and nothing is stored."""
    caption = (caption or "").strip()
    if len(caption) > PatrolPhoto._meta.get_field("caption").max_length:
        raise SelfInspectionError(_("The caption is longer than 200 characters."), "caption")
    if not permissions.can_work_patrol(actor, patrol):
        raise SelfInspectionError(_("Only the company's own staff work on its patrols."))
    try:
        clean = reencode_photo(uploaded_file)  # before the lock: decoding takes a moment
    except ValidationError as error:
        raise SelfInspectionError(" ".join(error.messages), "photo") from error
    with transaction.atomic():
        locked = _lock_patrol(
            patrol, actor, status=PatrolStatus.IN_PROGRESS, doing=_("Photos are added")
        )
        photo = PatrolPhoto(patrol=locked, caption=caption, uploaded_by=actor)
        photo.image.save(clean.name, clean, save=False)
        try:
            photo.save()
            audit.record(
                locked, "cases.patrol.photo_added", actor=actor, photo=photo.pk, caption=caption
            )
        except Exception:
            photo.image.delete(save=False)  # the row is rolled back; the file goes with it
            raise
    return photo


def raise_task(score: PatrolScore, *, actor, owner, deadline: datetime.date) -> QualityTask:
    """The finding of a failed item becomes an internal rectification task (feedback)."""
    if owner is None:
        raise SelfInspectionError(_("Name the staff member who rectifies it."), "owner")
    if deadline is None:
        raise SelfInspectionError(_("Give the deadline of the rectification."), "deadline")
    with transaction.atomic():
        locked = PATROL_MACHINE.lock(score.patrol)
        _require_patrol_worker(locked, actor)
        if locked.status == PatrolStatus.PLANNED:
            raise SelfInspectionError(_("Start the patrol before raising tasks from it."))
        score = PatrolScore.objects.select_related("item").get(pk=score.pk)
        if score.passed:
            raise SelfInspectionError(
                _("Item %(number)s passed: there is nothing to rectify.")
                % {"number": score.item.number}
            )
        if QualityTask.objects.filter(score=score).exists():
            raise SelfInspectionError(
                _("Item %(number)s already has its task.") % {"number": score.item.number}
            )
        if not permissions.runs_self_inspection(owner, locked.company):
            raise SelfInspectionError(
                _("%(person)s is not staff of “%(company)s”.")
                % {"person": display_name(owner), "company": locked.company},
                "owner",
            )
        if deadline < timezone.localdate():
            raise SelfInspectionError(_("The deadline cannot be in the past."), "deadline")
        task = QualityTask.objects.create(
            patrol=locked,
            score=score,
            estate_id=locked.estate_id,
            company_id=locked.company_id,
            district_id=locked.district_id,
            finding=f"{score.item.number} {score.note}"[:500],
            owner=owner,
            deadline=deadline,
            raised_by=actor,
        )
        audit.record(
            task,
            "cases.patrol_task.raised",
            actor=actor,
            to_status=TaskStatus.OPEN,
            patrol=locked.pk,
            item=score.item.number,
            owner=owner.pk,
            deadline=deadline.isoformat(),
        )
    return task


def complete_patrol(patrol: Patrol, *, actor, summary: str = "") -> Patrol:
    """Every item scored and every failed item turned into a task; the score is computed."""
    summary = (summary or "").strip()
    with transaction.atomic():
        locked = PATROL_MACHINE.lock(patrol)
        _require_patrol_worker(locked, actor)
        if locked.status == PatrolStatus.COMPLETED:
            return locked
        PATROL_MACHINE.check(locked, PatrolStatus.COMPLETED)
        items = list(locked.checklist.items.order_by("sort_order", "id"))
        scores = {score.item_id: score for score in locked.scores.select_related("task")}
        missing = [item.number for item in items if item.pk not in scores]
        if missing:
            raise SelfInspectionError(
                _("Score every item before completing; not scored yet: %(items)s.")
                % {"items": ", ".join(missing)}
            )
        untasked = [
            item.number
            for item in items
            if not scores[item.pk].passed and not hasattr(scores[item.pk], "task")
        ]
        if untasked:
            raise SelfInspectionError(
                _("Raise a rectification task for each failed item first: %(items)s.")
                % {"items": ", ".join(untasked)}
            )
        points = sum((scores[item.pk].points for item in items), Decimal(0))
        weights = sum(item.weight for item in items)
        total = (Decimal(100) * points / Decimal(weights)).quantize(
            ONE_DECIMAL, rounding=ROUND_HALF_UP
        )
        PATROL_MACHINE.move(
            locked,
            PatrolStatus.COMPLETED,
            actor=actor,
            action="cases.patrol.completed",
            data={"score": str(total)},
            completed_at=timezone.now(),
            summary=summary,
            score=total,
        )
    patrol.refresh_from_db()
    return locked


# The internal rectification task ------------------------------------------------------------


def rectify_task(task: QualityTask, *, actor, rectification: str, files) -> QualityTask:
    """What was done, with photos or PDFs; every file is checked before anything is written."""
    rectification = (rectification or "").strip()
    files = [f for f in (files or []) if f]
    if not rectification:
        raise SelfInspectionError(_("Say what was done to rectify it."), "rectification")
    if not files:
        raise SelfInspectionError(_("Add a photo or PDF showing the rectification."), "files")
    if len(files) > MAX_EVIDENCE_FILES:
        raise SelfInspectionError(
            _("At most %(count)d files.") % {"count": MAX_EVIDENCE_FILES}, "files"
        )
    kinds = []
    for uploaded in files:
        try:
            kinds.append(validate_evidence(uploaded))
        except ValidationError as error:
            raise SelfInspectionError(" ".join(error.messages), "files") from error
    stored = []
    try:
        with transaction.atomic():
            locked = TASK_MACHINE.lock(task)
            if not permissions.can_work_quality_task(actor, locked):
                raise SelfInspectionError(_("Only the company's own staff rectify its tasks."))
            TASK_MACHINE.check(locked, TaskStatus.RECTIFIED, sources=TaskStatus.to_rectify())
            for uploaded, mime in zip(files, kinds, strict=True):
                uploaded.name = f"{os.urandom(6).hex()}{_EXTENSIONS.get(mime, '')}"
                evidence = TaskEvidence(task=locked, uploaded_by=actor)
                evidence.file.save(uploaded.name, uploaded, save=False)
                stored.append(evidence.file)
                evidence.save()
            TASK_MACHINE.move(
                locked,
                TaskStatus.RECTIFIED,
                actor=actor,
                action="cases.patrol_task.rectified",
                data={"files": len(files)},
                rectification=rectification,
                rectified_by=actor,
                rectified_at=timezone.now(),
            )
    except Exception:
        for file in stored:  # the rows are rolled back; the files go with them
            file.delete(save=False)
        raise
    task.refresh_from_db()
    return locked


def recheck_task(task: QualityTask, *, actor, passed: bool, note: str = "") -> QualityTask:
    """The re-check: closed when the fix holds, reopened (with the reason) when it does not.
    Never by the person who rectified it (see the module docstring)."""
    note = (note or "").strip()
    if not passed and not note:
        raise SelfInspectionError(_("Say why the rectification does not hold."), "note")
    to = TaskStatus.CLOSED if passed else TaskStatus.REOPENED
    with transaction.atomic():
        locked = TASK_MACHINE.lock(task)
        if not permissions.can_work_quality_task(actor, locked):
            raise SelfInspectionError(_("Only the company's own staff re-check its tasks."))
        if locked.status == to:
            return locked
        TASK_MACHINE.check(locked, to)
        if not permissions.can_recheck_quality_task(actor, locked):
            raise SelfInspectionError(
                _("The re-check is made by someone other than the person who rectified it.")
            )
        TASK_MACHINE.move(
            locked,
            to,
            actor=actor,
            action="cases.patrol_task.closed" if passed else "cases.patrol_task.reopened",
            data={"note": note},
            recheck_note=note,
            rechecked_by=actor,
            closed_at=timezone.now() if passed else None,
        )
    task.refresh_from_db()
    return locked
