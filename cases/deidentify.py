"""De-identification (脱敏) of what the public may read about a complaint: the open data set,
the Open311 API and the public statistics.

Staff screens mask (138****5678, so a colleague can still match a call-back); public outputs
remove: phone numbers, ID numbers and e-mail addresses become a placeholder, room numbers
and the names the complaint or the register holds are taken out. A citizen's narrative is
public only when they consented, and only after this step.
"""

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from cases.masking import _IN_TEXT  # one definition of what a phone, ID or e-mail looks like

# 3号楼2单元501室, 3栋501, 5-2-501, 501室, 501房, room 501 / flat 12B
_ROOM = re.compile(
    r"(?:\d+\s*(?:号楼|栋|幢|座)\s*)?(?:\d+\s*单元\s*)?\d{2,5}\s*(?:室|房|号房)"
    r"|\b\d{1,3}-\d{1,2}-\d{2,5}\b"
    r"|(?i:\b(?:room|flat|apt\.?|apartment|unit)\s*#?\s*\d{1,5}[A-Za-z]?\b)"
)


def public_text(text: str | None, *, names: Iterable[str] = ()) -> str:
    """``text`` with contact details replaced, room numbers and the given names removed."""
    text = _IN_TEXT.sub(_placeholder, text or "")
    text = _ROOM.sub(_("[room]"), text)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(name, _("[name]"))
    return text


def _placeholder(match: re.Match) -> str:
    if match["email"]:
        return _("[e-mail]")
    if match["id"]:
        return _("[ID number]")
    return _("[phone]")


def complaint_names(complaint) -> list[str]:
    """The names a complaint's text could give away: the complainant's own, and the people the
    register names for its company (legal representative, contact person)."""
    names = [complaint.contact_name]
    company = getattr(complaint, "company", None)
    if company is not None:
        names += [
            getattr(company, "legal_representative", ""),
            getattr(company, "contact_name", ""),
        ]
    return [n for n in names if n]


def public_description(complaint) -> str:
    """The narrative for the public, or "" when the complainant did not consent."""
    if not complaint.consent_to_publish:
        return ""
    return public_text(complaint.description, names=complaint_names(complaint))
