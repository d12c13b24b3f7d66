"""Going live (issue 16) in a real browser, from a database with one administrator: the
administrator invites a district official through the People screen; the official opens the
e-mailed link, chooses a password, enrols the authenticator and invites an inspector for the
district; the inspector accepts and finds exactly the district's cases; once the official
deactivates them, the inspector can no longer sign in. A company's administrator, given the
right by the regulator, invites a colleague who finds only the cases sent to the company.

Screenshots of the main steps are saved with the failure screenshots (``e2e-screenshots`` in
pytest's base temporary folder)."""

import re
from base64 import b32decode

from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from cases import dispatch, workflow
from cases.models import Complaint
from foundation.roles import Role
from tests.e2e.pages import log_in, t
from tests.factories import make_complaint

OFFICIAL = {"name": "赵敏", "email": "zhao.min@regulator.test"}
INSPECTOR = {"name": "韩梅", "email": "han.mei@regulator.test"}
PASSWORDS = {"official": "Lantern-harbour-42", "inspector": "Copper-kettle-97"}


def shot(people, page: Page, name: str) -> None:
    folder = people.screenshot_dir
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"going-live-{name}.png", full_page=True)


def link_in_mail(email: str) -> str:
    """The path of the newest invitation link e-mailed to ``email``."""
    message = [m for m in mail.outbox if email in m.to][-1]
    return re.search(r"https?://[^/\s]+(/\S*accounts/invitation/\S+/)", message.body).group(1)


def invite(page: Page, person: dict, role: Role, district) -> None:
    page.goto(reverse("people:index"))
    page.get_by_role("link", name=t("Invite a person")).click()
    page.locator("input[name=name]").fill(person["name"])
    page.locator("input[name=email]").fill(person["email"])
    page.locator("select[name=role]").select_option(role.value)
    page.locator("select[name=district]").select_option(label=district.name)
    page.get_by_role("button", name=t("Send the invitation")).click()
    expect(page.get_by_text(t("Invitation sent to %s.") % person["email"])).to_be_visible()


def accept(page: Page, email: str, password: str) -> None:
    page.goto(link_in_mail(email))
    expect(page.get_by_role("heading", name=t("Choose your password"))).to_be_visible()
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.get_by_role("button", name=t("Set the password and sign in")).click()


def enrol_authenticator(page: Page) -> None:
    """Type the key shown into an 'app' (TOTP, 30 s, 6 digits) and confirm with its code."""
    expect(page.get_by_role("heading", name=t("Set up your second factor"))).to_be_visible()
    secret = page.locator("code[data-secret]").inner_text().replace(" ", "")
    code = totp(b32decode(secret), step=30, t0=0, digits=6)
    page.locator("input[name=code]").fill(f"{code:06d}")
    page.get_by_role("button", name=t("Confirm"), exact=True).click()
    expect(page.get_by_role("heading", name=t("Your recovery codes"))).to_be_visible()
    page.get_by_role("link", name=t("I have noted them: continue")).click()


def sign_in_refused(page: Page, username: str, password: str) -> None:
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name=t("Sign in")).click()
    page.wait_for_load_state()
    assert "/admin/login/" in page.url
    expect(page.locator("input[name=password]")).to_be_visible()


