"""Property-management companies (物业服务企业) and the estates (小区) they run.

The foundation keeps only what complaints need; licences, contracts, disclosures and credit
are added by the enterprises issue.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DEREGISTERED = "deregistered", _("Deregistered")


class Company(models.Model):
    """A property-management company registered with the regulator."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    district = models.ForeignKey(
        "portal.District", on_delete=models.PROTECT, verbose_name=_("district")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Estate(models.Model):
    """A residential estate or property project (小区 / 物业项目)."""

    name = models.CharField(_("name"), max_length=128)
    address = models.CharField(_("address"), max_length=255)
    district = models.ForeignKey(
        "portal.District", on_delete=models.PROTECT, verbose_name=_("district")
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    # Until contract filing exists this is set directly; later it follows the filed contract.
    managing_company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="estates",
        verbose_name=_("managing company"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="estate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
