"""The owners' survey pages (portal.site.survey_answers) and what the public pages of a company
and an estate show of surveys and third-party evaluations (issues 19 and 20): the code form,
the QR link, one answer per household, wrong codes refused and rate-limited; closed surveys
with their response rate, evaluations of qualified organisations only, never a person."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from enterprises import access, surveys
from enterprises.models import (
    Evaluation,
    EvaluatorKind,
    SurveyKind,
    SurveyResponse,
)
from portal.demo.files import pdf_bytes
from portal.models import CompanyDirectoryPage
from tests.enterprises.survey_helpers import answer, codes, draft, opened
from tests.factories import make_evaluation, make_evaluation_organisation, make_user

pytestmark = pytest.mark.django_db

ENTRY = "/surveys/"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def survey(official, estate_x):
    return opened(official, estate_x, unit_count=3)


def zh(message: str, **values) -> str:
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % values if values else text


def _answers(survey, mark="4") -> dict:
    return {f"q{q.pk}": mark for q in survey.questions.all()}


# Answering on a phone -------------------------------------------------------------------------


def test_an_owner_answers_with_the_code_from_the_slip(survey, site_pages):
    client = Client()
    code = codes(survey)[0]
    shown = client.post(ENTRY, {"code": surveys.grouped(code).lower()})
    assert shown.status_code == 200 and 'name="viewport"' in shown.content.decode()
    assert len(shown.context["form"].fields) == 6
    assert "no-store" in shown["Cache-Control"]
    done = client.post(f"/surveys/{survey.pk}/", {"code": code, **_answers(survey)})
    assert done.status_code == 200 and 'id="survey-done"' in done.content.decode()
    again = client.post(f"/surveys/{survey.pk}/", {"code": code, **_answers(survey, "1")})
    assert again.status_code == 400
    assert zh(str(surveys.USED_CODE)) in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_the_qr_link_opens_the_questions_in_english_too(survey, site_pages):
    code = codes(survey)[1]
    page = Client().get(f"/en/surveys/{survey.pk}/", {"code": code})
    assert page.status_code == 200
    assert "How satisfied are you with: cleaning?" in page.content.decode()


def test_a_code_of_another_survey_or_a_missing_answer_is_refused(
    survey, official, estate_x, site_pages
):
    other = opened(official, estate_x, unit_count=0, title="另一份")
    client = Client()
    wrong = client.get(f"/surveys/{other.pk}/", {"code": codes(survey)[0]})
    assert wrong.status_code == 400
    missing = client.post(f"/surveys/{survey.pk}/", {"code": codes(survey)[0]})
    assert missing.status_code == 400 and missing.context["form"].errors
    assert not SurveyResponse.objects.exists()


def test_wrong_codes_are_rate_limited_per_address(survey, settings, site_pages):
    settings.SURVEY_CODE_RATE_LIMIT = "2/h"
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(2):
        assert client.post(ENTRY, {"code": "2222-3333-4444"}).status_code == 400
    limited = client.post(ENTRY, {"code": codes(survey)[0]})  # right, but too late
    assert limited.status_code == 429
    assert not SurveyResponse.objects.exists()


# Published results ----------------------------------------------------------------------------


@pytest.fixture
def directory(site_pages):
    home = site_pages["home"]
    return home.add_child(instance=CompanyDirectoryPage(title="企业名录", slug="companies"))


def test_the_company_and_estate_pages_publish_closed_surveys_and_qualified_evaluations(
    directory, official, committee_member, estate_x, company_a, django_assert_max_num_queries
):
    counted = opened(official, estate_x, unit_count=4, title="满意度-已计入")
    for code in codes(counted)[:2]:
        answer(counted, code, 5)
    surveys.close_survey(counted, actor=official)
    low = opened(official, estate_x, unit_count=0, title="满意度-未计入")
    surveys.close_survey(low, actor=official)  # nobody answered: 0 %
    opened(official, estate_x, unit_count=0, title="满意度-进行中")
    opinions = draft(committee_member, estate_x, kind=SurveyKind.OPINIONS, title="意见-不公开")
    surveys.add_question(opinions, actor=committee_member, kind="text", text="意见")

    evaluator = make_user("ev-pub", None)
    access.grant_evaluator(evaluator, make_evaluation_organisation())
    published = make_evaluation(estate_x, evaluator, score=91, period="2026-H1")
    published.report.save("r.pdf", SimpleUploadedFile("r.pdf", pdf_bytes("report")), save=True)
    lapsed = make_user("ev-lapsed", None)
    old = timezone.localdate() - dt.timedelta(days=400)
    expired = make_evaluation_organisation(
        "过期机构", "91330100MA0000002X", qualified_from=old, qualified_until=old + dt.timedelta(30)
    )
    access.grant_evaluator(lapsed, expired)
    make_evaluation(estate_x, lapsed, score=33, period="2026-Q1")
    make_evaluation(
        estate_x, committee_member, kind=EvaluatorKind.OWNERS_COMMITTEE, score=44, period="2026-Q2"
    )

    for url in (f"/companies/{company_a.pk}/", f"/companies/estates/{estate_x.pk}/"):
        with django_assert_max_num_queries(30):
            body = Client().get(url).content.decode()
        assert "满意度-已计入" in body and "50.00%" in body
        assert "满意度-未计入" in body and body.count('class="survey-not-counted"') == 1
        results = body.split('id="surveys-heading"')[1]  # an open survey is no result
        assert "满意度-进行中" not in results and "意见-不公开" not in body
        assert "青岚评估有限公司" in body and "2026-H1" in body
        assert "过期机构" not in body and "2026-Q1" not in body and "2026-Q2" not in body
        assert "ev-pub" not in body and evaluator.email not in body
    estate_page = Client().get(f"/companies/estates/{estate_x.pk}/").content.decode()
    assert 'id="open-surveys"' in estate_page and 'href="/surveys/"' in estate_page
    company_page = Client().get(f"/companies/{company_a.pk}/").content.decode()
    assert f"/companies/estates/{estate_x.pk}/" in company_page
    report = Client().get(f"/companies/{company_a.pk}/evaluations/{published.pk}/report/")
    assert report.status_code == 200
    committee_evaluation = Evaluation.objects.get(period="2026-Q2")
    gone = Client().get(f"/companies/{company_a.pk}/evaluations/{committee_evaluation.pk}/report/")
    assert gone.status_code == 404
    assert Client().get("/companies/estates/987654/").status_code == 404


def test_the_estate_page_query_count_does_not_grow_with_surveys(
    directory, official, estate_x, django_assert_max_num_queries
):
    for index in range(5):
        survey = opened(official, estate_x, unit_count=1 if index == 0 else 0, title=f"S{index}")
        surveys.close_survey(survey, actor=official)
    with django_assert_max_num_queries(13):
        response = Client().get(f"/companies/estates/{estate_x.pk}/")
    assert response.status_code == 200 and response.content.decode().count("survey-result") == 5
