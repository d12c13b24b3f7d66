"""Districts (区): the unit of the regulator's territory that staff scopes are made of."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """An administrative district (区) of the city; officials and inspectors work within one."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        db_table = "portal_district"  # created before the foundation split; kept
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name
