"""Good conduct (良好行为) and training: what a company does well, beside what it is penalised
for. A verified declaration adds credit points within the cap an administrator sets
(``CreditPolicy.good_record_cap``), as Yantai's and Nanning's credit rules add good records;
training sessions are records the regulator reads, never a condition of anything."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class GoodConductKind(models.TextChoices):
    AWARD = "award", _("Award or honour from an authority")
    EXEMPLARY_SERVICE = "exemplary", _("Exemplary service")
    PUBLIC_SERVICE = "public", _("Public service or emergency help")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Not verified")


def evidence_path(claim: "GoodConductClaim", filename: str) -> str:
    # The uploader's file name is not kept; the extension follows the checked content.
    return f"good-conduct/{claim.company_id}/{filename}"


class GoodConductClaim(models.Model):
    """A company's declaration of good conduct (良好行为申报) with its evidence; an official of
    the company's district verifies or rejects it with reasons."""

    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="good_conduct_claims",
        verbose_name=_("company"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="good_conduct_claims",
        verbose_name=_("estate"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=GoodConductKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("date"))
    evidence = models.FileField(
        _("evidence (image or PDF)"), upload_to=evidence_path, max_length=200
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ClaimStatus.choices,
        default=ClaimStatus.SUBMITTED,
        db_index=True,
    )
    decision = models.TextField(_("decision"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("good conduct declaration")
        verbose_name_plural = _("good conduct declarations")

    def __str__(self) -> str:
        return f"{self.company} · {self.title}"


class TrainingSession(models.Model):
    """A training session a company held for its staff, for one estate or the whole company."""

    company = models.ForeignKey(
        "enterprises.Company",
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name=_("company"),
    )
    estate = models.ForeignKey(
        "enterprises.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name=_("estate"),
        help_text=_("Leave empty for training of the whole company."),
    )
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=120)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(80)],
    )
    staff_count = models.PositiveSmallIntegerField(
        _("staff trained"), validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.company} · {self.topic} ({self.held_on:%Y-%m-%d})"
