"""Handling that corrects itself, in a real browser (issue 18).

1. An urgent phone call: the hotline operator registers it (lifts, tier urgent) under a
   mistyped estate the register does not know, so nobody but the caller is texted; an
   administrator re-triages it to the estate of the register on the case page, and the on-duty
   official and the company are texted at once; the official dispatches it to
   the company, the company returns it with a reason from the list, the official overrules
   the return; the company signs and handles it; the official resolves it with a reply
   template, edited before sending; the caller reads the resolution on a 390 px phone.
2. A consultation: a citizen typing a question on the complaint form is offered a published
   answer ("these answers may help") and still files it; the official takes it as a
   consultation and answers it from the knowledge base without dispatch; the tracking page
   shows the answer.
3. A case outside the regulator's remit: the official transfers it to an agency of the
   register on the case page; the citizen's tracking page on a phone says where it went.

What is not the point (signing, the company's answer, its review) goes through the services;
staff arrive signed in by session cookie to keep the test within its time budget.
"""

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.dispatch import review_answer, sign_dispatch, submit_answer
from cases.models import (
    Agency,
    CaseStatus,
    Channel,
    Complaint,
    DispatchStatus,
    DutyAssignment,
    ReplyAction,
    ReplyTemplate,
    ReturnReason,
    RulingStatus,
    Tier,
)
from cases.workflow import accept_case
from foundation.notifications import MemorySmsBackend
from foundation.roles import Role
from portal.models import FaqIndexPage, FaqPage
from tests.e2e.pages import assert_fits_the_screen, field, t
from tests.e2e.test_complaint_loop import case_action, expect_message, expect_status
from tests.e2e.test_self_inspection import signed_in
from tests.e2e.test_tracking_phone import phone_390, shoot
from tests.factories import make_complaint, make_user

CALLER = "13912340000"
DUTY_PHONE = "13600002222"
COMPANY_PHONE = "13700001111"
MISTYPED = "东湖花圆小区"  # as the caller said it: not a name of the register
WORDS = "来电反映：3号楼电梯困人，老人被困轿厢内，物业电话无人接听。"
RETURN_REASON = "该楼电梯由开发商维保，不属于我司合同范围。"
OVERRULE_NOTE = "电梯属共用设施设备，由你司负责管理，请立即处置。"
COMPANY_ANSWER = "已派维保人员到场救出被困人员，并更换故障门机板。"
EDIT = "如再次发生困人，请拨打轿厢内救援电话。"
QUESTION = "请问电梯困人后，物业多久必须到场救援？想咨询一下规定。"
FAQ_ANSWER = "物业须在30分钟内到场救援。"


def track(phone, site_pages, number: str, code: str) -> None:
    phone.goto(f"{site_pages['tracking'].url}?n={number}")
    phone.get_by_label(field(t("Tracking number"))).fill(number)
    phone.get_by_label(field(t("Access code"))).fill(code)
    phone.get_by_role("button", name=t("Show my case")).click()


