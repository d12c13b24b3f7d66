"""The site header on a 390 px phone (issue 24): the nine links fold into a menu that opens
without JavaScript, by touch or keyboard; a desktop shows them as one row. Every page has its
icon and nothing the browser asks for answers with an error."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import accessibility_problems
from tests.e2e.conftest import DESKTOP, TIMEOUT_MS
from tests.e2e.pages import EN, ZH, t
from tests.public_site import build_public_site

PHONE_390 = {"width": 390, "height": 844}
# The site's name and the language switcher on one row, the menu button below it: at most
# 120 px, about a seventh of the first screen (the nine links took a quarter).
HEADER_AT_MOST_PX = 120
NAV_LINKS = 8  # the home page's children in tests.public_site (the demo has nine)


@pytest.fixture
def public_site(site_pages, estate_x, company_a) -> dict[str, str]:
    return build_public_site(site_pages, estate_x, company_a)


def phone(open_page, *, javascript: bool = True, locale: str = "zh-CN") -> Page:
    """A 390 px phone (the issue's), as the shared fixture's people are made."""
    context = open_page.browser.new_context(
        base_url=open_page.base_url,
        locale=locale,
        timezone_id="Asia/Shanghai",
        viewport=PHONE_390,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(TIMEOUT_MS)
    open_page.contexts.append(context)  # closed and screenshotted with the others
    return context.new_page()


def watch_errors(page: Page) -> list[str]:
    """Every response of 400 or more and every console error, as they happen."""
    errors: list[str] = []
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    return errors


def menu(page: Page):
    return page.locator("details.site-menu")


def header_height(page: Page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


@pytest.mark.parametrize("language", [ZH, EN])
def test_on_a_phone_the_links_fold_into_a_menu_that_opens_and_leads_on(
    open_page, public_site, language
):
    page = phone(open_page, locale="zh-CN" if language == ZH else "en-GB")
    errors = watch_errors(page)
    prefix = "" if language == ZH else "/en"
    page.goto(prefix + public_site["home"])
    expect(page.locator("html")).to_have_attribute("lang", language)

    assert header_height(page) <= HEADER_AT_MOST_PX, header_height(page)
    main = page.get_by_role("navigation", name=t("Main", language))
    # Folded, and the row copy is display: none: no main navigation for anyone yet.
    expect(main).to_have_count(0)
    assert accessibility_problems(page) == []

    # By keyboard: the menu button is the next stop after the language switcher.
    button = page.locator("details.site-menu > summary")
    expect(button).to_have_text(t("Menu", language))
    page.get_by_role("navigation", name=t("Language", language)).get_by_role("link").last.focus()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu(page)).to_have_attribute("open", "")
    expect(main).to_have_count(1)
    links = main.get_by_role("link")
    expect(links).to_have_count(NAV_LINKS)
    expect(links.last).to_be_visible()
    assert accessibility_problems(page) == []

    notices = main.get_by_role("link", name="通知公告")
    notices.click()
    expect(page).to_have_url(f"{open_page.base_url}{prefix}{public_site['notice index']}")
    expect(menu(page)).not_to_have_attribute("open", "")  # a new page starts folded
    assert header_height(page) <= HEADER_AT_MOST_PX
    page.get_by_text(t("Menu", language), exact=True).click()
    expect(main.get_by_role("link", name="通知公告")).to_have_attribute("aria-current", "page")

    page.goto(prefix + public_site["notice"])
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert errors == []


def test_the_menu_opens_without_javascript(open_page, public_site):
    page = phone(open_page, javascript=False)
    page.goto(public_site["home"])
    main = page.get_by_role("navigation", name=t("Main"))
    expect(main).to_have_count(0)
    page.get_by_text(t("Menu"), exact=True).click()
    expect(main.get_by_role("link")).to_have_count(NAV_LINKS)
    main.get_by_role("link", name="服务标准").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("服务标准")


def test_a_desktop_shows_the_links_in_a_row_and_no_menu_button(open_page, public_site):
    page = open_page(phone=False)
    errors = watch_errors(page)
    page.goto(public_site["home"])
    assert page.viewport_size == DESKTOP
    expect(menu(page)).to_be_hidden()
    main = page.get_by_role("navigation", name=t("Main"))
    expect(main).to_have_count(1)
    expect(main.get_by_role("link")).to_have_count(NAV_LINKS)
    expect(main.get_by_role("link").last).to_be_visible()
    assert accessibility_problems(page) == []
    assert errors == []
