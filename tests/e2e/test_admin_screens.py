"""Every admin screen each role can reach, in a real browser at 1366 px: axe-core's serious and
critical WCAG 2.1 A/AA violations fail the test, as on the public site (issue 24).

The screens are derived from the admin menu the role sees (Wagtail's own ``admin_menu``, asked
for the signed-in user), plus the dashboard, the account page, the case page with every action
opened, and the first record each listing links to (a register's inspect page, a person): what
the role would click through. A page that answers with a file or an error is not audited.

The case page is also photographed for the README (``-k readme``, README_SCREENSHOTS).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

from cases import dispatch, notes, workflow
from tests.e2e.accessibility import axe_violations, describe
from tests.e2e.conftest import DESKTOP
from tests.e2e.pages import log_in, t
from tests.factories import make_complaint

BLOCKING = {"serious", "critical"}
# Links a listing offers that are not screens to audit: leaving, files, destructive confirmations.
SKIPPED = ("logout", "delete", "export", "download", "/attachments/", "/photos/", "/login/")
README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")


@pytest.fixture
def case_world(site_pages, estate_x, company_a, official, inspector, company_a_staff):
    """A case dispatched to the inspector and company A, with an internal note: every role
    of the estate has a case page to open; the inspector is named 赵建国."""
    inspector.first_name, inspector.last_name = "建国", "赵"
    inspector.save(update_fields=["first_name", "last_name"])
    official.first_name, official.last_name = "丽", "王"
    official.save(update_fields=["first_name", "last_name"])
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company_a)
    notes.add_internal_note(complaint, actor=inspector, text="已电话联系物业经理，约定明日到场")
    return complaint


def menu_urls(user) -> list[str]:
    """The admin addresses of the menu ``user`` sees, submenus unfolded."""
    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    found = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, SubmenuMenuItem):
                walk(item.menu.menu_items_for_request(request))
            elif item.url and str(item.url).startswith("/admin/"):
                found.append(str(item.url))

    walk(admin_menu.menu_items_for_request(request))
    return found


def wanted(url: str) -> bool:
    return url.startswith("/admin/") and "?" not in url and not any(s in url for s in SKIPPED)


def first_record(page: Page) -> str | None:
    """The first record a listing links to (an inspect or detail page), if any."""
    for link in page.locator("table.listing tbody a[href^='/admin/']").all()[:5]:
        href = link.get_attribute("href") or ""
        if wanted(href):
            return href
    return None


def whole_page(page: Page) -> None:
    """The admin scrolls inside its own container, and axe cannot judge the contrast of text
    scrolled out of sight: the window is made as tall as the page."""
    tallest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('*')].map((e) => e.scrollHeight))"
    )
    page.set_viewport_size({"width": DESKTOP["width"], "height": max(tallest, DESKTOP["height"])})


def audit(page: Page, url: str) -> tuple[list[str], str | None]:
    """The blocking axe violations of one screen, and the first record it lists."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    if response is None or response.status != 200:
        return [], None
    if "text/html" not in (response.headers.get("content-type") or ""):
        return [], None
    if urlsplit(page.url).path.startswith("/admin/login/"):
        return [f"- redirected to the login page from {url}"], None
    # Wagtail's scripts settle first (messages fade in): axe judges the page people read.
    page.wait_for_load_state("networkidle")
    # Every action on the case page opened, so its forms are audited too.
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    whole_page(page)
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING]
    found = describe(blocking)
    return (found.splitlines() if found else []), first_record(page)


# Screens already audited by an earlier role of this module: a screen's markup is its
# template's, whoever opens it, so each is audited once (the dashboard, the account page and
# the case page, whose content follows the role, every time). Saves minutes of CI.
AUDITED: set[str] = set()
PER_ROLE = {"/admin/", "/admin/account/"}


def audit_role(page: Page, user, extra: list[str]) -> dict[str, list[str]]:
    log_in(page, user)
    screens = ["/admin/", "/admin/account/", *extra, *menu_urls(user)]
    seen = AUDITED - PER_ROLE - set(extra)
    problems, records = {}, []
    for url in screens:
        if url in seen or not wanted(url):
            continue
        seen.add(url)
        problems[url], record = audit(page, url)
        if record and len(records) < 6:
            records.append(record)
    for url in records:
        if url not in seen:
            seen.add(url)
            problems[url], _record = audit(page, url)
    assert len(problems) >= 2, problems
    AUDITED.update(problems)
    return {url: found for url, found in problems.items() if found}


def assert_none(user, problems: dict[str, list[str]]) -> None:
    assert not problems, f"{user.username}: serious or critical axe violations\n" + "\n".join(
        f"{url}:\n" + "\n".join(found) for url, found in problems.items()
    )


ROLES = ["official", "inspector", "company_staff", "committee_member", "evaluator", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_screen_of_each_role_has_no_serious_axe_violation(
    open_page, case_world, committee_member, evaluator, admin, role, request
):
    users = {
        "company_staff": "company_a_staff",
        "admin": "admin",
    }
    user = request.getfixturevalue(users.get(role, role))
    case = reverse("cases_admin:case", args=[case_world.pk])
    extra = [case] if role != "evaluator" else []
    page = open_page(phone=False)
    assert_none(user, audit_role(page, user, extra))


def test_readme_screenshot_of_the_case_page_at_1366(open_page, case_world, official, tmp_path):
    """The case page is built for the work: summary, due dates and the next steps at the top,
    each action opened on demand, the timeline beside them."""
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    desk = open_page(phone=False)
    log_in(desk, official, next_url=reverse("cases_admin:case", args=[case_world.pk]))
    expect(desk.get_by_role("heading", level=1)).to_contain_text(case_world.tracking_number)

    steps = desk.locator("#case-actions")
    opener = steps.locator("summary").filter(has_text=t("Add an internal note"))
    note_form = desk.locator("#action-note")
    expect(note_form).to_be_hidden()  # opens on demand, not open at once
    assert steps.bounding_box()["y"] < DESKTOP["height"]  # the next steps on the first screen
    timeline = desk.locator("#case-timeline")
    summary = desk.locator("#case-status")
    assert timeline.bounding_box()["x"] > summary.bounding_box()["x"] + 400  # beside, not below
    assert timeline.bounding_box()["y"] < DESKTOP["height"]
    expect(desk.locator("#case-dispatches")).to_contain_text("赵建国")
    expect(timeline).to_contain_text("赵建国")

    opener.click()
    expect(note_form).to_be_visible()
    opener.click()
    height = desk.locator(".case-page").bounding_box()["height"]
    assert height < 2000, height  # no longer one 4,000 px column
    whole_page(desk)
    shot = folder / "case-page-admin.png"
    desk.screenshot(path=shot, full_page=True)
    with Image.open(shot) as image:
        assert image.width == DESKTOP["width"]
