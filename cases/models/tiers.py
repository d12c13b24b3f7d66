"""Tiers that route (分级处理): what each severity tier sets in motion, who is on duty, and the
official's sign-off (审核) a tier may require before a case is resolved.

An administrator edits `TierRule` rows (one per tier) and the duty roster (`DutyAssignment`);
with no row for a tier, `cases.tiers.DEFAULT_RULES` applies.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.complaints import Complaint, Tier
from foundation.roles import Role


class TierRule(models.Model):
    """What a severity tier sets in motion besides its time limits (those are `SlaRule`)."""

    tier = models.CharField(_("severity tier"), max_length=16, choices=Tier.choices, unique=True)
    alert_on_duty_official = models.BooleanField(
        _("alert the on-duty official by SMS"),
        default=False,
        help_text=_("At once, when a case of this tier comes in or is given this tier."),
    )
    alert_company = models.BooleanField(
        _("alert the responsible company by SMS"),
        default=False,
        help_text=_("At once, on the company's registered contact phone."),
    )
    pinned = models.BooleanField(
        _("pinned to the top of queues"),
        default=False,
        help_text=_("Shown before every other case in the workbench's lists."),
    )
    needs_sign_off = models.BooleanField(
        _("needs an official's sign-off to resolve"),
        default=False,
        help_text=_("A resolution waits until an official of the district signs it off."),
    )

    class Meta:
        ordering = ["tier"]
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")

    def __str__(self) -> str:
        return str(self.get_tier_display())


class DutyAssignment(models.Model):
    """An official on duty (值班) for a district over a range of days: urgent cases of the
    district are texted to the duty phone. With nobody on duty, every official of the district
    is told by e-mail."""

    district = models.ForeignKey(
        "foundation.District",
        on_delete=models.PROTECT,
        related_name="duty_assignments",
        verbose_name=_("district"),
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="duty_assignments",
        verbose_name=_("official"),
        limit_choices_to={"groups__name": Role.OFFICIAL},
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    phone = models.CharField(
        _("duty phone"),
        max_length=20,
        help_text=_("The mobile phone urgent alerts are texted to during the duty."),
        validators=[
            RegexValidator(r"^1[3-9]\d{9}$", _("Enter a mainland mobile number of 11 digits."))
        ],
    )

    class Meta:
        ordering = ["-starts_on", "district"]
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty roster")

    def __str__(self) -> str:
        return f"{self.district} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The duty cannot end before it starts.")})


class SignOffStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for sign-off")
    SIGNED_OFF = "signed_off", _("Signed off")
    SENT_BACK = "sent_back", _("Sent back")


class SignOff(models.Model):
    """A proposed resolution of a case whose tier needs an official's sign-off (two-level
    handling, 两级审核): the case is resolved with ``reply`` only once a different official
    of the district signs it off; sent back, the case stays in progress."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("case")
    )
    reply = models.TextField(_("proposed public reply"))
    status = models.CharField(
        _("status"), max_length=12, choices=SignOffStatus.choices, default=SignOffStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("official's note"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=models.Q(status="pending"),
                name="cases_signoff_one_pending_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint} ({self.get_status_display()})"
