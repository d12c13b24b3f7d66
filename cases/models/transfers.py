"""Transfer (转办): a case outside the regulator's remit goes to another agency.

``Agency`` is the register of the offices a case can be sent to (fire brigade 消防,
environmental protection 环保, public security 公安 ...), kept by an administrator; an
agency is deactivated, never deleted, so every transfer keeps naming it. ``Transfer`` is the
one transfer of a case (a transferred case is final for the regulator): where it went, why,
the agency's own reference and, later, the outcome the agency reports back.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.complaints import Complaint


class Agency(models.Model):
    """Another agency that receives the cases outside the regulator's remit."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    district = models.ForeignKey(
        "foundation.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Leave blank for an agency that serves the whole city."),
    )
    contact = models.CharField(
        _("contact"),
        max_length=200,
        help_text=_("Phone number and address the citizen is given (a public office line)."),
    )
    remit = models.TextField(_("remit"), blank=True, help_text=_("What the agency handles."))
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Untick instead of deleting: no new case can be transferred to it."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Transfer(models.Model):
    """The transfer of one case, with the agency's reference and outcome as they come back."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="transfer", verbose_name=_("case")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("agency")
    )
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("agency's reference"), max_length=100, blank=True)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    transferred_at = models.DateTimeField(_("transferred at"), auto_now_add=True)
    outcome = models.TextField(_("agency's outcome"), blank=True)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.complaint} → {self.agency}"
