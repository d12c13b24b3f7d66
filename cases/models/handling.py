"""How a case is handled once accepted: dispatches to a unit that signs for them (签收) or
returns them (退单), the company's answer with its evidence, requests to the complainant and
extensions (延期). Each is changed only by the functions in `cases.dispatch` and `cases.clock`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.complaints import Complaint


class DispatchStatus(models.TextChoices):
    AWAITING_SIGNATURE = "awaiting_signature", _("Awaiting signature")
    SIGNED = "signed", _("Signed for")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Dispatch(models.Model):
    """The case sent to one unit: an inspector or a company, never both in one row."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("case")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspector"),
    )
    company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("company"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DispatchStatus.choices,
        default=DispatchStatus.AWAITING_SIGNATURE,
        db_index=True,
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), auto_now_add=True)
    # What the official asks of the unit: shown to that unit and regulator staff, never to the
    # citizen (an internal note goes to the timeline instead, for regulator staff only).
    instructions = models.TextField(_("instructions to the unit"), blank=True)
    sign_due_at = models.DateTimeField(_("sign for by"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Set by the SLA sweep when the unit did not sign in time.
    sign_overdue_at = models.DateTimeField(_("signature late since"), null=True, blank=True)

    class Meta:
        ordering = ["dispatched_at", "id"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        constraints = [
            models.CheckConstraint(
                condition=Q(inspector__isnull=False, company__isnull=True)
                | Q(inspector__isnull=True, company__isnull=False),
                name="cases_dispatch_one_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint} → {self.inspector or self.company}"

    @property
    def unit_kind(self) -> str:
        """Which kind of unit received it, "inspector" or "company" (for event data)."""
        return "inspector" if self.inspector_id else "company"


class AnswerStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    SENT_BACK = "sent_back", _("Sent back")


class CompanyAnswer(models.Model):
    """The company's account of what it did, reviewed by the inspector."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="answers", verbose_name=_("case")
    )
    company = models.ForeignKey(
        "enterprises.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    text = models.TextField(_("answer"))
    status = models.CharField(
        _("status"), max_length=12, choices=AnswerStatus.choices, default=AnswerStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("company answer")
        verbose_name_plural = _("company answers")

    def __str__(self) -> str:
        return f"{self.complaint} / {self.company}"


class AttachmentKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence from the company")
    INTERNAL = "internal", _("Internal attachment")
    CITIZEN = "citizen", _("Document from the complainant")


def attachment_path(attachment: "CaseAttachment", filename: str) -> str:
    complaint = attachment.complaint
    return f"cases/{complaint.created_at:%Y/%m}/{complaint.tracking_number}/{filename}"


class CaseAttachment(models.Model):
    """A file on a case: a company's evidence or an internal note's attachment. Never public."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AttachmentKind.choices)
    answer = models.ForeignKey(
        CompanyAnswer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    title = models.CharField(_("title"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")

    def __str__(self) -> str:
        return self.title


class InfoRequest(models.Model):
    """A question to the complainant (补充材料); the clock stops until it is answered."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="info_requests", verbose_name=_("case")
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")

    def __str__(self) -> str:
        return f"{self.complaint} ({self.asked_at:%Y-%m-%d})"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Extension(models.Model):
    """More working days to resolve (延期), asked by whoever works the case, decided by an
    official; an approved one moves the due date on by its days."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("case")
    )
    working_days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    previous_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.complaint} +{self.working_days}"
