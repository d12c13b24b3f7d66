"""A phone complaint in a real browser (issue 17): a hotline operator registers the call,
picking the estate from the register as they type; the SMS backend receives the access code
the result page shows once; the caller opens the tracking page on a phone with it. Once the
case is resolved, the caller, who also filed on the web, recovers the lost code, signs in to
"my complaints" and rates the call (``tests/e2e/phone_follow_up.py``). Takes the README's
pictures: `README_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_phone_intake.py`.
"""

import os
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import expect

from cases.dispatch import dispatch_case, sign_dispatch
from cases.models import CaseStatus, Channel, Complaint
from cases.workflow import accept_case, resolve_case
from foundation.notifications import MemorySmsBackend
from foundation.roles import Role
from portal.intake.forms import estate_label
from tests.e2e.pages import log_in, t
from tests.e2e.phone_follow_up import follow_by_phone
from tests.e2e.test_tracking_phone import phone_390, shoot
from tests.factories import make_complaint, make_user

README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")
CALLER = {"phone": "13912340000", "name": "王女士"}
WORDS = "来电反映：3号楼电梯停运两天，家中老人无法下楼，物业电话无人接听。"


def test_a_hotline_operator_registers_a_call_whose_caller_tracks_it_and_rates(
    open_page, site_pages, estate_x, official, inspector, settings, tmp_path
):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    operator = make_user("hotline", Role.INTAKE_CLERK)
    operator.last_name, operator.first_name = "吴", "佳怡"
    operator.save(update_fields=["last_name", "first_name"])

    desk = open_page(phone=False)
    log_in(desk, operator, next_url=reverse("intake:register"))
    form = desk.locator("#intake-form")
    form.locator("select[name=channel]").select_option(Channel.HOTLINE.value)
    form.locator("input[name=channel_reference]").fill("12345-20261205-0042")
    form.locator("input[name=contact_phone]").fill("0571-87654321")
    expect(desk.locator("#intake-sms-note")).to_be_visible()  # a landline: no SMS
    form.locator("input[name=contact_phone]").fill(CALLER["phone"])
    expect(desk.locator("#intake-sms-note")).to_be_hidden()
    form.locator("input[name=contact_name]").fill(CALLER["name"])
    estate = form.locator("input[name=estate_name]")
    estate.fill(estate_x.name[:2])
    expect(desk.locator("#intake-estates option")).to_have_count(1)
    estate.fill(estate_label(estate_x))
    expect(form.locator("input[name=estate]")).to_have_value(str(estate_x.pk))
    form.locator("select[name=category]").select_option("facilities")
    form.locator("textarea[name=description]").fill(WORDS)
    desk.screenshot(path=folder / "intake-form.png", full_page=True)
    form.get_by_role("button", name=t("Register the complaint")).click()

    number = desk.locator("#intake-tracking-number")
    expect(number).to_be_visible()
    tracking_number, code = number.inner_text(), desk.locator("#intake-access-code").inner_text()
    complaint = Complaint.objects.get(tracking_number=tracking_number)
    assert (complaint.tracking_number, complaint.estate, complaint.registered_by) == (
        tracking_number,
        estate_x,
        operator,
    )
    desk.screenshot(path=folder / "intake-registered.png", full_page=True)
    [(phone, sms)] = MemorySmsBackend.outbox
    assert phone == CALLER["phone"] and tracking_number in sms and code in sms
    desk.reload()  # shown once
    expect(desk.locator("#intake-form")).to_be_visible()
    assert code not in desk.content()

    caller = phone_390(open_page)
    caller.goto(f"{site_pages['tracking'].url}?n={tracking_number}")  # as the SMS links it
    caller.locator("input[name=tracking_number]").fill(tracking_number)
    caller.locator("input[name=access_code]").fill(code)
    caller.get_by_role("button", name=t("Show my case")).click()
    expect(caller.locator("#case-status")).to_have_text(t(CaseStatus.SUBMITTED.label))
    shoot(caller, folder, "intake-tracking-phone.png")

    # The call is handled; the caller, who had also filed on the web, lost the code.
    web = make_complaint(estate=estate_x, phone=CALLER["phone"], description="3号楼垃圾未清运。")
    accept_case(complaint, actor=official)
    dispatch_case(complaint, actor=official, inspector=inspector)
    sign_dispatch(complaint.dispatches.get(), actor=inspector)
    resolve_case(complaint, actor=inspector, reply="经核查，电梯已于当日修复并恢复运行。")
    follow_by_phone(
        open_page,
        site_pages,
        folder,
        phone_number=CALLER["phone"],
        web=web,
        call=complaint,
        old_code=code,
    )
