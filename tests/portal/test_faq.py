"""The knowledge base (常见问题, portal.models.faq and portal.site.faq): pages reach the public
only through the officials' review, the site search and the index's search find them (by
keyword inside a Chinese sentence too), and the complaint form's "these answers may help"
endpoint offers up to three, bounded, rate limited, never a draft."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import TaskState

from foundation.roles import Role
from portal.models import FaqIndexPage, FaqPage
from portal.site.moderation import ensure_moderation
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIFT = ("电梯困人，物业多久必须到场？", "facilities", "电梯, 困人, 维保")
FEES = ("物业费涨价需要什么条件？", "fees", "物业费，涨价、调价")
WATER = ("水质发黄怎么办？", "facilities", "二次供水 水箱 水质")
FIRE = ("消防通道被占用找谁？", "public_order", "消防通道, 堆放")


@pytest.fixture
def faq_index(site_pages):
    return site_pages["home"].add_child(instance=FaqIndexPage(title="常见问题", slug="faq"))


@pytest.fixture
def make_faq(faq_index):
    def make(title, category, keywords, *, live=True, answer="<p>答复&amp;说明</p>"):
        page = FaqPage(title=title, category=category, keywords=keywords, answer=answer, live=live)
        return faq_index.add_child(instance=page)  # live as made: no revision needed here

    return make


@pytest.fixture
def faqs(make_faq):
    return [make_faq(*entry) for entry in (LIFT, FEES, WATER, FIRE)]


def suggest(client, typed, **extra):
    return client.get(reverse("faq_suggestions"), {"q": typed}, **extra)


def test_keywords_are_split_on_chinese_and_latin_separators(make_faq):
    page = make_faq(*FEES)
    assert page.keyword_list() == ["物业费", "涨价", "调价"]
    assert page.keyword_text() == "物业费 涨价 调价"
    assert page.answer_text() == "答复&说明"


def test_an_officials_new_question_is_public_only_once_approved(faq_index, official, client):
    ensure_moderation()
    second = make_user("second_official", Role.OFFICIAL, district=official.staff_profile.district)
    draft = FaqPage(title=LIFT[0], category="facilities", keywords="电梯", answer="<p>30分钟</p>")
    faq_index.add_child(instance=draft)
    draft.unpublish()
    draft.save_revision(user=official)
    draft.get_workflow().start(draft, official)
    assert Client().get(draft.url or "/faq/" + draft.slug + "/").status_code == 404
    assert suggest(Client(), "电梯坏了").json() == {"results": []}

    client.force_login(second)
    task_state = draft.current_workflow_task_state
    assert isinstance(task_state, TaskState)
    url = reverse("wagtailadmin_pages:workflow_action", args=[draft.pk, "approve", task_state.pk])
    client.post(url, {})

    draft.refresh_from_db()
    assert draft.live
    assert "30分钟" in Client().get(draft.url).content.decode()
    assert suggest(Client(), "电梯坏了").json()["results"][0]["title"] == LIFT[0]


def test_site_search_finds_a_question_by_its_keyword(faqs, site_pages):
    from portal.models import SearchPage

    search_page = site_pages["home"].add_child(instance=SearchPage(title="站内搜索", slug="s"))
    html = Client().get(search_page.url, {"q": "困人"}).content.decode()
    assert LIFT[0] in html and FEES[0] not in html


def test_the_index_lists_by_category_and_searches_inside_a_sentence(faqs, faq_index, make_faq):
    def listing() -> tuple[str, int]:
        cache.clear()  # both cold: the navigation and the page cache
        with CaptureQueriesContext(connection) as queries:
            html = Client().get(faq_index.url, {"category": ""}).content.decode()
        return html, len(queries)

    listed, few = listing()
    for number in range(4):
        make_faq(f"问题{number}", "other", "")
    assert listing()[1] == few <= 16  # one query for the questions, however many
    assert all(entry[0] in listed for entry in (LIFT, FEES, WATER, FIRE))
    # In the categories' order: public order, facilities, fees.
    assert listed.index(FIRE[0]) < listed.index(LIFT[0]) < listed.index(FEES[0])

    found = Client().get(faq_index.url, {"q": "我家水箱的水质很差"}).content.decode()
    assert WATER[0] in found and LIFT[0] not in found and FEES[0] not in found

    narrowed = Client().get(faq_index.url, {"q": "电梯 物业费", "category": "fees"})
    assert FEES[0] in narrowed.content.decode() and LIFT[0] not in narrowed.content.decode()


def test_suggestions_rank_by_keywords_and_stop_at_three(
    faqs, make_faq, django_assert_max_num_queries
):
    make_faq("电梯广告收益归谁？", "fees", "电梯广告, 公共收益")
    client = Client()
    typed = "电梯经常困人，物业费很贵，水箱也不清洗，电梯广告收益不公示"

    with django_assert_max_num_queries(8):
        results = suggest(client, typed).json()["results"]

    assert len(results) == 3
    assert results[0]["title"] == LIFT[0]  # two keywords: 电梯, 困人
    assert all(set(result) == {"title", "url"} for result in results)
    assert all(result["url"].startswith("/faq/") for result in results)


def test_drafts_are_never_suggested(make_faq):
    make_faq(*LIFT, live=False)
    assert suggest(Client(), "电梯困人").json() == {"results": []}


def test_bad_input_gets_an_empty_or_plain_answer_never_an_error(faqs):
    client = Client()
    for typed, expected in [
        ("", []),
        (" ", []),
        ("电", []),  # one character says nothing yet
        ("\x00电梯\x01困人", [LIFT[0]]),  # control characters dropped, not a 500
        ("电梯" * 5000, [LIFT[0]]),  # read up to its first 500 characters
        ('"消防通道" OR (堆放*', [FIRE[0]]),  # no search syntax
    ]:
        response = suggest(client, typed)
        assert response.status_code == 200, typed
        assert response["Content-Type"] == "application/json"
        assert "no-cache" in response["Cache-Control"]
        assert [result["title"] for result in response.json()["results"]] == expected, typed


def test_only_get_is_answered(db):
    assert Client().post(reverse("faq_suggestions"), {"q": "电梯"}).status_code == 405


def test_suggestions_are_rate_limited_per_address(db, settings):
    settings.FAQ_SUGGESTION_RATE_LIMIT = "2/m"
    client = Client()
    address = {"REMOTE_ADDR": "10.9.8.7"}
    assert [suggest(client, "电梯", **address).status_code for _ in range(3)] == [200, 200, 429]
    refused = suggest(client, "电梯", **address)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused.json()["results"] == []
    assert suggest(client, "电梯", REMOTE_ADDR="10.9.8.6").status_code == 200


def test_the_complaint_form_has_the_live_region_and_no_inline_script(site_pages):
    html = Client().get(site_pages["complaint"].url).content.decode()

    assert 'id="faq-suggestions" aria-live="polite"' in html
    assert f'data-url="{reverse("faq_suggestions")}"' in html
    assert "faq_suggestions.js" in html and "<script>" not in html  # no inline script (CSP)
