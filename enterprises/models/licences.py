"""Licence / qualification records (资质): applied for by a company, decided by an official."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LicenceStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("licence status", "Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Licence(models.Model):
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("company"),
    )
    number = models.CharField(_("licence number"), max_length=32, blank=True)
    scope = models.CharField(_("scope of service"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LicenceStatus.choices,
        default=LicenceStatus.APPLIED,
        db_index=True,
    )
    renewal_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        verbose_name=_("renews"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    # Set when a penalty caused a suspension or revocation (the penalty model comes later).
    penalty_reference = models.CharField(_("penalty decision"), max_length=64, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("applied by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="licence_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.number or f"{self.company} ({self.get_status_display()})"
