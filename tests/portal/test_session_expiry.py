"""A signed-in session ends after SESSION_IDLE_MINUTES without a request, and with the browser:
the admin then asks for the sign-in again with a message, and the expiry is audited."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import translation

from foundation.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)


def test_an_idle_session_is_signed_out_and_sent_to_the_login_page(official, client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(NOON, tick=False) as clock:
        client.force_login(official)
        assert client.get("/admin/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/admin/cases/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('wagtailadmin_login')}?next=%2Fadmin%2Fcases%2F"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"]).content.decode()
    with translation.override("zh-hans"):
        message = translation.gettext(
            "You were signed out after %(minutes)d minutes without activity. Sign in again."
        ) % {"minutes": 30}
    assert message in login_page
    expired = AuditEvent.objects.get(action="portal.auth.session_expired")
    assert (expired.actor, expired.filters) == (official, {"idle_minutes": 31})
    assert AuditEvent.objects.filter(action="portal.auth.logout", actor=official).exists()


def test_activity_keeps_the_session_alive(official, client, settings):
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(NOON, tick=False) as clock:
        client.force_login(official)
        for _ in range(4):  # two hours in all, never 30 minutes apart
            clock.shift(dt.timedelta(minutes=29))
            assert client.get("/admin/").status_code == 200
    assert not AuditEvent.objects.filter(action="portal.auth.session_expired").exists()


def test_a_public_page_is_served_signed_out_after_the_idle_time(official, client, site_pages):
    with time_machine.travel(NOON, tick=False) as clock:
        client.force_login(official)
        clock.shift(dt.timedelta(minutes=45))
        response = client.get("/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_ends_with_the_browser(official, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    type(official).objects.filter(pk=official.pk).update(password=make_password(PASSWORD))
    response = Client().post(
        reverse("wagtailadmin_login"), {"username": official.username, "password": PASSWORD}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]
