"""The second factor of officials and administrators: after the password, an authenticator code
(or a single-use recovery code); without an authenticator, the enrolment page first. Until
then every admin URL redirects; wrong codes are throttled and audited; inspectors and company
staff are not asked; an administrator can reset a lost phone."""

import datetime as dt
import re
from base64 import b32encode

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from foundation.models import AuditEvent
from foundation.roles import Role
from portal.security.second_factor_devices import confirm_authenticator, pending_authenticator
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

VERIFY = "/admin/second-factor/"
ENROL = "/admin/second-factor/enrol/"
NOON = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person(username: str, role: Role | None = None, **extra):
    """A user without any second-factor device, with the test password."""
    user = UserFactory(username=username, role=role, **extra)
    type(user).objects.filter(pk=user.pk).update(password=make_password(PASSWORD))
    return user


def signed_in(user) -> Client:
    """A browser that has passed the password step on Wagtail's own login form."""
    client = Client()
    response = client.post(
        reverse("wagtailadmin_login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def code_of(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user) -> TOTPDevice:
    device = pending_authenticator(user)
    assert confirm_authenticator(device, code_of(device)) is not None
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the set-up code is not reused
    device.refresh_from_db()
    return device


def events(action: str):
    return AuditEvent.objects.filter(action=action).order_by("pk")


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_official_without_authenticator_is_sent_to_enrolment_with_a_qr_code():
    official = person("new_official", Role.OFFICIAL)
    client = signed_in(official)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    # The QR code is inline SVG: no image request, no script, no inline style.
    assert "<svg" in main and "<script" not in main and "style=" not in main
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", main).group(1)
    assert shown.replace(" ", "") == secret
    # Reloading keeps the same secret (the app may already have scanned it).
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=official).count() == 1


def test_enrolment_confirms_a_first_code_and_shows_ten_recovery_codes_once():
    admin = person("new_admin", Role.ADMINISTRATOR)
    client = signed_in(admin)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin)
    wrong = client.post(ENROL, {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    response = client.post(ENROL, {"code": code_of(device), "next": "/admin/"})
    assert response.status_code == 200
    codes = set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/").status_code == 200
    assert events("portal.auth.otp_enrolled").get().actor == admin
    # Never shown again: the enrolment page now sends to the code page.
    again = client.get(ENROL)
    assert again.status_code == 302 and again["Location"].startswith(VERIFY)


def test_a_wrong_code_is_refused_audited_and_then_throttled():
    official = person("coded_official", Role.OFFICIAL)
    with time_machine.travel(NOON, tick=False) as clock:
        device = enrolled(official)
        client = signed_in(official)
        assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
        right = code_of(device)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"

        refused = client.post(VERIFY, {"code": wrong, "next": "/admin/"})
        assert refused.status_code == 200
        assert zh("This code is not valid. Try the current one.") in refused.content.decode()
        # Right away even the right code is not checked: django-otp's throttle (1, 2, 4 s …).
        throttled = client.post(VERIFY, {"code": right, "next": "/admin/"})
        assert throttled.status_code == 200
        assert client.get("/admin/").status_code == 302
        failures = list(events("portal.auth.otp_failed").values_list("filters", flat=True))
        assert failures == [
            {"method": "totp", "throttled": False},
            {"method": "totp", "throttled": True},
        ]
        assert events("portal.auth.otp_failed").filter(actor=official).count() == 2

        clock.shift(dt.timedelta(seconds=2))
        accepted = client.post(VERIFY, {"code": right, "next": "/admin/cases/"})
        assert accepted.status_code == 302 and accepted["Location"] == "/admin/cases/"
        assert client.get("/admin/").status_code == 200
        assert events("portal.auth.otp_verified").get().filters == {"method": "totp"}


def test_a_code_is_accepted_once_only():
    official = person("replay_official", Role.OFFICIAL)
    with time_machine.travel(NOON, tick=False):
        device = enrolled(official)
        code = code_of(device)
        assert signed_in(official).post(VERIFY, {"code": code}).status_code == 302
        replayed = signed_in(official).post(VERIFY, {"code": code})
        assert replayed.status_code == 200


def test_a_recovery_code_works_once():
    official = person("phoneless_official", Role.OFFICIAL)
    device = pending_authenticator(official)
    codes = confirm_authenticator(device, code_of(device))
    client = signed_in(official)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=official).count() == 9
    verified = events("portal.auth.otp_verified").get()
    assert verified.filters == {"method": "recovery_code", "recovery_codes_left": 9}

    other = signed_in(official)
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert other.get("/admin/").status_code == 302


def test_every_admin_url_and_export_redirects_until_verified():
    official = person("half_signed_in", Role.OFFICIAL)
    enrolled(official)
    client = signed_in(official)
    export = reverse("complaint_search_export", args=["csv"])
    for url in ("/admin/", "/admin/users/", export, f"{export}?q=lift"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{VERIFY}?next=")
    # The admin's icon sprite stays open: its script pastes the answer into every page.
    assert client.get(reverse("wagtailadmin_sprite")).status_code == 200
    # Signing out stays possible.
    assert client.post(reverse("wagtailadmin_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_superuser_needs_a_second_factor_too():
    root = person("root", None, is_superuser=True, is_staff=True)
    response = signed_in(root).get("/admin/")
    assert response["Location"].startswith(ENROL)


@pytest.mark.parametrize("outsider", ["inspector", "company_a_staff", "evaluator"])
def test_other_roles_are_not_asked(outsider, request, client):
    user = request.getfixturevalue(outsider)
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_the_switch_turns_the_requirement_off(settings):
    settings.REQUIRE_SECOND_FACTOR = False
    official = person("relaxed_official", Role.OFFICIAL)
    assert signed_in(official).get("/admin/").status_code == 200


def test_an_administrator_resets_a_lost_phone(official, admin, client):
    client.force_login(official)
    assert client.get("/admin/").status_code == 200
    StaticDevice.objects.create(user=official, name="recovery codes", confirmed=True)

    call_command("reset_second_factor", official.username, "--by", admin.username)

    assert not TOTPDevice.objects.filter(user=official).exists()
    assert not StaticDevice.objects.filter(user=official).exists()
    reset = events("portal.auth.otp_reset").get()
    assert (reset.actor, reset.label, reset.filters["devices"]) == (admin, "official", 2)
    # The open session loses its verification at once and is sent to enrol again.
    assert client.get("/admin/")["Location"].startswith(ENROL)
