"""The supervision loop in a real browser, as the people who run it: an official makes a
random draw, publishes it and plans the drawn spot check; the inspector scores the checklist
with a failed item and issues a rectification order; the company answers it with a photo; the
inspector verifies it and proposes a fine; the official approves, serves, records execution
and publishes it; a citizen reads the draw and the penalty on the public site."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.checklists import create_checklist
from cases.models import (
    Inspection,
    InspectionStatus,
    OrderStatus,
    Penalty,
    PenaltyStatus,
    RandomDraw,
    RectificationOrder,
)
from foundation.roles import Role
from portal.models import DrawResultsPage, EnforcementIndexPage
from tests.e2e.pages import field, jpeg_file, log_in, t
from tests.factories import make_user

FINDING = "3号楼楼道连续两日未清扫"
VIOLATION = "未按合同约定履行保洁义务，经责令整改逾期未改正。"


def message(page: Page, text: str, **values) -> None:
    expect(page.get_by_text(t(text, **values), exact=True).first).to_be_visible()


def press(page: Page, label: str) -> None:
    page.get_by_role("button", name=t(label), exact=True).click()


def test_draw_inspection_order_and_penalty_reach_the_public_site(
    open_page, site_pages, estate_x, company_a, official, inspector, company_a_staff, tmp_path
):
    colleague = make_user("second_inspector", Role.INSPECTOR, district=estate_x.district)
    items = [
        {"number": "1", "text": "电梯年检合格证公示", "dimension": "facility_maintenance"},
        {"number": "2", "text": "公共区域每日清扫", "dimension": "cleaning"},
    ]
    checklist = create_checklist(
        "住宅物业服务检查表", [{**item, "weight": 10} for item in items], actor=official
    )
    home = site_pages["home"]
    for page in (
        DrawResultsPage(title="双随机抽查公示", slug="random-checks"),
        EnforcementIndexPage(title="执法结果公示", slug="enforcement"),
    ):
        home.add_child(instance=page)
        page.save_revision().publish()

    # The official draws one estate of the district with two inspectors and publishes it.
    desk = open_page(phone=False)
    log_in(desk, official, next_url=reverse("supervision_draws:add"))
    desk.get_by_label(field(t("draw from"))).select_option("estate")
    desk.get_by_label(field(t("district"))).select_option(label=estate_x.district.name)
    desk.get_by_label(field(t("Targets to draw"))).fill("1")
    desk.get_by_role("button", name=t("Create")).click()
    draw = RandomDraw.objects.get()
    expect(desk.locator("#draw-result")).to_contain_text(estate_x.name)
    press(desk, "Publish the draw")
    message(desk, "Draw “%(object)s” published.", object=draw)
    plan = desk.locator("form").filter(
        has=desk.get_by_role("button", name=t("Plan the drawn inspections"))
    )
    plan.get_by_label(field(t("Checklist"))).select_option(label=str(checklist))
    plan.get_by_label(field(t("Planned for"))).fill(timezone.localdate().isoformat())
    press(desk, "Plan the drawn inspections")
    inspection = Inspection.objects.get(draw=draw)
    assert set(inspection.inspectors.all()) == {inspector, colleague}

    # The inspector starts the spot check, fails one item with a finding, completes it and
    # issues a rectification order.
    field_work = open_page(phone=False)
    log_in(
        field_work,
        inspector,
        next_url=reverse("supervision_inspections:inspect", args=[inspection.pk]),
    )
    press(field_work, "Start the inspection")
    field_work.get_by_role("link", name=t("Score the checklist")).click()
    rows = field_work.locator("#score-items tbody tr")
    rows.nth(0).locator("select").select_option("1")
    rows.nth(1).locator("select").select_option("0")
    rows.nth(1).locator("input").fill(FINDING)
    press(field_work, "Save the scores")
    expect(field_work.locator("#inspection-scores")).to_contain_text(FINDING)
    field_work.locator("form").filter(
        has=field_work.get_by_role("button", name=t("Complete the inspection"))
    ).get_by_label(field(t("Findings"))).fill("保洁不到位")
    press(field_work, "Complete the inspection")
    inspection.refresh_from_db()
    assert (inspection.status, inspection.score) == (InspectionStatus.COMPLETED, 50)
    order_form = field_work.locator("form").filter(
        has=field_work.get_by_role("button", name=t("Issue a rectification order"))
    )
    order_form.get_by_label(field(t("Requirements"))).fill("三日内恢复每日清扫")
    order_form.get_by_label(field(t("Deadline"))).fill(
        (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    )
    press(field_work, "Issue a rectification order")
    order = RectificationOrder.objects.get()

    # The company answers the order with a photo.
    company = open_page(phone=False)
    log_in(
        company, company_a_staff, next_url=reverse("supervision_orders:inspect", args=[order.pk])
    )
    press(company, "Acknowledge")
    submit = company.locator("form").filter(
        has=company.get_by_role("button", name=t("Submit the rectification"))
    )
    submit.get_by_label(field(t("What was done"))).fill("已恢复每日清扫并增派保洁员")
    submit.get_by_label(field(t("Evidence: photos or PDF documents"))).set_input_files(
        jpeg_file(tmp_path / "clean.jpg")
    )
    press(company, "Submit the rectification")
    expect(company.locator("#order-evidence li")).to_have_count(1)

    # The inspector verifies it and proposes a fine.
    field_work.goto(reverse("supervision_orders:inspect", args=[order.pk]))
    press(field_work, "Verify")
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED
    field_work.goto(reverse("supervision_penalties:add"))
    field_work.get_by_label(field(t("company"))).select_option(label=company_a.name)
    field_work.get_by_label(field(t("penalty"))).select_option("fine")
    field_work.get_by_label(field(t("fine (yuan)"))).fill("2000")
    field_work.get_by_label(field(t("violation"))).fill(VIOLATION)
    field_work.get_by_label(field(t("legal basis"))).fill("《物业管理条例》第三十五条")
    field_work.get_by_role("button", name=t("Create")).click()
    penalty = Penalty.objects.get()

    # The official approves, serves, records execution and publishes.
    desk.goto(reverse("supervision_penalties:inspect", args=[penalty.pk]))
    desk.get_by_label(field(t("Text of the decision"))).fill("罚款人民币贰仟元，责令限期改正。")
    press(desk, "Approve")
    for step in ("Record service", "Record execution", "Publish the result"):
        press(desk, step)
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.PUBLISHED

    # A citizen reads both on the public site.
    citizen = open_page()
    citizen.goto("/random-checks/")
    citizen.get_by_role("link").filter(
        has_text=f"{timezone.localtime(draw.drawn_at):%Y-%m-%d}"
    ).first.click()
    expect(citizen.locator("#draw-seed")).to_have_text(draw.seed)
    expect(citizen.locator("#drawn")).to_contain_text(estate_x.name)
    citizen.goto("/enforcement/")
    expect(citizen.get_by_text(penalty.decision_number)).to_be_visible()
    expect(citizen.locator("main")).to_contain_text(company_a.name)
