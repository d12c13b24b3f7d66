"""The complaint loop in a real browser: what each person sees and does, from the citizen's
phone to the staff's desks and back, checked at every step and finally in the database."""

import re

from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from cases.log_actions import TIMELINE_ACTIONS
from cases.models import (
    AnswerStatus,
    AttachmentKind,
    CaseAttachment,
    CaseStatus,
    Complaint,
    Dispatch,
    DispatchStatus,
    Satisfaction,
    Tier,
)
from portal.demo.files import pdf_bytes
from portal.models import ComplaintPage, TrackingPage
from tests.e2e.pages import (
    EN,
    ZH,
    assert_fits_the_screen,
    field,
    jpeg_file,
    log_in,
    menu_link,
    t,
)

PHONE_NUMBER = "13812345678"
DESCRIPTION = "3号楼电梯停运三天，物业没有任何答复，老人无法下楼。"
ANSWER = "已联系电梯维保单位更换主板，3号楼电梯于今日恢复运行。"
REPLY = "经核查，物业已修复3号楼电梯并加强日常巡检。"
COMMENT = "电梯第二天又坏了，问题没有解决。"
INSTRUCTIONS = "请两日内更换主板并上传维修记录。"
INTERNAL_NOTE = "该物业同类投诉较多，重点关注。"


# The citizen's steps (a 360 px phone) ------------------------------------------------------


def file_complaint(page: Page, estate, photo: str) -> tuple[str, str]:
    """From the home page to the receipt; returns the tracking number and the access code."""
    page.goto("/")
    menu_link(page, ComplaintPage.objects.get().title).click()
    page.get_by_label(t("What is it about?")).select_option("facilities")
    page.get_by_label(t("Estate name or address")).fill(estate.name)
    page.get_by_label(t("What happened?")).fill(DESCRIPTION)
    page.get_by_label(t("Contact phone")).fill("138 1234 5678")
    files = t("Photos or PDF documents (optional, up to %(count)d)", count=5)
    page.get_by_label(files).set_input_files(photo)
    assert_fits_the_screen(page)
    page.get_by_role("button", name=t("Submit complaint")).click()

    expect(page.get_by_role("heading", name=t("Your complaint has been received"))).to_be_visible()
    number = page.locator("#tracking-number").inner_text().strip()
    code = page.locator("#access-code").inner_text().strip()
    assert re.fullmatch(r"WY\d{8}[0-9A-Z]{6}", number), number
    assert len(code) >= 6
    expect(page.get_by_role("note")).to_have_text(
        t(
            "Write both down now. The access code is shown only once: we keep only a "
            "fingerprint of it. If you lose it, the tracking page sends a new one to the "
            "mobile phone you gave."
        )
    )
    assert_fits_the_screen(page)
    return number, code


def open_tracking(page: Page, number: str, code: str) -> None:
    """Home → tracking page → number and code → the case page."""
    page.goto("/")
    menu_link(page, TrackingPage.objects.get().title).click()
    page.get_by_label(field(t("Tracking number"))).fill(number.lower())  # typed as it comes
    page.get_by_label(field(t("Access code"))).fill(code)
    page.get_by_role("button", name=t("Show my case")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Your complaint %(number)s", number=number)
    )


def timeline(page: Page, language: str = ZH):
    """The items of the case's public timeline (进度) on the tracking page."""
    return page.get_by_role("region", name=t("Progress", language)).get_by_role("listitem")


# The staff's steps (a desktop, the Wagtail admin) -------------------------------------------


def open_case_from_workbench(page: Page, user, number: str, tab: str | None = None) -> None:
    """Log in → the case workbench (→ a tab) → the case's row → the case page."""
    workbench = reverse("cases_admin:workbench")
    log_in(page, user, next_url=workbench)
    menu_item = page.get_by_role("link", name=t("Case workbench"))
    expect(menu_item.and_(page.locator(f'[href="{workbench}"]'))).to_be_visible()
    if tab:
        page.get_by_role("link", name=t(tab), exact=True).click()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def case_action(page: Page | Locator, label: str):
    """The form of one action on the case page (or a part of it), found by its button; an
    action with questions opens on demand, so its disclosure is opened first."""
    closed = page.locator("details.case-action:not([open]) > summary").filter(
        has_text=re.compile(rf"^\s*{re.escape(t(label))}\s*$")
    )
    if closed.count():
        closed.first.click()
    # ``has=`` takes a locator relative to the form: built from the page, not from the part.
    button = getattr(page, "page", page).get_by_role("button", name=t(label), exact=True)
    return page.locator("form").filter(has=button)


def expect_status(page: Page, status: CaseStatus, language: str = ZH) -> None:
    expect(page.locator("#case-status")).to_have_text(t(status.label, language))


def expect_message(page: Page, message: str) -> None:
    expect(page.get_by_text(t(message), exact=True)).to_be_visible()


# (a) A citizen on a phone ------------------------------------------------------------------


