"""The complainant's personal data (个人信息) encrypted at rest, and the resident ID number check.

Name, phone, e-mail and ID number are stored as Fernet tokens (django-fernet-encrypted-fields):
a database dump, a replica or a backup holds no plaintext. The keys are derived from
``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``) with ``SALT_KEY`` (a string, or a list whose
first entry encrypts and whose others still decrypt, for rotation).

The library stores "" as NULL; the fields below read NULL back as "", so the rest of the code
keeps seeing strings. A token is random each time, so these columns cannot be filtered,
ordered or joined on: look complaints up by anything else.
"""

import base64
import datetime as dt
import re
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from encrypted_fields import fields as encrypted

# GB 11643-1999: the 18th character of a resident ID number checks the first 17.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"
_ID_SHAPE = re.compile(r"[1-9]\d{16}[\dX]")


def _salt_keys() -> tuple[str, ...]:
    salt = settings.SALT_KEY
    return tuple(salt) if isinstance(salt, list | tuple) else (salt,)


@lru_cache(maxsize=8)
def _fernet(secret_keys: tuple[str, ...], salt_keys: tuple[str, ...]) -> MultiFernet:
    """One MultiFernet per key set, derived exactly as the library does (PBKDF2-SHA256,
    100,000 rounds, every secret key with every salt, in that order), so its tokens and ours
    are the same. Cached per key set: the derivation runs once per process instead of once per
    field, and a changed setting (a rotation, a test) is seen at once."""
    keys = []
    for secret_key in secret_keys:
        for salt_key in salt_keys:
            kdf = PBKDF2HMAC(
                algorithm=hashes.SHA256(), length=32, salt=salt_key.encode(), iterations=100_000
            )
            keys.append(Fernet(base64.urlsafe_b64encode(kdf.derive(secret_key.encode()))))
    return MultiFernet(keys)


class _BlankAsNull:
    """Stores "" as NULL (the library's rule) and reads NULL back as ""."""

    @property
    def f(self) -> MultiFernet:
        secret_keys = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
        return _fernet(tuple(secret_keys), _salt_keys())

    def from_db_value(self, value, expression, connection):
        return "" if value is None else super().from_db_value(value, expression, connection)

    def to_python(self, value):
        return "" if value is None else super().to_python(value)

    def formfield(self, **kwargs):
        # A blank answer is "" in forms too: NULL is only how the column stores it.
        return super().formfield(**{"empty_value": "", **kwargs})


class EncryptedCharField(_BlankAsNull, encrypted.EncryptedCharField):
    """A ``CharField`` stored encrypted; ``max_length`` limits the plaintext."""


class EncryptedEmailField(_BlankAsNull, encrypted.EncryptedEmailField):
    """An ``EmailField`` stored encrypted."""


def id_number_check_character(first_17: str) -> str:
    """The GB 11643 check character (0-9 or X) of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11]


def normalise_id_number(value: str) -> str:
    """Spaces removed and a lower-case x made upper-case: the form that is stored."""
    return re.sub(r"\s", "", value or "").upper()


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number (居民身份证号码): 17 digits, a birth date that exists
    and is not in the future, and the right check character (GB 11643-1999)."""
    number = normalise_id_number(value)
    if not _ID_SHAPE.fullmatch(number):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."),
            code="id_number_shape",
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1800 or born > dt.date.today():
        raise ValidationError(
            _("This resident ID number does not contain a valid date of birth."),
            code="id_number_birth_date",
        )
    if id_number_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("This resident ID number is not valid: its last character does not match."),
            code="id_number_check",
        )
