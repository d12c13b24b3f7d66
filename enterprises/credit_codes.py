"""Unified social credit code (统一社会信用代码, GB 32100-2015) validation.

18 characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z); the
last is a check character computed from the first 17 with fixed weights, modulo 31. Each
refusal names the rule that was broken, so a clerk can find the typo.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering authority; second: the kind of entity it registers.
REGISTERING_AUTHORITIES = set("123456789ANY")


def canonical(value: str) -> str:
    """The one stored form: full-width characters folded (NFKC), spaces dropped, capitals;
    so ``91350100m000100y43`` typed in a form and ``91350100M000100Y43`` imported are one
    company."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


class CreditCodeField(models.CharField):
    """A unified social credit code, stored and looked up in its canonical form by every
    path: forms and imports (``to_python``), saves and queries (``get_prep_value``)."""

    def to_python(self, value):
        value = super().to_python(value)
        return canonical(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return canonical(value) if isinstance(value, str) else value


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            code="length",
            params={"length": len(code)},
        )
    wrong = sorted({char for char in code if char not in CHARSET})
    if wrong:
        raise ValidationError(
            _("“%(chars)s” cannot appear in a unified social credit code (no I, O, S, V or Z)."),
            code="charset",
            params={"chars": "".join(wrong)},
        )
    if code[0] not in REGISTERING_AUTHORITIES:
        raise ValidationError(
            _("The first character, the registering authority, cannot be “%(char)s”."),
            code="authority",
            params={"char": code[0]},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 must be the six digits of an administrative division code."),
            code="division",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character (the 18th) should be “%(expected)s”, not “%(actual)s”: "
                "one of the first 17 characters is probably mistyped."
            ),
            code="check",
            params={"expected": expected, "actual": code[17]},
        )