def test_citizen_files_on_a_phone_tracks_the_case_and_reads_it_in_english(
    open_page, estate_x, tmp_path
):
    phone = open_page()
    number, code = file_complaint(phone, estate_x, jpeg_file(tmp_path / "lift.jpg"))

    complaint = Complaint.objects.get(tracking_number=number)
    assert complaint.status == CaseStatus.SUBMITTED
    assert (complaint.estate, complaint.contact_phone) == (estate_x, PHONE_NUMBER)
    assert complaint.photos.count() == 1

    # A wrong code opens nothing and does not say which half was wrong.
    phone.goto("/track/")
    phone.get_by_label(field(t("Tracking number"))).fill(number)
    phone.get_by_label(field(t("Access code"))).fill("WRONG123")
    phone.get_by_role("button", name=t("Show my case")).click()
    expect(phone.get_by_role("alert")).to_have_text(
        t(
            "The tracking number or access code is wrong. "
            "Check both against your receipt and try again."
        )
    )
    expect(phone.locator("#case-status")).to_have_count(0)

    open_tracking(phone, number, code)
    expect_status(phone, CaseStatus.SUBMITTED)
    expect(timeline(phone)).to_have_count(1)
    expect(timeline(phone)).to_contain_text([t(TIMELINE_ACTIONS["cases.complaint.submitted"])])
    expect(phone.get_by_text("138****5678")).to_be_visible()
    assert PHONE_NUMBER not in phone.content()
    assert_fits_the_screen(phone)

    # The language switcher in the header: the same case, now in English, under /en/.
    languages = phone.get_by_role("navigation", name=t("Language"))
    languages.get_by_role("link", name="English").click()
    expect(phone).to_have_url(re.compile(rf"/en/track/case/\?n={number}$"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        t("Your complaint %(number)s", EN, number=number)
    )
    expect_status(phone, CaseStatus.SUBMITTED, EN)
    expect(timeline(phone, EN)).to_contain_text([t("Complaint submitted", EN)])
    expect(
        phone.get_by_role("navigation", name=t("Language", EN)).get_by_role("link", name="English")
    ).to_have_attribute("aria-current", "true")
    assert_fits_the_screen(phone)


# (b) The whole loop --------------------------------------------------------------------------


def test_the_whole_loop_from_filing_to_an_unsatisfied_rating_reopens_the_case(
    open_page, estate_x, company_a, official, inspector, company_a_staff, tmp_path
):
    # The citizen files from a phone.
    citizen = open_page()
    number, code = file_complaint(citizen, estate_x, jpeg_file(tmp_path / "lift.jpg"))
    complaint = Complaint.objects.get(tracking_number=number)

    # The district official finds it in the queue, accepts it and dispatches it to the
    # inspector and to the estate's managing company.
    desk = open_page(phone=False)
    open_case_from_workbench(desk, official, number)
    expect_status(desk, CaseStatus.SUBMITTED)
    expect(desk.locator("#case-complainant")).to_contain_text(PHONE_NUMBER)
    accept = case_action(desk, "Accept")
    accept.get_by_label(field(t("Severity tier"))).select_option(Tier.GENERAL)
    accept.get_by_role("button", name=t("Accept"), exact=True).click()
    expect_message(desk, "Case accepted.")
    expect_status(desk, CaseStatus.ACCEPTED)

    send = case_action(desk, "Dispatch")
    send.get_by_label(field(t("Inspector"))).select_option(label=inspector.username)
    expect(send.get_by_label(t("Send to %(company)s", company=company_a.name))).to_be_checked()
    send.get_by_label(t("Instructions to the unit(s)")).fill(INSTRUCTIONS)
    send.get_by_label(t("Internal note (regulator staff only)")).fill(INTERNAL_NOTE)
    send.get_by_role("button", name=t("Dispatch"), exact=True).click()
    expect_message(desk, "Case dispatched.")
    expect_status(desk, CaseStatus.ASSIGNED)
    dispatches = desk.get_by_role("region", name=t("Dispatches")).get_by_role("row")
    expect(dispatches).to_have_count(3)  # the header and one row per unit
    expect(dispatches.filter(has_text=company_a.name)).to_contain_text(
        t(DispatchStatus.AWAITING_SIGNATURE.label)
    )

    # Company A's staff signs for the case and answers with a text and a PDF; the
    # complainant's phone number is never shown to the company.
    company = open_page(phone=False)
    open_case_from_workbench(company, company_a_staff, number, tab="To sign for")
    assert PHONE_NUMBER not in company.content()
    own_row = company.get_by_role("row").filter(has_text=company_a.name)
    expect(own_row).to_contain_text(INSTRUCTIONS)  # the official's instructions reach the unit
    assert INTERNAL_NOTE not in company.content()
    own_row.get_by_role("button", name=t("Sign for the case")).click()
    expect_message(company, "Signed for the case.")
    expect_status(company, CaseStatus.IN_PROGRESS)
    expect(own_row).to_contain_text(t(DispatchStatus.SIGNED.label))

    evidence = tmp_path / "repair-report.pdf"
    evidence.write_bytes(pdf_bytes("Lift repair report"))
    answer = case_action(company, "Submit the company's answer")
    answer.get_by_label(field(t("Answer"))).fill(ANSWER)
    answer.get_by_label(field(t("Evidence"))).set_input_files(str(evidence))
    answer.get_by_role("button", name=t("Submit the company's answer")).click()
    expect_message(company, "Answer submitted for review.")
    answers = company.get_by_role("region", name=t("Company answers"))
    expect(answers).to_contain_text(ANSWER)
    expect(answers.get_by_role("link", name="repair-report.pdf")).to_be_visible()
    assert PHONE_NUMBER not in company.content()

    # The inspector signs for its own dispatch, accepts the answer and resolves the case.
    field_work = open_page(phone=False)
    open_case_from_workbench(field_work, inspector, number, tab="To sign for")
    mine = field_work.get_by_role("row").filter(has_text=inspector.username)
    mine.get_by_role("button", name=t("Sign for the case")).click()
    expect_message(field_work, "Signed for the case.")
    expect(mine).to_contain_text(t(DispatchStatus.SIGNED.label))

    answer_card = field_work.get_by_role("region", name=t("Company answers")).get_by_role("article")
    expect(answer_card).to_contain_text(ANSWER)
    review = case_action(answer_card, "Review the answer")
    review.get_by_label(t("Accept the answer")).check()
    review.get_by_role("button", name=t("Review the answer")).click()
    expect_message(field_work, "Answer reviewed.")
    expect(answer_card).to_contain_text(t(AnswerStatus.ACCEPTED.label))

    resolve = case_action(field_work, "Resolve")
    resolve.get_by_label(field(t("Public reply to the citizen"))).fill(REPLY)
    resolve.get_by_role("button", name=t("Resolve"), exact=True).click()
    expect_message(field_work, "Case resolved.")  # a general case needs no sign-off
    expect_status(field_work, CaseStatus.RESOLVED)

    # The citizen reads the reply on the phone and rates it unsatisfied, with a comment.
    open_tracking(citizen, number, code)
    expect_status(citizen, CaseStatus.RESOLVED)
    expect(citizen.get_by_role("region", name=t("Reply"))).to_contain_text(REPLY)
    expect(timeline(citizen)).to_contain_text(
        [
            t(TIMELINE_ACTIONS["cases.complaint.submitted"]),
            t(TIMELINE_ACTIONS["cases.complaint.resolved"]),
        ]
    )
    assert ANSWER not in citizen.content()  # the company's answer stays inside
    assert INSTRUCTIONS not in citizen.content() and INTERNAL_NOTE not in citizen.content()
    rating = citizen.get_by_role("region", name=t("Rate how your complaint was handled"))
    rating.get_by_label(t(Satisfaction.UNSATISFIED.label), exact=True).check()
    rating.get_by_label(t("Comment (optional)")).fill(COMMENT)
    assert_fits_the_screen(citizen)
    rating.get_by_role("button", name=t("Send my rating")).click()

    expect(citizen.get_by_role("status")).to_contain_text(
        t("Thank you: your rating has been recorded.")
    )
    expect_status(citizen, CaseStatus.REOPENED)
    expect(timeline(citizen).last).to_contain_text(t(TIMELINE_ACTIONS["cases.complaint.reopened"]))
    expect(
        citizen.get_by_role("region", name=t("Rate how your complaint was handled"))
    ).to_have_count(0)

    # Back on the official's desk: reopened, to be dispatched again.
    desk.goto(reverse("cases_admin:case", args=[complaint.pk]))
    expect_status(desk, CaseStatus.REOPENED)
    expect(desk.locator("#case-timeline")).to_contain_text(COMMENT)
    expect(case_action(desk, "Dispatch")).to_be_visible()

    # And in the database.
    complaint.refresh_from_db()
    assert complaint.status == CaseStatus.REOPENED
    assert complaint.reopen_count == 1
    assert complaint.satisfaction == Satisfaction.UNSATISFIED
    assert complaint.public_reply == REPLY
    assert complaint.tier == Tier.GENERAL
    assert set(Dispatch.objects.filter(complaint=complaint).values_list("status", flat=True)) == {
        DispatchStatus.SIGNED
    }
    answer_row = complaint.answers.get()
    assert (answer_row.company, answer_row.status, answer_row.text) == (
        company_a,
        AnswerStatus.ACCEPTED,
        ANSWER,
    )
    pdf = CaseAttachment.objects.get(complaint=complaint, kind=AttachmentKind.EVIDENCE)
    assert (pdf.answer, pdf.content_type) == (answer_row, "application/pdf")
    actions = list(complaint.events.order_by("timestamp", "pk").values_list("action", flat=True))
    loop = [
        "cases.complaint.submitted",
        "cases.complaint.accepted",
        "cases.complaint.assigned",
        "cases.dispatch.signed",  # the company
        "cases.complaint.answered",
        "cases.dispatch.signed",  # the inspector
        "cases.answer.accepted",
        "cases.complaint.resolved",
        "cases.complaint.reopened",
    ]
    assert [action for action in actions if action in loop] == loop
    reopened = complaint.events.get(action="cases.complaint.reopened")
    assert reopened.is_public and reopened.to_status == CaseStatus.REOPENED
    assert reopened.data["comment"] == COMMENT
