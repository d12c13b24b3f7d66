"""Callers' phone numbers as a look-up key.

The number itself is encrypted at rest (cases.models.personal_data), so finding a caller's
complaints would mean decrypting every row. Each complaint keeps a keyed digest of the
normalised number instead, like the access code's: without the server's key a dump of digests
names nobody. The key is ``PHONE_LOOKUP_KEY`` (by default SECRET_KEY): rotating it means
recomputing the digests (``manage.py shell``: ``cases.phones.recompute_digests()``).
"""

import re

from django.conf import settings
from django.utils.crypto import salted_hmac

from cases.models import Complaint

_SALT = "cases.phone_lookup"
_SEPARATORS = re.compile(r"[\s\-()（）]")
_COUNTRY_CODE = re.compile(r"^(?:\+?86|0086)(?=1[3-9]\d{9}$)")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(phone: str) -> str:
    """``+86 138-1234-5678`` → ``13812345678``; a landline keeps its digits and hyphens'
    order without them (``0571-87654321`` → ``057187654321``)."""
    digits = _SEPARATORS.sub("", (phone or "").strip())
    return _COUNTRY_CODE.sub("", digits)


def is_mainland_mobile(phone: str) -> bool:
    """Only a mainland mobile can receive the access code by SMS."""
    return bool(MOBILE.match(normalise_phone(phone)))


def phone_digest(phone: str) -> str:
    """The look-up key of a phone number; "" for no number."""
    number = normalise_phone(phone)
    if not number:
        return ""
    key = getattr(settings, "PHONE_LOOKUP_KEY", "") or settings.SECRET_KEY
    return salted_hmac(_SALT, number, secret=key, algorithm="sha256").hexdigest()


def recompute_digests(batch_size: int = 500) -> int:
    """Recompute every complaint's digest (after the key changes); returns how many changed."""
    changed = []
    for complaint in Complaint.objects.only("id", "contact_phone", "phone_digest").iterator(
        chunk_size=batch_size
    ):
        digest = phone_digest(complaint.contact_phone or "")
        if digest != complaint.phone_digest:
            complaint.phone_digest = digest
            changed.append(complaint)
    Complaint.objects.bulk_update(changed, ["phone_digest"], batch_size=batch_size)
    return len(changed)


def complaints_by_phone(phone: str):
    """Every complaint filed with this phone number, by any channel (none for no number)."""
    digest = phone_digest(phone)
    return Complaint.objects.filter(phone_digest=digest) if digest else Complaint.objects.none()
