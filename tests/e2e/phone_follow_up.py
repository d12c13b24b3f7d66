"""What a caller does after their call (issue 17), on a 390 px phone: with a web complaint and
a call registered by staff on the same phone, they recover a lost access code by SMS on the
tracking page, open the case with it, sign in to "my complaints" with a one-time SMS code, see
both complaints and rate the resolved call. ``tests/e2e/test_phone_intake.py`` runs it right
after an operator registers the call; README pictures:
`README_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_phone_intake.py`."""

import re

from playwright.sync_api import expect

from cases.models import CaseStatus, Channel, Satisfaction
from foundation.notifications import MemorySmsBackend
from tests.e2e.pages import assert_fits_the_screen, field, t
from tests.e2e.test_tracking_phone import phone_390, shoot


def last_sms_code(phone_number: str, pattern: str) -> str:
    phone, text = MemorySmsBackend.outbox[-1]
    assert phone == phone_number
    return re.search(pattern, text).group(1)


def follow_by_phone(open_page, site_pages, folder, *, phone_number, web, call, old_code):
    """The caller of ``call`` (resolved) lost ``old_code``; ``web`` was filed on the web."""
    MemorySmsBackend.outbox.clear()
    spaced = f"{phone_number[:3]} {phone_number[3:7]} {phone_number[7:]}"
    masked = f"{phone_number[:3]}****{phone_number[7:]}"

    # The caller lost the code they were read on the phone: a new one by SMS.
    phone = phone_390(open_page)
    phone.goto(site_pages["tracking"].url)
    phone.locator("#recover-link").click()
    phone.get_by_label(field(t("Tracking number"))).fill(call.tracking_number)
    phone.get_by_label(field(t("Mobile phone number"))).fill(spaced)
    assert_fits_the_screen(phone)
    shoot(phone, folder, "my-complaints-recover-code.png")
    phone.get_by_role("button", name=t("Send me a new code")).click()
    expect(phone.locator(".message--success")).to_contain_text(call.tracking_number)
    code = last_sms_code(phone_number, r" ([2-9A-Z]{8})\b")
    assert code != old_code

    # The new code opens the case.
    phone.get_by_label(field(t("Access code"))).fill(code)
    phone.get_by_role("button", name=t("Show my case")).click()
    expect(phone.locator("#case-status")).to_have_text(t(CaseStatus.RESOLVED.label))

    # My complaints: the phone number, then the code sent to it.
    phone.goto(site_pages["tracking"].url)
    phone.locator("#my-complaints-link").click()
    phone.get_by_label(field(t("Mobile phone number"))).fill(phone_number)
    phone.get_by_role("button", name=t("Send me a code")).click()
    expect(phone.locator("#code-sent")).to_contain_text(masked)
    phone.get_by_label(field(t("Code from the SMS"))).fill(last_sms_code(phone_number, r"^(\d{6})"))
    phone.get_by_role("button", name=t("Sign in")).click()

    listed = phone.locator("#my-complaints > li")
    expect(listed).to_have_count(2)
    web_item = phone.locator(f"#complaint-{web.tracking_number}")
    call_item = phone.locator(f"#complaint-{call.tracking_number}")
    expect(web_item.locator(".complaint-channel")).to_have_text(t(Channel.WEB.label))
    expect(web_item.locator(".complaint-status")).to_have_text(t(CaseStatus.SUBMITTED.label))
    expect(web_item.locator(".complaint-due")).to_be_visible()
    expect(call_item.locator(".complaint-channel")).to_have_text(t(Channel.HOTLINE.label))
    expect(call_item.locator(".complaint-status")).to_have_text(t(CaseStatus.RESOLVED.label))
    assert_fits_the_screen(phone)
    shoot(phone, folder, "my-complaints-list.png")

    call_item.get_by_label(t(Satisfaction.SATISFIED.label), exact=True).check()
    call_item.get_by_label(t("Comment (optional)")).fill("问题已经解决，谢谢。")
    call_item.get_by_role("button", name=t("Send my rating")).click()
    expect(phone.locator(".message--success")).to_contain_text(call.tracking_number)
    call_item = phone.locator(f"#complaint-{call.tracking_number}")
    expect(call_item.locator(".complaint-rating")).to_have_text(t(Satisfaction.SATISFIED.label))
    expect(call_item.locator(".complaint-status")).to_have_text(t(CaseStatus.FOLLOWED_UP.label))
    assert_fits_the_screen(phone)
    shoot(phone, folder, "my-complaints-rated.png")

    phone.get_by_role("button", name=t("Sign out")).click()
    expect(phone.get_by_label(field(t("Mobile phone number")))).to_be_visible()
