"""What the public pages show of owners' surveys and third-party evaluations (issues 19, 20):
closed satisfaction surveys with their frozen results and response rate, and the evaluations
of third-party evaluators whose organisation held its qualification on the day they were
submitted. Never a person: no evaluator's name, no owner's answer, no opinion collection.
Each function is one query, whatever the number of rows.
"""

from django.db.models import F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from enterprises.models import Evaluation, EvaluatorKind, Survey, SurveyKind, SurveyStatus
from enterprises.models.evaluations import DIMENSIONS
from enterprises.survey_results import dimension_label

_ORGANISATION = "evaluator__staff_profile__evaluation_organisation"


def published_surveys() -> QuerySet[Survey]:
    """Closed satisfaction surveys, newest first (the results are frozen on the row)."""
    return (
        Survey.objects.filter(kind=SurveyKind.SATISFACTION, status=SurveyStatus.CLOSED)
        .select_related("estate")
        .order_by("-closed_at", "-pk")
    )


def answerable_surveys() -> QuerySet[Survey]:
    """Surveys owners may answer today (their titles and last days are public)."""
    today = timezone.localdate()
    return Survey.objects.filter(
        status=SurveyStatus.OPEN, opens_on__lte=today, closes_on__gte=today
    ).order_by("closes_on", "pk")


def survey_rows(surveys) -> list[dict]:
    """Each survey with its six dimensions (label, mean of 1–5 or None) and its score."""
    rows = []
    for survey in surveys:
        means = survey.results.get("dimensions", {})
        rows.append(
            {
                "survey": survey,
                "dimensions": [(dimension_label(name), means.get(name)) for name in DIMENSIONS],
                "score": survey.results.get("score"),
            }
        )
    return rows


def published_evaluations() -> QuerySet[Evaluation]:
    """Third-party evaluations whose organisation was qualified on the day of submission,
    with the organisation's name (``organisation_name``), newest first."""
    return (
        Evaluation.objects.filter(evaluator_kind=EvaluatorKind.THIRD_PARTY)
        .annotate(
            submitted_on=TruncDate("submitted_at"),
            organisation_name=F(f"{_ORGANISATION}__name"),
        )
        .filter(
            **{
                f"{_ORGANISATION}__qualified_from__lte": F("submitted_on"),
                f"{_ORGANISATION}__qualified_until__gte": F("submitted_on"),
            }
        )
        .select_related("estate")
        .order_by("-submitted_at", "-pk")
    )


def evaluation_rows(evaluations) -> list[dict]:
    return [
        {
            "evaluation": evaluation,
            "scores": [(dimension_label(name), getattr(evaluation, name)) for name in DIMENSIONS],
        }
        for evaluation in evaluations
    ]
