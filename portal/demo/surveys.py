"""The demo's owners' surveys (enterprises.surveys) on the committee's estate, estates[0]: its
units, one regulator's satisfaction survey closed last month with answers (it counts for the
company's credit) and one committee's survey open now with a question of its own. Everything
goes through the service functions; only the dates are back-dated afterwards."""

import datetime
import random
from collections import Counter
from decimal import Decimal

from enterprises import surveys
from enterprises.models import Survey, SurveyKind, Unit

BUILDINGS, ROOMS_PER_BUILDING = 3, 10
ANSWERED_SHARE = 0.7  # of the units: a response rate of 70 %
CLOSED_TITLE = "2026年度物业服务满意度调查"
OPEN_TITLE = "冬季供暖与保洁满意度调查"


def _units(estate) -> None:
    if Unit.objects.filter(estate=estate).exists():
        return
    Unit.objects.bulk_create(
        Unit(
            estate=estate,
            building=f"{building}栋",
            entrance="1单元",
            room=f"{floor}0{room}",
            exclusive_area=Decimal("89.50") + building * 10,
        )
        for building in range(1, BUILDINGS + 1)
        for floor in range(1, 6)
        for room in (1, 2)
    )


def _closed(world, estate, rng: random.Random) -> Survey:
    survey = surveys.create_survey(
        actor=world.official,
        estate=estate,
        kind=SurveyKind.SATISFACTION,
        title=CLOSED_TITLE,
        opens_on=world.today,
        closes_on=world.today,
        campaign="2026年全市物业服务满意度测评",
    )
    surveys.open_survey(survey, actor=world.official)
    codes = list(survey.codes.order_by("pk").values_list("code", flat=True))
    for code in codes[: round(len(codes) * ANSWERED_SHARE)]:
        answers = {question.pk: rng.choice((3, 4, 4, 5, 5)) for question in survey.questions.all()}
        surveys.submit_answers(survey, code=code, answers=answers)
    surveys.close_survey(survey, actor=world.official)
    start = world.today - datetime.timedelta(days=45)
    Survey.objects.filter(pk=survey.pk).update(
        opens_on=start, closes_on=start + datetime.timedelta(days=14)
    )
    return survey


def _open(world, estate) -> Survey:
    survey = surveys.create_survey(
        actor=world.committee,
        estate=estate,
        kind=SurveyKind.SATISFACTION,
        title=OPEN_TITLE,
        opens_on=world.today,
        closes_on=world.today + datetime.timedelta(days=21),
    )
    surveys.add_question(
        survey,
        actor=world.committee,
        kind="choice",
        text="楼道保洁多久一次？",
        choices=["每天", "每周两三次", "每周一次或更少"],
    )
    surveys.add_question(survey, actor=world.committee, kind="text", text="其他意见和建议")
    return surveys.open_survey(survey, actor=world.committee)


def seed_surveys(world, rng: random.Random) -> Counter | None:
    """The two surveys of estates[0]; None when they are there already."""
    estate = world.estates[0]
    if Survey.objects.filter(estate=estate, title__in=(CLOSED_TITLE, OPEN_TITLE)).exists():
        return None
    _units(estate)
    made = [_closed(world, estate, rng), _open(world, estate)]
    return Counter(
        Survey.objects.filter(pk__in=[s.pk for s in made]).values_list("status", flat=True)
    )
