"""Return arbitration (退单审定): a unit returning a case cites a reason from a list, and an
official of the district rules on the return within working hours: upheld (the case is
re-dispatched or transferred) or overruled (the unit must handle it and may not return it
again). Changed only by ``cases.dispatch.return_dispatch`` and ``cases.returns``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.complaints import Complaint
from cases.models.handling import Dispatch


class ReturnReason(models.TextChoices):
    NOT_OUR_ESTATE = "not_our_estate", _("Not our estate")
    NOT_IN_CONTRACT = "not_in_contract", _("Not within our contract's scope")
    OUT_OF_REMIT = "out_of_remit", _("Outside the regulator's remit")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    INSUFFICIENT_INFORMATION = "insufficient_information", _("Insufficient information")
    OTHER = "other", _("Other")


class RulingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a ruling")
    UPHELD = "upheld", _("Return upheld")
    OVERRULED = "overruled", _("Return overruled: the unit must handle the case")
    # The case was finished (merged, transferred, resolved...) before anyone ruled.
    LAPSED = "lapsed", _("Lapsed: the case ended before a ruling")


class ReturnRuling(models.Model):
    """One return of one dispatch and the official's ruling on it."""

    dispatch = models.OneToOneField(
        Dispatch, on_delete=models.CASCADE, related_name="ruling", verbose_name=_("dispatch")
    )
    # The case again, so the figures count rulings per case without a join through dispatch.
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="return_rulings", verbose_name=_("case")
    )
    reason = models.CharField(
        _("reason for returning"), max_length=32, choices=ReturnReason.choices
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned at"))
    status = models.CharField(
        _("ruling"),
        max_length=12,
        choices=RulingStatus.choices,
        default=RulingStatus.PENDING,
        db_index=True,
    )
    rule_due_at = models.DateTimeField(_("rule by"))
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    note = models.TextField(_("note on the ruling"), blank=True)
    # Set by the SLA sweep when nobody ruled in time (once: the sweep is idempotent).
    overdue_since = models.DateTimeField(_("ruling late since"), null=True, blank=True)

    class Meta:
        ordering = ["returned_at", "id"]
        verbose_name = _("return ruling")
        verbose_name_plural = _("return rulings")

    def __str__(self) -> str:
        return f"{self.dispatch} ({self.get_status_display()})"
