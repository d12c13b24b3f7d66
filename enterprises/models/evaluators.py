"""Third-party evaluation organisations (第三方评价机构) and their staff's engagements on
estates.

An organisation is registered once for the whole city with its qualification (资质) and the
period it holds it; an evaluator belongs to one organisation (``StaffProfile``) and is
engaged on an estate for a period inside that qualification. The engagement is the record
of why the evaluator holds ``evaluate_estate`` on the estate: ``access_granted`` says
whether the grant is in force, so the sweep grants and withdraws each engagement once.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.credit_codes import CreditCodeField, validate_credit_code


class EvaluationOrganisation(models.Model):
    """A third-party evaluation organisation (评价机构): a city-wide record."""

    name = models.CharField(_("name"), max_length=128)
    credit_code = CreditCodeField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    qualification = models.CharField(
        _("qualification"),
        max_length=128,
        help_text=_("The certificate and its level, as written on it."),
    )
    qualification_number = models.CharField(_("certificate number"), max_length=64)
    qualified_from = models.DateField(_("qualified from"))
    qualified_until = models.DateField(_("qualified until"))
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("evaluation organisation")
        verbose_name_plural = _("evaluation organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(qualified_until__gt=F("qualified_from")),
                name="evaluation_organisation_qualified_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def qualified_on(self, day) -> bool:
        return self.qualified_from <= day <= self.qualified_until


class EvaluatorEngagement(models.Model):
    """One evaluator engaged on one estate from ``starts_on`` to ``ends_on`` (inclusive);
    ``ended_at`` set means access withdrawn (early, at the period's end or at the end of the
    organisation's qualification)."""

    organisation = models.ForeignKey(
        EvaluationOrganisation,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name=_("evaluation organisation"),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluator_engagements",
        verbose_name=_("evaluator"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="evaluator_engagements",
        verbose_name=_("estate"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    engaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    engaged_at = models.DateTimeField(default=timezone.now)
    access_granted = models.BooleanField(default=False)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("evaluator engagement")
        verbose_name_plural = _("evaluator engagements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="evaluator_engagement_ends_on_after_starts_on",
            )
        ]
        indexes = [models.Index(fields=["evaluator", "estate"])]

    def __str__(self) -> str:
        return f"{self.evaluator} @ {self.estate} ({self.starts_on}–{self.ends_on})"

    def is_current(self, day) -> bool:
        return self.ended_at is None and self.starts_on <= day <= self.ends_on
