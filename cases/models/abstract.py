"""Abstract shapes shared by the regulator's inspections and a company's own patrols, so a
photo or an item's score reads the same on both. Only what is identical on both lives here:
a field that differs in any attribute stays on the concrete model."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChecklistScore(models.Model):
    """The points given for one checklist item; the parent and the note stay concrete."""

    item = models.ForeignKey("cases.ChecklistItem", on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("passed"))

    class Meta:
        abstract = True
        ordering = ["item__sort_order", "item_id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


class VisitPhoto(models.Model):
    """A photo taken on a visit; the parent and the upload path stay concrete."""

    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.caption or self.image.name
