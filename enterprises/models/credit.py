"""Credit records (信用记录) that explain a company's score, appeals against them, and the
thresholds an administrator sets."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class CreditRecordKind(models.TextChoices):
    SUBSTANTIATED_COMPLAINT = "complaint", _("Substantiated complaint")
    OVERDUE_RECTIFICATION = "rectification", _("Overdue rectification")
    PENALTY = "penalty", _("Administrative penalty")
    EVALUATION = "evaluation", _("Service evaluation")
    GOOD_CONDUCT = "good_conduct", _("Verified good conduct")
    HONOUR = "honour", _("Honour")
    PEER_REVIEW = "peer_review", _("Peer review")
    SURVEY = "survey", _("Owners' satisfaction survey")


# Records that add points for what a company did well: together they count up to the cap.
CreditRecordKind.GOOD_RECORDS = frozenset(
    {CreditRecordKind.GOOD_CONDUCT, CreditRecordKind.HONOUR, CreditRecordKind.PEER_REVIEW}
)


class CreditRecord(models.Model):
    """One reason a company's score moved, with the record that caused it. It counts from
    ``occurred_on`` until ``valid_until`` and not at all once an appeal upheld it away."""

    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="credit_records",
        verbose_name=_("company"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CreditRecordKind.choices)
    points = models.IntegerField(_("points"))
    explanation = models.CharField(_("explanation"), max_length=255)
    source_label = models.CharField(_("source record"), max_length=64)
    source_key = models.CharField(
        max_length=64, help_text=_("Kind and id of the source, e.g. complaint:123.")
    )
    occurred_on = models.DateField(_("occurred on"))
    valid_until = models.DateField(_("counts until"))
    withdrawn = models.BooleanField(_("withdrawn on appeal"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        constraints = [
            models.UniqueConstraint(fields=["company", "source_key"], name="credit_unique_source")
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.points:+d} {self.explanation}"


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UPHELD = "upheld", _("Upheld (record withdrawn)")
    DISMISSED = "dismissed", _("Dismissed")


class CreditAppeal(models.Model):
    """A company's request to withdraw a credit record (信用修复)."""

    record = models.ForeignKey(
        CreditRecord, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("record")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED
    )
    decision = models.TextField(_("decision"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("credit appeal")
        verbose_name_plural = _("credit appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(status="submitted"),
                name="appeal_one_open_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} ({self.get_status_display()})"


@register_setting(icon="tasks")
class CreditPolicy(BaseGenericSetting):
    """The credit rules an administrator sets (信用评价规则)."""

    base_score = models.PositiveSmallIntegerField(_("base score"), default=100)
    validity_days = models.PositiveSmallIntegerField(_("days a record counts"), default=365)
    complaint_points = models.SmallIntegerField(_("points per substantiated complaint"), default=-2)
    rectification_points = models.SmallIntegerField(
        _("points per overdue rectification"), default=-5
    )
    penalty_points = models.SmallIntegerField(_("points per penalty"), default=-10)
    grade_aaa_from = models.PositiveSmallIntegerField(_("AAA from"), default=95)
    grade_aa_from = models.PositiveSmallIntegerField(_("AA from"), default=85)
    grade_a_from = models.PositiveSmallIntegerField(_("A from"), default=70)
    grade_b_from = models.PositiveSmallIntegerField(_("B from"), default=60)
    red_list_from = models.PositiveSmallIntegerField(_("red list from score"), default=95)
    black_list_penalties = models.PositiveSmallIntegerField(
        _("black list from this many penalties in the period"), default=2
    )
    good_conduct_points = models.PositiveSmallIntegerField(
        _("points per verified good conduct"), default=2
    )
    honour_points = models.PositiveSmallIntegerField(_("points per honour"), default=3)
    peer_review_good_from = models.PositiveSmallIntegerField(
        _("a peer review counts from this score"), default=90
    )
    peer_review_points = models.PositiveSmallIntegerField(
        _("points per peer review that counts"), default=2
    )
    good_record_cap = models.PositiveSmallIntegerField(
        _("at most this many points from good records"),
        default=10,
        help_text=_(
            "Good records (verified good conduct, honours, good peer reviews) that count "
            "together add no more than this."
        ),
    )

    survey_min_response_rate = models.PositiveSmallIntegerField(
        _("a survey counts from this response rate (%)"),
        default=30,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "A closed satisfaction survey answered by a smaller share of the estate's units "
            "is published but does not count for credit."
        ),
    )

    class Meta:
        verbose_name = _("credit rules")
