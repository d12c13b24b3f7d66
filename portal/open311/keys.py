"""Partner API keys: issued once, stored as a keyed digest, checked in constant time.

A keyed HMAC rather than a slow password hash, as for access codes (cases.access_codes): the
key is 256 random bits, so nothing can be guessed offline or online, and a slow hash would
cost every partner submission a noticeable delay. Digests made with an old key in
SECRET_KEY_FALLBACKS keep working while the secret is rotated.
"""

import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from cases.models import PartnerApiKey
from cases.models.partners import KEY_PREFIX_LENGTH

_SALT = "portal.open311.partner_api_key"
_MAX_KEY_LENGTH = 200  # far longer than any key we issue; longer input is not even hashed


def digest_key(key: str, secret: str | None = None) -> str:
    return salted_hmac(_SALT, key, secret=secret, algorithm="sha256").hexdigest()


def issue_key(name: str) -> tuple[PartnerApiKey, str]:
    """A new active key for the partner ``name``: the record, and the key to hand over once."""
    key = secrets.token_urlsafe(32)
    record = PartnerApiKey.objects.create(
        name=name, prefix=key[:KEY_PREFIX_LENGTH], digest=digest_key(key)
    )
    return record, key


def authenticate(key: str | None) -> PartnerApiKey | None:
    """The active key record matching ``key``, or None; notes when it was last used."""
    key = (key or "").strip()
    if len(key) <= KEY_PREFIX_LENGTH or len(key) > _MAX_KEY_LENGTH or "\x00" in key:
        return None
    candidates = PartnerApiKey.objects.filter(prefix=key[:KEY_PREFIX_LENGTH], active=True)
    secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    for record in candidates:
        if any(constant_time_compare(digest_key(key, s), record.digest) for s in secrets_in_use):
            # An update, not save(): a revocation committed meanwhile must not be undone.
            PartnerApiKey.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
            return record
    return None


def revoke_key(prefix: str) -> int:
    """Deactivate the keys starting with ``prefix``; the number of keys revoked."""
    return PartnerApiKey.objects.filter(prefix=prefix[:KEY_PREFIX_LENGTH], active=True).update(
        active=False
    )
