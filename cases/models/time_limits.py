"""Time limits an administrator edits: SLA rules and corrections of the working calendar."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.complaints import Category, Tier


class SlaRule(models.Model):
    """Time limits for a tier (and optionally one category), edited by an administrator.

    A rule for the case's exact category beats the tier's catch-all rule (blank category);
    with no row at all, `cases.sla.DEFAULT_RULES` applies.
    """

    tier = models.CharField(_("severity tier"), max_length=16, choices=Tier.choices)
    category = models.CharField(
        _("category"),
        max_length=24,
        choices=Category.choices,
        blank=True,
        help_text=_("Leave blank for a rule that applies to every category of this tier."),
    )
    accept_within_hours = models.PositiveSmallIntegerField(
        _("accept within (working hours)"), validators=[MinValueValidator(1)]
    )
    respond_within_hours = models.PositiveSmallIntegerField(
        _("first response within (working hours)"), validators=[MinValueValidator(1)]
    )
    resolve_within_days = models.PositiveSmallIntegerField(
        _("resolve within (working days)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["tier", "category"]
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")
        constraints = [
            models.UniqueConstraint(fields=["tier", "category"], name="cases_slarule_tier_category")
        ]

    def __str__(self) -> str:
        category = self.get_category_display() if self.category else _("any category")
        return f"{self.get_tier_display()} / {category}"


class CalendarOverride(models.Model):
    """An administrator's correction of the working calendar; it always wins over the library.

    Used for a year the holiday library does not know yet, or a local decision (e.g. a typhoon
    day off).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("is a working day"),
        help_text=_("Ticked: the date is worked. Unticked: the date is a day off."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date:%Y-%m-%d} ({kind})"
