"""The company's own quality loop on a phone (issue 20): the quality staff plan a patrol, start
it, add a photo, fail an item on the one-page checklist (which raises an internal rectification
task), rectify it with a photo; the person who rectified cannot re-check it, a colleague does.
Then an official verifies the company's good-conduct declaration and the company's public page
shows the new credit record and a qualified third-party organisation's published evaluation."""

import datetime as dt

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.checklists import create_checklist
from cases.models import Patrol, PatrolStatus, QualityTask, TaskStatus
from enterprises import access, good_conduct
from enterprises.models import EvaluatorKind
from portal.demo.files import pdf_bytes
from portal.models import CompanyDirectoryPage
from tests.e2e.pages import field, jpeg_file, log_in, t
from tests.factories import make_evaluation, make_evaluation_organisation, make_user

FINDING = "2号楼楼道堆放杂物"
TODAY = timezone.localdate()


def signed_in(open_page, user, url: str, *, phone: bool = True) -> Page:
    """A person already signed in (their session cookie), to keep the test under its time
    budget; the first person signs in through the form."""
    client = Client()
    client.force_login(user)
    page = open_page(phone=phone)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": open_page.base_url}]
    )
    page.goto(url)
    return page


def press(page: Page, label: str) -> None:
    page.get_by_role("button", name=t(label), exact=True).click()


def form_of(page: Page, button: str):
    return page.locator("form").filter(has=page.get_by_role("button", name=t(button)))


def test_a_patrol_on_a_phone_to_a_re_checked_task_and_good_conduct_to_the_public_page(
    open_page, site_pages, estate_x, company_a, company_a_staff, official, tmp_path
):
    colleague = make_user("quality_colleague", None)
    access.grant_company_staff(colleague, company_a)
    items = [
        {"number": "1", "text": "电梯年检合格证公示", "dimension": "facility_maintenance"},
        {"number": "2", "text": "楼道无堆放杂物", "dimension": "public_order"},
    ]
    checklist = create_checklist(
        "企业自查表", [{**item, "weight": 10} for item in items], actor=official
    )
    directory = site_pages["home"].add_child(
        instance=CompanyDirectoryPage(title="企业名录", slug="companies")
    )
    directory.save_revision().publish()
    claim = good_conduct.declare_good_conduct(
        actor=colleague, company=company_a, kind="award", title="区级文明物业项目",
        description="获评区级文明物业项目", occurred_on=TODAY - dt.timedelta(days=3),
        evidence=SimpleUploadedFile("award.pdf", pdf_bytes(), "application/pdf"),
    )  # fmt: skip

    # The quality staff plan today's patrol and start it on the phone.
    phone = open_page()
    log_in(phone, company_a_staff, next_url=reverse("supervision_patrols:add"))
    phone.get_by_label(field(t("estate"))).select_option(label=estate_x.name)
    phone.get_by_label(field(t("kind"))).select_option("routine")
    phone.get_by_label(field(t("checklist"))).select_option(label=str(checklist))
    phone.locator("select[name=quality_staff]").select_option(str(company_a_staff.pk))
    phone.get_by_label(field(t("planned for"))).fill(TODAY.isoformat())
    press(phone, "Create")
    patrol = Patrol.objects.get()
    press(phone, "Start the patrol")
    photo = form_of(phone, "Add a photo")
    photo.get_by_label(field(t("Photo"))).set_input_files(jpeg_file(tmp_path / "stairs.jpg"))
    press(phone, "Add a photo")
    expect(phone.locator("#patrol-photos li")).to_have_count(1)

    # One page, one block per item: the failed one names who rectifies it and by when.
    phone.get_by_role("link", name=t("Score the checklist")).click()
    blocks = phone.locator(".patrol-item")
    blocks.nth(0).get_by_label(t("Passed"), exact=True).check()
    blocks.nth(1).get_by_label(t("Failed"), exact=True).check()
    blocks.nth(1).get_by_label(field(t("Finding (required when failed)"))).fill(FINDING)
    blocks.nth(1).get_by_label(field(t("Rectified by"))).select_option(str(company_a_staff.pk))
    deadline = (TODAY + dt.timedelta(days=3)).isoformat()
    blocks.nth(1).get_by_label(field(t("Rectify by"))).fill(deadline)
    phone.screenshot(path=tmp_path / "patrol-checklist-phone.png", full_page=True)
    press(phone, "Save the checklist")
    expect(phone.locator("#patrol-tasks li")).to_have_count(1)
    press(phone, "Complete the patrol")
    patrol.refresh_from_db()
    assert (patrol.status, patrol.score) == (PatrolStatus.COMPLETED, 50)

    # The owner rectifies with a photo, and may not pass their own fix.
    task = QualityTask.objects.get()
    phone.goto(reverse("supervision_patrol_tasks:inspect", args=[task.pk]))
    rectify = form_of(phone, "Record the rectification")
    rectify.get_by_label(field(t("What was done"))).fill("已清理杂物并张贴禁止堆放提示")
    rectify.get_by_label(field(t("Evidence: photos or PDF documents"))).set_input_files(
        jpeg_file(tmp_path / "cleared.jpg")
    )
    press(phone, "Record the rectification")
    expect(phone.locator("#task-evidence li")).to_have_count(1)
    expect(phone.get_by_role("button", name=t("Re-checked: close"))).to_have_count(0)

    # A colleague re-checks it on their phone and closes it.
    task_url = reverse("supervision_patrol_tasks:inspect", args=[task.pk])
    second = signed_in(open_page, colleague, task_url)
    press(second, "Re-checked: close")
    task.refresh_from_db()
    assert (task.status, task.rechecked_by) == (TaskStatus.CLOSED, colleague)

    # An official verifies the good-conduct declaration; the public page shows the record.
    claim_url = reverse("register_good_conduct:inspect", args=[claim.pk])
    desk = signed_in(open_page, official, claim_url, phone=False)
    form_of(desk, "Verify").get_by_label(field(t("Decision and its reasons"))).fill("证书属实")
    press(desk, "Verify")
    # A qualified third-party organisation's evaluation of the estate is published beside it.
    evaluator = make_user("evaluator-pub", None)
    access.grant_evaluator(evaluator, make_evaluation_organisation())
    evaluation = make_evaluation(
        estate_x, evaluator, kind=EvaluatorKind.THIRD_PARTY, score=88, period="2026-H2"
    )
    public = open_page()
    public.goto(f"{directory.url}{company_a.pk}/")
    expect(public.locator("#credit-caption").locator("..")).to_contain_text(claim.title)
    published = public.locator(f"#evaluation-{evaluation.pk}")
    expect(published).to_contain_text("青岚评估有限公司")
    expect(published).to_contain_text("2026-H2")
    public.screenshot(path=tmp_path / "company-page-good-conduct.png", full_page=True)
