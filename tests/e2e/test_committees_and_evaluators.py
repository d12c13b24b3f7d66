"""Owners' committees and evaluators set up from the admin in a real browser (issue 16): an
official files the committee of an estate of the district, whose chair accepts the e-mailed
link and finds exactly that estate; an administrator registers an evaluation organisation,
invites its evaluator, and engages them on an estate for a period, after which the evaluator
finds exactly that estate. Screenshots are kept with the failure screenshots."""

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from enterprises.models import Estate
from foundation.roles import Role
from tests.e2e.pages import log_in, t
from tests.e2e.test_going_live import accept, shot
from tests.factories import make_user, valid_credit_code

CHAIR = {"name": "周秀英", "email": "zhou.xiuying@owners.test", "phone": "13900001111"}
MEMBER = {"name": "吴刚", "email": "wu.gang@owners.test", "phone": "13900002222"}
EVALUATOR = {"name": "郑子轩", "email": "zheng.zixuan@evaluator.test"}
PASSWORD = "Harbour-lantern-73"


def _fill_member(page: Page, index: int, person: dict, position: str) -> None:
    page.locator(f"input[name=members-{index}-name]").fill(person["name"])
    page.locator(f"input[name=members-{index}-email]").fill(person["email"])
    page.locator(f"input[name=members-{index}-phone]").fill(person["phone"])
    page.locator(f"select[name=members-{index}-position]").select_option(position)


def _sees_only(page: Page, mine: Estate, other: Estate) -> None:
    page.goto(reverse("register_estates:index"))
    expect(page.locator("main")).to_contain_text(mine.name)
    expect(page.locator("main")).not_to_contain_text(other.name)


def test_an_official_files_a_committee_whose_chair_sees_the_estate(
    open_page, estate_x, estate_y, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    official = make_user("official_x", Role.OFFICIAL, district=estate_x.district)
    today = timezone.localdate()
    desk = open_page(phone=False)
    log_in(desk, official, next_url=reverse("committees:index"))
    desk.get_by_role("link", name=t("File an owners' committee")).click()
    # Only the estates of the official's district are offered.
    expect(desk.locator("select[name=estate] option:not([value=''])")).to_have_text([estate_x.name])
    desk.locator("select[name=estate]").select_option(label=estate_x.name)
    desk.locator("input[name=term_starts_on]").fill(f"{today.replace(month=1, day=1):%Y-%m-%d}")
    desk.locator("input[name=term_ends_on]").fill(f"{today.year + 4}-12-31")
    desk.locator("input[name=filing_number]").fill("DH-YWH-0001")
    _fill_member(desk, 0, CHAIR, "chair")
    _fill_member(desk, 1, MEMBER, "member")
    desk.get_by_role("button", name=t("File and invite the members")).click()
    expect(desk.locator("main")).to_contain_text(CHAIR["name"])
    expect(desk.locator("main")).to_contain_text(MEMBER["name"])
    shot(open_page, desk, "9-committee-filed")

    chair = open_page(phone=False)
    accept(chair, CHAIR["email"], PASSWORD)
    chair.wait_for_url(lambda url: "/accounts/invitation/" not in url)
    _sees_only(chair, estate_x, estate_y)
    shot(open_page, chair, "10-chairs-estates")


def test_an_administrator_engages_an_evaluator_who_sees_the_estate(
    open_page, admin, estate_x, estate_y, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    today = timezone.localdate()
    desk = open_page(phone=False)
    log_in(desk, admin, next_url=reverse("evaluation_organisations:index"))
    desk.get_by_role("link", name=t("Register an evaluation organisation")).click()
    values = {
        "name": "青岚正衡物业评价中心",
        "credit_code": valid_credit_code("91330100MA0000777").lower(),  # stored upper-case
        "qualification": "物业服务评价机构（甲级）",
        "qualification_number": "PJ-2026-07",
        "qualified_from": f"{today - datetime.timedelta(days=365):%Y-%m-%d}",
        "qualified_until": f"{today + datetime.timedelta(days=730):%Y-%m-%d}",
    }
    for field, value in values.items():
        desk.locator(f"[name={field}]").fill(value)
    desk.get_by_role("button", name=t("Save")).click()
    expect(desk.locator("main")).to_contain_text(values["credit_code"].upper())

    # The organisation's staff member is invited with the organisation.
    desk.goto(reverse("people:invite"))
    desk.locator("input[name=name]").fill(EVALUATOR["name"])
    desk.locator("input[name=email]").fill(EVALUATOR["email"])
    desk.locator("select[name=role]").select_option(Role.EVALUATOR.value)
    desk.locator("select[name=evaluation_organisation]").select_option(label=values["name"])
    desk.get_by_role("button", name=t("Send the invitation")).click()
    expect(desk.get_by_text(t("Invitation sent to %s.") % EVALUATOR["email"])).to_be_visible()

    evaluator = open_page(phone=False)
    accept(evaluator, EVALUATOR["email"], PASSWORD)
    evaluator.wait_for_url(lambda url: "/accounts/invitation/" not in url)

    # Engaged on one estate for this year: the evaluator then finds exactly that estate.
    desk.goto(reverse("evaluation_organisations:index"))
    desk.get_by_role("link", name=values["name"]).click()
    desk.locator("select[name=evaluator]").select_option(index=1)
    desk.locator("select[name=estate]").select_option(label=estate_y.name)
    desk.locator("input[name=starts_on]").fill(f"{today:%Y-%m-%d}")
    desk.locator("input[name=ends_on]").fill(f"{today + datetime.timedelta(days=180):%Y-%m-%d}")
    desk.get_by_role("button", name=t("Engage"), exact=True).click()
    expect(desk.locator("main")).to_contain_text(estate_y.name)
    shot(open_page, desk, "11-evaluator-engaged")
    _sees_only(evaluator, estate_y, estate_x)
    shot(open_page, evaluator, "12-evaluators-estates")
