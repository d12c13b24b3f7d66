"""Security headers: a strict Content-Security-Policy on the public site (no inline script or
style anywhere), the admin left out of it, HSTS in production and CSRF on every form."""

import re

import pytest
from django.test import Client

from tests.portal.test_project import run_manage

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def policy(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


@pytest.fixture
def public_urls(site_pages, search_page):
    return [
        "/",
        "/en/",
        site_pages["complaint"].url,
        site_pages["tracking"].url,
        search_page.url,
        search_page.url + "?q=电梯",
    ]


def test_public_pages_carry_the_strict_policy(public_urls):
    for url in public_urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert policy(response["Content-Security-Policy"]) == EXPECTED_POLICY, url


def test_a_cached_page_carries_the_policy_too(site_pages):
    Client().get("/")
    assert policy(Client().get("/")["Content-Security-Policy"]) == EXPECTED_POLICY


def test_the_wagtail_admin_is_left_out_of_the_policy(db):
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_public_pages_have_no_inline_script_or_style(public_urls):
    for url in public_urls:
        html = Client().get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), url
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers


def test_a_form_post_without_the_csrf_token_is_refused(site_pages):
    response = Client(enforce_csrf_checks=True).post(site_pages["complaint"].url, {})
    assert response.status_code == 403


def test_production_settings_turn_hsts_and_secure_cookies_on():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_SECURE)",
        DEBUG="0",
        SECRET_KEY="p" * 25 + "Q9#x" * 7 + "zz-_",
        SALT_KEY="production-salt-2026",
        ALLOWED_HOSTS="portal.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
    ]
