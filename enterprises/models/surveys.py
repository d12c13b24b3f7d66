"""Owners' surveys of an estate (满意度调查) and opinion collections (意见征集).

A survey is run by the regulator (one per estate of a city-wide campaign) or by the estate's
owners' committee; owners answer with a one-time household code per unit (``HouseholdCode``).
Answers are stored without the code or the unit (``SurveyResponse``): who answered what is
not kept, only that the unit's code was spent. The results of a closed survey are frozen on
its row (``results``, ``response_rate``, ``counts``), so the public pages read one row and a
later change of the credit rules does not rewrite a past survey.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SCALE_MIN, SCALE_MAX = 1, 5


class SurveyKind(models.TextChoices):
    SATISFACTION = "satisfaction", _("Satisfaction survey")
    OPINIONS = "opinions", _("Opinion collection")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyRunner(models.TextChoices):
    REGULATOR = "regulator", _("The regulator")
    COMMITTEE = "committee", _("The owners' committee")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale 1–5")
    CHOICE = "choice", _("Single choice")
    TEXT = "text", _("Text")


class Survey(models.Model):
    estate = models.ForeignKey(
        "enterprises.Estate",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("estate"),
    )
    company = models.ForeignKey(
        "enterprises.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("company surveyed"),
        help_text=_("The estate's managing company when the survey was created."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyKind.choices)
    run_by = models.CharField(_("run by"), max_length=16, choices=SurveyRunner.choices)
    title = models.CharField(_("title"), max_length=128)
    campaign = models.CharField(_("campaign"), max_length=64, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Frozen when it closes (see the module's docstring).
    units_total = models.PositiveIntegerField(_("units"), default=0)
    answered = models.PositiveIntegerField(_("units that answered"), default=0)
    response_rate = models.DecimalField(
        _("response rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    min_response_rate = models.PositiveSmallIntegerField(
        _("minimum response rate (%)"), null=True, blank=True
    )
    counts = models.BooleanField(_("counts for credit"), default=False)
    results = models.JSONField(_("results"), default=dict, blank=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} · {self.title}"


class SurveyQuestion(models.Model):
    """One question; ``dimension`` names the service dimension a template question scores."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=255)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    dimension = models.CharField(_("service dimension"), max_length=32, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)

    class Meta:
        ordering = ["survey", "position"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_unique_position")
        ]

    def __str__(self) -> str:
        return self.text


class HouseholdCode(models.Model):
    """A unit's one-time code for one survey; ``used_at`` once spent (never reused)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="codes", verbose_name=_("survey")
    )
    unit = models.ForeignKey(
        "enterprises.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "unit"]
        verbose_name = _("household code")
        verbose_name_plural = _("household codes")
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit"], name="household_code_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.unit_id}"


class SurveyResponse(models.Model):
    """One household's answers, kept apart from the code that let it in."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    scale = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)],
    )
    choice = models.CharField(max_length=128, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"
