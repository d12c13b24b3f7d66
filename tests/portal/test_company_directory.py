"""The company directory (企业名录): the list with its search and district filter, and each
company's public record — licences, estates, credit grade and why, published disclosures,
enforcement history — never drafts, staff names or complainants' data."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from cases.models import EnforcementResult, PenaltyKind
from enterprises import credit, credit_score
from enterprises.disclosures import publish_disclosure, save_disclosure
from enterprises.models import Company, Disclosure, DisclosureKind, Licence, LicenceStatus
from portal.demo.files import pdf_bytes
from portal.models import CompanyDirectoryPage, EnforcementIndexPage
from tests.factories import CompanyFactory, EstateFactory, UserFactory, make_complaint

pytestmark = pytest.mark.django_db

URL = "/companies/"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """These tests are about the view: the public page cache (portal.site.page_cache) is off."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def pages(site_pages):
    home = site_pages["home"]
    directory = home.add_child(instance=CompanyDirectoryPage(title="企业名录", slug="companies"))
    enforcement = home.add_child(
        instance=EnforcementIndexPage(title="执法结果公示", slug="enforcement")
    )
    return {"directory": directory, "enforcement": enforcement}


def zh(message: str, **values) -> str:
    """``message`` as the page shows it in Chinese, the default language, with its
    ``%(name)s`` placeholders filled from ``values``."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % values if values else text


def get(url, **params):
    return Client().get(url, params)


def listed(response) -> list[str]:
    return [company.name for company in response.context["companies"]]


def licence(company, status, number, **fields) -> Licence:
    return Licence.objects.create(
        company=company,
        number=number,
        scope="住宅物业服务",
        status=status,
        valid_from=fields.pop("valid_from", dt.date(2024, 1, 1)),
        valid_until=fields.pop("valid_until", dt.date(2029, 1, 1)),
        **fields,
    )


def result(company, number, published_at=None) -> EnforcementResult:
    return EnforcementResult.objects.create(
        decision_number=number,
        company=company,
        district=company.district,
        kind=PenaltyKind.FINE,
        fine_amount=50000,
        violation="擅自改变物业管理用房用途。",
        legal_basis="《物业管理条例》第六十四条",
        decision="处罚款人民币五万元。",
        decided_on=dt.date(2026, 2, 1),
        published_at=published_at or timezone.now() - dt.timedelta(days=1),
    )


# The list ---------------------------------------------------------------------------------


def test_list_shows_name_code_district_grade_and_list_badges(pages, company_a, company_b):
    Company.objects.filter(pk=company_a.pk).update(credit_grade="AAA", credit_list="red")
    Company.objects.filter(pk=company_b.pk).update(credit_grade="C", credit_list="black")
    response = get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == sorted([company_a.name, company_b.name])  # by name
    assert company_a.credit_code in html and company_a.district.name in html
    assert f'href="/companies/{company_a.pk}/"' in html
    assert "badge--red" in html and "badge--black" in html
    assert "<caption" in html and 'role="region"' in html


def test_search_by_part_of_the_name_or_the_whole_credit_code(pages, company_a, company_b):
    Company.objects.filter(pk=company_a.pk).update(name="嘉禾物业服务有限公司")
    assert listed(get(URL, q="嘉禾")) == ["嘉禾物业服务有限公司"]
    assert listed(get(URL, q=company_b.credit_code)) == [company_b.name]
    assert listed(get(URL, q="没有这家公司")) == []


def test_filter_by_district(pages, company_a, company_b):
    response = get(URL, district=company_b.district_id)
    assert listed(response) == [company_b.name]


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_unknown_district_is_ignored_and_the_visitor_told(pages, company_a, company_b, value):
    response = get(URL, district=value)
    assert response.status_code == 200
    assert listed(response) == sorted([company_a.name, company_b.name])  # by name
    told = zh(
        "“%(value)s” is not a %(label)s in the list, so that filter was ignored.",
        value=value,
        label=zh("district"),
    )
    assert escape(told) in response.content.decode()


def test_list_is_paginated_by_twenty_keeping_the_search(pages):
    CompanyFactory.create_batch(23)
    first = get(URL, q="测试物业")
    assert len(listed(first)) == 20
    assert "?q=%E6%B5%8B%E8%AF%95%E7%89%A9%E4%B8%9A&amp;page=2" in first.content.decode()
    assert len(listed(get(URL, q="测试物业", page=2))) == 3
    missing = get(URL, page=7)
    assert len(listed(missing)) == 20
    told = zh("There is no page “%(page)s”; the first page is shown.", page="7")
    assert escape(told) in missing.content.decode()


def test_list_query_count_does_not_grow_with_the_number_of_companies(
    pages, django_assert_num_queries
):
    CompanyFactory.create_batch(3)
    get(URL)  # warms the per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(get(URL))) == 3
    few_queries = len(few.captured_queries)  # now: the log is reset per request
    CompanyFactory.create_batch(27)
    get(URL)  # as above: the same cache state for both counts
    with django_assert_num_queries(few_queries):
        assert len(listed(get(URL))) == 20
    assert few_queries <= 12


# The detail -------------------------------------------------------------------------------


def detail(company, prefix=""):
    return get(f"{prefix}{URL}{company.pk}/")


def test_unknown_company_is_a_404(pages):
    assert get(f"{URL}987654/").status_code == 404


def test_detail_shows_issued_licences_with_status_and_validity_not_applications(pages, company_a):
    official = UserFactory(username="sun", first_name="志红", last_name="孙")
    licence(company_a, LicenceStatus.APPROVED, "QL-2024-001", decided_by=official)
    licence(company_a, LicenceStatus.SUSPENDED, "QL-2023-007")
    licence(company_a, LicenceStatus.APPLIED, "")
    licence(company_a, LicenceStatus.REJECTED, "", decision_reason="材料不全，暗箱理由")
    response = detail(company_a, prefix="/en")  # English labels
    html = response.content.decode()
    assert response.status_code == 200
    numbers = [item.number for item in response.context["licences"]]
    assert numbers == ["QL-2023-007", "QL-2024-001"]  # same validity: the newest first
    assert "2029-01-01" in html and "Suspended" in html
    assert "Applied" not in html and "暗箱理由" not in html
    assert "志红" not in html and "sun" not in html


def test_detail_lists_managed_estates(pages, company_a, estate_x):
    EstateFactory(name="锦绣苑二期", managing_company=company_a)
    EstateFactory(name="别人家的小区")
    response = detail(company_a)
    names = [estate.name for estate in response.context["estates"]]
    assert names == sorted([estate_x.name, "锦绣苑二期"])
    assert "别人家的小区" not in response.content.decode()


def test_detail_explains_the_credit_grade_and_the_black_list(pages, company_a):
    today = timezone.localdate()
    for number in ("罚〔2026〕1号", "罚〔2026〕2号"):
        credit.record_penalty(
            company_a, source_key=f"penalty:{number}", label=number, occurred_on=today
        )
    credit_score.recompute_credit(company_a)
    html = detail(company_a, prefix="/en").content.decode()
    assert 'id="credit-grade">A<' in html  # 100 − 2 × 10 = 80
    assert "badge--black" in html
    assert "the black list starts at 2" in html
    assert "罚〔2026〕1号" in html and "-10" in html


def test_substantiated_complaint_records_do_not_reveal_the_case(pages, company_a, estate_x):
    receipt = make_complaint(estate=estate_x, phone="13912345678")
    credit.CreditRecord.objects.create(
        company=company_a,
        kind=credit.Kind.SUBSTANTIATED_COMPLAINT,
        points=-2,
        explanation=f"投诉 {receipt.tracking_number} 经查属实。",
        source_label=receipt.tracking_number,
        source_key=f"complaint:{receipt.complaint.pk}",
        occurred_on=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    credit_score.recompute_credit(company_a)
    html = detail(company_a).content.decode()
    assert zh("a complaint against the company was substantiated.") in html
    assert receipt.tracking_number not in html and "13912345678" not in html


def test_ungraded_company_says_so(pages, company_a):
    html = detail(company_a).content.decode()
    assert zh("The company has not been graded yet.") in html


def test_detail_shows_published_disclosures_with_attachment_never_drafts(
    pages, company_a, estate_x, company_a_staff
):
    pdf = SimpleUploadedFile("fees.pdf", pdf_bytes("Fees"), content_type="application/pdf")
    shown = save_disclosure(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        kind=DisclosureKind.FEES,
        period="2026",
        body="住宅物业费每月每平方米2.2元。",
        attachment=pdf,
    )
    publish_disclosure(shown, actor=company_a_staff)
    save_disclosure(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        kind=DisclosureKind.ACCOUNTS,
        period="2026",
        body="草稿：收支尚未核对。",
    )
    response = detail(company_a)
    html = response.content.decode()
    assert "住宅物业费每月每平方米2.2元。" in html
    assert "草稿：收支尚未核对。" not in html
    shown.refresh_from_db()
    download = f"{pages['directory'].url}{company_a.pk}/disclosures/{shown.pk}/attachment/"
    assert f'href="{download}"' in html
    assert shown.attachment.url not in html
    assert company_a_staff.username not in html
    served = Client().get(download)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == pdf_bytes("Fees")


def test_a_draft_disclosure_attachment_is_not_served(pages, company_a, estate_x, company_a_staff):
    pdf = SimpleUploadedFile("draft.pdf", pdf_bytes("Draft"), content_type="application/pdf")
    draft = save_disclosure(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        kind=DisclosureKind.FEES,
        period="2026",
        body="草稿",
        attachment=pdf,
    )
    base = f"{pages['directory'].url}{company_a.pk}/disclosures/"
    assert Client().get(f"{base}{draft.pk}/attachment/").status_code == 404
    assert Client().get(f"{base}{draft.pk + 100}/attachment/").status_code == 404


def test_detail_shows_published_enforcement_history_only(pages, company_a, company_b):
    result(company_a, "青岚住建罚〔2026〕001号")
    result(company_a, "青岚住建罚〔2026〕002号", published_at=timezone.now() + dt.timedelta(days=1))
    result(company_b, "青岚住建罚〔2026〕003号")
    html = detail(company_a).content.decode()
    assert "青岚住建罚〔2026〕001号" in html
    assert zh("%(amount)s yuan", amount="50,000.00") in html
    assert "002号" not in html and "003号" not in html
    assert f'href="/enforcement/?company={company_a.pk}"' in html


def test_detail_query_count_does_not_grow_with_the_records(
    pages, company_a, estate_x, django_assert_num_queries
):
    def add(count, start):
        for index in range(start, start + count):
            estate = EstateFactory(managing_company=company_a)
            licence(company_a, LicenceStatus.APPROVED, f"QL-{index:04d}")
            Disclosure.objects.create(
                company=company_a,
                estate=estate,
                kind=DisclosureKind.SERVICES,
                period="2026",
                body=f"服务内容{index}",
                published=True,
                published_at=timezone.now(),
            )
            result(company_a, f"青岚住建罚〔2026〕{index:03d}号")
            credit.record_penalty(
                company_a, source_key=f"penalty:{index}", label=f"P{index}", occurred_on=today
            )
        credit_score.recompute_credit(company_a)

    today = timezone.localdate()
    add(3, 0)
    detail(company_a)  # warms the per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as few:
        assert len(detail(company_a).context["licences"]) == 3
    few_queries = len(few.captured_queries)  # now: the log is reset per request
    add(27, 3)
    detail(company_a)  # saving results refreshed the cached navigation (page cache generation)
    with django_assert_num_queries(few_queries):
        response = detail(company_a)
    assert len(response.context["disclosures"]) == 30
    assert len(response.context["enforcement"]) == 30
    assert few_queries <= 20


def test_english_detail_and_list_render_with_english_links(pages, company_a):
    listing = get("/en" + URL)
    assert listing.status_code == 200
    assert '<html lang="en">' in listing.content.decode()
    assert f'href="/en/companies/{company_a.pk}/"' in listing.content.decode()
    page = detail(company_a, prefix="/en")
    assert page.status_code == 200
    assert "Enforcement history" in page.content.decode()
    assert 'href="/en/companies/"' in page.content.decode()
