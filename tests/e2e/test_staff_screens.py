"""The staff sign-in page and the search screen in a browser at 1366 px (issue 24): the portal's
name and emblem instead of Wagtail's, every label in Chinese, an error banner that does not
cover the form; on the search screen the results first with the facets beside them, fields
that do not overlap, and short cells on one line.

`README_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_staff_screens.py` keeps the
screenshots there; otherwise they go to pytest's temporary folder."""

import os
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.models import Category
from tests.e2e.pages import field, log_in, t
from tests.factories import make_complaint

PORTAL = "Property Service Regulation Portal"
README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")


# Each short cell of the results with the number of lines its text takes.
_LINES_PER_CELL = """() => [
    ...document.querySelectorAll("#complaint-search-results td:not(.complaint-snippet)"),
].map((td) => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    return [td.innerText.trim(), tops.size];
})"""


def shot(people, page: Page, name: str) -> Path:
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else people.screenshot_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_sign_in_page_is_the_portals_in_chinese(open_page, official):
    page = open_page(phone=False)
    page.goto(reverse("wagtailadmin_login"))
    expect(page).to_have_title(f"{t('Sign in')} - {t(PORTAL)}")
    shot(open_page, page, "staff-sign-in")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(t(PORTAL))
    expect(heading).to_contain_text(t("Staff sign-in"))
    expect(page.get_by_label(field(t("Password")))).to_be_visible()
    text = page.locator("body").inner_text()
    assert "Wagtail" not in text and "Password" not in text
    assert page.locator(".icon-wagtail").count() == 0

    # A wrong password: the message sits between the heading and the form, over neither,
    # from the moment it shows (Wagtail slid it down from over the heading).
    page.locator("input[name=username]").fill(official.username)
    page.locator("input[name=password]").fill("wrong-password")
    page.get_by_role("button", name=t("Sign in")).click()
    banner = page.locator(".messages li.error").first
    expect(banner).to_be_visible()
    shot(open_page, page, "staff-sign-in-wrong-password")
    for other in ("input[name=username]", "input[name=password]", "h1"):
        assert not overlap(banner.bounding_box(), box(page, other)), other
    assert "Wagtail" not in page.locator("body").inner_text()


def test_the_search_screen_shows_results_first_and_facets_beside(
    open_page, admin, estate_x, estate_y, settings
):
    # The database answers: the live server indexes nothing, and the shared test node may
    # hold other tests' documents.
    settings.ELASTICSEARCH_URL = ""
    for estate, category in (
        (estate_x, Category.FACILITIES),
        (estate_x, Category.CLEANING),
        (estate_y, Category.FEES),
    ):
        make_complaint(estate=estate, category=category, description="电梯停运三天，无人维修")
    page = open_page(phone=False)
    log_in(page, admin, next_url=reverse("complaint_search"))
    page.goto(reverse("complaint_search"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Complaint search"))
    expect(page).to_have_title(f"{t('Complaint search')} - {t(PORTAL)}")
    expect(page.locator("#complaint-search-results tbody tr")).to_have_count(3)
    shot(open_page, page, "staff-complaint-search-1366")

    # Results on the left, facets in a column to their right, both starting near the top.
    results, facets = box(page, ".complaint-search-results"), box(page, "#complaint-facets")
    assert facets["x"] >= results["x"] + results["width"] - 1
    assert facets["y"] < results["y"] + results["height"]
    # The table fits its column: no sideways scrolling at this width.
    assert page.evaluate(
        "() => { const c = document.querySelector('.complaint-search-table');"
        " return c.scrollWidth <= c.clientWidth; }"
    )
    # The search fields do not cover each other.
    fields = [
        "#complaint-search-q",
        "#complaint-search-from",
        "#complaint-search-to",
        "#complaint-search-sort",
        "#complaint-search-form button[type=submit]",
    ]
    for i, a in enumerate(fields):
        for b in fields[i + 1 :]:
            assert not overlap(box(page, a), box(page, b)), (a, b)
    # Short cells (status, category, district, estate: up to five characters) on one line.
    lines = page.evaluate(_LINES_PER_CELL)
    wrapped = [text for text, count in lines if count > 1 and len(text) <= 5]
    assert not wrapped, wrapped


def test_the_admin_not_found_page_shows_the_portal(open_page, admin):
    page = open_page(phone=False)
    log_in(page, admin)
    response = page.goto("/admin/no-such-screen/")
    assert response.status == 404
    expect(page.locator(".portal-emblem")).to_be_visible()
    assert page.locator(".icon-wagtail").count() == 0
    assert "Wagtail" not in page.locator("body").inner_text()
    shot(open_page, page, "staff-not-found")
    page.get_by_role("link", name=t("Back to the staff home page")).click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/admin"))
