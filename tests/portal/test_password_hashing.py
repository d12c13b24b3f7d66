"""Passwords are stored with Argon2; a hash from before (PBKDF2) still signs in and is
rehashed with Argon2 on that sign-in, while a wrong password leaves it as it was.

The tests run with the production hasher list from ``portal.config.settings`` (no fixture
swaps in a fast hasher here): what is checked is the list a deployment uses.
"""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_argon2_is_the_preferred_hasher_and_older_ones_still_verify():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in settings.PASSWORD_HASHERS
    assert get_hasher().algorithm == "argon2"
    assert identify_hasher(make_password("a-new-Password-2026")).algorithm == "argon2"


def _stored_pbkdf2(user) -> str:
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    type(user).objects.filter(pk=user.pk).update(password=old)
    return old


def _sign_in(password: str, username: str):
    return Client().post(
        reverse("wagtailadmin_login"), {"username": username, "password": password}
    )


def test_a_pbkdf2_hash_is_upgraded_to_argon2_on_sign_in(inspector):
    _stored_pbkdf2(inspector)
    assert _sign_in(PASSWORD, inspector.username).status_code == 302
    inspector.refresh_from_db()
    assert identify_hasher(inspector.password).algorithm == "argon2"
    assert inspector.check_password(PASSWORD)
    # And the upgraded hash signs in again.
    assert _sign_in(PASSWORD, inspector.username).status_code == 302


def test_a_wrong_password_leaves_the_old_hash_alone(inspector):
    old = _stored_pbkdf2(inspector)
    assert _sign_in("not-the-Password-1", inspector.username).status_code == 200
    inspector.refresh_from_db()
    assert inspector.password == old
