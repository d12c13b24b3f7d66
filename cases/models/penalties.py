"""Rectification orders (整改通知书) and administrative penalties (行政处罚). States change only
through ``cases.rectification`` and ``cases.penalties``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.enforcement import PenaltyKind


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SUBMITTED = "submitted", _("Rectification submitted")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")


# Orders the company still has to act on (the overdue sweep looks at these).
OrderStatus.OPEN_STATES = frozenset({OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED})


class RectificationOrder(models.Model):
    """What a company must put right by when; verified by a re-inspection."""

    number = models.CharField(_("order number"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.ISSUED,
        db_index=True,
    )  # fmt: skip
    inspection = models.ForeignKey(
        "cases.Inspection", null=True, blank=True, on_delete=models.PROTECT,
        related_name="orders", verbose_name=_("inspection"),
    )  # fmt: skip
    company = models.ForeignKey(
        "enterprises.Company", on_delete=models.PROTECT, related_name="rectification_orders",
        verbose_name=_("company"),
    )  # fmt: skip
    estate = models.ForeignKey(
        "enterprises.Estate", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("estate"),
    )  # fmt: skip
    district = models.ForeignKey(
        "foundation.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    requirements = models.TextField(_("requirements"))
    deadline = models.DateField(_("deadline"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    response = models.TextField(_("company's account of the rectification"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("verified or failed at"), null=True, blank=True)
    decision_note = models.TextField(_("verification note"), blank=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")

    def __str__(self) -> str:
        return self.number


def evidence_path(evidence: "RectificationEvidence", filename: str) -> str:
    return f"rectification/{evidence.order_id}/{filename}"


class RectificationEvidence(models.Model):
    """A photo or PDF the company submits as proof (typed by content on upload)."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    content_type = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file.name


class PenaltyStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    NOTIFIED = "notified", _("Prior notice served")
    HEARING_REQUESTED = "hearing_requested", _("Hearing requested")
    HEARING_SCHEDULED = "hearing_scheduled", _("Hearing scheduled")
    HEARD = "heard", _("Hearing held")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    SERVED = "served", _("Served")
    EXECUTED = "executed", _("Executed")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn after review")


# Before the decision: the decision's 90-day limit (art. 60) runs and is supervised.
PenaltyStatus.UNDECIDED_STATES = frozenset(
    {
        PenaltyStatus.PROPOSED,
        PenaltyStatus.NOTIFIED,
        PenaltyStatus.HEARING_REQUESTED,
        PenaltyStatus.HEARING_SCHEDULED,
        PenaltyStatus.HEARD,
    }
)


class ReviewOutcome(models.TextChoices):
    """What a reconsideration (行政复议) or a court (行政诉讼) did to the decision."""

    CHANGED = "changed", _("Changed")
    REVOKED = "revoked", _("Revoked")
    ANNULLED = "annulled", _("Annulled (confirmed void)")


class ReviewBody(models.TextChoices):
    AUTHORITY = "authority", _("The authority itself")
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
    LITIGATION = "litigation", _("Administrative litigation")


def decision_document_path(penalty: "Penalty", filename: str) -> str:
    return f"penalties/{penalty.pk}/{filename}"


