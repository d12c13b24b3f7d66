"""Tracking numbers and secret access codes (查询码) for citizens.

The access code is stored as a keyed HMAC rather than a slow password hash: the code is random
(40 bits), guesses are rate-limited online, and without the server's key an offline guess is
impossible. A slow hash would add half a second to every submission and every tracking look-up.
"""

import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

# No 0/O, 1/I/L: codes are read from paper and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 8
_SALT = "cases.access_code"


def new_tracking_number() -> str:
    """``WY`` + date + 6 random characters, e.g. ``WY20261121K7P3QX``."""
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"WY{timezone.localdate():%Y%m%d}{suffix}"


def new_access_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def digest_access_code(tracking_number: str, access_code: str, secret: str | None = None) -> str:
    normalized = access_code.strip().upper()
    return salted_hmac(
        _SALT, f"{tracking_number}:{normalized}", secret=secret, algorithm="sha256"
    ).hexdigest()


def access_code_matches(tracking_number: str, access_code: str, digest: str) -> bool:
    """True if the code fits; old keys in SECRET_KEY_FALLBACKS still open old complaints."""
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(digest_access_code(tracking_number, access_code, secret), digest):
            return True
    return False
