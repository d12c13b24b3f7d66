"""The second factor (双因素认证) of officials and administrators: one authenticator app (TOTP,
django-otp) and ten single-use recovery codes per person.

Every change to someone's devices goes through these functions, which write the audit event in
the same transaction: enrolment, a verified or failed code, a reset by an administrator.
Views, the reset command and the demo seed call them; nothing else creates or deletes devices.
"""

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from foundation.audit import record_event
from foundation.roles import Role, has_role

OTP_ENROLLED = "portal.auth.otp_enrolled"
OTP_VERIFIED = "portal.auth.otp_verified"
OTP_FAILED = "portal.auth.otp_failed"
OTP_RESET = "portal.auth.otp_reset"

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "authenticator"
RECOVERY_CODES = "recovery codes"
# The roles whose accounts can change cases, penalties, users and published pages.
SECOND_FACTOR_ROLES = frozenset({Role.OFFICIAL, Role.ADMINISTRATOR})


def requires_second_factor(user) -> bool:
    """Officials, administrators and superusers (``has_role`` counts those as administrators)."""
    return bool(settings.REQUIRE_SECOND_FACTOR) and has_role(user, *SECOND_FACTOR_ROLES)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed device the enrolment page shows, made on the first visit and kept until
    confirmed, so reloading the page does not change the secret already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


@dataclass(frozen=True)
class Verification:
    device: Device | None = None
    # Set when django-otp's throttle refused to check the code at all (too many wrong ones).
    locked_until: datetime | None = None


def _normalise(code: str) -> str:
    return "".join(code.split()).lower()


def is_recovery_code(code: str) -> bool:
    code = _normalise(code)
    return not (code.isdigit() and len(code) == 6)


def _check(device: Device, code: str) -> Verification:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return Verification(locked_until=(details or {}).get("locked_until"))
    # verify_token counts a wrong code towards the throttle itself (django-otp's ThrottlingMixin).
    return Verification(device=device if device.verify_token(code) else None)


def verify_code(user, code: str, *, request: HttpRequest | None = None) -> Verification:
    """Check a 6-digit authenticator code or a recovery code; audit the outcome either way."""
    code = _normalise(code)
    recovery = is_recovery_code(code)
    model = StaticDevice if recovery else TOTPDevice
    with transaction.atomic():
        # Locked: two tabs posting the same code cannot both use it.
        device = (
            model.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        result = _check(device, code) if device is not None else Verification()
        method = "recovery_code" if recovery else "totp"
        if result.device is None:
            filters = {"method": method, "throttled": result.locked_until is not None}
        elif recovery:
            filters = {"method": method, "recovery_codes_left": result.device.token_set.count()}
        else:
            filters = {"method": method}
        record_event(
            actor=user,
            action=OTP_VERIFIED if result.device is not None else OTP_FAILED,
            label=user.get_username(),
            filters=filters,
            row_count=None,
            format="",
            request=request,
        )
    return result


def confirm_authenticator(
    device: TOTPDevice, code: str, *, request: HttpRequest | None = None
) -> list[str] | None:
    """Confirm a pending authenticator with its first code and issue fresh recovery codes.

    Returns the recovery codes (shown once, never again) or None for a wrong code.
    """
    user = device.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        result = _check(device, _normalise(code))
        if result.device is None:
            throttled = result.locked_until is not None
            record_event(actor=user, action=OTP_FAILED, label=user.get_username(),
                         filters={"method": "enrolment", "throttled": throttled},
                         row_count=None, format="", request=request)  # fmt: skip
            return None
        # One authenticator per person: any older one (an earlier, abandoned page) goes.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _issue_recovery_codes(user)
        record_event(actor=user, action=OTP_ENROLLED, label=user.get_username(),
                     filters={"recovery_codes": len(codes)}, row_count=None, format="",
                     request=request)  # fmt: skip
    return codes


def _issue_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def reset_second_factor(user, *, actor, request: HttpRequest | None = None) -> int:
    """Remove every device of ``user`` (a lost phone): the next sign-in enrols again.

    Returns how many devices were removed. Their sessions stay signed in but lose the
    verification, because django-otp re-reads the device on every request.
    """
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        record_event(actor=actor, action=OTP_RESET, label=user.get_username(),
                     filters={"user": user.get_username(), "devices": removed},
                     row_count=None, format="", request=request)  # fmt: skip
    return removed


# The demo only (seed_demo, DEBUG=1): published keys, like the demo passwords.
DEMO_KEYS = {
    "official": "3132333435363738393031323334353637383930",
    "admin": "4142434445464748494a4b4c4d4e4f5051525354",
}


def seed_demo_second_factors(users: dict, write) -> None:
    """Officials' and administrators' demo authenticators with published keys, and two fresh
    recovery codes per run, so a newcomer can sign in with an authenticator app or without."""
    write("")
    write("second factor (after the password; a recovery code works once, new ones each run):")
    for username, key in DEMO_KEYS.items():
        user = users[username]
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(
                user=user, name=AUTHENTICATOR, key=key, confirmed=True
            )
            codes = _issue_recovery_codes(user)[:2]
        secret = b32encode(device.bin_key).decode()
        write(f"  {username:<9} app key {secret}  recovery codes {' '.join(codes)}")
