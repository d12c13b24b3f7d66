"""The home page: how to complain and track, the latest notices and enforcement results, the
month's headline figures from cases.metrics, and the search box; plus the frame around it."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from cases import dispatch, workflow
from cases.models import Complaint
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)


def zh(message: str) -> str:
    """``message`` as the page shows it in Chinese, the default language."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def home(url: str = "/") -> str:
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(zh(label))}</dt><dd>([^<]*)</dd>", html)
    assert found, label
    return found.group(1)


def resolve(complaint, official, inspector, *, due: dt.datetime) -> None:
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    workflow.resolve_case(complaint, actor=official, reply="已处理")
    Complaint.objects.filter(pk=complaint.pk).update(resolve_due_at=due)


def test_the_home_page_links_to_filing_and_tracking(site_pages):
    html = home()
    assert f'href="{site_pages["complaint"].url}"' in html
    assert f'href="{site_pages["tracking"].url}"' in html
    assert zh("File a complaint online") in html and zh("Track a complaint") in html


def test_the_five_latest_live_notices_are_listed_newest_first(make_notice, notice_index):
    for day in range(1, 7):
        make_notice(f"第{day}号通知", dt.date(2026, 11, day))
    make_notice("草稿通知", dt.date(2026, 11, 30), live=False)
    html = home()
    shown = re.findall(r">(第\d号通知)</a>", html)
    assert shown == ["第6号通知", "第5号通知", "第4号通知", "第3号通知", "第2号通知"]
    assert "草稿通知" not in html
    assert f'href="{notice_index.url}"' in html


def test_only_published_enforcement_results_are_listed(make_result, enforcement_index, company_a):
    make_result("建罚〔2026〕1号", decided_on=dt.date(2026, 10, 1))
    make_result("建罚〔2026〕2号", published_at=timezone.now() + dt.timedelta(days=2))
    html = home()
    assert html.count(company_a.name) == 1
    assert '<time datetime="2026-10-01">' in html
    assert f'href="{enforcement_index.url}"' in html


def test_headline_figures_count_this_month_only(site_pages, estate_x, admin, inspector):
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        make_complaint(estate=estate_x)  # last month: not counted
    with time_machine.travel(NOW, tick=False):
        on_time = make_complaint(estate=estate_x).complaint
        late = make_complaint(estate=estate_x).complaint
        make_complaint(estate=estate_x)  # waiting for intake: counted, not judged yet
        resolve(on_time, admin, inspector, due=NOW + dt.timedelta(days=1))
        resolve(late, admin, inspector, due=NOW - dt.timedelta(days=1))
        workflow.record_follow_up(on_time, actor=None, satisfaction="satisfied")
        html = home()
    assert figure(html, "Complaints received") == "3"
    assert figure(html, "Resolved on time") == "50%"
    assert figure(html, "Satisfied citizens") == "100%"
    assert "2026-11" in html
    assert "13812345678" not in html and "已处理" not in html  # aggregates only


def test_a_rate_with_nothing_to_measure_shows_a_dash(site_pages):
    html = home()
    assert figure(html, "Complaints received") == "0"
    assert figure(html, "Resolved on time") == "—"
    assert figure(html, "Satisfied citizens") == "—"


def test_the_search_box_sends_a_get_to_the_search_page(search_page):
    html = home()
    form = re.search(
        r'<form class="search-form" role="search" method="get" action="([^"]+)">', html
    )
    assert form and form.group(1) == search_page.url
    assert 'name="q"' in html


def test_the_frame_has_landmarks_a_skip_link_and_the_live_children_in_the_navigation(
    site_pages, search_page
):
    site_pages["tracking"].unpublish()
    html = home()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html and "<footer" in html
    nav = re.search(r'<nav class="primary-nav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert site_pages["complaint"].title in nav and search_page.title in nav
    assert site_pages["tracking"].title not in nav


def test_the_language_switcher_is_plain_links_to_the_same_page(search_page):
    response = Client().get(search_page.url, {"q": "电梯"})
    html = response.content.decode()
    switch = re.search(r'<nav class="language-switch"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert "<form" not in switch and "<button" not in switch
    english = '<a href="/en/search/?q=%E7%94%B5%E6%A2%AF" lang="en" hreflang="en">English</a>'
    assert english in switch
    assert 'lang="zh-hans" hreflang="zh-hans" aria-current="true">简体中文</a>' in switch


def test_the_english_page_says_so_and_links_back_to_chinese(site_pages):
    html = home("/en/")
    assert '<html lang="en">' in html
    assert '<a href="/" lang="zh-hans" hreflang="zh-hans">简体中文</a>' in html
    assert 'hreflang="en" aria-current="true">English</a>' in html
