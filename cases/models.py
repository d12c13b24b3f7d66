"""Complaints and the case timeline.

A complaint (投诉) is the case: it carries its status, and every change of it is written to the
immutable timeline (`CaseEvent`) by the functions in `cases.workflow` and `cases.services`.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry, BaseLogEntryManager


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
    district = models.ForeignKey(
        "portal.District",
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
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
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


class CaseEventManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.setdefault("complaint", instance)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(complaint=instance)


class CaseEvent(BaseLogEntry):
    """One immutable entry of a case's timeline, shown in Wagtail's history views.

    ``is_public`` entries appear on the citizen's tracking page; the others are internal.
    """

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", db_index=True
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    is_public = models.BooleanField(default=False)

    objects = CaseEventManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["timestamp", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case events are immutable")
        super().save(*args, **kwargs)

    @property
    def object_id(self):
        return self.complaint_id


class SlaRule(models.Model):
    """Time limits for a tier (and optionally one category), edited by an administrator.

    A rule for the case's exact category beats the tier's catch-all rule (blank category);
    with no row at all, `cases.sla.DEFAULT_RULES` applies.
    """

    tier = models.CharField(_("severity tier"), max_length=16, choices=Tier.choices)
    category = models.CharField(
        _("category"),
        max_length=24,
        choices=Category.choices,
        blank=True,
        help_text=_("Leave blank for a rule that applies to every category of this tier."),
    )
    accept_within_hours = models.PositiveSmallIntegerField(
        _("accept within (working hours)"), validators=[MinValueValidator(1)]
    )
    respond_within_hours = models.PositiveSmallIntegerField(
        _("first response within (working hours)"), validators=[MinValueValidator(1)]
    )
    resolve_within_days = models.PositiveSmallIntegerField(
        _("resolve within (working days)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["tier", "category"]
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")
        constraints = [
            models.UniqueConstraint(fields=["tier", "category"], name="cases_slarule_tier_category")
        ]

    def __str__(self) -> str:
        category = self.get_category_display() if self.category else _("any category")
        return f"{self.get_tier_display()} / {category}"


class CalendarOverride(models.Model):
    """An administrator's correction of the working calendar; it always wins over the library.

    Used for a year the holiday library does not know yet, or a local decision (e.g. a typhoon
    day off).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("is a working day"),
        help_text=_("Ticked: the date is worked. Unticked: the date is a day off."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date:%Y-%m-%d} ({kind})"
