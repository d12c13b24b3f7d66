"""Staff sign-in: wrong passwords are throttled per username and address (django-axes), the
lockout page says why in the visitor's language, a success resets the count, and every
sign-in, failed sign-in and sign-out is in the audit log (never the password)."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import translation

from foundation.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "wagtailadmin_login"


@pytest.fixture
def staff(official, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    type(official).objects.filter(pk=official.pk).update(password=make_password(PASSWORD))
    return official


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse(LOGIN), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_limit_locks_the_username_on_that_address_only(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert sign_in(client, staff.username, "wrong-password").status_code in (200, 429)
    locked = sign_in(client, staff.username, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    with translation.override("zh-hans"):
        assert translation.gettext("Too many wrong passwords") in locked.content.decode()
    # Another address is not locked out for this username.
    elsewhere = Client()
    assert sign_in(elsewhere, staff.username, PASSWORD, address="127.0.0.2").status_code == 302


def test_a_success_before_the_limit_resets_the_count(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    sign_in(client, staff.username, "wrong-password")
    sign_in(client, staff.username, "wrong-password")
    assert sign_in(client, staff.username, PASSWORD).status_code == 302
    client.logout()
    sign_in(client, staff.username, "wrong-password")
    sign_in(client, staff.username, "wrong-password")
    assert sign_in(client, staff.username, PASSWORD).status_code == 302


def test_sign_ins_failures_and_sign_outs_are_audited(staff):
    client = Client()
    sign_in(client, staff.username, "wrong-password")
    sign_in(client, staff.username, PASSWORD)
    client.post(reverse("wagtailadmin_logout"))
    sign_ins = AuditEvent.objects.filter(action__startswith="portal.auth.")
    events = list(sign_ins.order_by("pk").values_list("action", "label", "actor_id"))
    assert events == [
        ("portal.auth.login_failed", staff.username, None),
        ("portal.auth.login", staff.username, staff.pk),
        ("portal.auth.logout", staff.username, staff.pk),
    ]
    assert not AuditEvent.objects.filter(filters__icontains="wrong-password").exists()
    assert AuditEvent.objects.filter(ip_address="127.0.0.1").count() == 3


@pytest.mark.parametrize("password", [PASSWORD, "wrong-password"])
def test_a_try_during_the_lockout_does_not_extend_it(staff, settings, time_machine, password):
    """The lockout page promises a time; neither the right password nor another wrong one
    tried while locked out may push that time back."""
    settings.AXES_FAILURE_LIMIT = 3
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)
    client = Client()
    for _ in range(3):
        sign_in(client, staff.username, "wrong-password")
    time_machine.move_to("2026-03-10 10:14 +08:00", tick=False)
    still_locked = sign_in(client, staff.username, password)
    assert still_locked.status_code == 429
    # The page counts the minute left, not a fresh 15.
    alert = re.search(r'role="alert">(.*?)</p>', still_locked.content.decode(), re.S)[1]
    assert re.findall(r"\d+", alert) == ["1"]
    assert "_auth_user_id" not in client.session
    # The lockout ends 15 minutes after the last failure that caused it, not after this try.
    time_machine.move_to("2026-03-10 10:15:01 +08:00", tick=False)
    assert sign_in(client, staff.username, PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session
