"""Every public page template in a real browser on a 360 px phone: axe-core's WCAG 2.1 AA
rules with zero violations, no sideways scrolling, a language switcher that leads to the same
page in the other language, and filing and tracking with JavaScript switched off."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, expect

from cases.clock import request_information
from cases.dispatch import dispatch_case, sign_dispatch
from cases.models import CaseStatus, Complaint
from cases.workflow import accept_case, resolve_case
from portal.site.complaint_forms import ComplaintForm
from portal.site.tracking_forms import TrackingForm
from tests.e2e.accessibility import accessibility_problems
from tests.e2e.conftest import PHONE, TIMEOUT_MS
from tests.e2e.pages import EN, ZH, assert_fits_the_screen, field, jpeg_file, t
from tests.factories import make_complaint
from tests.public_site import build_public_site

LANGUAGE_NAMES = {ZH: "简体中文", EN: "English"}
QUESTION = "请提供电梯停运的具体楼栋号。"
REPLY = "经核查，物业已修复3号楼电梯并加强日常巡检。"


# The site: one page of every type, with the records they show --------------------------------


@pytest.fixture
def public_site(site_pages, estate_x, company_a) -> dict[str, str]:
    """One live page of every type under the home page (tests.public_site)."""
    return build_public_site(site_pages, estate_x, company_a)


@pytest.fixture
def tracked_cases(site_pages, estate_x, official, inspector) -> dict:
    """Two receipts: a case waiting for the complainant's answer to a question, and a
    resolved case waiting for the complainant's rating."""
    asked = make_complaint(estate=estate_x)
    accept_case(asked.complaint, actor=official)
    request_information(asked.complaint, actor=official, question=QUESTION)
    resolved = make_complaint(estate=estate_x, description="小区路灯损坏一个月无人修理")
    accept_case(resolved.complaint, actor=official)
    dispatch_case(resolved.complaint, actor=official, inspector=inspector)
    sign_dispatch(resolved.complaint.dispatches.get(), actor=inspector)
    resolve_case(resolved.complaint, actor=inspector, reply=REPLY)
    return {"asked": asked, "resolved": resolved}


# Steps -----------------------------------------------------------------------------------------


def visit(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response and response.status)


def languages(page: Page, language: str = ZH):
    return page.get_by_role("navigation", name=t("Language", language))


def english_path(path: str) -> str:
    return f"/en{path}"


def audit(page: Page) -> list[str]:
    """What a citizen on a phone would stumble over here: axe-core's WCAG 2.1 AA violations
    and anything wider than the screen."""
    assert page.viewport_size == PHONE
    problems = accessibility_problems(page)
    try:
        assert_fits_the_screen(page)
    except AssertionError as too_wide:
        problems.append(f"- too wide: {too_wide}")
    return problems


def assert_no_problems(found: dict[str, list[str]]) -> None:
    """All pages audited first, then one failure listing every page's problems."""
    failing = {name: problems for name, problems in found.items() if problems}
    assert not failing, "\n".join(
        f"{name}:\n" + "\n".join(problems) for name, problems in failing.items()
    )


def switch_language(page: Page, to: str, path: str) -> None:
    """The header's link to ``to`` lands on ``path`` in that language."""
    here = ZH if to == EN else EN
    languages(page, here).get_by_role("link", name=LANGUAGE_NAMES[to]).click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", to)
    expect(languages(page, to).get_by_role("link", name=LANGUAGE_NAMES[to])).to_have_attribute(
        "aria-current", "true"
    )


def expect_switch_link(page: Page, to: str, path: str) -> None:
    """For a page only a POST shows: the switcher still points at this address in ``to``."""
    here = ZH if to == EN else EN
    link = languages(page, here).get_by_role("link", name=LANGUAGE_NAMES[to])
    expect(link).to_have_attribute("href", path)


def form_label(name: str, language: str = ZH) -> re.Pattern:
    if name == "files":  # the label names the limit (ComplaintForm.__init__)
        files = "Photos or PDF documents (optional, up to %(count)d)"
        return field(t(files, language, count=settings.COMPLAINT_MAX_FILES))
    return field(t(ComplaintForm.base_fields[name].label, language))


