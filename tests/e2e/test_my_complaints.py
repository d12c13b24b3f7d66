"""A caller follows every complaint filed with their phone (issue 17), on a 390 px phone: a
web complaint and a hotline call registered by staff; the caller recovers a lost access code
by SMS on the tracking page, opens the case with it, signs in to "my complaints" with a
one-time SMS code, sees both complaints and rates the resolved one. Takes the README's pictures:
`README_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_my_complaints.py`."""

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from cases.dispatch import dispatch_case, sign_dispatch
from cases.models import CaseStatus, Category, Channel, Satisfaction
from cases.services import submit_complaint
from cases.workflow import accept_case, resolve_case
from foundation.notifications import MemorySmsBackend
from tests.e2e.pages import assert_fits_the_screen, field, t
from tests.e2e.test_tracking_phone import phone_390, shoot
from tests.factories import make_complaint

README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")
PHONE = "13812345678"
REPLY = "经核查，物业已修复3号楼门口路灯，并加强夜间巡查。"


def last_sms_code(pattern: str) -> str:
    phone, text = MemorySmsBackend.outbox[-1]
    assert phone == PHONE
    return re.search(pattern, text).group(1)


def test_a_caller_recovers_a_code_signs_in_by_phone_and_rates(
    open_page, site_pages, estate_x, official, inspector, settings, tmp_path
):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    web = make_complaint(estate=estate_x, phone=PHONE, description="3号楼电梯停运三天。")
    hotline = submit_complaint(
        actor=None,
        category=Category.PUBLIC_ORDER,
        description="来电反映：3号楼门口路灯不亮，夜间出行不便。",
        contact_phone=PHONE,
        estate=estate_x,
        estate_name=estate_x.name,
        channel=Channel.HOTLINE,
        channel_reference="12345-20261205-0042",
        registered_by=official,
    )
    complaint = accept_case(hotline.complaint, actor=official)
    dispatch_case(complaint, actor=official, inspector=inspector)
    sign_dispatch(complaint.dispatches.get(), actor=inspector)
    resolve_case(complaint, actor=inspector, reply=REPLY)
    MemorySmsBackend.outbox.clear()

    # The caller lost the code they were read on the phone: a new one by SMS.
    phone = phone_390(open_page)
    phone.goto(site_pages["tracking"].url)
    phone.locator("#recover-link").click()
    phone.get_by_label(field(t("Tracking number"))).fill(hotline.tracking_number)
    phone.get_by_label(field(t("Mobile phone number"))).fill("138 1234 5678")
    assert_fits_the_screen(phone)
    shoot(phone, folder, "my-complaints-recover-code.png")
    phone.get_by_role("button", name=t("Send me a new code")).click()
    expect(phone.locator(".message--success")).to_contain_text(hotline.tracking_number)
    code = last_sms_code(r" ([2-9A-Z]{8})\b")
    assert code != hotline.access_code

    # The old code no longer opens the case; the new one does.
    phone.get_by_label(field(t("Access code"))).fill(code)
    phone.get_by_role("button", name=t("Show my case")).click()
    expect(phone.locator("#case-status")).to_have_text(t(CaseStatus.RESOLVED.label))

    # My complaints: the phone number, then the code sent to it.
    phone.goto(site_pages["tracking"].url)
    phone.locator("#my-complaints-link").click()
    phone.get_by_label(field(t("Mobile phone number"))).fill(PHONE)
    phone.get_by_role("button", name=t("Send me a code")).click()
    expect(phone.locator("#code-sent")).to_contain_text("138****5678")
    phone.get_by_label(field(t("Code from the SMS"))).fill(last_sms_code(r"^(\d{6})"))
    phone.get_by_role("button", name=t("Sign in")).click()

    listed = phone.locator("#my-complaints > li")
    expect(listed).to_have_count(2)
    web_item = phone.locator(f"#complaint-{web.tracking_number}")
    call_item = phone.locator(f"#complaint-{hotline.tracking_number}")
    expect(web_item.locator(".complaint-channel")).to_have_text(t(Channel.WEB.label))
    expect(web_item.locator(".complaint-status")).to_have_text(t(CaseStatus.SUBMITTED.label))
    expect(web_item.locator(".complaint-due")).to_be_visible()
    expect(call_item.locator(".complaint-channel")).to_have_text(t(Channel.HOTLINE.label))
    expect(call_item.locator(".complaint-status")).to_have_text(t(CaseStatus.RESOLVED.label))
    assert_fits_the_screen(phone)
    shoot(phone, folder, "my-complaints-list.png")

    call_item.get_by_label(t(Satisfaction.SATISFIED.label), exact=True).check()
    call_item.get_by_label(t("Comment (optional)")).fill("路灯已经修好，谢谢。")
    call_item.get_by_role("button", name=t("Send my rating")).click()
    expect(phone.locator(".message--success")).to_contain_text(hotline.tracking_number)
    call_item = phone.locator(f"#complaint-{hotline.tracking_number}")
    expect(call_item.locator(".complaint-rating")).to_have_text(t(Satisfaction.SATISFIED.label))
    expect(call_item.locator(".complaint-status")).to_have_text(t(CaseStatus.FOLLOWED_UP.label))
    assert_fits_the_screen(phone)
    shoot(phone, folder, "my-complaints-rated.png")

    phone.get_by_role("button", name=t("Sign out")).click()
    expect(phone.get_by_label(field(t("Mobile phone number")))).to_be_visible()
