"""Owners' surveys and opinion collections (enterprises.surveys, issue 19): who runs them, the
template, codes per unit, one answer per unit, every refusal with nothing stored, the results
and response-rate maths with known inputs, and the credit record of a survey that counts."""

import datetime as dt
import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from pdfminer.high_level import extract_pages, extract_text

from enterprises import survey_results, surveys
from enterprises.credit_score import recompute_credit
from enterprises.models import (
    CreditPolicy,
    CreditRecord,
    CreditRecordKind,
    HouseholdCode,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyResponse,
    SurveyRunner,
    SurveyStatus,
)
from enterprises.models.evaluations import DIMENSIONS
from enterprises.permissions import visible_surveys
from enterprises.survey_sheets import code_sheet
from foundation.models import AuditEvent
from foundation.roles import Role
from tests.enterprises.survey_helpers import TODAY, answer, codes, draft, marks, opened, units
from tests.factories import EstateFactory, make_user

pytestmark = pytest.mark.django_db


def refused(call, field=None, kind=surveys.SurveyRefused):
    with pytest.raises(kind) as caught:
        call()
    if field is not None:
        assert caught.value.field == field
    return caught.value


# Creating -------------------------------------------------------------------------------------


def test_an_official_creates_a_survey_from_the_template(official, estate_x, company_a):
    survey = draft(official, estate_x)
    assert survey.run_by == SurveyRunner.REGULATOR and survey.company == company_a
    questions = list(survey.questions.all())
    assert [q.dimension for q in questions] == list(DIMENSIONS)
    assert all(q.kind == QuestionKind.SCALE and q.required for q in questions)
    assert AuditEvent.objects.filter(action=surveys.CREATED, filters__survey=survey.pk).exists()


def test_the_committee_runs_its_own_survey_and_opinion_collection(committee_member, estate_x):
    survey = draft(committee_member, estate_x)
    opinions = draft(committee_member, estate_x, kind=SurveyKind.OPINIONS, title="意见征集")
    assert survey.run_by == opinions.run_by == SurveyRunner.COMMITTEE
    assert not opinions.questions.exists()


@pytest.mark.parametrize("who", ["company_a_staff", "other_official", "other_committee"])
def test_others_may_not_run_a_survey_of_the_estate(who, request, estate_x, estate_y):
    actor = {
        "company_a_staff": lambda: request.getfixturevalue("company_a_staff"),
        "other_official": lambda: make_user("o2", Role.OFFICIAL, district=estate_y.district),
        "other_committee": lambda: _committee_of(estate_y),
    }[who]()
    refused(lambda: draft(actor, estate_x), "estate", surveys.SurveyNotAllowed)
    assert not Survey.objects.exists()


def _committee_of(estate):
    from enterprises import access

    user = make_user(f"committee-{estate.pk}", None)
    access.grant_committee_member(user, estate)
    return user


