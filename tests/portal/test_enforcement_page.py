"""The enforcement results page (执法结果公示): published decisions only, newest first,
filterable by district, company and year, paginated, with a bounded number of queries."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from cases.models import EnforcementResult, PenaltyKind
from portal.models import CompanyDirectoryPage, EnforcementIndexPage
from tests.factories import CompanyFactory, EstateFactory, make_complaint

pytestmark = pytest.mark.django_db

URL = "/enforcement/"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """These tests are about the view: the public page cache (portal.site.page_cache) is off."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def pages(site_pages):
    home = site_pages["home"]
    enforcement = home.add_child(
        instance=EnforcementIndexPage(title="执法结果公示", slug="enforcement")
    )
    directory = home.add_child(instance=CompanyDirectoryPage(title="企业名录", slug="companies"))
    return {"enforcement": enforcement, "directory": directory}


def make_result(company, *, district=None, decided_on=None, published_at=None, **fields):
    decided_on = decided_on or dt.date(2026, 3, 1)
    return EnforcementResult.objects.create(
        decision_number=fields.pop("decision_number", f"青岚住建罚〔2026〕{next(_numbers):03d}号"),
        company=company,
        district=district or company.district,
        kind=fields.pop("kind", PenaltyKind.WARNING),
        violation=fields.pop("violation", "未公示物业服务收费标准。"),
        legal_basis=fields.pop("legal_basis", "《物业管理条例》第五十八条"),
        decision=fields.pop("decision", "警告，责令改正。"),
        decided_on=decided_on,
        published_at=published_at or timezone.now() - dt.timedelta(days=1),
        **fields,
    )


