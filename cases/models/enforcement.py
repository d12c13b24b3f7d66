"""Enforcement results (执法结果公示): what the public site shows of a served penalty.

A row is written when a penalty is published (the penalty workflow links it); it holds only
what may be public — the company, the violation, the legal basis, the decision and its date —
never a person's data.
"""

from django.core.validators import MinValueValidator
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
    # The publicity period (公示期): after ``public_until`` the result leaves the public site
    # but stays in the register; ``removed_at`` also marks an early withdrawal.
    public_until = models.DateField(_("public until"), null=True, blank=True, db_index=True)
    removed_at = models.DateTimeField(_("removed from the public site at"), null=True, blank=True)
    removal_reason = models.TextField(_("reason removed"), blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("enforcement result")
        verbose_name_plural = _("enforcement results")

    def __str__(self) -> str:
        return self.decision_number


class PenaltyRule(models.Model):
    """Per penalty kind, what an administrator sets: whether the party has the right to a
    hearing (听证, Administrative Penalty Law art. 63) and how long a published result stays
    public (公示期). The rows come with the migration (``0014_penalty_due_process``), which
    says where its defaults come from; each city sets its own."""

    kind = models.CharField(_("penalty"), max_length=12, choices=PenaltyKind.choices, unique=True)
    hearing_always = models.BooleanField(
        _("always gives the right to a hearing"),
        default=False,
        help_text=_("Ticked for licence suspension and revocation (art. 63)."),
    )
    hearing_from_amount = models.DecimalField(
        _("hearing right from this fine (yuan)"), max_digits=12, decimal_places=2, null=True,
        blank=True,
        help_text=_("A fine of at least this amount on a company gives the right to a hearing "
                    "(较大数额罚款). Leave blank when the amount never does."),
    )  # fmt: skip
    publicity_days = models.PositiveSmallIntegerField(
        _("publicity period (days)"),
        validators=[MinValueValidator(1)],
        help_text=_("Days a published result stays on the public site."),
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("penalty rule")
        verbose_name_plural = _("penalty rules")

    def __str__(self) -> str:
        return str(self.get_kind_display())
