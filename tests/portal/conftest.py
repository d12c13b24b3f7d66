"""Fixtures of the public site's pages beyond the home, complaint and tracking pages."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases.models import EnforcementResult, PenaltyKind
from portal.models import EnforcementIndexPage, NoticeIndexPage, NoticePage, SearchPage


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts and ends with an empty cache: cached pages and figures of one test
    must never answer another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def search_page(site_pages):
    return site_pages["home"].add_child(instance=SearchPage(title="站内搜索", slug="search"))


@pytest.fixture
def notice_index(site_pages):
    return site_pages["home"].add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))


@pytest.fixture
def enforcement_index(site_pages):
    return site_pages["home"].add_child(
        instance=EnforcementIndexPage(title="执法结果公示", slug="enforcement")
    )


@pytest.fixture
def make_notice(notice_index):
    """A published notice under the notice index (``live=False`` for a draft)."""

    def make(title: str, date: dt.date, *, body: str = "<p>通知正文</p>", live: bool = True):
        notice = NoticePage(title=title, date=date, body=body, summary=f"{title}的摘要", live=live)
        notice_index.add_child(instance=notice)
        if live:
            notice.save_revision().publish()
        return notice

    return make


@pytest.fixture
def make_result(company_a):
    """An enforcement result of company A, published now unless told otherwise."""

    def make(number: str, *, published_at=None, decided_on=None) -> EnforcementResult:
        return EnforcementResult.objects.create(
            decision_number=number,
            company=company_a,
            kind=PenaltyKind.WARNING,
            violation="未按规定公示收费项目",
            legal_basis="《物业管理条例》第四十条",
            decision="警告，责令限期改正",
            decided_on=decided_on or timezone.localdate(),
            published_at=published_at or timezone.now(),
        )

    return make