def test_an_administrator_brings_an_official_who_brings_an_inspector_of_the_district(
    open_page, admin, estate_x, estate_y, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    # The staff search answers from the database (the live server indexes nothing).
    settings.ELASTICSEARCH_URL = ""
    district = estate_x.district
    cases = {
        side: make_complaint(estate=estate, description=f"电梯停运三天，无人维修 {side}").complaint
        for side, estate in ((1, estate_x), (2, estate_y))
    }

    # The administrator invites the district's official.
    desk = open_page(phone=False)
    log_in(desk, admin, next_url=reverse("people:index"))
    invite(desk, OFFICIAL, Role.OFFICIAL, district)
    shot(open_page, desk, "1-official-invited")

    # The official accepts, chooses a password, enrols the authenticator, invites an inspector.
    official = open_page(phone=False)
    accept(official, OFFICIAL["email"], PASSWORDS["official"])
    enrol_authenticator(official)
    official.wait_for_url(lambda url: "/second-factor/" not in url)
    # An official gives only an inspector's place, only in their own district.
    official.goto(reverse("people:invite"))
    expect(official.locator("select[name=role] option")).to_have_count(1)
    expect(official.locator("select[name=district] option:not([value=''])")).to_have_text(
        [district.name]
    )
    invite(official, INSPECTOR, Role.INSPECTOR, district)
    official.goto(reverse("people:index"))
    expect(official.locator("table.listing")).to_contain_text(INSPECTOR["name"])
    expect(official.locator("table.listing")).not_to_contain_text(OFFICIAL["name"])
    shot(open_page, official, "2-officials-people")

    # The inspector accepts and sees the district's case, not the other district's.
    inspector = open_page(phone=False)
    accept(inspector, INSPECTOR["email"], PASSWORDS["inspector"])
    inspector.wait_for_url(lambda url: "/accounts/invitation/" not in url)
    assert "/admin/" in inspector.url
    inspector.goto(reverse("complaint_search"))
    results = inspector.locator("main")
    expect(results).to_contain_text(cases[1].tracking_number)
    expect(results).not_to_contain_text(cases[2].tracking_number)
    shot(open_page, inspector, "3-inspectors-cases")
    inspector.goto(reverse("cases_admin:case", args=[cases[1].pk]))
    expect(inspector.locator("main")).to_contain_text(cases[1].tracking_number)
    other = inspector.goto(reverse("cases_admin:case", args=[cases[2].pk]))
    assert other.status in (403, 404)
    assert Complaint.objects.count() == 2

    # The official deactivates the inspector: the open session ends, and signing in fails.
    official.goto(reverse("people:index"))
    official.get_by_role("link", name=INSPECTOR["name"]).click()
    official.get_by_role("button", name=t("Deactivate")).click()
    expect(
        official.get_by_text(t("Deactivated: this person can no longer sign in."))
    ).to_be_visible()
    shot(open_page, official, "4-inspector-deactivated")
    inspector.goto(reverse("wagtailadmin_home"))
    assert "/admin/login/" in inspector.url
    sign_in_refused(inspector, INSPECTOR["email"], PASSWORDS["inspector"])
    shot(open_page, inspector, "5-deactivated-sign-in")


COMPANY_ADMIN = {"name": "钱进", "email": "qian.jin@company-a.test"}
COLLEAGUE = {"name": "孙丽", "email": "sun.li@company-a.test"}
COMPANY_PASSWORDS = {"admin": "Willow-anchor-58", "colleague": "Granite-meadow-31"}


def invite_to_company(page: Page, person: dict, company) -> None:
    page.goto(reverse("people:invite"))
    page.locator("input[name=name]").fill(person["name"])
    page.locator("input[name=email]").fill(person["email"])
    page.locator("select[name=role]").select_option(Role.COMPANY_STAFF.value)
    page.locator("select[name=company]").select_option(label=company.name)
    page.get_by_role("button", name=t("Send the invitation")).click()
    expect(page.get_by_text(t("Invitation sent to %s.") % person["email"])).to_be_visible()


def test_a_company_administrator_brings_a_colleague_who_sees_only_the_companys_cases(
    open_page, admin, estate_x, estate_y, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.ELASTICSEARCH_URL = ""
    company = estate_x.managing_company
    cases = {
        name: make_complaint(estate=estate, description=f"楼道灯坏了一个月 {name}").complaint
        for name, estate in (("ours", estate_x), ("not-sent", estate_x), ("theirs", estate_y))
    }
    for name in ("ours", "theirs"):
        workflow.accept_case(cases[name], actor=admin)
        dispatch.dispatch_case(
            cases[name], actor=admin, company=cases[name].estate.managing_company
        )

    # The regulator invites the company's administrator and gives them the right.
    desk = open_page(phone=False)
    log_in(desk, admin, next_url=reverse("people:index"))
    invite_to_company(desk, COMPANY_ADMIN, company)
    desk.get_by_role("button", name=t("Let them administer the company's staff")).click()
    expect(
        desk.get_by_text(t("This person may now invite and deactivate their company's staff."))
    ).to_be_visible()
    shot(open_page, desk, "6-company-administrator-granted")

    # The company's administrator accepts and may invite only into their own company.
    boss = open_page(phone=False)
    accept(boss, COMPANY_ADMIN["email"], COMPANY_PASSWORDS["admin"])
    boss.wait_for_url(lambda url: "/accounts/invitation/" not in url)
    boss.goto(reverse("people:invite"))
    expect(boss.locator("select[name=company] option:not([value=''])")).to_have_text([company.name])
    invite_to_company(boss, COLLEAGUE, company)
    boss.goto(reverse("people:index"))
    expect(boss.locator("table.listing")).to_contain_text(COLLEAGUE["name"])
    shot(open_page, boss, "7-company-people")

    # The colleague accepts and finds the case dispatched to the company, and nothing else.
    colleague = open_page(phone=False)
    accept(colleague, COLLEAGUE["email"], COMPANY_PASSWORDS["colleague"])
    colleague.wait_for_url(lambda url: "/accounts/invitation/" not in url)
    colleague.goto(reverse("complaint_search"))
    results = colleague.locator("main")
    expect(results).to_contain_text(cases["ours"].tracking_number)
    expect(results).not_to_contain_text(cases["not-sent"].tracking_number)
    expect(results).not_to_contain_text(cases["theirs"].tracking_number)
    shot(open_page, colleague, "8-colleagues-cases")
    assert colleague.goto(reverse("cases_admin:case", args=[cases["theirs"].pk])).status in (
        403,
        404,
    )
    assert colleague.goto(reverse("people:index")).url.endswith(reverse("wagtailadmin_home"))
