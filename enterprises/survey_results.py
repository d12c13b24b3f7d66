"""The results of an owners' survey (enterprises.surveys): the response rate and whether it
reaches the minimum, the six dimensions' mean marks as a score of 100 and its credit points,
and a survey's results question by question for its screen. Exact arithmetic (``Fraction``)
wherever a boundary decides something: a rate exactly at the minimum counts, a half point
rounds away from zero like the evaluations' (``enterprises.credit_score``).
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Avg, Count, Sum

from enterprises import credit_score
from enterprises.models import (
    CreditPolicy,
    Evaluation,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
)
from enterprises.models.evaluations import DIMENSIONS
from enterprises.models.surveys import SCALE_MIN

SCORE_STEP = 25  # (mean − 1) × 25: a mean of 1–5 as a score of 0–100


def dimension_label(name: str) -> str:
    return Evaluation._meta.get_field(name).verbose_name


def rate_of(answered: int, units: int) -> Decimal:
    """The response rate in per cent, two decimals, halves up (0 when there is no unit)."""
    if units <= 0:
        return Decimal("0.00")
    exact = Decimal(answered) * 100 / Decimal(units)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def counts_at(answered: int, units: int, minimum: int) -> bool:
    """Whether ``answered`` of ``units`` reaches ``minimum`` per cent, exactly (no rounding)."""
    return units > 0 and answered * 100 >= minimum * units


def score_of(means: dict[str, Fraction]) -> Fraction | None:
    """The six dimensions' mean (1–5) as a score of 100; None without answers."""
    if len(means) != len(DIMENSIONS):
        return None
    mean = sum(means.values(), Fraction(0)) / len(DIMENSIONS)
    return (mean - SCALE_MIN) * SCORE_STEP


def points_of(score: Fraction) -> int:
    """The evaluations' rule: (score − 80) ÷ 5, to the nearest point, halves away from 0."""
    exact = (score - credit_score.EVALUATION_PIVOT) / credit_score.EVALUATION_STEP
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    return magnitude if exact >= 0 else -magnitude


def dimension_means(survey: Survey) -> dict[str, Fraction]:
    rows = (
        SurveyAnswer.objects.filter(
            question__survey=survey, question__dimension__gt="", scale__isnull=False
        )
        .values("question__dimension")
        .annotate(total=Count("pk"), points=Sum("scale"))
    )
    return {row["question__dimension"]: Fraction(row["points"], row["total"]) for row in rows}


@dataclass
class QuestionResult:
    question: SurveyQuestion
    label: str
    count: int = 0
    mean: float | None = None
    tallies: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    units: int
    answered: int
    response_rate: Decimal
    min_response_rate: int
    counts: bool
    questions: list[QuestionResult]


def live_results(survey: Survey, *, with_texts: bool) -> Results:
    """The survey's results as they stand, in a fixed number of queries; text answers only
    for ``with_texts`` (the runner's screen)."""
    units = survey.units_total
    answered = survey.codes.filter(used_at__isnull=False).count()
    questions = list(survey.questions.all())
    answers = SurveyAnswer.objects.filter(question__survey=survey)
    means = {
        row["question"]: row
        for row in answers.filter(scale__isnull=False)
        .values("question")
        .annotate(mean=Avg("scale"), count=Count("pk"))
    }
    tallies: dict[int, dict[str, int]] = {}
    for row in answers.exclude(choice="").values("question", "choice").annotate(n=Count("pk")):
        tallies.setdefault(row["question"], {})[row["choice"]] = row["n"]
    texts: dict[int, list[str]] = {}
    if with_texts:
        for question_id, text in (
            answers.exclude(text="").order_by("pk").values_list("question", "text")
        ):
            texts.setdefault(question_id, []).append(text)
    rows = []
    for question in questions:
        label = dimension_label(question.dimension) if question.dimension else question.text
        result = QuestionResult(question, str(label))
        if question.kind == QuestionKind.SCALE and question.pk in means:
            result.mean = float(means[question.pk]["mean"])
            result.count = means[question.pk]["count"]
        elif question.kind == QuestionKind.CHOICE:
            counted = tallies.get(question.pk, {})
            result.tallies = [(choice, counted.get(choice, 0)) for choice in question.choices]
            result.count = sum(counted.values())
        else:
            result.texts = texts.get(question.pk, [])
            result.count = len(result.texts)
        rows.append(result)
    minimum = (
        survey.min_response_rate
        if survey.min_response_rate is not None
        else CreditPolicy.load().survey_min_response_rate
    )
    return Results(
        units=units,
        answered=answered,
        response_rate=rate_of(answered, units),
        min_response_rate=minimum,
        counts=counts_at(answered, units, minimum),
        questions=rows,
    )