def zh(message: str, **values) -> str:
    """``message`` as the page shows it in Chinese, the default language, with its
    ``%(name)s`` placeholders filled from ``values``."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % values if values else text


def _get(url, **params):
    return Client().get(url, params)


def numbers_in(response) -> list[str]:
    return [row.decision_number for row in response.context["results"]]


def test_published_results_show_every_public_field_newest_first(pages, company_a, district_1):
    older = make_result(company_a, decided_on=dt.date(2025, 5, 2))
    newer = make_result(
        company_a,
        district=district_1,
        decided_on=dt.date(2026, 4, 3),
        kind=PenaltyKind.FINE,
        fine_amount=Decimal("30000"),
        violation="电梯停运11天未修复。",
        legal_basis="《青岚市物业管理条例》第五十八条",
        decision="处罚款人民币三万元。",
    )
    response = _get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert numbers_in(response) == [newer.decision_number, older.decision_number]
    for text in (
        "电梯停运11天未修复。",
        "《青岚市物业管理条例》第五十八条",
        "处罚款人民币三万元。",
    ):
        assert text in html
    assert zh("%(amount)s yuan", amount="30,000.00") in html
    assert "2026-04-03" in html and district_1.name in html
    assert f'href="/companies/{company_a.pk}/"' in html


def test_future_publication_is_not_shown_until_its_time(pages, company_a):
    shown = make_result(company_a)
    hidden = make_result(company_a, published_at=timezone.now() + dt.timedelta(hours=2))
    response = _get(URL)
    assert numbers_in(response) == [shown.decision_number]
    assert hidden.decision_number not in response.content.decode()


def test_complainants_personal_data_is_never_shown(pages, company_a, estate_x):
    receipt = make_complaint(estate=estate_x, phone="13912345678", description="楼上漏水")
    make_result(company_a)
    html = _get(URL).content.decode()
    assert "13912345678" not in html and "楼上漏水" not in html
    assert receipt.tracking_number not in html


def test_filters_by_district(pages, district_1, district_2, company_a):
    east = make_result(company_a, district=district_1)
    make_result(company_a, district=district_2)
    response = _get(URL, district=district_1.pk)
    assert numbers_in(response) == [east.decision_number]
    assert f'<option value="{district_1.pk}" selected>' in response.content.decode()


def test_filters_by_company(pages, company_a, company_b):
    ours = make_result(company_a)
    make_result(company_b)
    response = _get(URL, company=company_a.pk)
    assert numbers_in(response) == [ours.decision_number]


def test_filters_by_year_of_the_decision(pages, company_a):
    make_result(company_a, decided_on=dt.date(2025, 12, 31))
    this_year = make_result(company_a, decided_on=dt.date(2026, 1, 1))
    response = _get(URL, year=2026)
    assert numbers_in(response) == [this_year.decision_number]
    assert response.context["years"] == [2026, 2025]


def test_filters_combine(pages, company_a, company_b, district_1):
    match = make_result(company_a, district=district_1, decided_on=dt.date(2025, 6, 1))
    make_result(company_b, district=district_1, decided_on=dt.date(2025, 6, 1))
    make_result(company_a, district=district_1, decided_on=dt.date(2026, 6, 1))
    response = _get(URL, district=district_1.pk, company=company_a.pk, year=2025)
    assert numbers_in(response) == [match.decision_number]


@pytest.mark.parametrize(
    ("name", "value"),
    [("district", "abc"), ("district", "999999"), ("company", "x'; drop"), ("year", "1999")],
)
def test_a_value_not_in_the_list_is_ignored_and_the_visitor_told(pages, company_a, name, value):
    make_result(company_a)
    make_result(company_a)
    response = _get(URL, **{name: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert len(numbers_in(response)) == 2  # the filter was dropped, not applied
    assert 'id="ignored-filters"' in html
    told = zh(
        "“%(value)s” is not a %(label)s in the list, so that filter was ignored.",
        value=value,
        label=zh(name),
    )
    assert escape(told) in html


def test_twenty_results_a_page_with_links_keeping_the_filters(pages, company_a):
    for day in range(25):
        make_result(company_a, decided_on=dt.date(2026, 1, 1) + dt.timedelta(days=day))
    first = _get(URL, company=company_a.pk)
    assert len(numbers_in(first)) == 20
    assert f"?company={company_a.pk}&amp;page=2" in first.content.decode()
    second = _get(URL, company=company_a.pk, page=2)
    assert len(numbers_in(second)) == 5
    assert numbers_in(second)[-1].endswith("号")
    assert second.context["results"][4].decided_on == dt.date(2026, 1, 1)


@pytest.mark.parametrize("page", ["abc", "0", "99"])
def test_a_page_that_does_not_exist_shows_the_first_with_a_message(pages, company_a, page):
    make_result(company_a)
    response = _get(URL, page=page)
    assert response.status_code == 200
    assert len(numbers_in(response)) == 1
    told = zh("There is no page “%(page)s”; the first page is shown.", page=page)
    assert escape(told) in response.content.decode()


def test_no_results_says_so(pages):
    response = _get(URL)
    assert response.status_code == 200
    assert 'id="no-results"' in response.content.decode()


def test_query_count_does_not_grow_with_the_number_of_results(pages, django_assert_num_queries):
    companies = CompanyFactory.create_batch(3)
    for index in range(3):
        make_result(companies[index % 3])
    _get(URL)  # warms the per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as few:
        assert len(numbers_in(_get(URL))) == 3
    few_queries = len(few.captured_queries)  # now: the log is reset per request
    for index in range(27):
        make_result(companies[index % 3], decided_on=dt.date(2025, 1 + index % 12, 1))
    _get(URL)  # saving results refreshed the cached navigation (portal.site.page_cache generation)
    with django_assert_num_queries(few_queries):
        assert len(numbers_in(_get(URL))) == 20
    assert few_queries <= 16


def test_english_page_keeps_its_language_in_links(pages, company_a):
    make_result(company_a)
    response = _get("/en" + URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Published enforcement decisions, newest first" in html
    assert f'href="/en/companies/{company_a.pk}/"' in html


def test_demo_seed_is_deterministic_idempotent_and_shown(site_pages):
    from portal.demo.enforcement import PLAN, seed_enforcement

    for _ in range(5):
        EstateFactory()
    lines: list[str] = []
    seed_enforcement(lines.append)
    first = list(EnforcementResult.objects.values_list("decision_number", "company_id"))
    seed_enforcement(lines.append)
    assert sorted(EnforcementResult.objects.values_list("decision_number", "company_id")) == sorted(
        first
    )
    assert len(first) == len(PLAN) >= 15
    assert EnforcementIndexPage.objects.live().get().slug == "enforcement"
    assert CompanyDirectoryPage.objects.live().get().slug == "companies"
    response = _get(URL)
    assert response.context["results"].paginator.count == len(PLAN)
    assert "《物业管理条例》" in response.content.decode()
    assert lines[-1] == "enforcement results: already there, none added"
