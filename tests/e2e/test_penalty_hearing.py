"""A licence suspension through due process in a real browser (issue 21): an inspector proposes
it; an official serves the prior notice; the company asks for a hearing; the official
schedules it seven working days ahead with another official, who holds it and records it; the
decision is approved, served, executed and published; after its publicity period the periodic
task takes it off the public enforcement results.

The clock ticks from Monday 1 March 2027 and jumps (time-machine) to the hearing and past the
publicity period; each jump starts fresh browser sessions, as people would sign in again.
`README_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_penalty_hearing.py` keeps the
screenshots (``penalty-*.png``) there; otherwise they go to pytest's temporary folder."""

import datetime
import os
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from cases import penalty_tasks
from cases.calendar import TIMEZONE
from cases.models import Penalty, PenaltyStatus
from enterprises import licensing
from enterprises.models import LicenceStatus
from foundation.roles import Role
from portal.models import EnforcementIndexPage
from tests.e2e.pages import field, log_in, t
from tests.factories import make_user

README_SCREENSHOTS = os.environ.get("README_SCREENSHOTS")
START = datetime.datetime(2027, 3, 1, 9, 30, tzinfo=TIMEZONE)  # a Monday
HEARING = datetime.datetime(2027, 3, 11, 14, 30, tzinfo=TIMEZONE)
VIOLATION = "未按规定对电梯进行维护保养，致3号楼电梯停运11天。"


def shot(people, page: Page, name: str) -> None:
    folder = Path(README_SCREENSHOTS) if README_SCREENSHOTS else people.screenshot_dir
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"penalty-{name}.png", full_page=True)


def form_of(page: Page, button: str):
    """The action form whose submit button says ``button``."""
    return page.locator("form").filter(has=page.get_by_role("button", name=t(button), exact=True))


def press(page: Page, button: str) -> None:
    page.get_by_role("button", name=t(button), exact=True).click()


