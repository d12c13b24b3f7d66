"""An estate's exclusive units (专有部分) and their owners, as far as the committee knows them.

They are what owners' decisions count (Civil Code art. 278 with the Supreme People's Court's
interpretation on building distinctive ownership, 2009, arts. 8–9): the registered area of each
exclusive part, and owners counted one per unit, except that the units of one buyer count as one
owner and the developer's unsold or undelivered units together count as one owner.
``enterprises.units.owner_key`` is the one place that rule is written.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Owner(models.Model):
    """A buyer of one or more units of an estate (the units point here)."""

    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="owners",
        verbose_name=_("estate"),
    )
    name = models.CharField(_("name"), max_length=128)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["estate", "name", "pk"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """One exclusive unit (building, entrance, room) with its registered floor area."""

    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("estate"),
    )
    building = models.CharField(_("building"), max_length=32)
    entrance = models.CharField(_("unit (entrance)"), max_length=32, blank=True)
    room = models.CharField(_("room"), max_length=32)
    exclusive_area = models.DecimalField(
        _("exclusive area (m²)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0.01)],
        help_text=_("The registered floor area of the exclusive part."),
    )
    developer_held = models.BooleanField(
        _("unsold or undelivered (developer)"),
        default=False,
        help_text=_("All of the developer's unsold or undelivered units count as one owner."),
    )
    owner = models.ForeignKey(
        Owner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
        verbose_name=_("owner"),
    )

    class Meta:
        ordering = ["estate", "building", "entrance", "room"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "building", "entrance", "room"], name="unit_unique_room"
            ),
        ]

    def __str__(self) -> str:
        parts = [self.building, self.entrance, self.room]
        return "-".join(part for part in parts if part)