def _user(label=None, **kwargs):
    """A nullable reference to the person who did a step (never deleted: PROTECT)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=label, **kwargs,
    )  # fmt: skip


class Penalty(models.Model):
    """An administrative penalty: proposed by an inspector, approved by an official who did
    not propose it, served, executed and published as an enforcement result."""

    status = models.CharField(
        _("status"), max_length=20, choices=PenaltyStatus.choices,
        default=PenaltyStatus.PROPOSED, db_index=True,
    )  # fmt: skip
    decision_number = models.CharField(
        _("decision number"), max_length=64, unique=True, null=True, blank=True
    )
    company = models.ForeignKey(
        "enterprises.Company", on_delete=models.PROTECT, related_name="penalties",
        verbose_name=_("company"),
    )  # fmt: skip
    estate = models.ForeignKey(
        "enterprises.Estate", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("estate"),
    )  # fmt: skip
    district = models.ForeignKey(
        "foundation.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    inspection = models.ForeignKey(
        "cases.Inspection", null=True, blank=True, on_delete=models.PROTECT,
        related_name="penalties", verbose_name=_("inspection"),
    )  # fmt: skip
    order = models.ForeignKey(
        RectificationOrder, null=True, blank=True, on_delete=models.PROTECT,
        related_name="penalties", verbose_name=_("rectification order"),
    )  # fmt: skip
    licence = models.ForeignKey(
        "enterprises.Licence", null=True, blank=True, on_delete=models.PROTECT,
        related_name="penalties", verbose_name=_("licence affected"),
    )  # fmt: skip
    kind = models.CharField(_("penalty"), max_length=12, choices=PenaltyKind.choices)
    fine_amount = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    violation = models.TextField(_("violation"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    decision = models.TextField(_("decision"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason not approved"), blank=True)
    decision_document = models.FileField(
        _("decision document"), upload_to=decision_document_path, blank=True
    )
    served_at = models.DateTimeField(_("served at"), null=True, blank=True)
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    enforcement_result = models.OneToOneField(
        "cases.EnforcementResult", null=True, blank=True, on_delete=models.PROTECT,
        related_name="penalty", verbose_name=_("published result"),
    )  # fmt: skip
    # Due process (cases.penalty_process): prior notice, statement, hearing, time limit.
    notice_evidence = models.TextField(_("evidence"), blank=True)
    decision_due_on = models.DateField(_("decision due by (90 days)"), null=True, blank=True)
    limit_extension_reason = models.TextField(_("reason the time limit was extended"), blank=True)
    limit_extended_by = _user(_("time limit extended by"))
    limit_warned_at = models.DateTimeField(null=True, blank=True)
    limit_overdue_at = models.DateTimeField(null=True, blank=True)
    notice_number = models.CharField(
        _("prior notice number"), max_length=64, unique=True, null=True, blank=True
    )
    notice_document = models.FileField(
        _("prior notice"), upload_to=decision_document_path, blank=True
    )
    notice_served_at = models.DateTimeField(_("prior notice served at"), null=True, blank=True)
    noticed_kind = models.CharField(
        _("penalty in the prior notice"), max_length=12, choices=PenaltyKind.choices, blank=True
    )
    noticed_fine_amount = models.DecimalField(
        _("fine in the prior notice (yuan)"), max_digits=12, decimal_places=2, null=True,
        blank=True,
    )  # fmt: skip
    hearing_right = models.BooleanField(_("right to a hearing"), default=False)
    statement_due_at = models.DateTimeField(_("statement and defence until"), null=True, blank=True)
    hearing_request_due_at = models.DateTimeField(
        _("hearing may be requested until"), null=True, blank=True
    )
    statement = models.TextField(_("statement and defence"), blank=True)
    statement_at = models.DateTimeField(_("statement recorded at"), null=True, blank=True)
    statement_by = _user(_("statement recorded by"))
    hearing_requested_at = models.DateTimeField(_("hearing requested at"), null=True, blank=True)
    hearing_at = models.DateTimeField(_("hearing at"), null=True, blank=True)
    hearing_place = models.CharField(_("hearing place"), max_length=200, blank=True)
    hearing_officer = _user(_("hearing held by"))
    hearing_notified_at = models.DateTimeField(_("hearing notified at"), null=True, blank=True)
    hearing_record = models.TextField(_("hearing record"), blank=True)
    hearing_recorded_at = models.DateTimeField(_("hearing recorded at"), null=True, blank=True)
    review_outcome = models.CharField(
        _("review outcome"), max_length=12, choices=ReviewOutcome.choices, blank=True
    )
    review_body = models.CharField(
        _("decided by"), max_length=16, choices=ReviewBody.choices, blank=True
    )
    review_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = _user(_("withdrawn by"))

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("administrative penalty")
        verbose_name_plural = _("administrative penalties")

    def __str__(self) -> str:
        return self.decision_number or f"{self.get_kind_display()} · {self.company}"

    @property
    def decision_days_left(self) -> int | None:
        """Days left to decide (art. 60; negative once late), None once decided."""
        from django.utils import timezone

        if self.decision_due_on is None or self.status not in PenaltyStatus.UNDECIDED_STATES:
            return None
        return (self.decision_due_on - timezone.localdate()).days
