"""Notices (公告) and service standards (服务标准) as the public sees them: lists, detail pages,
linkable clauses, the versions a standard replaces, and drafts kept out of sight."""

import datetime as dt
import re

import pytest
import time_machine

from portal.demo.content import seed_content
from portal.models import NoticePage, StandardPage

pytestmark = pytest.mark.django_db

OLD, NEW = "residential-2023", "residential-2026"


@pytest.fixture
def content(site_pages, admin):
    pages = seed_content(site_pages["home"], admin)
    return {
        **pages,
        "old": StandardPage.objects.get(slug=OLD),
        "new": StandardPage.objects.get(slug=NEW),
    }


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_notice_index_lists_notices_newest_first_with_date_and_summary(client, content, prefix):
    html = text(client.get(f"{prefix}/notices/"))

    titles = re.findall(r'<h2><a href="[^"]+"(?: lang="zh-Hans")?>([^<]+)</a></h2>', html)
    assert titles == [
        "2026年第三季度物业服务企业信用评价结果公告",
        "关于做好秋冬季住宅小区消防安全工作的通知",
        "关于开展2026年度物业服务收费公示专项检查的通知",
    ]
    assert '<time datetime="2026-11-06">' in html
    assert "第三季度信用评价结果已公布" in html
    assert len(re.findall(r"<h1[ >]", html)) == 1


def test_english_page_is_in_english(client, content):
    html = text(client.get("/en/standards/residential-2026/"))

    assert "Contents" in html and "In force from" in html
    assert 'lang="en"' in html


def test_notice_page_shows_body_and_attachment_with_type_and_size(client, content):
    html = text(client.get("/notices/2026-fee-disclosure/"))

    assert "开展物业服务收费公示专项检查" in html
    assert '<time datetime="2026-09-08">' in html
    link = re.search(
        r'<a href="(/documents/\d+/2026-fee-disclosure[^"]*\.pdf)">专项检查工作方案</a>', html
    )
    assert link is not None
    assert re.search(r"\(PDF, [\d.]+\xa0[^)]+\)", html)
    assert client.get(link.group(1)).status_code == 200


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_standard_page_links_each_clause_from_its_table_of_contents(client, content, prefix):
    html = text(client.get(f"{prefix}/standards/{NEW}/"))

    toc = re.findall(r'<li><a href="#clause-([\d.]+)"(?: lang="zh-Hans")?>', html)
    anchors = re.findall(r'<section class="clause" id="clause-([\d.]+)">', html)
    permalinks = re.findall(r'<a class="permalink" href="#clause-([\d.]+)"', html)
    assert toc == anchors == permalinks
    assert toc[:3] == ["1.1", "1.2", "2.1"] and len(toc) == 10
    assert "设施设备维护：电梯维护" in html
    assert "困人故障30分钟内到达现场" in html
    assert "QL/WY 001—2026" in html
    assert '<time datetime="2026-07-01">' in html


def test_clause_anchor_keeps_dots_and_escapes_markup(client, content):
    standard = content["new"]
    standard.clauses = '[{"type": "clause", "value": {"number": "7.1\\"x", "text": "<p>t</p>"}}]'
    standard.save_revision().publish()

    html = text(client.get(f"/standards/{NEW}/"))

    assert 'id="clause-7.1&quot;x"' in html
    assert 'id="clause-7.1"x"' not in html


def test_newer_standard_links_the_one_it_replaces_and_back(client, content):
    new_html = text(client.get(f"/standards/{NEW}/"))
    old_html = text(client.get(f"/standards/{OLD}/"))

    assert re.search(rf'<a class="replaces" href="/standards/{OLD}/">', new_html)
    assert "replaced-by" not in new_html
    assert re.search(rf'<a class="replaced-by" href="/standards/{NEW}/">', old_html)
    assert 'class="replaces"' not in old_html


def test_unpublished_replacement_is_not_linked(client, content):
    content["new"].unpublish()

    old_html = text(client.get(f"/standards/{OLD}/"))

    assert "replaced-by" not in old_html


def test_standard_index_lists_standards_in_force_before_superseded_ones(client, content):
    html = text(client.get("/en/standards/"))

    in_force, superseded = html.split('id="superseded-heading"')
    assert f"/en/standards/{NEW}/" in in_force and f"/standards/{OLD}/" not in in_force
    assert f"/en/standards/{OLD}/" in superseded and f"/standards/{NEW}/" not in superseded
    assert "QL/WY 001—2023" in superseded
    assert '<time datetime="2026-06-30">' in superseded


def test_standard_still_in_force_until_its_end_date(client, content):
    with time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)):
        html = text(client.get("/standards/"))

    in_force, _superseded = html.split('id="superseded-heading"')
    assert f"/standards/{OLD}/" in in_force


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("/notices/", 8),
        ("/notices/2026-fee-disclosure/", 9),
        ("/standards/", 8),
        (f"/standards/{NEW}/", 11),
        (f"/en/standards/{OLD}/", 10),
    ],
)
def test_page_view_makes_a_bounded_number_of_queries(
    client, content, url, limit, django_assert_max_num_queries, settings
):
    """Measured with the public page cache off: the cost of a cache miss."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(url)  # warm the site-root cache, as any running server has
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_notice_index_queries_do_not_grow_with_the_notices(
    client, content, django_assert_max_num_queries, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    for day in range(1, 21):
        notice = NoticePage(
            title=f"通知{day}", slug=f"n{day}", date=dt.date(2026, 1, day), body="<p>x</p>"
        )
        content["notices"].add_child(instance=notice)
    client.get("/notices/")

    with django_assert_max_num_queries(8):
        html = text(client.get("/notices/"))

    assert html.count('class="notice-item"') == 23


def test_draft_notice_is_not_public(client, content):
    draft = NoticePage(
        title="尚未发布的通知", slug="draft", date=dt.date(2026, 11, 20), body="<p>草稿</p>"
    )
    content["notices"].add_child(instance=draft)
    draft.unpublish()

    assert client.get("/notices/draft/").status_code == 404
    assert "尚未发布的通知" not in text(client.get("/notices/"))


def test_unpublished_standard_is_not_public(client, content):
    content["old"].unpublish()

    assert client.get(f"/standards/{OLD}/").status_code == 404
    assert "QL/WY 001—2023" not in text(client.get("/standards/"))
    assert 'class="replaces"' not in text(client.get(f"/standards/{NEW}/"))


def test_seeding_content_twice_adds_nothing(site_pages, admin, content):
    before = NoticePage.objects.count(), StandardPage.objects.count()

    seed_content(site_pages["home"], admin)

    assert (NoticePage.objects.count(), StandardPage.objects.count()) == before == (3, 2)
    assert content["new"].replaces_id == content["old"].pk
