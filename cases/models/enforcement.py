"""Enforcement results (执法结果公示): what the public site shows of a served penalty.

A row is written when a penalty is published (the penalty workflow links it); it holds only
what may be public — the company, the violation, the legal basis, the decision and its date —
never a person's data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PenaltyKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    SUSPENSION = "suspension", _("Licence suspension")
    REVOCATION = "revocation", _("Licence revocation")


class EnforcementResult(models.Model):
    decision_number = models.CharField(_("decision number"), max_length=64, unique=True)
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="enforcement_results",
        verbose_name=_("company"),
    )
    district = models.ForeignKey(
        "foundation.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    kind = models.CharField(_("penalty"), max_length=12, choices=PenaltyKind.choices)
    fine_amount = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    violation = models.TextField(_("violation"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    decision = models.TextField(_("decision"))
    decided_on = models.DateField(_("decided on"), db_index=True)
    published_at = models.DateTimeField(_("published at"), db_index=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("enforcement result")
        verbose_name_plural = _("enforcement results")

    def __str__(self) -> str:
        return self.decision_number
