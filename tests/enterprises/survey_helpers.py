"""Shared builders of the survey tests (tests/enterprises/test_surveys.py, the public pages'
tests/portal/test_survey_pages.py and the matrix's tests/security/survey_rows.py)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from enterprises import surveys
from enterprises.models import SurveyKind, Unit

TODAY = timezone.localdate
SIX_FIVES = 5


def units(estate, count: int, *, building: str = "1") -> list[Unit]:
    return Unit.objects.bulk_create(
        Unit(
            estate=estate,
            building=building,
            entrance="1",
            room=f"{100 + index}",
            exclusive_area=Decimal("88.50"),
        )
        for index in range(count)
    )


def draft(actor, estate, *, kind=SurveyKind.SATISFACTION, title="2026年度满意度调查", **extra):
    return surveys.create_survey(
        actor=actor,
        estate=estate,
        kind=kind,
        title=title,
        opens_on=extra.pop("opens_on", TODAY()),
        closes_on=extra.pop("closes_on", TODAY() + dt.timedelta(days=14)),
        **extra,
    )


def opened(actor, estate, *, unit_count: int = 4, **extra):
    if unit_count:
        units(estate, unit_count)
    return surveys.open_survey(draft(actor, estate, **extra), actor=actor)


def codes(survey) -> list[str]:
    return list(survey.codes.order_by("pk").values_list("code", flat=True))


def marks(survey, mark: int | dict) -> dict:
    """An answer giving every dimension ``mark`` (or a dimension → mark dict)."""
    answers = {}
    for question in survey.questions.all():
        if question.dimension:
            value = mark if isinstance(mark, int) else mark[question.dimension]
            answers[question.pk] = value
    return answers


def answer(survey, code: str, mark: int | dict = 4, extra: dict | None = None):
    answers = {**marks(survey, mark), **(extra or {})}
    return surveys.submit_answers(survey, code=code, answers=answers)