def fill_complaint(page: Page, estate, photo: str) -> None:
    page.get_by_label(form_label("category")).select_option("facilities")
    page.get_by_label(form_label("estate_name")).fill(estate.name)
    page.get_by_label(form_label("description")).fill("3号楼电梯停运三天，物业没有任何答复。")
    page.get_by_label(form_label("contact_phone")).fill("13812345678")
    page.get_by_label(form_label("files")).set_input_files(photo)


def submit_complaint(page: Page, language: str = ZH) -> None:
    page.get_by_role("button", name=t("Submit complaint", language)).click()


def look_up(page: Page, number: str, code: str) -> None:
    page.get_by_label(field(t(TrackingForm.base_fields["tracking_number"].label))).fill(number)
    page.get_by_label(field(t(TrackingForm.base_fields["access_code"].label))).fill(code)
    page.get_by_role("button", name=t("Show my case")).click()


# Pages anyone can open by address, each with something it must show --------------------------

ADDRESS_PAGES = {
    "home": "link:File a complaint online",
    "complaint form": "button:Submit complaint",
    "tracking look-up": "button:Show my case",
    "notice index": "link:关于开展2026年度物业服务检查的通知",
    "notice": "link:收费标准（2026年版）",
    "standard index": "link:住宅物业服务标准（2026版）",
    "standard": "link:住宅物业服务标准（2020版）",
    "enforcement results": "text:青物罚〔2026〕12号",
    "company directory": "link:{company}",
    "company": "text:WY-2026-0001",
    "search results": "link:住宅物业服务标准（2026版）",
    "statistics": "heading:统计数据",
    "open data": "heading:Open data: complaints",
}


def expect_shown(page: Page, what: str, company) -> None:
    kind, text = what.split(":", 1)
    text = text.format(company=company.name)
    if kind == "text":
        expect(page.get_by_text(text).first).to_be_visible()
    else:
        expect(page.get_by_role(kind, name=t(text)).first).to_be_visible()


def test_every_page_open_by_address_is_accessible_on_a_phone_in_both_languages(
    open_page, public_site, company_a
):
    phone = open_page()
    found = {}
    for name, what in ADDRESS_PAGES.items():
        path = public_site[name]
        visit(phone, path)
        expect(phone.locator("html")).to_have_attribute("lang", ZH)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        expect_shown(phone, what, company_a)
        found[f"{name} ({ZH})"] = audit(phone)

        switch_language(phone, EN, english_path(path))
        found[f"{name} ({EN})"] = audit(phone)
        expect_switch_link(phone, ZH, path)

    for path in ("/no-such-page/", english_path("/no-such-page/")):
        visit(phone, path, status=404)
        found[f"404 {path}"] = audit(phone)
    assert_no_problems(found)


# Pages that only a form shows ------------------------------------------------------------------


def test_complaint_form_errors_and_receipt_are_accessible(
    open_page, site_pages, estate_x, tmp_path
):
    path = site_pages["complaint"].url
    phone = open_page()
    found = {}
    for language, here, there in ((ZH, path, english_path(path)), (EN, english_path(path), path)):
        visit(phone, here)
        submit_complaint(phone, language)
        expect(phone.get_by_role("alert")).to_contain_text(
            t("Nothing was sent yet: please correct the following", language)
        )
        found[f"form with errors ({language})"] = audit(phone)
        expect_switch_link(phone, EN if language == ZH else ZH, there)
    assert not Complaint.objects.exists()  # nothing is stored from a form with errors

    visit(phone, path)
    fill_complaint(phone, estate_x, jpeg_file(tmp_path / "lift.jpg"))
    submit_complaint(phone)
    expect(phone.get_by_role("heading", name=t("Your complaint has been received"))).to_be_visible()
    found["receipt"] = audit(phone)
    expect_switch_link(phone, EN, english_path(f"{path}submitted/"))
    assert_no_problems(found)


