"""Disclosures (信息公开) a company publishes per estate and period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DisclosureKind(models.TextChoices):
    SERVICES = "services", _("Service content")
    FEES = "fees", _("Fee items and standards")
    ACCOUNTS = "accounts", _("Income and expenses")
    STANDARDS = "standards", _("Service standards")
    MAJOR_MATTERS = "major_matters", _("Progress of major matters")


class Disclosure(models.Model):
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("company"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("estate"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DisclosureKind.choices)
    period = models.CharField(
        _("period"),
        max_length=7,
        help_text=_("A year (2026), half (2026-H1) or quarter (2026-Q3)."),
    )
    body = models.TextField(_("content"))
    attachment = models.FileField(_("attachment (PDF)"), upload_to="disclosures/%Y/", blank=True)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period", "estate__name", "kind"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "estate", "kind", "period"], name="disclosure_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.get_kind_display()} · {self.period}"


class DisclosureFee(models.Model):
    """One row of a disclosure's fee table: the item, its standard, the unit it is charged
    by and the basis of the price (a government-guided price, the contract, an assembly's
    decision)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.CharField(_("fee item"), max_length=100)
    standard = models.DecimalField(_("fee standard"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("charged per"), max_length=40)
    basis = models.CharField(_("basis"), max_length=200)

    class Meta:
        ordering = ["disclosure", "position", "pk"]
        verbose_name = _("fee of a disclosure")
        verbose_name_plural = _("fees of a disclosure")

    def __str__(self) -> str:
        return f"{self.item} {self.standard} {self.unit}"
