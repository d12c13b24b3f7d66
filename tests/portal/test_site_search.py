"""Site search: Wagtail's search over live, public pages only, paginated, the query echoed
escaped, and an empty query showing the form alone."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


def zh(message: str, plural: str | None = None, count: int = 1, **values) -> str:
    """``message`` (or its ``plural`` for ``count``) as the page shows it in Chinese, the
    default language, with its ``%(name)s`` placeholders filled from ``values``."""
    with translation.override("zh-hans"):
        if plural is None:
            text = translation.gettext(message)
        else:
            text = translation.ngettext(message, plural, count)
    return text % values if values else text


def search(page, query: str | None = None, **params) -> str:
    if query is not None:
        params["q"] = query
    response = Client().get(page.url, params)
    assert response.status_code == 200
    return response.content.decode()


def results(html: str) -> list[str]:
    listed = re.search(r'<ol class="results"[^>]*>(.*?)</ol>', html, re.S)
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', listed.group(1)) if listed else []


def test_a_query_finds_live_pages_by_their_text(search_page, make_notice):
    make_notice("电梯维保通知", dt.date(2026, 11, 1), body="<p>小区电梯年度检验安排</p>")
    make_notice("绿化通知", dt.date(2026, 11, 2), body="<p>秋季修剪</p>")
    html = search(search_page, "电梯维保通知")
    assert results(html) == ["电梯维保通知"]
    found = zh(
        "%(counter)s result for “%(query)s”",
        "%(counter)s results for “%(query)s”",
        1,
        counter=1,
        query="电梯维保通知",
    )
    assert found in html


def test_drafts_and_unpublished_pages_are_never_found(search_page, make_notice):
    make_notice("草稿公告", dt.date(2026, 11, 1), live=False)
    withdrawn = make_notice("撤回公告", dt.date(2026, 11, 2))
    withdrawn.unpublish()
    assert results(search(search_page, "草稿公告")) == []
    assert results(search(search_page, "撤回公告")) == []
    assert zh("Nothing was found. Try other or fewer words.") in search(search_page, "撤回公告")


def test_the_query_is_echoed_escaped(search_page):
    html = search(search_page, '<script>alert("x")</script>')
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_an_empty_query_shows_the_form_only(search_page):
    for query in (None, "   "):
        html = search(search_page, query)
        assert 'name="q"' in html
        assert "search-results" not in html


def test_results_are_paginated(search_page, make_notice):
    for day in range(1, 13):
        make_notice(f"供暖通知 {day}", dt.date(2026, 11, day))
    first = search(search_page, "供暖通知")
    second = search(search_page, "供暖通知", p=2)
    assert len(results(first)) == 10 and len(results(second)) == 2
    assert set(results(first)).isdisjoint(results(second))
    assert "?q=%E4%BE%9B%E6%9A%96%E9%80%9A%E7%9F%A5&amp;p=2" in first
    assert len(results(search(search_page, "供暖通知", p="abc"))) == 10
    assert len(results(search(search_page, "供暖通知", p=99))) == 2
