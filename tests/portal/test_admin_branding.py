"""The staff pages carry the portal's name and emblem, not Wagtail's, and every label of the
sign-in page is in the visitor's language (issue 24)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.security.login_form import StaffLoginForm

pytestmark = pytest.mark.django_db
PORTAL_ZH = "物业服务监管平台"
PORTAL_EN = "Property Service Regulation Portal"


def _get(client, url, language):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def _title(body: str) -> str:
    return re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()


def _label(body: str, field: str) -> str:
    return re.search(rf'<label[^>]*for="id_{field}"[^>]*>\s*(.*?)\s*<', body, re.S).group(1)


def test_the_sign_in_page_in_chinese_names_the_portal_and_translates_every_label():
    body = _get(Client(), reverse("wagtailadmin_login"), "zh-hans").content.decode()
    assert "Wagtail" not in body
    assert "Password" not in body
    assert _label(body, "password") == "密码"
    assert _title(body) == f"登录 - {PORTAL_ZH}"
    assert PORTAL_ZH in body
    assert 'class="portal-emblem"' in body
    assert "icon-wagtail" not in body  # Wagtail's bird


def test_the_sign_in_labels_follow_the_language():
    """Anonymous visitors get the default language (Chinese); the labels still come from
    the catalogue, so English readers get English."""
    for language, expected in (("zh-hans", "密码"), ("en", "Password")):
        with translation.override(language):
            assert str(StaffLoginForm().fields["password"].label) == expected
            assert str(settings.PORTAL_NAME) == (PORTAL_ZH if language == "zh-hans" else PORTAL_EN)


def test_a_wrong_password_still_answers_in_the_visitors_language(official):
    response = Client().post(
        reverse("wagtailadmin_login"),
        {"username": official.username, "password": "wrong-password"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Wagtail" not in body and "Password" not in body
    assert 'class="error"' in body
    with translation.override("zh-hans"):
        message = translation.gettext("The username or the password is wrong. Please try again.")
    assert message in body


def test_the_admin_not_found_page_shows_the_portal_not_the_bird(client, admin):
    client.force_login(admin)
    response = _get(client, "/admin/no-such-screen/", "zh-hans")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Wagtail" not in body
    assert "icon-wagtail" not in body
    assert 'class="portal-emblem"' in body
    assert _title(body).endswith(PORTAL_ZH)
    assert f'href="{reverse("wagtailadmin_home")}"' in body


def test_the_sidebar_and_every_tab_carry_the_portal_name(client, admin):
    client.force_login(admin)
    body = _get(client, reverse("complaint_search"), "zh-hans").content.decode()
    branding = re.search(
        r"<template data-wagtail-sidebar-branding-logo>(.*?)</template>", body, re.S
    )
    assert 'class="portal-emblem"' in branding.group(1)
    assert PORTAL_ZH in branding.group(1)
    assert _title(body).endswith(f" - {PORTAL_ZH}")
    assert 'rel="icon" type="image/svg+xml" href="data:image/svg+xml,' in body


@pytest.mark.parametrize("person", ["admin", "official", "inspector"])
def test_the_dashboard_names_the_portal_and_not_wagtail(client, request, person):
    """No Wagtail version, "what's new in Wagtail" or Wagtail editor guide in the menus or
    on the dashboard: only the portal."""
    client.force_login(request.getfixturevalue(person))
    body = _get(client, reverse("wagtailadmin_home"), "zh-hans").content.decode()
    assert re.search(rf"<h1[^>]*>\s*{PORTAL_ZH}\s*</h1>", body)
    assert not re.search(r"Wagtail[ v]*\d", body)  # its version, its guide, its news
    assert "guide.wagtail.org" not in body
