"""Service evaluations of an estate on the six dimensions (服务质量评价)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE = [MinValueValidator(0), MaxValueValidator(100)]
DIMENSIONS = (
    "basic_management",
    "cleaning",
    "greening",
    "public_order",
    "facility_maintenance",
    "customer_service",
)


class EvaluatorKind(models.TextChoices):
    THIRD_PARTY = "third_party", _("Third-party evaluator")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")


class Evaluation(models.Model):
    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("estate"),
    )
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("company evaluated"),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("evaluator"),
    )
    evaluator_kind = models.CharField(
        _("evaluator kind"), max_length=20, choices=EvaluatorKind.choices
    )
    period = models.CharField(_("period"), max_length=7)
    basic_management = models.PositiveSmallIntegerField(_("basic management"), validators=SCORE)
    cleaning = models.PositiveSmallIntegerField(_("cleaning"), validators=SCORE)
    greening = models.PositiveSmallIntegerField(_("greening"), validators=SCORE)
    public_order = models.PositiveSmallIntegerField(_("public order"), validators=SCORE)
    facility_maintenance = models.PositiveSmallIntegerField(
        _("facility maintenance"), validators=SCORE
    )
    customer_service = models.PositiveSmallIntegerField(_("customer service"), validators=SCORE)
    report = models.FileField(_("report (PDF)"), upload_to="evaluations/%Y/", blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "evaluator", "period"], name="evaluation_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.period} · {self.average:.1f}"

    @property
    def average(self) -> float:
        return sum(getattr(self, name) for name in DIMENSIONS) / len(DIMENSIONS)
