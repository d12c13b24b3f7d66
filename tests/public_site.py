"""One live page of every public page type, with the records they show: shared by the browser
tests (tests/e2e/test_public_pages.py) and the server-side checks of every page's frame
(tests/portal/test_public_frame.py)."""

import datetime as dt
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.rich_text import RichText

from cases.models import EnforcementResult, PenaltyKind
from enterprises.credit_score import recompute_credit
from enterprises.models import Disclosure, DisclosureKind, Licence, LicenceStatus
from portal.demo.files import pdf_bytes
from portal.models import (
    CompanyDirectoryPage,
    EnforcementIndexPage,
    NoticeIndexPage,
    NoticePage,
    SearchPage,
    StandardIndexPage,
    StandardPage,
    StatisticsPage,
)

SEARCH_WORDS = "电梯"  # a whole clause heading: PostgreSQL does not split Chinese text


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def build_public_site(site_pages, estate_x, company_a) -> dict[str, str]:
    """One live page of every type under the home page, with the records they show; returns
    each page's path."""
    home = site_pages["home"]
    # A table flush (transactional_db) also removes the root collection migrations created.
    collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    document = get_document_model()(title="收费标准（2026年版）", collection=collection)
    document.file.save("fees-2026.pdf", ContentFile(pdf_bytes("Fees 2026")), save=True)

    notices = _publish(home, NoticeIndexPage(title="通知公告", slug="notices"))
    notice = _publish(
        notices,
        NoticePage(
            title="关于开展2026年度物业服务检查的通知",
            slug="inspection-2026",
            date=dt.date(2026, 11, 2),
            summary="全市物业服务项目年度检查安排。",
            body="<p>各物业服务企业：现将年度检查安排通知如下。</p>",
            attachments=[("document", document)],
        ),
    )
    standards = _publish(home, StandardIndexPage(title="服务标准", slug="standards"))
    old = _publish(
        standards,
        StandardPage(
            title="住宅物业服务标准（2020版）",
            slug="residential-2020",
            code="QL/WY 001—2020",
            effective_from=dt.date(2020, 1, 1),
            effective_until=dt.date(2026, 6, 30),
            clauses=[
                ("clause", {"number": "1", "heading": "范围", "text": RichText("<p>住宅。</p>")})
            ],
        ),
    )
    standard = _publish(
        standards,
        StandardPage(
            title="住宅物业服务标准（2026版）",
            slug="residential-2026",
            code="QL/WY 001—2026",
            effective_from=dt.date(2026, 7, 1),
            replaces=old,
            summary="电梯、保洁、安保的服务要求。",
            clauses=[
                (
                    "clause",
                    {
                        "number": "4.1",
                        "heading": "电梯",
                        "text": RichText("<p>电梯故障2小时内到场。</p>"),
                    },
                ),
                (
                    "clause",
                    {
                        "number": "4.2",
                        "heading": "保洁",
                        "text": RichText("<p>公共区域每日清扫。</p>"),
                    },
                ),
            ],
            attachments=[("document", document)],
        ),
    )
    enforcement = _publish(home, EnforcementIndexPage(title="执法结果公示", slug="enforcement"))
    directory = _publish(home, CompanyDirectoryPage(title="企业名录", slug="companies"))
    search = _publish(home, SearchPage(title="站内搜索", slug="search"))
    statistics = _publish(home, StatisticsPage(title="统计数据", slug="statistics"))

    EnforcementResult.objects.create(
        decision_number="青物罚〔2026〕12号",
        company=company_a,
        district=company_a.district,
        kind=PenaltyKind.FINE,
        fine_amount=20000,
        violation="未按规定公示收费项目和标准",
        legal_basis="《物业管理条例》第四十条",
        decision="罚款人民币贰万元，责令限期改正",
        decided_on=dt.date(2026, 10, 20),
        published_at=timezone.now(),
    )
    Licence.objects.create(
        company=company_a,
        number="WY-2026-0001",
        scope="住宅物业服务",
        status=LicenceStatus.APPROVED,
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2028, 12, 31),
    )
    Disclosure.objects.create(
        company=company_a,
        estate=estate_x,
        kind=DisclosureKind.FEES,
        period="2026-Q3",
        body="物业费每月每平方米2.1元。",
        published=True,
        published_at=timezone.now(),
    )
    recompute_credit(company_a)

    return {
        "home": "/",
        "complaint form": site_pages["complaint"].url,
        "tracking look-up": site_pages["tracking"].url,
        "notice index": notices.url,
        "notice": notice.url,
        "standard index": standards.url,
        "standard": standard.url,
        "enforcement results": enforcement.url,
        "company directory": directory.url,
        "company": f"{directory.url}{company_a.pk}/",
        "search results": f"{search.url}?q={quote(SEARCH_WORDS)}",
        "statistics": statistics.url,
        "open data": "/open-data/",
    }
