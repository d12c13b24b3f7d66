"""What every public page says about itself (issue 24): its description, its icon, and the
language of each part (WCAG 3.1.2), checked on the HTML the server sends."""

import re

import pytest
from bs4 import BeautifulSoup, NavigableString
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils import translation

from portal.templatetags.public_page import (
    DESCRIPTIONS,
    bcp47,
    foreign_language,
    typed_language,
)
from tests.public_site import build_public_site

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
PAGE_TYPES = {
    "home": "HomePage",
    "complaint form": "ComplaintPage",
    "tracking look-up": "TrackingPage",
    "notice index": "NoticeIndexPage",
    "notice": "NoticePage",
    "standard index": "StandardIndexPage",
    "standard": "StandardPage",
    "enforcement results": "EnforcementIndexPage",
    "company directory": "CompanyDirectoryPage",
    "search results": "SearchPage",
    "statistics": "StatisticsPage",
}


@pytest.fixture
def public_site(site_pages, estate_x, company_a):
    return build_public_site(site_pages, estate_x, company_a)


def soup_of(client, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return BeautifulSoup(response.content.decode(), "html.parser")


def descriptions(soup: BeautifulSoup) -> list[str]:
    metas = soup.find_all("meta", attrs={"name": "description"})
    return [meta.get("content", "") for meta in metas]


def in_language(message, language: str) -> str:
    with translation.override(language):
        return str(message)


def language_of(node) -> str | None:
    """The ``lang`` of the nearest element around ``node`` that says one."""
    for element in node.parents:
        if element.name and element.has_attr("lang"):
            return element["lang"]
    return None


def parts_in_chinese_not_marked(soup: BeautifulSoup) -> list[str]:
    """Text in the page's body with Chinese characters whose nearest ``lang`` is not Chinese."""
    return [
        f"{node.strip()[:30]!r} in <{node.parent.name}> lang={language_of(node)}"
        for node in soup.body.find_all(string=CJK)
        if isinstance(node, NavigableString)
        and not (language_of(node) or "").lower().startswith("zh")
    ]


# Meta descriptions ------------------------------------------------------------------------


def test_every_public_page_has_one_description_of_its_type_in_both_languages(client, public_site):
    for name, path in public_site.items():
        for language, prefix in (("zh-hans", ""), ("en", "/en")):
            found = descriptions(soup_of(client, prefix + path))
            assert len(found) == 1 and found[0].strip(), (name, language, found)
            if name in PAGE_TYPES:
                expected = in_language(DESCRIPTIONS[PAGE_TYPES[name]], language)
                assert found == [expected], (name, language)


def test_an_editors_search_description_is_used_in_its_own_language_only(client, public_site):
    from portal.models import NoticePage

    notice = NoticePage.objects.get()
    notice.search_description = "2026年度物业服务检查的时间、范围和要求。"
    notice.save_revision().publish()

    assert descriptions(soup_of(client, public_site["notice"])) == [notice.search_description]
    # The English page is not in Chinese: its type's English description, not Chinese text.
    english = descriptions(soup_of(client, "/en" + public_site["notice"]))
    assert english == [in_language(DESCRIPTIONS["NoticePage"], "en")]


def test_every_page_type_has_a_description():
    from wagtail.models import get_page_models

    ours = {model.__name__ for model in get_page_models() if model.__module__.startswith("portal")}
    assert len(ours) >= 12
    assert ours <= set(DESCRIPTIONS), ours - set(DESCRIPTIONS)


# The icon ---------------------------------------------------------------------------------


def test_favicon_ico_redirects_to_an_icon_among_the_static_files(client, site_pages):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("portal/favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("portal/favicon.ico")
    with open(finders.find("portal/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # the ICO header
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_links_its_icon(client, public_site):
    for path in (public_site["home"], "/en" + public_site["notice"]):
        icons = soup_of(client, path).find_all("link", rel="icon")
        assert [icon["href"] for icon in icons] == [static("portal/favicon.svg")]
        assert finders.find("portal/favicon.svg")


# Language of parts ------------------------------------------------------------------------


def test_bcp47_spells_the_script_and_region():
    assert bcp47("zh-hans") == "zh-Hans"
    assert bcp47("zh-cn") == "zh-CN"
    assert bcp47("en") == "en"


@pytest.mark.parametrize("name", [*PAGE_TYPES, "company"])
def test_chinese_parts_of_english_pages_say_they_are_chinese(client, public_site, name):
    soup = soup_of(client, "/en" + public_site[name])
    assert soup.html["lang"] == "en"
    assert soup.body.find_all(string=CJK), "the page shows the editors' Chinese"
    assert parts_in_chinese_not_marked(soup) == []


def test_with_localisation_on_a_page_in_the_language_shown_is_not_marked(settings, site_pages, rf):
    from wagtail.models import Locale

    settings.WAGTAIL_I18N_ENABLED = True
    english = Locale.objects.create(language_code="en")
    page = site_pages["tracking"]
    request = rf.get("/en/track/")
    with translation.override("en"):
        assert foreign_language(page, request) == "zh-Hans"
        page.locale_id = english.pk
        assert foreign_language(page, request) is None
    with translation.override("zh-hans"):
        assert foreign_language(page, request) == "en"


def test_a_typed_query_is_marked_chinese_on_english_pages_and_escaped():
    with translation.override("en"):
        assert typed_language("电梯") == '<span lang="zh-Hans">电梯</span>'
        assert typed_language("lift") == "lift"
        marked = typed_language("<b>电梯</b>")
        assert marked == '<span lang="zh-Hans">&lt;b&gt;电梯&lt;/b&gt;</span>'
    with translation.override("zh-hans"):
        assert typed_language("<b>电梯</b>") == "&lt;b&gt;电梯&lt;/b&gt;"


def test_chinese_pages_mark_no_part_as_another_language(client, public_site):
    for name in ("home", "notice", "standard", "enforcement results"):
        soup = soup_of(client, public_site[name])
        assert soup.html["lang"] == "zh-hans"
        marked = {element["lang"] for element in soup.body.find_all(lang=True)}
        assert marked <= {"zh-hans", "en"}, (name, marked)  # only the language switcher's links


def test_the_menus_page_titles_say_their_language_on_english_pages(client, public_site):
    soup = soup_of(client, "/en/")
    for nav in soup.find_all("nav", class_="primary-nav"):
        links = nav.find_all("a")
        assert len(links) == 8  # the home page's children in tests.public_site
        assert {link.get("lang") for link in links} == {"zh-Hans"}
