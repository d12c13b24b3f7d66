"""The invitation link's page (portal.security.invitations): the whole path from the
administrator's invitation to a signed-in person, and the clear refusal of a link that is no
longer good, in both languages, changing nothing."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from foundation.roles import Role

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)
PASSWORD = "Lantern-harbour-42"
ENROL = "/admin/second-factor/enrol/"


@pytest.fixture(autouse=True)
def outboxes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def link_in_mail(index: int = -1) -> str:
    """The path of the link in the e-mail, as the invited person's browser would open it."""
    return re.search(r"https?://[^/]+(/\S*/accounts/invitation/\S+/|/accounts/invitation/\S+/)",
                     mail.outbox[index].body).group(1)  # fmt: skip


def invite_by_screen(admin, capture, **form) -> None:
    client = Client()
    client.force_login(admin)
    with capture(execute=True):
        response = client.post(reverse("people:invite"), form)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_invite_mail_accept_and_sign_in_then_enrol_the_second_factor(
    admin, district_1, django_capture_on_commit_callbacks
):
    invite_by_screen(
        admin,
        django_capture_on_commit_callbacks,
        name="赵敏",
        email="zhao.min@example.test",
        role=Role.OFFICIAL,
        district=district_1.pk,
    )
    browser = Client()
    link = link_in_mail()
    page = browser.get(link)
    assert page.status_code == 200 and "zhao.min@example.test" in page.content.decode()
    accepted = browser.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert accepted.status_code == 302 and accepted.url == reverse("wagtailadmin_home")
    # An official: the admin sends them to enrol their authenticator first.
    assert browser.get(accepted.url).url.startswith(ENROL)
    # And the password works on the sign-in page afterwards.
    again = Client()
    signed = again.post(
        reverse("wagtailadmin_login"),
        {"username": "zhao.min@example.test", "password": PASSWORD},
    )
    assert signed.status_code == 302 and "_auth_user_id" in again.session


def test_an_inspector_lands_on_the_dashboard(admin, district_1, django_capture_on_commit_callbacks):
    invite_by_screen(
        admin,
        django_capture_on_commit_callbacks,
        name="韩梅",
        email="han.mei@example.test",
        role=Role.INSPECTOR,
        district=district_1.pk,
    )
    browser = Client()
    accepted = browser.post(link_in_mail(), {"password1": PASSWORD, "password2": PASSWORD})
    assert browser.get(accepted.url).status_code == 200


def test_mismatched_or_weak_passwords_are_refused_on_the_form(
    admin, district_1, django_capture_on_commit_callbacks
):
    invite_by_screen(
        admin,
        django_capture_on_commit_callbacks,
        name="韩梅",
        email="han.mei@example.test",
        role=Role.INSPECTOR,
        district=district_1.pk,
    )
    browser = Client()
    link = link_in_mail()
    differ = browser.post(link, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "password2" in differ.context["form"].errors
    weak = browser.post(link, {"password1": "12345678", "password2": "12345678"})
    assert "password1" in weak.context["form"].errors
    assert not get_user_model().objects.get(email="han.mei@example.test").is_active


@pytest.mark.parametrize(
    "how, status, english, chinese",
    [
        ("reused", 410, "already been used", "已被使用"),
        ("revoked", 410, "withdrawn", "已撤回"),
        ("expired", 410, "expired", "已过期"),
        ("forged", 404, "not valid", "无效"),
    ],
)
def test_a_link_no_longer_good_gets_a_clear_page_and_changes_nothing(
    how, status, english, chinese, admin, district_1, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        invite_by_screen(
            admin,
            django_capture_on_commit_callbacks,
            name="韩梅",
            email="han.mei@example.test",
            role=Role.INSPECTOR,
            district=district_1.pk,
        )
    link = link_in_mail()
    person = get_user_model().objects.get(email="han.mei@example.test")
    moment = NOON + dt.timedelta(hours=1)
    if how == "reused":
        with time_machine.travel(moment, tick=False):
            Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})
    elif how == "revoked":
        client = Client()
        client.force_login(admin)
        with time_machine.travel(moment, tick=False):
            client.post(reverse("people:revoke", args=(person.pk,)))
    elif how == "expired":
        moment = NOON + dt.timedelta(hours=72, minutes=1)
    else:
        link = link[:-5] + "XXXX/"
    person.refresh_from_db()
    before = (person.password, person.is_active)
    path = link.removeprefix("/en")
    for prefix, words in (("", chinese), ("/en", english)):
        with time_machine.travel(moment, tick=False):
            browser = Client()
            shown = browser.get(prefix + path)
            posted = browser.post(
                prefix + path, {"password1": "Other-pass-991", "password2": "Other-pass-991"}
            )
        assert shown.status_code == posted.status_code == status
        assert words in shown.content.decode()
        assert "_auth_user_id" not in browser.session
    person.refresh_from_db()
    assert (person.password, person.is_active) == before
    translation.activate("zh-hans")
