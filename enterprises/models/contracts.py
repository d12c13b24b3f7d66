"""Service contract filing (物业服务合同备案): at most one filed contract per estate."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    FILED = "filed", _("Filed")
    RETURNED = "returned", _("Returned")
    TERMINATED = "terminated", _("Terminated")
    EXPIRED = "expired", _("Expired")


class ServiceLevel(models.TextChoices):
    LEVEL_1 = "1", _("Level 1 (highest)")
    LEVEL_2 = "2", _("Level 2")
    LEVEL_3 = "3", _("Level 3")
    LEVEL_4 = "4", _("Level 4")
    LEVEL_5 = "5", _("Level 5")


def contract_document_path(contract: "ServiceContract", filename: str) -> str:
    return f"contracts/{contract.estate_id}/{contract.company_id}-{contract.starts_on:%Y%m%d}.pdf"


class ServiceContract(models.Model):
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("company"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("estate"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    service_level = models.CharField(_("service level"), max_length=2, choices=ServiceLevel.choices)
    fee_per_sqm_month = models.DecimalField(
        _("fee per m² per month (CNY)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    fee_items = models.TextField(
        _("fee items"), blank=True, help_text=_("One item per line, e.g. “车位管理费 80元/月”.")
    )
    document = models.FileField(_("contract document (PDF)"), upload_to=contract_document_path)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContractStatus.choices,
        default=ContractStatus.SUBMITTED,
        db_index=True,
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    # The number of the version whose terms the row carries (enterprises.contract_versions).
    version = models.PositiveIntegerField(_("current version"), default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["estate"],
                condition=models.Q(status="filed"),
                name="contract_one_filed_per_estate",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.company} ({self.starts_on:%Y-%m-%d})"
