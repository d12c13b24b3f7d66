"""Complaints: the complaint (投诉) is the case.

It carries its status, and every change of it is written to the immutable timeline
(`CaseEvent`) by the functions in `cases.workflow` and the other `cases` services; no other
code assigns a status.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.personal_data import EncryptedCharField, EncryptedEmailField


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged into another case")
    # Out of the regulator's remit, sent to another agency (转办): cases.transfers.
    TRANSFERRED = "transferred", _("Transferred to another agency")


# Status groups, as members of the enum so every module means the same by "open":
# OPEN_STATES    still being handled (the workbench, the statistics, Open311's "open");
# RESOLVED_STATES the public reply (办结答复) exists: the citizen can rate it;
# SUBSTANTIATED_STATES reached resolution once (a reopened case did): the company's record;
# FINAL_STATES   nothing more happens (a merged case only with its primary: cases.retention);
#                a transferred case is the other agency's (only its outcome is recorded).
CaseStatus.OPEN_STATES = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.ACCEPTED,
        CaseStatus.ASSIGNED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.REOPENED,
    }
)
CaseStatus.RESOLVED_STATES = frozenset(
    {CaseStatus.RESOLVED, CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED}
)
CaseStatus.SUBSTANTIATED_STATES = CaseStatus.RESOLVED_STATES | {CaseStatus.REOPENED}
CaseStatus.FINAL_STATES = frozenset(
    {CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED, CaseStatus.TRANSFERRED}
)


class Category(models.TextChoices):
    CLEANING = "cleaning", _("Cleaning")
    GREENING = "greening", _("Greening")
    PUBLIC_ORDER = "public_order", _("Public order and security")
    FACILITIES = "facilities", _("Facilities and equipment (lifts, water, power)")
    FEES = "fees", _("Fees and charges")
    SERVICE_QUALITY = "service_quality", _("Contract and service quality")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    OTHER = "other", _("Other")


class Tier(models.TextChoices):
    """Severity tier (分级): picks the SLA rule and who may handle the case."""

    URGENT = "urgent", _("Urgent")
    SERIOUS = "serious", _("Serious")
    GENERAL = "general", _("General")
    CONSULTATION = "consultation", _("Consultation")


class Channel(models.TextChoices):
    """How a complaint reached the regulator (受理渠道), as the foundation names the channels."""

    WEB = "web", _("Website")
    APP = "app", _("Mobile app")
    WECHAT = "wechat", _("WeChat")
    HOTLINE = "hotline", _("Service hotline")
    FRONT_DESK = "front_desk", _("Front desk")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    SYMPOSIUM = "symposium", _("Owners' symposium")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    REFERRAL = "referral", _("Referral by another office")
    PARTNER = "partner", _("Partner system")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")


# Channels a member of staff registers on a caller's behalf (代录); the others arrive by
# themselves (web form, partner API) or from a module of their own (the owners' committee).
Channel.STAFF_INTAKE = (
    Channel.HOTLINE,
    Channel.FRONT_DESK,
    Channel.LETTER,
    Channel.EMAIL,
    Channel.SUGGESTION_BOX,
    Channel.SYMPOSIUM,
    Channel.QUESTIONNAIRE,
    Channel.REFERRAL,
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Complaint(models.Model):
    """A citizen's complaint and the case that handles it."""

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    # HMAC of the access code, never the code itself (see cases.access_codes).
    access_code_digest = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CaseStatus.choices,
        default=CaseStatus.SUBMITTED,
        db_index=True,
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    tier = models.CharField(
        _("severity tier"), max_length=16, choices=Tier.choices, default=Tier.GENERAL
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("estate"),
    )
    estate_name = models.CharField(_("estate name or address"), max_length=200)
    # Building, unit, room: hidden from the company when the complainant asks for it.
    address = models.CharField(_("building and room"), max_length=200, blank=True)
    anonymous_to_company = models.BooleanField(_("anonymous to the company"), default=False)
    consent_to_publish = models.BooleanField(
        _("consents to a de-identified public summary"), default=False
    )
    district = models.ForeignKey(
        "foundation.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("district"),
    )
    company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("company"),
    )
    description = models.TextField(_("description"))
    # Personal data, encrypted at rest (cases.models.personal_data): NULL stands for "".
    contact_name = EncryptedCharField(_("contact name"), max_length=64, blank=True, null=True)
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20, null=True)
    contact_email = EncryptedEmailField(_("contact e-mail"), blank=True, null=True)
    contact_id_number = EncryptedCharField(
        _("resident ID number"), max_length=18, blank=True, null=True
    )
    # Keyed digest of the normalised phone (cases.phones): finds a caller's complaints without
    # decrypting every row. Cleared with the rest of the personal data.
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # How it came in, who registered it for the caller, the channel's own reference.
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB, db_index=True
    )
    channel_reference = models.CharField(
        _("channel reference"),
        max_length=100,
        blank=True,
        help_text=_("Hotline ticket number, letter date and sender's reference, and so on."),
    )
    partner = models.ForeignKey(
        "cases.PartnerApiKey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("partner"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_complaints",
        verbose_name=_("registered by"),
    )
    # The language the citizen used (web) or chose (phone): every message to them is in it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    # Set by cases.retention once the personal data of a long-closed case is removed.
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)
    # Who works the case: the inspector it is dispatched to and/or the company (found from the
    # estate's filed contract). A company sees the case only while it is dispatched to it.
    assigned_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
        verbose_name=_("assigned inspector"),
    )
    dispatched_company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatched_complaints",
        verbose_name=_("company handling the case"),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_complaints",
        verbose_name=_("merged into"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    public_reply = models.TextField(_("public reply"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Due dates computed by cases.sla.due_dates from the matching SlaRule.
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    respond_due_at = models.DateTimeField(_("first response by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True, db_index=True)
    # The clock stops while the case waits on the complainant (see cases.clock).
    awaiting_complainant_since = models.DateTimeField(
        _("waiting on the complainant since"), null=True, blank=True
    )
    # Supervision (督办) by the SLA sweep in cases.supervision.
    sla_warned_at = models.DateTimeField(_("due-soon warning sent at"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"),
        default=0,
        help_text=_("0: none, 1: district official, 2: head of department."),
    )
    # First response (首次响应): the first public reply or contact after acceptance
    # (``cases.sla.FIRST_RESPONSE_ACTIONS``), and the sweep's flags for its deadline.
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(
        _("first-response warning sent at"), null=True, blank=True
    )
    first_response_overdue_since = models.DateTimeField(
        _("first response overdue since"), null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("view_complainant_personal_data", _("Can see the complainant's personal data")),
            ("search_complaints", _("Can search complaints")),
        ]

    def __str__(self) -> str:
        return self.tracking_number


def complaint_photo_path(photo: "ComplaintPhoto", filename: str) -> str:
    # The citizen's file name is not kept: it may carry personal data.
    complaint = photo.complaint
    return f"complaints/{complaint.created_at:%Y/%m}/{complaint.tracking_number}-{filename}"


class ComplaintPhoto(models.Model):
    """A photo attached by the citizen, re-encoded on upload so no metadata survives."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=complaint_photo_path)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")

    def __str__(self) -> str:
        return self.image.name