def test_an_urgent_call_is_returned_overruled_and_resolved_with_a_template(
    open_page, site_pages, estate_x, company_a, company_a_staff, official, admin, settings, tmp_path
):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    company_a.contact_phone = COMPANY_PHONE
    company_a.save(update_fields=["contact_phone"])
    today = timezone.localdate()
    DutyAssignment.objects.create(
        district=estate_x.district, official=official, starts_on=today, ends_on=today,
        phone=DUTY_PHONE,
    )  # fmt: skip
    template = ReplyTemplate.objects.create(
        action=ReplyAction.RESOLUTION, category="facilities", title="电梯故障已修复",
        text_zh="您反映的{estate}电梯问题（{tracking_number}）已处理完毕。",
        text_en="The lift problem at {estate} ({tracking_number}) has been dealt with.",
    )  # fmt: skip
    operator = make_user("hotline", Role.INTAKE_CLERK)

    # The hotline operator registers the call as urgent.
    intake = signed_in(open_page, operator, reverse("intake:register"), phone=False)
    form = intake.locator("#intake-form")
    form.locator("select[name=channel]").select_option(Channel.HOTLINE.value)
    form.locator("input[name=contact_phone]").fill(CALLER)
    form.locator("input[name=estate_name]").fill(MISTYPED)  # no estate of the register
    expect(form.locator("input[name=estate]")).to_have_value("")
    form.locator("select[name=category]").select_option("facilities")
    form.locator("select[name=tier]").select_option(Tier.URGENT.value)
    form.locator("textarea[name=description]").fill(WORDS)
    form.get_by_role("button", name=t("Register the complaint")).click()
    number = intake.locator("#intake-tracking-number")
    expect(number).to_be_visible()
    tracking_number, code = number.inner_text(), intake.locator("#intake-access-code").inner_text()
    complaint = Complaint.objects.get(tracking_number=tracking_number)
    assert (complaint.tier, complaint.estate, complaint.company) == (Tier.URGENT, None, None)
    assert [phone for phone, _text in MemorySmsBackend.outbox] == [CALLER]  # nobody to alert
    assert code in MemorySmsBackend.outbox[0][1]

    # An administrator re-triages it to the estate of the register: the estate's district and
    # company follow, and the urgent alerts go to the duty phone and the company at once.
    case_url = reverse("cases_admin:case", args=[complaint.pk])
    chief = signed_in(open_page, admin, case_url, phone=False)
    retriage = case_action(chief, "Re-triage")
    retriage.get_by_label(field(t("Estate of the register"))).fill(
        f"{estate_x.name}（{estate_x.district.name}）"
    )
    retriage.get_by_label(field(t("Reason"))).fill("来电所报小区名称有误，经核实为本小区。")
    retriage.get_by_role("button", name=t("Re-triage"), exact=True).click()
    expect_message(chief, "Case re-triaged.")
    complaint.refresh_from_db()
    assert (complaint.estate, complaint.district, complaint.company) == (
        estate_x, estate_x.district, company_a,
    )  # fmt: skip
    texts = dict(MemorySmsBackend.outbox)
    assert set(texts) == {CALLER, DUTY_PHONE, COMPANY_PHONE}, MemorySmsBackend.outbox
    for alerted in (DUTY_PHONE, COMPANY_PHONE):
        assert tracking_number in texts[alerted] and CALLER not in texts[alerted]

    accept_case(complaint, actor=official, tier=Tier.URGENT)
    alerts = [phone for phone, _text in MemorySmsBackend.outbox if phone != CALLER]
    assert sorted(alerts) == [DUTY_PHONE, COMPANY_PHONE]  # once per recipient and case

    # The official dispatches it to the company.
    desk = signed_in(open_page, official, case_url, phone=False)
    send = case_action(desk, "Dispatch")
    expect(send.get_by_label(t("Send to %(company)s", company=company_a.name))).to_be_checked()
    send.get_by_role("button", name=t("Dispatch"), exact=True).click()
    expect_message(desk, "Case dispatched.")
    expect_status(desk, CaseStatus.ASSIGNED)

    # The company returns it, citing a reason from the list.
    company = signed_in(open_page, company_a_staff, case_url, phone=False)
    own_row = company.get_by_role("row").filter(has_text=company_a.name)
    back = case_action(own_row, "Return the case")
    back.get_by_label(field(t("Reason for returning"))).select_option(
        ReturnReason.NOT_IN_CONTRACT.value
    )
    back.get_by_label(field(t("Explanation"))).fill(RETURN_REASON)
    back.get_by_role("button", name=t("Return the case")).click()
    expect_message(company, "Case returned to the official.")

    # The official overrules the return: the company must handle the case.
    desk.reload()
    ruling = case_action(desk, "Rule on the return")
    ruling.get_by_label(t("Overrule it: the unit must handle the case")).check()
    ruling.get_by_label(field(t("Note (needed to overrule; the unit reads it)"))).fill(
        OVERRULE_NOTE
    )
    ruling.get_by_role("button", name=t("Rule on the return")).click()
    expect_message(desk, "Return ruled on.")
    returned = complaint.dispatches.get(status=DispatchStatus.RETURNED)
    assert returned.ruling.status == RulingStatus.OVERRULED
    reopened = complaint.dispatches.get(status=DispatchStatus.AWAITING_SIGNATURE)
    assert (reopened.company, reopened.instructions) == (company_a, OVERRULE_NOTE)

    # The company signs and handles it; the official accepts its answer.
    sign_dispatch(reopened, actor=company_a_staff)
    submit_answer(complaint, actor=company_a_staff, text=COMPANY_ANSWER, files=())
    review_answer(complaint.answers.get(), actor=official, accept=True, note="")

    # The official resolves it from the template, edited before sending.
    desk.goto(case_url)
    resolve = case_action(desk, "Resolve")
    picker = desk.locator("#templates-resolve")
    picker.get_by_label(t("Insert a standard reply")).select_option(label=template.title)
    picker.get_by_role("button", name=t("Insert")).click()
    reply = desk.locator("#action-resolve textarea[name='resolve-reply']")
    filled = f"您反映的{estate_x.name}电梯问题（{tracking_number}）已处理完毕。"
    expect(reply).to_have_value(filled)
    reply.fill(f"{filled}{EDIT}")
    resolve.get_by_role("button", name=t("Resolve"), exact=True).click()
    expect_status(desk, CaseStatus.RESOLVED)

    # The caller reads the resolution on a 390 px phone.
    caller = phone_390(open_page)
    track(caller, site_pages, tracking_number, code)
    expect(caller.locator("#case-status")).to_have_text(t(CaseStatus.RESOLVED.label))
    expect(caller.locator("#public-reply")).to_contain_text(f"{filled}{EDIT}")
    assert COMPANY_ANSWER not in caller.content() and RETURN_REASON not in caller.content()
    assert_fits_the_screen(caller)
    shoot(caller, tmp_path, "urgent-resolved-phone.png")