def test_only_the_committee_collects_opinions(official, estate_x):
    refused(lambda: draft(official, estate_x, kind=SurveyKind.OPINIONS), "estate")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "  "}, "title"),
        ({"opens_on": TODAY(), "closes_on": TODAY() - dt.timedelta(days=1)}, "closes_on"),
        (
            {
                "opens_on": TODAY() - dt.timedelta(days=9),
                "closes_on": TODAY() - dt.timedelta(days=2),
            },
            "closes_on",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(official, estate_x, values, field):
    refused(lambda: draft(official, estate_x, **values), field)
    assert not Survey.objects.exists()


def test_an_estate_without_a_company_has_no_satisfaction_survey(official, district_1):
    estate = EstateFactory(district=district_1, managing_company=None)
    refused(lambda: draft(official, estate), "estate")


def test_a_campaign_is_one_survey_per_estate_all_or_none(official, estate_x, estate_y):
    other = EstateFactory(district=estate_x.district)
    created = surveys.start_campaign(
        actor=official,
        estates=[estate_x, other],
        title="2026年全市满意度测评",
        opens_on=TODAY(),
        closes_on=TODAY() + dt.timedelta(days=7),
        campaign="2026全市测评",
    )
    assert {s.estate_id for s in created} == {estate_x.pk, other.pk}
    assert all(s.campaign == "2026全市测评" for s in created)
    before = Survey.objects.count()
    refused(
        lambda: surveys.start_campaign(
            actor=official,
            estates=[estate_x, estate_y],  # estate Y is in another district
            title="再来一次",
            opens_on=TODAY(),
            closes_on=TODAY(),
            campaign="c",
        ),
        "estates",
        surveys.SurveyNotAllowed,
    )
    assert Survey.objects.count() == before


# Questions ------------------------------------------------------------------------------------


def test_questions_of_its_own_and_their_refusals(official, estate_x):
    survey = draft(official, estate_x)
    choice = surveys.add_question(
        survey,
        actor=official,
        kind=QuestionKind.CHOICE,
        text="电梯多久坏一次？",
        choices=["很少", "经常"],
    )
    assert choice.position == len(DIMENSIONS) + 1 and choice.choices == ["很少", "经常"]
    refused(
        lambda: surveys.add_question(
            survey, actor=official, kind="choice", text="x", choices=["a"]
        ),
        "choices",
    )
    refused(
        lambda: surveys.add_question(
            survey, actor=official, kind="choice", text="x", choices=["a", "a"]
        ),
        "choices",
    )
    refused(lambda: surveys.add_question(survey, actor=official, kind="text", text=""), "text")
    dimension = survey.questions.get(dimension="cleaning")
    refused(lambda: surveys.remove_question(dimension, actor=official), "question")
    surveys.remove_question(choice, actor=official)
    assert survey.questions.count() == len(DIMENSIONS)


def test_an_opinion_collection_asks_text_questions_only(committee_member, estate_x):
    collection = draft(committee_member, estate_x, kind=SurveyKind.OPINIONS)
    refused(
        lambda: surveys.add_question(collection, actor=committee_member, kind="scale", text="x"),
        "kind",
    )
    surveys.add_question(collection, actor=committee_member, kind="text", text="您对停车有何建议？")


def test_questions_cannot_change_after_the_first_answer(official, estate_x):
    survey = opened(official, estate_x)
    surveys.add_question(survey, actor=official, kind="text", text="其他意见")  # no answer yet
    answer(survey, codes(survey)[0])
    refused(lambda: surveys.add_question(survey, actor=official, kind="text", text="x"), "survey")
    question = survey.questions.get(text="其他意见")
    refused(lambda: surveys.remove_question(question, actor=official), "survey")


# Opening: codes -------------------------------------------------------------------------------


def test_opening_issues_one_unguessable_code_per_unit(official, estate_x):
    survey = opened(official, estate_x, unit_count=5)
    issued = codes(survey)
    assert survey.status == SurveyStatus.OPEN and survey.units_total == 5
    assert len(set(issued)) == 5
    assert all(re.fullmatch(f"[{surveys.CODE_ALPHABET}]{{12}}", code) for code in issued)
    assert re.fullmatch(r"\w{4}-\w{4}-\w{4}", surveys.grouped(issued[0]))


def test_an_estate_without_units_cannot_open_a_survey(official, estate_x):
    survey = draft(official, estate_x)
    refused(lambda: surveys.open_survey(survey, actor=official), "survey")
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT and not survey.codes.exists()


def test_only_the_side_that_runs_it_opens_it(official, committee_member, estate_x):
    units(estate_x, 2)
    committees = draft(committee_member, estate_x)
    regulators = draft(official, estate_x)
    refused(lambda: surveys.open_survey(committees, actor=official))
    refused(lambda: surveys.open_survey(regulators, actor=committee_member))
    assert not HouseholdCode.objects.exists()


# Answering ------------------------------------------------------------------------------------


def test_one_answer_per_unit_the_code_is_spent(official, estate_x):
    survey = opened(official, estate_x)
    code = codes(survey)[0]
    answer(survey, surveys.grouped(code).lower())  # as typed from the slip
    assert HouseholdCode.objects.get(code=code).used_at is not None
    refusal = refused(lambda: answer(survey, code), "code")
    assert str(refusal.message) == str(surveys.USED_CODE)
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.count() == len(DIMENSIONS)


def test_codes_of_another_survey_or_unknown_are_refused(official, estate_x, estate_y):
    survey = opened(official, estate_x)
    admin = make_user("admin-s", Role.ADMINISTRATOR)
    other = opened(admin, estate_y)
    refused(lambda: answer(survey, codes(other)[0]), "code")
    refused(lambda: answer(survey, "ABCD-EFGH-JKMN"), "code")
    assert not SurveyResponse.objects.exists()
    assert not HouseholdCode.objects.filter(used_at__isnull=False).exists()


def test_a_survey_not_open_takes_no_answer(official, estate_x):
    survey = opened(official, estate_x, opens_on=TODAY() + dt.timedelta(days=1))
    refused(lambda: answer(survey, codes(survey)[0]), "code")
    survey.opens_on = TODAY()
    survey.save(update_fields=["opens_on"])
    surveys.close_survey(survey, actor=official)
    refused(lambda: answer(survey, codes(survey)[0]), "code")
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("bad", [0, 6, "five", True])
def test_a_wrong_mark_stores_nothing_and_keeps_the_code(official, estate_x, bad):
    survey = opened(official, estate_x)
    question = survey.questions.get(dimension="greening")
    code = codes(survey)[0]
    refused(lambda: answer(survey, code, {**dict.fromkeys(DIMENSIONS, 4), "greening": bad}))
    assert not SurveyResponse.objects.exists()
    assert HouseholdCode.objects.get(code=code).used_at is None
    refusal = refused(lambda: surveys.submit_answers(survey, code=code, answers={}))
    assert refusal.field == f"q{question.survey.questions.first().pk}"


def test_choice_and_text_answers(official, estate_x):
    survey = opened(official, estate_x)
    surveys.add_question(survey, actor=official, kind="choice", text="保安", choices=["好", "差"])
    choice = survey.questions.get(kind="choice")
    text = surveys.add_question(survey, actor=official, kind="text", text="建议")
    code = codes(survey)[0]
    refused(lambda: answer(survey, code, extra={choice.pk: "一般"}), f"q{choice.pk}")
    answer(survey, code, extra={choice.pk: "差", text.pk: "夜间巡逻太少"})
    result = survey_results.live_results(survey, with_texts=True)
    rows = {row.question.pk: row for row in result.questions}
    assert rows[choice.pk].tallies == [("好", 0), ("差", 1)]
    assert rows[text.pk].texts == ["夜间巡逻太少"]
    hidden = survey_results.live_results(survey, with_texts=False)
    assert [row.texts for row in hidden.questions if row.question.pk == text.pk] == [[]]


# Results, the response rate and credit --------------------------------------------------------


def test_response_rate_and_the_minimum_at_its_boundary():
    assert survey_results.rate_of(1, 3) == Decimal("33.33")
    assert survey_results.rate_of(2, 3) == Decimal("66.67")
    assert survey_results.rate_of(0, 0) == Decimal("0.00")
    assert survey_results.counts_at(3, 10, 30) and not survey_results.counts_at(2, 7, 30)  # 28.57 %
    assert not survey_results.counts_at(0, 0, 0)


@pytest.mark.parametrize(
    ("mean", "score", "points"),
    [(5, 100, 4), (Fraction(21, 5), 80, 0), (Fraction(43, 10), Fraction(165, 2), 1), (3, 50, -6)],
)
def test_score_and_points_from_the_mean_mark(mean, score, points):
    means = dict.fromkeys(DIMENSIONS, Fraction(mean))
    assert survey_results.score_of(means) == score
    assert survey_results.points_of(survey_results.score_of(means)) == points


def test_closing_freezes_results_and_a_survey_that_counts_feeds_credit(
    official, estate_x, company_a
):
    survey = opened(official, estate_x, unit_count=4)
    first, second = codes(survey)[:2]
    answer(survey, first, 5)
    answer(survey, second, {**dict.fromkeys(DIMENSIONS, 5), "cleaning": 1})
    surveys.close_survey(survey, actor=official)
    survey.refresh_from_db()
    assert (survey.answered, survey.units_total) == (2, 4)
    assert survey.response_rate == Decimal("50.00") and survey.counts
    assert survey.results["dimensions"]["cleaning"] == "3.00"
    assert survey.results["dimensions"]["greening"] == "5.00"
    # mean (5·5 + 3) / 6 = 28/6 → (28/6 − 1) × 25 = 91.67 → (91.67 − 80) / 5 = 2.33 → +2
    assert survey.results["score"] == "91.67" and survey.results["points"] == 2
    record = CreditRecord.objects.get(source_key=f"survey:{survey.pk}")
    assert record.kind == CreditRecordKind.SURVEY and record.points == 2
    assert record.company == company_a
    explanation = recompute_credit(company_a)
    assert explanation.points == 2
    surveys.close_survey(survey, actor=official)  # a second close changes nothing
    assert CreditRecord.objects.filter(source_key__startswith="survey:").count() == 1


def test_a_survey_under_the_minimum_is_kept_but_does_not_count(official, estate_x):
    policy = CreditPolicy.load()
    policy.survey_min_response_rate = 60
    policy.save()
    survey = opened(official, estate_x, unit_count=5)
    for code in codes(survey)[:2]:
        answer(survey, code, 2)
    surveys.close_survey(survey, actor=official)
    survey.refresh_from_db()
    assert survey.response_rate == Decimal("40.00") and survey.min_response_rate == 60
    assert not survey.counts and survey.results["points"] == -11  # (25 − 80) ÷ 5
    assert not CreditRecord.objects.exists()


def test_an_opinion_collection_never_feeds_credit(committee_member, estate_x):
    collection = draft(committee_member, estate_x, kind=SurveyKind.OPINIONS)
    question = surveys.add_question(collection, actor=committee_member, kind="text", text="意见")
    units(estate_x, 1)
    surveys.open_survey(collection, actor=committee_member)
    surveys.submit_answers(collection, code=codes(collection)[0], answers={question.pk: "好"})
    surveys.close_survey(collection, actor=committee_member)
    collection.refresh_from_db()
    assert collection.response_rate == Decimal("100.00") and not collection.counts
    assert not CreditRecord.objects.exists()


def test_surveys_past_their_last_day_are_closed_by_the_sweep(official, estate_x):
    survey = opened(official, estate_x)
    assert surveys.close_due_surveys(TODAY() + dt.timedelta(days=15)) == 1
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED


# Who sees which survey, the code sheet, the screens -------------------------------------------


def test_visible_surveys_by_side(official, committee_member, company_a_staff, estate_x, estate_y):
    mine = draft(official, estate_x)
    theirs = draft(make_user("admin-v", Role.ADMINISTRATOR), estate_y)
    assert set(visible_surveys(official)) == {mine}
    assert set(visible_surveys(committee_member)) == {mine}
    assert not visible_surveys(company_a_staff).exists()
    assert theirs not in visible_surveys(committee_member)


def test_the_code_sheet_has_a_slip_per_unit(official, estate_x):
    survey = opened(official, estate_x, unit_count=9)
    seen = []
    pdf = code_sheet(survey, lambda code: seen.append(code) or f"http://x/{code}")
    assert len(list(extract_pages(io.BytesIO(pdf)))) == 2  # eight slips to a page
    text = extract_text(io.BytesIO(pdf))
    assert all(surveys.grouped(code) in text for code in codes(survey))
    assert "翠湖花园" in text and "1-1-100" in text
    assert sorted(seen) == sorted(codes(survey))


def test_the_screens_run_a_survey(client, official, estate_x):
    units(estate_x, 3)
    client.force_login(official)
    response = client.post(
        reverse("surveys:create"),
        {
            "kind": "satisfaction",
            "estates": [estate_x.pk],
            "title": "年度满意度",
            "opens_on": TODAY().isoformat(),
            "closes_on": (TODAY() + dt.timedelta(days=3)).isoformat(),
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    client.post(
        reverse("surveys:add_question", args=(survey.pk,)), {"kind": "text", "text": "意见"}
    )
    client.post(reverse("surveys:open", args=(survey.pk,)))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN and survey.questions.count() == 7
    sheet = client.get(reverse("surveys:codes", args=(survey.pk,)))
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    answer(survey, codes(survey)[0], 4)
    page = client.get(reverse("surveys:survey", args=(survey.pk,)))
    assert page.status_code == 200 and "33.33" in page.content.decode()
    assert marks(survey, 4)


def test_the_screens_refuse_outsiders(
    client, company_a_staff, committee_member, official, estate_x
):
    survey = opened(official, estate_x)
    client.force_login(company_a_staff)  # no such screen: Wagtail sends them to the dashboard
    assert client.get(reverse("surveys:index"))["Location"] == reverse("wagtailadmin_home")
    client.force_login(committee_member)  # sees the regulator's survey, may not print its codes
    assert client.get(reverse("surveys:survey", args=(survey.pk,))).status_code == 200
    assert client.get(reverse("surveys:codes", args=(survey.pk,))).status_code == 403
    assert client.post(reverse("surveys:close", args=(survey.pk,))).status_code == 403
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN


def test_the_list_query_count_does_not_grow_with_surveys(
    client, official, estate_x, django_assert_max_num_queries
):
    client.force_login(official)
    for count in (1, 8):
        while Survey.objects.count() < count:
            draft(official, estate_x, title=f"S{Survey.objects.count()}")
        with django_assert_max_num_queries(25):
            response = client.get(reverse("surveys:index"))
        assert len(response.context["object_list"]) == count


def test_the_sweep_is_on_the_beat_schedule(settings):
    from enterprises.tasks import close_due_surveys_task

    entry = settings.CELERY_BEAT_SCHEDULE["enterprises-close-due-surveys"]
    assert entry["task"] == close_due_surveys_task.name


def test_opinions_are_read_by_the_committee_only(client, official, committee_member, estate_x):
    collection = draft(committee_member, estate_x, kind=SurveyKind.OPINIONS, title="停车意见")
    question = surveys.add_question(collection, actor=committee_member, kind="text", text="意见")
    units(estate_x, 1)
    surveys.open_survey(collection, actor=committee_member)
    surveys.submit_answers(
        collection, code=codes(collection)[0], answers={question.pk: "MK-OPINION"}
    )
    url = reverse("surveys:survey", args=(collection.pk,))
    client.force_login(official)
    regulator = client.get(url)
    assert regulator.status_code == 200 and "MK-OPINION" not in regulator.content.decode()
    client.force_login(committee_member)
    assert "MK-OPINION" in client.get(url).content.decode()
