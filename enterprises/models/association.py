"""What the industry association (物业管理行业协会) records of its members: peer reviews (互评)
with a score and a report, and honours (表彰). Both are good records for credit: an honour
adds ``CreditPolicy.honour_points``, a peer review at or above ``peer_review_good_from`` adds
``peer_review_points``, within ``good_record_cap`` with verified good conduct."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def peer_review_path(review: "PeerReview", filename: str) -> str:
    return f"peer-reviews/{review.company_id}/{filename}"


class PeerReview(models.Model):
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="peer_reviews",
        verbose_name=_("company"),
    )
    period = models.CharField(_("period"), max_length=7)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    report = models.FileField(_("report (PDF)"), upload_to=peer_review_path, max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "company__name"]
        verbose_name = _("peer review")
        verbose_name_plural = _("peer reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "period"], name="peer_review_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.period}"


class Honour(models.Model):
    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="honours",
        verbose_name=_("company"),
    )
    title = models.CharField(_("honour"), max_length=120)
    awarded_on = models.DateField(_("awarded on"))
    awarded_by = models.CharField(_("awarded by"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = _("honour")
        verbose_name_plural = _("honours")

    def __str__(self) -> str:
        return f"{self.company} · {self.title}"
