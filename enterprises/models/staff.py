"""Where a signed-in person belongs: the district, company or estate their role works in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    """Where a signed-in user belongs: a district for regulator staff (or, for heads of
    department, the explicit ``city_wide`` flag), a company or an estate for company staff
    and owners' committee members. Roles themselves are Django groups (``foundation.roles``).
    Scopes fail closed: regulator staff with neither a district nor the flag see nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    district = models.ForeignKey(
        "foundation.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("district"),
    )
    city_wide = models.BooleanField(
        _("city-wide"),
        default=False,
        help_text=_("Heads of department: sees and supervises every district."),
    )
    company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("company"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("estate"),
    )
    # Evaluators (第三方评价人员) belong to one evaluation organisation; their estates are
    # their engagements (``EvaluatorEngagement``).
    evaluation_organisation = models.ForeignKey(
        "enterprises.EvaluationOrganisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("evaluation organisation"),
    )

    class Meta:
        db_table = "portal_staffprofile"  # created in the portal app before the split; kept
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)