def test_a_suspension_with_a_hearing_reaches_and_leaves_the_public_site(
    open_page, site_pages, estate_x, company_a, official, inspector, company_a_staff,
    settings, time_machine,
):  # fmt: skip
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    time_machine.move_to(START, tick=True)
    hearing_officer = make_user("hearing_officer", Role.OFFICIAL, district=estate_x.district)
    hearing_officer.last_name = "听证主持人"
    hearing_officer.save()
    applied = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")
    licence = licensing.approve_licence(
        applied,
        actor=official,
        valid_from=datetime.date(2027, 1, 1),
        valid_until=datetime.date(2029, 12, 31),
    )
    enforcement = EnforcementIndexPage(title="执法结果公示", slug="enforcement")
    site_pages["home"].add_child(instance=enforcement)
    enforcement.save_revision().publish()

    # The inspector proposes a licence suspension.
    field_work = open_page(phone=False)
    log_in(field_work, inspector, next_url=reverse("supervision_penalties:add"))
    field_work.get_by_label(field(t("company"))).select_option(label=company_a.name)
    field_work.get_by_label(field(t("penalty"))).select_option("suspension")
    field_work.get_by_label(field(t("violation"))).fill(VIOLATION)
    field_work.get_by_label(field(t("legal basis"))).fill("《青岚市物业管理条例》第五十八条")
    field_work.get_by_role("button", name=t("Create")).click()
    expect(field_work.locator("main")).to_contain_text(VIOLATION)
    penalty = Penalty.objects.get()
    page_url = reverse("supervision_penalties:inspect", args=[penalty.pk])

    # An official serves the prior notice; the 90-day limit shows on the page.
    desk = open_page(phone=False)
    log_in(desk, official, next_url=page_url)
    expect(desk.locator("#penalty-limit")).to_contain_text("2027-05-30")
    # Deciding now is refused: the prior notice comes first.
    form_of(desk, "Approve").get_by_label(field(t("Text of the decision"))).fill("暂停资质")
    press(desk, "Approve")
    expect(
        desk.get_by_text(
            t("Serve the prior notice first: this penalty takes the general procedure.")
        )
    ).to_be_visible()  # noqa: E501
    form_of(desk, "Serve the prior notice").get_by_label(field(t("Evidence"))).fill(
        "现场检查笔录、电梯维保记录、停运期间照片12张"
    )
    press(desk, "Serve the prior notice")
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.NOTIFIED and penalty.hearing_right
    expect(desk.locator("main")).to_contain_text(penalty.notice_number)
    shot(open_page, desk, "1-prior-notice")

    # The company reads the notice and asks for a hearing.
    company = open_page(phone=False)
    log_in(company, company_a_staff, next_url=page_url)
    expect(company.locator("main")).to_contain_text(penalty.notice_number)
    press(company, "Request a hearing")
    penalty.refresh_from_db()
    assert penalty.status == PenaltyStatus.HEARING_REQUESTED
    shot(open_page, company, "2-hearing-requested")

    # The official schedules it: too early is refused, then seven working days ahead.
    desk.reload()
    schedule = form_of(desk, "Schedule the hearing")
    schedule.get_by_label(field(t("Held by"))).select_option(str(hearing_officer.pk))
    schedule.get_by_label(field(t("Hearing at"))).fill("2027-03-09T14:30")
    schedule.get_by_label(field(t("Place"))).fill("区住建局二楼听证室")
    press(desk, "Schedule the hearing")
    expect(desk.locator("main")).to_contain_text("2027-03-10")
    assert Penalty.objects.get(pk=penalty.pk).status == PenaltyStatus.HEARING_REQUESTED
    schedule = form_of(desk, "Schedule the hearing")
    schedule.get_by_label(field(t("Held by"))).select_option(str(hearing_officer.pk))
    schedule.get_by_label(field(t("Hearing at"))).fill(f"{HEARING:%Y-%m-%dT%H:%M}")
    schedule.get_by_label(field(t("Place"))).fill("区住建局二楼听证室")
    press(desk, "Schedule the hearing")
    penalty.refresh_from_db()
    assert (penalty.status, penalty.hearing_officer) == (
        PenaltyStatus.HEARING_SCHEDULED,
        hearing_officer,
    )

    # On the day, the hearing officer holds the hearing and records it.
    time_machine.move_to(HEARING + datetime.timedelta(hours=2), tick=True)
    chair = open_page(phone=False)
    log_in(chair, hearing_officer, next_url=page_url)
    form_of(chair, "Record the hearing").get_by_label(field(t("Hearing record"))).fill(
        "当事人陈述：停运系配件缺货所致，已更换主机。调查人员出示维保记录，当事人无异议。"
    )
    press(chair, "Record the hearing")
    penalty.refresh_from_db()
    assert (penalty.status, penalty.hearing_officer) == (PenaltyStatus.HEARD, hearing_officer)
    expect(chair.locator("main")).to_contain_text("已更换主机")
    shot(open_page, chair, "3-hearing-recorded")

    # The decision: approved, served, executed (the licence is suspended) and published.
    desk = open_page(phone=False)
    log_in(desk, official, next_url=page_url)
    form_of(desk, "Approve").get_by_label(field(t("Text of the decision"))).fill(
        "暂停物业服务资质三个月，责令限期改正。"
    )
    press(desk, "Approve")
    for step in ("Record service", "Record execution", "Publish the result"):
        press(desk, step)
    penalty.refresh_from_db()
    licence.refresh_from_db()
    assert penalty.status == PenaltyStatus.PUBLISHED
    assert licence.status == LicenceStatus.SUSPENDED
    public_until = penalty.enforcement_result.public_until
    assert public_until == datetime.date(2030, 3, 9)  # 1,095 days from 11 March 2027

    citizen = open_page()
    citizen.goto("/enforcement/")
    expect(citizen.get_by_text(penalty.decision_number)).to_be_visible()
    shot(open_page, citizen, "4-published")

    # The day after its publicity period the periodic task takes it off the public site.
    time_machine.move_to(
        datetime.datetime.combine(public_until, datetime.time(0, 15), tzinfo=TIMEZONE)
        + datetime.timedelta(days=1),
        tick=True,
    )
    assert penalty_tasks.end_publicity_task() == 1
    citizen = open_page()
    citizen.goto("/enforcement/")
    expect(citizen.locator("main")).to_be_visible()
    expect(citizen.get_by_text(penalty.decision_number)).to_have_count(0)
    shot(open_page, citizen, "5-removed")
    penalty.refresh_from_db()
    assert penalty.enforcement_result.removed_at is not None  # kept in the register
