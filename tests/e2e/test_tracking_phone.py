"""The tracking page on a 390 px phone (issue 24): the tracking number in the heading stays on
one line, and after an unsatisfied rating the citizen reads their rating, what happens next
and that the earlier reply is not the final answer. Takes the README's pictures of both
states: `README_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_tracking_phone.py`."""

import os
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from cases.dispatch import dispatch_case, sign_dispatch
from cases.models import CaseStatus, Satisfaction
from cases.workflow import accept_case, resolve_case
from portal.site.tracking_forms import TrackingForm
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.pages import assert_fits_the_screen, field, t
from tests.factories import make_complaint

README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")
PHONE_390 = {"width": 390, "height": 844}
REPLY = "经核查，物业已联系电梯维保单位更换3号楼电梯主板，电梯已恢复运行，并加强日常巡检。"
COMMENT = "电梯第二天又坏了，问题没有解决。"

# Height of the number's span against its line height: one line, whatever the font.
_ONE_LINE = """(el) => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
    const rects = el.getClientRects();
    return {height: el.getBoundingClientRect().height, line, boxes: rects.length,
            right: el.getBoundingClientRect().right, width: document.documentElement.clientWidth};
}"""


def phone_390(open_page) -> Page:
    context = open_page.browser.new_context(
        base_url=open_page.base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE_390,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(TIMEOUT_MS)
    open_page.contexts.append(context)  # closed and screenshotted with the others
    return context.new_page()


def check_number_on_one_line(page: Page, number: str) -> None:
    span = page.locator("h1 .tracking-number")
    expect(span).to_have_text(number)
    box = span.evaluate(_ONE_LINE)
    assert box["boxes"] == 1, box
    assert box["height"] <= box["line"] * 1.2, box
    assert box["right"] <= box["width"], box


def shoot(page: Page, folder: Path, name: str) -> None:
    path = folder / name
    page.screenshot(path=path, full_page=True)
    with Image.open(path) as image:
        assert image.width == PHONE_390["width"] * 2
        assert image.height > image.width


def test_readme_screenshots_of_tracking_resolved_and_reopened_at_390_px(
    open_page, site_pages, estate_x, official, inspector, tmp_path
):
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    receipt = make_complaint(estate=estate_x, description="3号楼电梯停运三天，老人无法下楼。")
    complaint = accept_case(receipt.complaint, actor=official)
    dispatch_case(complaint, actor=official, inspector=inspector)
    sign_dispatch(complaint.dispatches.get(), actor=inspector)
    resolve_case(complaint, actor=inspector, reply=REPLY)

    phone = phone_390(open_page)
    phone.goto(site_pages["tracking"].url)
    number_field = field(t(TrackingForm.base_fields["tracking_number"].label))
    phone.get_by_label(number_field).fill(receipt.tracking_number)
    phone.get_by_label(field(t(TrackingForm.base_fields["access_code"].label))).fill(
        receipt.access_code
    )
    phone.get_by_role("button", name=t("Show my case")).click()
    expect(phone.locator("#case-status")).to_have_text(t(CaseStatus.RESOLVED.label))
    check_number_on_one_line(phone, receipt.tracking_number)
    expect(phone.locator("#reply-heading")).to_have_text(t("Reply"))
    assert_fits_the_screen(phone)
    shoot(phone, folder, "tracking-resolved-phone.png")

    rating = phone.get_by_role("region", name=t("Rate how your complaint was handled"))
    rating.get_by_label(t(Satisfaction.UNSATISFIED.label), exact=True).check()
    rating.get_by_label(t("Comment (optional)")).fill(COMMENT)
    rating.get_by_role("button", name=t("Send my rating")).click()

    expect(phone.locator("#case-status")).to_have_text(t(CaseStatus.REOPENED.label))
    expect(phone.locator("#rating-satisfaction")).to_contain_text(t(Satisfaction.UNSATISFIED.label))
    expect(phone.locator("#rating-comment")).to_have_text(COMMENT)
    expect(phone.get_by_role("region", name=t("What happens next"))).to_be_visible()
    expect(phone.locator("#reply-heading")).to_have_text(t("Earlier reply"))
    expect(phone.locator("#public-reply")).to_contain_text(REPLY)
    check_number_on_one_line(phone, receipt.tracking_number)
    assert_fits_the_screen(phone)
    shoot(phone, folder, "tracking-reopened-phone.png")
