"""The public page cache: a repeated anonymous view costs no query, a publish shows at once,
and nothing personal (signed-in views, the complaint form, the tracking page) is ever stored."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def queries_of(url: str, client: Client | None = None) -> tuple[int, str]:
    """(number of queries, page text) of one GET."""
    client = client or Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response.content.decode()


def test_the_second_anonymous_view_of_a_page_makes_no_query(site_pages, django_assert_num_queries):
    first = Client().get("/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = Client().get("/")
    assert second.status_code == 200
    assert second.content == first.content
    # The outer middlewares still dress the stored page: policy and language headers.
    assert "default-src 'self'" in second["Content-Security-Policy"]
    assert second["Content-Language"] == "zh-hans"


def test_each_language_is_stored_apart(site_pages):
    Client().get("/")
    queries, html = queries_of("/en/")
    assert queries > 0
    assert '<html lang="en">' in html
    assert queries_of("/")[1].count('<html lang="zh-hans">') == 1


def test_a_publish_shows_the_new_content_immediately(make_notice):
    draft = make_notice("电梯年检安排", dt.date(2026, 11, 20), live=False)
    assert "电梯年检安排" not in queries_of("/")[1]
    assert queries_of("/")[0] == 0  # cached without the draft

    draft.save_revision().publish()

    queries, html = queries_of("/")
    assert "电梯年检安排" in html
    assert queries > 0


def test_an_edit_of_the_home_page_replaces_the_stored_one(site_pages):
    assert "新的首页标题" not in queries_of("/")[1]
    home = site_pages["home"]
    home.title = "新的首页标题"
    home.save_revision().publish()
    assert "新的首页标题" in queries_of("/")[1]


def test_an_unpublished_page_disappears_at_once(make_notice):
    notice = make_notice("停水通知", dt.date(2026, 11, 20))
    assert "停水通知" in queries_of("/")[1]
    notice.unpublish()
    assert "停水通知" not in queries_of("/")[1]


def test_a_deleted_page_disappears_at_once(make_notice):
    notice = make_notice("停电通知", dt.date(2026, 11, 20))
    assert "停电通知" in queries_of("/")[1]
    notice.delete()
    assert "停电通知" not in queries_of("/")[1]


def test_a_new_enforcement_result_shows_at_once(site_pages, make_result, company_a):
    assert company_a.name not in queries_of("/")[1]
    make_result("建罚〔2026〕1号")
    assert company_a.name in queries_of("/")[1]


def test_signed_in_users_are_never_served_or_stored(site_pages, official):
    staff = Client()
    staff.force_login(official)
    staff.get("/")
    assert queries_of("/", staff)[0] > 0  # not served from the cache
    assert queries_of("/")[0] > 0  # and the staff's view was not stored for anyone


@pytest.mark.parametrize("page", ["complaint", "tracking"])
def test_the_complaint_and_tracking_pages_are_never_cached(site_pages, page):
    url = site_pages[page].url
    first = Client().get(url).content.decode()
    assert 'name="csrfmiddlewaretoken"' in first
    _, html = queries_of(url)
    # Rendered afresh for each visitor: a stored page would repeat the first one's CSRF token.
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(html).group(1) != token.search(first).group(1)


def test_a_request_with_a_query_string_is_not_cached(site_pages):
    Client().get("/?utm=1")
    assert queries_of("/?utm=1")[0] > 0


def test_caching_can_be_switched_off(site_pages, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    Client().get("/")
    assert queries_of("/")[0] > 0


def test_an_uncached_home_page_makes_a_bounded_number_of_queries(
    make_notice, make_result, search_page, enforcement_index, django_assert_max_num_queries
):
    make_notice("第一条通知", dt.date(2026, 11, 1))
    make_result("建罚〔2026〕1号")
    few = queries_of("/")[0]
    for day in range(2, 8):
        make_notice(f"通知{day}", dt.date(2026, 11, day))
        make_result(f"建罚〔2026〕{day}号")
    with django_assert_max_num_queries(20):
        assert Client().get("/").status_code == 200
    assert queries_of("/")[0] == 0  # and then cached
    from django.core.cache import cache

    cache.clear()
    assert queries_of("/")[0] == few  # more notices and results cost no more queries


def test_the_navigation_follows_a_publish_even_on_uncached_pages(site_pages):
    tracking = site_pages["tracking"].url
    assert "通知公告" not in queries_of(tracking)[1]
    from portal.models import NoticeIndexPage

    index = NoticeIndexPage(title="通知公告", slug="notices", live=False)
    site_pages["home"].add_child(instance=index)
    index.save_revision().publish()
    assert "通知公告" in queries_of(tracking)[1]
    index.refresh_from_db()  # publishing the revision updated another instance
    index.unpublish()
    assert "通知公告" not in queries_of(tracking)[1]