def test_a_consultation_is_offered_an_answer_and_answered_without_dispatch(
    open_page, site_pages, estate_x, official, tmp_path
):
    index = site_pages["home"].add_child(instance=FaqIndexPage(title="常见问题", slug="faq"))
    faq = index.add_child(
        instance=FaqPage(
            title="电梯困人，物业多久必须到场？", slug="lift", category="facilities",
            keywords="电梯, 困人", answer=f"<p>{FAQ_ANSWER}</p>",
        )
    )  # fmt: skip

    # The citizen types a question on a phone: a published answer is offered, not imposed.
    citizen = open_page()
    citizen.goto(site_pages["complaint"].url)
    citizen.get_by_label(t("What is it about?")).select_option("facilities")
    citizen.get_by_label(t("Estate name or address")).fill(estate_x.name)
    citizen.get_by_label(t("What happened?")).fill(QUESTION)
    offered = citizen.locator("#faq-suggestions")
    expect(offered).to_contain_text(t("These answers may help"))
    expect(offered.get_by_role("link", name=faq.title)).to_have_attribute("href", faq.url)
    citizen.get_by_label(t("Contact phone")).fill("13812345678")
    assert_fits_the_screen(citizen)
    citizen.screenshot(path=tmp_path / "faq-suggestions-phone.png", full_page=True)
    citizen.get_by_role("button", name=t("Submit complaint")).click()
    number = citizen.locator("#tracking-number").inner_text().strip()
    code = citizen.locator("#access-code").inner_text().strip()
    complaint = Complaint.objects.get(tracking_number=number)

    # The official takes it as a consultation and answers it from the knowledge base.
    desk = signed_in(
        open_page, official, reverse("cases_admin:case", args=[complaint.pk]), phone=False
    )
    accept = case_action(desk, "Accept")
    accept.get_by_label(field(t("Severity tier"))).select_option(Tier.CONSULTATION.value)
    accept.get_by_role("button", name=t("Accept"), exact=True).click()
    expect_message(desk, "Case accepted.")
    desk.get_by_role("link", name=t("Answer at once")).click()
    picker = desk.locator("#consultation-picker li").filter(has_text=faq.title)
    picker.get_by_role("link", name=t("Use this answer")).click()
    answer = desk.locator("#consultation-answer-form textarea[name=answer]")
    expect(answer).to_have_value(f"{FAQ_ANSWER}\n{faq.full_url}")
    answer.fill(f"您好，{FAQ_ANSWER}")
    desk.get_by_role("button", name=t("Send the answer and resolve the case")).click()
    expect_status(desk, CaseStatus.RESOLVED)

    complaint.refresh_from_db()
    assert complaint.public_reply == f"您好，{FAQ_ANSWER}"
    assert not complaint.dispatches.exists()

    # The tracking page shows the answer.
    track(citizen, site_pages, number, code)
    expect(citizen.locator("#case-status")).to_have_text(t(CaseStatus.RESOLVED.label))
    expect(citizen.locator("#public-reply")).to_contain_text(f"您好，{FAQ_ANSWER}")
    assert_fits_the_screen(citizen)
    citizen.screenshot(path=tmp_path / "consultation-answered-phone.png", full_page=True)


def test_a_case_outside_the_remit_is_transferred_and_the_tracking_page_says_where(
    open_page, site_pages, estate_x, official, tmp_path
):
    agency = Agency.objects.create(
        name="东湖区生态环境分局", district=estate_x.district, contact="0571-12369",
        remit="环境噪声、餐饮油烟",
    )  # fmt: skip
    receipt = make_complaint(estate=estate_x, description="小区门口饭店油烟直排，晚上噪声扰民。")
    complaint = accept_case(receipt.complaint, actor=official)

    desk = signed_in(
        open_page, official, reverse("cases_admin:case", args=[complaint.pk]), phone=False
    )
    transfer = case_action(desk, "Transfer to another agency")
    transfer.get_by_label(field(t("Agency"))).select_option(str(agency.pk))
    transfer.get_by_label(field(t("Reason (the citizen reads it)"))).fill(
        "餐饮油烟和噪声由生态环境部门负责，已转交办理。"
    )
    transfer.get_by_role("button", name=t("Transfer to another agency"), exact=True).click()
    expect_message(desk, "Case transferred; the citizen is told where it went.")
    expect_status(desk, CaseStatus.TRANSFERRED)

    citizen = phone_390(open_page)
    track(citizen, site_pages, receipt.tracking_number, receipt.access_code)
    expect(citizen.locator("#transfer-agency")).to_have_text(agency.name)
    expect(citizen.locator("#transfer-contact")).to_have_text(agency.contact)
    assert_fits_the_screen(citizen)
    shoot(citizen, tmp_path, "transferred-phone.png")
