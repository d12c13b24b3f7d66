"""Signing in to "my complaints" with a phone number and a one-time SMS code (no password,
no Django user).

The code is kept only as a keyed digest in the cache for ``SIGN_IN_CODE_SECONDS``, with an
atomic count of wrong tries (``SIGN_IN_CODE_ATTEMPTS``, then it is void). A number with no
complaint gets an entry too, never sent: the page and the wrong-code answers are the same, so
nobody learns which numbers filed complaints. After the right code the session holds a signed,
timestamped entry with the phone's digest (never the number), valid for
``MY_COMPLAINTS_SESSION_SECONDS``; the session key is cycled, so a planted one learns nothing.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from cases.models import Complaint
from cases.phones import phone_digest
from foundation.notifications import notify

SIGNED_IN = "portal.my_complaints.phone"
PENDING = "portal.my_complaints.pending"
_SALT = "portal.my_complaints"
CODE_LENGTH = 6


class SignInRefused(Exception):
    """A code request or check refused; the message says why and what to do."""


@dataclass(frozen=True)
class Pending:
    digest: str
    masked: str


def _keys(digest: str) -> tuple[str, str]:
    return f"portal.signin.code:{digest}", f"portal.signin.tries:{digest}"


def _code_digest(digest: str, code: str) -> str:
    return salted_hmac(_SALT, f"{digest}:{code}", algorithm="sha256").hexdigest()


def seconds_to_wait(digest: str) -> int:
    """How long before another code may be sent to this number (0: now)."""
    entry = cache.get(_keys(digest)[0])
    if not entry:
        return 0
    return max(0, int(entry["sent"] + settings.SIGN_IN_CODE_RESEND_SECONDS - time.time()))


def send_code(phone: str) -> None:
    """Store a fresh code for this (normalised mainland mobile) number and text it, if any
    complaint was filed with it. Refused while the last code is too recent to resend."""
    digest = phone_digest(phone)
    wait = seconds_to_wait(digest)
    if wait:
        raise SignInRefused(
            _("A code was sent a moment ago. Wait %(seconds)d seconds before asking again.")
            % {"seconds": wait}
        )
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    code_key, tries_key = _keys(digest)
    lifetime = settings.SIGN_IN_CODE_SECONDS
    cache.set(code_key, {"hash": _code_digest(digest, code), "sent": time.time()}, lifetime)
    cache.set(tries_key, 0, lifetime)
    if Complaint.objects.filter(phone_digest=digest).exists():
        minutes = max(1, lifetime // 60)
        notify(
            dedup_key=f"sign-in:{digest[:24]}:{secrets.token_hex(8)}",
            subject=_("Your sign-in code"),
            body=_(
                "%(code)s is your code to see your complaints on the property service portal. "
                "It is valid for %(minutes)d minutes. Never give it to anyone."
            )
            % {"code": code, "minutes": minutes},
            phone=phone,
        )


def check_code(digest: str, code: str) -> None:
    """Accept the code once; SignInRefused for a wrong, used, expired or exhausted one."""
    code_key, tries_key = _keys(digest)
    entry = cache.get(code_key)
    try:
        tries = cache.incr(tries_key)
    except ValueError:
        tries = None
    if not entry or tries is None:
        raise SignInRefused(_("This code has expired. Ask for a new code."))
    if tries > settings.SIGN_IN_CODE_ATTEMPTS:
        cache.delete_many([code_key, tries_key])
        raise SignInRefused(_("Too many wrong codes. Ask for a new code."))
    if not constant_time_compare(entry["hash"], _code_digest(digest, code)):
        left = settings.SIGN_IN_CODE_ATTEMPTS - tries
        if left <= 0:
            cache.delete_many([code_key, tries_key])
            raise SignInRefused(_("Too many wrong codes. Ask for a new code."))
        raise SignInRefused(
            translation.ngettext(
                "The code is wrong. You may try %(left)d more time.",
                "The code is wrong. You may try %(left)d more times.",
                left,
            )
            % {"left": left}
        )
    cache.delete_many([code_key, tries_key])  # once only


# The session ----------------------------------------------------------------------------------


def set_pending(request: HttpRequest, digest: str, masked: str) -> None:
    request.session[PENDING] = {"digest": digest, "masked": masked}


def pending(request: HttpRequest) -> Pending | None:
    data = request.session.get(PENDING)
    return Pending(data["digest"], data["masked"]) if data else None


def sign_in(request: HttpRequest, digest: str) -> None:
    request.session.cycle_key()
    request.session.pop(PENDING, None)
    request.session[SIGNED_IN] = signing.dumps({"d": digest}, salt=_SALT)


def signed_in_digest(request: HttpRequest) -> str | None:
    """The phone digest this browser signed in with, if the entry is genuine and fresh."""
    token = request.session.get(SIGNED_IN)
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.MY_COMPLAINTS_SESSION_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        request.session.pop(SIGNED_IN, None)
        return None
    return data.get("d") or None


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SIGNED_IN, None)
    request.session.pop(PENDING, None)
