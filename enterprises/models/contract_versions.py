"""The versions of a service contract filing (备案补正, 变更备案): one filing, many versions.

A returned filing is corrected and resubmitted as the same filing, and a filed contract is
amended with changed terms; each time the company's terms and document become a new version,
kept with who submitted it and what the regulator decided (and why, when it was returned).
The contract row carries the terms of its current version (``ServiceContract.version``), so
every reader of the register sees the current terms without looking at this table.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models.contracts import ServiceLevel


class VersionKind(models.TextChoices):
    ORIGINAL = "original", _("Original submission")
    CORRECTION = "correction", _("Correction (补正)")
    AMENDMENT = "amendment", _("Amendment (变更)")


class VersionStatus(models.TextChoices):
    PENDING = "pending", _("Under review")
    ACCEPTED = "accepted", _("Accepted by the regulator")
    RETURNED = "returned", _("Returned")
    # An amendment still under review when its contract ended (terminated or expired).
    LAPSED = "lapsed", _("Lapsed")


def version_document_path(version: "ContractVersion", filename: str) -> str:
    contract = version.contract
    return (
        f"contracts/{contract.estate_id}/{contract.company_id}-"
        f"{version.starts_on:%Y%m%d}-v{version.number}.pdf"
    )


class ContractVersion(models.Model):
    contract = models.ForeignKey(
        "enterprises.ServiceContract",
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("service contract"),
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=VersionKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.PENDING
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
    fee_items = models.TextField(_("fee items"), blank=True)
    document = models.FileField(_("contract document (PDF)"), upload_to=version_document_path)
    reason = models.TextField(_("reason given by the company"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="contract_version_number_unique"
            ),
            # One version under review at a time: a correction or one pending amendment.
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(status="pending"),
                name="contract_one_pending_version",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="contract_version_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} · v{self.number}"
