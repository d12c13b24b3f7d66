"""Property-management companies (物业服务企业) and the estates (小区) they run."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.credit_codes import CreditCodeField, validate_credit_code


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DEREGISTERED = "deregistered", _("Deregistered")


class CreditGrade(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Company(models.Model):
    """A property-management company registered with the regulator."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    credit_code = CreditCodeField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    district = models.ForeignKey(
        "foundation.District", on_delete=models.PROTECT, verbose_name=_("district")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE
    )
    # Written only by enterprises.credit_score.recompute_credit: a cache of the explained score.
    credit_score = models.IntegerField(_("credit score"), null=True, blank=True, editable=False)
    credit_grade = models.CharField(
        _("credit grade"), max_length=3, choices=CreditGrade.choices, blank=True, editable=False
    )
    credit_list = models.CharField(
        _("credit list"),
        max_length=8,
        blank=True,
        editable=False,
        help_text=_("“red” or “black” when the company is on one of the public lists."),
    )
    credit_computed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        permissions = [
            ("act_for_company", _("Can act on behalf of the company")),
            ("administer_company_staff", _("Can invite and deactivate the company's staff")),
        ]

    def __str__(self) -> str:
        return self.name


class Estate(models.Model):
    """A residential estate or property project (小区 / 物业项目)."""

    name = models.CharField(_("name"), max_length=128)
    address = models.CharField(_("address"), max_length=255)
    district = models.ForeignKey(
        "foundation.District", on_delete=models.PROTECT, verbose_name=_("district")
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # Follows the filed service contract (enterprises.contracts keeps it in step).
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
        permissions = [("evaluate_estate", _("Can submit evaluations of the estate"))]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="estate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def committee_members(self):
        """The owners' committee (业主委员会) members: users whose profile names this estate."""
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(staff_profile__estate=self)