def test_tracking_error_question_and_rating_pages_are_accessible(
    open_page, site_pages, tracked_cases
):
    path = site_pages["tracking"].url
    asked, resolved = tracked_cases["asked"], tracked_cases["resolved"]
    phone = open_page()
    found = {}
    visit(phone, path)
    look_up(phone, asked.tracking_number, "WRONG123")
    expect(phone.get_by_role("alert")).to_contain_text(
        t(
            "The tracking number or access code is wrong. "
            "Check both against your receipt and try again."
        )
    )
    found["look-up with the wrong-code error"] = audit(phone)
    expect_switch_link(phone, EN, english_path(path))

    look_up(phone, asked.tracking_number, asked.access_code)
    expect(phone.locator("#open-question")).to_have_text(QUESTION)
    expect(phone.locator("#timeline").get_by_role("listitem")).to_have_count(3)
    found[f"case with an open question ({ZH})"] = audit(phone)
    case_path = f"{path}case/?n={asked.tracking_number}"
    switch_language(phone, EN, english_path(case_path))
    found[f"case with an open question ({EN})"] = audit(phone)
    switch_language(phone, ZH, case_path)

    visit(phone, path)
    look_up(phone, resolved.tracking_number, resolved.access_code)
    expect(phone.locator("#case-status")).to_have_text(t(CaseStatus.RESOLVED.label))
    expect(
        phone.get_by_role("region", name=t("Rate how your complaint was handled"))
    ).to_be_visible()
    found["resolved case with the rating form"] = audit(phone)
    assert_no_problems(found)


# Without JavaScript ------------------------------------------------------------------------------


def test_filing_with_a_photo_and_tracking_work_without_javascript(
    open_page, site_pages, estate_x, tmp_path
):
    context = open_page.browser.new_context(
        base_url=open_page.base_url,
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        java_script_enabled=False,
    )
    context.set_default_timeout(TIMEOUT_MS)
    open_page.contexts.append(context)  # closed and screenshotted with the others
    phone = context.new_page()

    visit(phone, site_pages["complaint"].url)
    fill_complaint(phone, estate_x, jpeg_file(tmp_path / "lift.jpg"))
    submit_complaint(phone)
    expect(phone.get_by_role("heading", name=t("Your complaint has been received"))).to_be_visible()
    number = phone.locator("#tracking-number").inner_text().strip()
    code = phone.locator("#access-code").inner_text().strip()
    complaint = Complaint.objects.get(tracking_number=number)
    assert complaint.photos.count() == 1

    visit(phone, site_pages["tracking"].url)
    look_up(phone, number, code)
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        t("Your complaint %(number)s", number=number)
    )
    expect(phone.locator("#case-status")).to_have_text(t(CaseStatus.SUBMITTED.label))


# The README's pictures ---------------------------------------------------------------------------

# `README_SCREENSHOTS=docs/screenshots pytest tests/e2e -k readme` refreshes the README's pictures.
README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")


def test_readme_screenshots_of_home_form_and_tracking_at_phone_width(
    open_page, public_site, tracked_cases, tmp_path
):
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    resolved = tracked_cases["resolved"]
    phone = open_page()

    visit(phone, public_site["home"])
    expect(phone.get_by_role("link", name=t("File a complaint online"))).to_be_visible()
    shots = [folder / "home-phone.png"]
    phone.screenshot(path=shots[-1], full_page=True)
    phone.locator("details.site-menu > summary").click()  # the header's menu, opened
    expect(phone.get_by_role("navigation", name=t("Main")).get_by_role("link")).not_to_have_count(0)
    shots.append(folder / "home-phone-menu.png")
    phone.screenshot(path=shots[-1])

    visit(phone, public_site["complaint form"])
    expect(phone.get_by_role("button", name=t("Submit complaint"))).to_be_visible()
    shots.append(folder / "complaint-form-phone.png")
    phone.screenshot(path=shots[-1], full_page=True)

    visit(phone, public_site["tracking look-up"])
    look_up(phone, resolved.tracking_number, resolved.access_code)
    expect(phone.locator("#case-status")).to_have_text(t(CaseStatus.RESOLVED.label))
    shots.append(folder / "tracking-phone.png")
    phone.screenshot(path=shots[-1], full_page=True)

    for shot in shots:
        with Image.open(shot) as image:
            assert image.width == PHONE["width"] * 2  # a 360 px phone at device scale 2
            assert image.height > image.width  # the whole page, not only the first screen
            assert len(image.convert("L").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 16
