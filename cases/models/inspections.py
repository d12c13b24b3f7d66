"""The regulator's own supervision (监督检查): checklists, campaigns, inspections and random
draws. States change only through ``cases.inspections`` and ``cases.draws``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.abstract import ChecklistScore, VisitPhoto


class Dimension(models.TextChoices):
    """The six evaluation dimensions every checklist item belongs to."""

    BASIC_MANAGEMENT = "basic_management", _("Basic management")
    CLEANING = "cleaning", _("Cleaning")
    GREENING = "greening", _("Greening")
    PUBLIC_ORDER = "public_order", _("Public order")
    FACILITY_MAINTENANCE = "facility_maintenance", _("Facility maintenance")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")


class ScoringRule(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail: full weight or nothing")
    SCALE = "scale", _("Scale: from 0 up to the weight")


class ChecklistTemplate(models.Model):
    """A versioned checklist (检查表). A version used by an inspection is frozen: changes make
    the next version, so past scores keep meaning what they meant."""

    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="checklist_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistItem(models.Model):
    """One thing inspected, tied to a clause of a published standard and to a dimension."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(_("number"), max_length=16)
    text = models.CharField(_("requirement"), max_length=300)
    dimension = models.CharField(_("dimension"), max_length=24, choices=Dimension.choices)
    weight = models.PositiveSmallIntegerField(_("weight (points)"), default=5)
    scoring_rule = models.CharField(
        _("scoring rule"), max_length=12, choices=ScoringRule.choices, default=ScoringRule.PASS_FAIL
    )
    standard = models.ForeignKey(
        settings.SERVICE_STANDARD_PAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("standard"),
    )
    clause = models.CharField(_("clause"), max_length=16, blank=True, help_text=_("e.g. 4.2"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "sort_order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return f"{self.number} {self.text}"


class Campaign(models.Model):
    """A special campaign (专项整治): a named theme with a period and a scope."""

    name = models.CharField(_("name"), max_length=120)
    scope = models.TextField(_("scope"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    district = models.ForeignKey(
        "foundation.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district (empty: city-wide)"),
    )

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("Routine inspection")
    RANDOM = "random", _("Random spot check")
    CAMPAIGN = "campaign", _("Special campaign")
    COMPLAINT = "complaint", _("Complaint-triggered")
    REINSPECTION = "reinspection", _("Re-inspection")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Inspection(models.Model):
    """An inspection (检查) of an estate and the company running it, by two inspectors or
    more, scored item by item on a checklist version."""

    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
        db_index=True,
    )
    estate = models.ForeignKey(
        "enterprises.Estate", on_delete=models.PROTECT, related_name="inspections",
        verbose_name=_("estate"),
    )  # fmt: skip
    company = models.ForeignKey(
        "enterprises.Company", on_delete=models.PROTECT, related_name="inspections",
        verbose_name=_("company"),
    )  # fmt: skip
    district = models.ForeignKey(
        "foundation.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    checklist = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="inspections",
        verbose_name=_("checklist"),
    )  # fmt: skip
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("inspectors")
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections",
        verbose_name=_("campaign"),
    )  # fmt: skip
    complaint = models.ForeignKey(
        "cases.Complaint", null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspections", verbose_name=_("complaint"),
    )  # fmt: skip
    draw = models.ForeignKey(
        "cases.RandomDraw", null=True, blank=True, on_delete=models.PROTECT,
        related_name="inspections", verbose_name=_("random draw"),
    )  # fmt: skip
    # A re-inspection checks a rectification order (整改复查).
    order = models.ForeignKey(
        "cases.RectificationOrder", null=True, blank=True, on_delete=models.PROTECT,
        related_name="reinspections", verbose_name=_("rectification order"),
    )  # fmt: skip
    planned_on = models.DateField(_("planned for"))
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    score = models.DecimalField(
        _("score (of 100)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.estate} · {self.planned_on}"


class InspectionScore(ChecklistScore):
    """The points given for one checklist item; a failed item may become an order."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta(ChecklistScore.Meta):
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_score_once")
        ]


def inspection_photo_path(photo: "InspectionPhoto", filename: str) -> str:
    return f"inspections/{photo.inspection_id}/{filename}"


class InspectionPhoto(VisitPhoto):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=inspection_photo_path)


class DrawTarget(models.TextChoices):
    ESTATE = "estate", _("Estates")
    COMPANY = "company", _("Companies")


class RandomDraw(models.Model):
    """A random draw (双随机一公开): targets and inspectors drawn with a stored seed from stored
    pools, so anyone can re-run it from this row and get the same result."""

    target_kind = models.CharField(_("draw from"), max_length=8, choices=DrawTarget.choices)
    district = models.ForeignKey(
        "foundation.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("district"),
    )  # fmt: skip
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="draws",
        verbose_name=_("campaign"),
    )  # fmt: skip
    seed = models.CharField(_("seed"), max_length=64)
    algorithm = models.CharField(max_length=32, default="weighted-v1")
    pool_filter = models.JSONField(_("pool filter"), default=dict)
    # [[id, weight, label], ...] in the order drawn from; weights from risk when asked for.
    target_pool = models.JSONField(_("target pool"), default=list)
    inspector_pool = models.JSONField(_("inspector pool"), default=list)  # [[user id, name]]
    target_count = models.PositiveSmallIntegerField(_("targets drawn"))
    inspectors_per_target = models.PositiveSmallIntegerField(_("inspectors per target"), default=2)
    weighted_by_risk = models.BooleanField(_("weighted by risk"), default=False)
    # [{"target": id, "label": ..., "inspectors": [ids], "excluded": [ids]}]
    result = models.JSONField(_("result"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} · {self.drawn_at:%Y-%m-%d}"
