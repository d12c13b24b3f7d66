"""Work reports (工作报告) of the company managing an estate, reviewed by its owners' committee.

One report per estate and period (a year ``2026`` or a half year ``2026-H1``): the services
delivered against the contract, the plan for the next period, the budget and its execution as
lines (item, planned, actual) and major matters. The company drafts and submits it; a current
committee member reviews it with a written opinion. ``enterprises.work_reports`` holds every
change of ``status``.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, under review")
    # A context of their own: "Accepted"/"Rejected" alone are a complaint's intake states.
    ACCEPTED = "accepted", pgettext_lazy("work report", "Accepted")
    ACCEPTED_WITH_OBJECTIONS = "accepted_with_objections", _("Accepted with objections")
    REJECTED = "rejected", pgettext_lazy("work report", "Rejected")


WorkReportStatus.OUTCOMES = (
    WorkReportStatus.ACCEPTED,
    WorkReportStatus.ACCEPTED_WITH_OBJECTIONS,
    WorkReportStatus.REJECTED,
)


class WorkReport(models.Model):
    """A company's report on one estate for one period."""

    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="work_reports",
        verbose_name=_("estate"),
    )
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="work_reports",
        verbose_name=_("company"),
    )
    period = models.CharField(_("period"), max_length=7)
    services_delivered = models.TextField(_("services delivered"))
    next_plan = models.TextField(_("service plan for the next period"))
    major_matters = models.TextField(_("major matters"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=WorkReportStatus.choices,
        default=WorkReportStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_opinion = models.TextField(_("committee's opinion"), blank=True)

    class Meta:
        ordering = ["-period", "estate", "pk"]
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        constraints = [
            models.UniqueConstraint(fields=["estate", "period"], name="work_report_once_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.period}"


class BudgetLine(models.Model):
    """One line of the report's budget and its execution."""

    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="budget_lines")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.CharField(_("item"), max_length=128)
    planned = models.DecimalField(
        _("planned (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    actual = models.DecimalField(
        _("actual (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["report", "position", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return self.item


class OverdueReportFlag(models.Model):
    """The daily sweep's mark that an estate's report for a period was not submitted in time
    (one per estate and period, so the flag goes out once)."""

    estate = models.ForeignKey("enterprises.Estate", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("enterprises.Company", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["estate", "period"], name="overdue_report_flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.period}"
