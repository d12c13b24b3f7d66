"""A company's own quality loop (企业自查): patrol plans, patrols scored on the regulator's
checklists, and internal rectification tasks (内部整改) closed by a re-check.

States change only through ``cases.self_inspection``. A patrol keeps ``checklist`` and
``scores`` under the names an inspection uses, so ``cases.inspections.dimension_scores``
reads a patrol's six dimensions as it reads an inspection's.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.abstract import ChecklistScore, VisitPhoto


class PatrolKind(models.TextChoices):
    ROUTINE = "routine", _("Routine patrol")
    SPECIAL = "special", _("Special patrol")


class PatrolPlan(models.Model):
    """How many patrols of a kind the company means to make of an estate in a period."""

    estate = models.ForeignKey(
        "enterprises.Estate", on_delete=models.PROTECT, related_name="patrol_plans",
        verbose_name=_("estate"),
    )  # fmt: skip
    company = models.ForeignKey(
        "enterprises.Company", on_delete=models.PROTECT, related_name="patrol_plans",
        verbose_name=_("company"),
    )  # fmt: skip
    district = models.ForeignKey(
        "foundation.District", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("district"),
    )  # fmt: skip
    period = models.CharField(_("period"), max_length=7, help_text=_("2026, 2026-H1 or 2026-Q3"))
    kind = models.CharField(_("kind"), max_length=8, choices=PatrolKind.choices)
    planned_count = models.PositiveSmallIntegerField(_("patrols planned"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "estate__name", "kind"]
        verbose_name = _("patrol plan")
        verbose_name_plural = _("patrol plans")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "company", "period", "kind"], name="patrol_plan_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.period} · {self.get_kind_display()}"


class PatrolStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Patrol(models.Model):
    """One patrol (巡查) of an estate by the company's quality staff, scored item by item."""

    kind = models.CharField(_("kind"), max_length=8, choices=PatrolKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=PatrolStatus.choices, default=PatrolStatus.PLANNED,
        db_index=True,
    )  # fmt: skip
    plan = models.ForeignKey(
        PatrolPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="patrols",
        verbose_name=_("plan"),
    )  # fmt: skip
    estate = models.ForeignKey(
        "enterprises.Estate", on_delete=models.PROTECT, related_name="patrols",
        verbose_name=_("estate"),
    )  # fmt: skip
    company = models.ForeignKey(
        "enterprises.Company", on_delete=models.PROTECT, related_name="patrols",
        verbose_name=_("company"),
    )  # fmt: skip
    district = models.ForeignKey(
        "foundation.District", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("district"),
    )  # fmt: skip
    checklist = models.ForeignKey(
        "cases.ChecklistTemplate", on_delete=models.PROTECT, related_name="patrols",
        verbose_name=_("checklist"),
    )  # fmt: skip
    quality_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols",
        verbose_name=_("quality staff"),
    )  # fmt: skip
    planned_on = models.DateField(_("planned for"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    score = models.DecimalField(
        _("score (of 100)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.estate} · {self.planned_on}"


class PatrolScore(ChecklistScore):
    """The points of one checklist item on a patrol; a failed item carries its finding."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="scores")
    note = models.CharField(_("finding"), max_length=500, blank=True)

    class Meta(ChecklistScore.Meta):
        constraints = [models.UniqueConstraint(fields=["patrol", "item"], name="patrol_score_once")]


def patrol_photo_path(photo: "PatrolPhoto", filename: str) -> str:
    return f"patrols/{photo.patrol_id}/{filename}"


class PatrolPhoto(VisitPhoto):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=patrol_photo_path)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECTIFIED = "rectified", _("Rectified, awaiting re-check")
    CLOSED = "closed", _("Closed after re-check")
    REOPENED = "reopened", _("Reopened after re-check")

    @classmethod
    def to_rectify(cls) -> frozenset[str]:
        return frozenset({cls.OPEN, cls.REOPENED})


class QualityTask(models.Model):
    """An internal rectification task (内部整改) raised from a failed patrol item."""

    patrol = models.ForeignKey(
        Patrol, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("patrol")
    )
    score = models.OneToOneField(
        PatrolScore, on_delete=models.PROTECT, related_name="task", verbose_name=_("finding")
    )
    estate = models.ForeignKey(
        "enterprises.Estate", on_delete=models.PROTECT, related_name="+", verbose_name=_("estate")
    )
    company = models.ForeignKey(
        "enterprises.Company", on_delete=models.PROTECT, related_name="quality_tasks",
        verbose_name=_("company"),
    )  # fmt: skip
    district = models.ForeignKey(
        "foundation.District", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("district"),
    )  # fmt: skip
    finding = models.CharField(_("finding"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quality_tasks",
        verbose_name=_("owner"),
    )  # fmt: skip
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN,
        db_index=True,
    )  # fmt: skip
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("raised by"),
    )  # fmt: skip
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    rectification = models.TextField(_("what was done"), blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("rectified by"),
    )  # fmt: skip
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    recheck_note = models.TextField(_("re-check note"), blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("re-checked by"),
    )  # fmt: skip
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("internal rectification task")
        verbose_name_plural = _("internal rectification tasks")

    def __str__(self) -> str:
        return f"{self.estate} · {self.finding[:40]}"


def task_evidence_path(evidence: "TaskEvidence", filename: str) -> str:
    return f"patrol-tasks/{evidence.task_id}/{filename}"


class TaskEvidence(models.Model):
    """A photo or PDF showing the rectification (checked by content on upload)."""

    task = models.ForeignKey(QualityTask, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("evidence"), upload_to=task_evidence_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file.name
