"""Masking of the complainant's personal data (个人信息脱敏) for everyone without the permission.

Only regulator staff holding ``cases.view_complainant_personal_data`` see a complainant's
name, phone, e-mail or ID number; companies, owners' committees and public pages get the
masked forms below (138****5678), and ``scrub_text`` masks what citizens type into free text.
A masked value never reveals more than its unmasked head and tail, and an unexpected value is
masked more, never less.
"""

import re
import unicodedata
from dataclasses import dataclass

from cases import permissions
from cases.models import Complaint

STAR = "*"

_MOBILE = re.compile(r"(?P<cc>(?:\+|＋)?[8８][6６])?(?P<number>[1１][3-9３-９]\d{9})")
# An area code (0 + 2 or 3 digits), a separator, a 7- or 8-digit local number.
_LANDLINE = re.compile(r"(?P<area>0\d{2,3})(?P<sep>[\s\-])(?P<local>\d{7,8})")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NAME_SEPARATORS = re.compile(r"([\s·・.\-]+)")


def _ascii_digits(text: str) -> str:
    """The digits of ``text`` (full-width ones too) as ASCII, everything else dropped."""
    return "".join(
        str(unicodedata.digit(ch)) for ch in text if unicodedata.digit(ch, None) is not None
    )


def _keep(value: str, head: int, tail: int) -> str:
    return value[:head] + STAR * (len(value) - head - tail) + value[len(value) - tail :]


def mask_phone(phone: str | None) -> str:
    """A mobile "13812345678" → "138****5678", a landline "010-12345678" → "010-****5678";
    anything else keeps its last four digits if it has eight or more, two if five to seven."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    mobile = _MOBILE.fullmatch(re.sub(r"[\s\-()]", "", phone))
    if mobile:
        prefix = "+86 " if mobile["cc"] else ""
        return prefix + _keep(_ascii_digits(mobile["number"]), 3, 4)
    landline = _LANDLINE.fullmatch(phone)
    if landline:
        return landline["area"] + landline["sep"] + _keep(landline["local"], 0, 4)
    digits = _ascii_digits(phone)
    if len(digits) >= 8:
        return _keep(digits, 0, 4)
    if len(digits) >= 5:
        return _keep(digits, 0, 2)
    return STAR * max(len(digits), 3)


def mask_name(name: str | None) -> str:
    """Names: "张三" → "张*", "欧阳娜娜" → "欧***", "John Smith" → "J*** S****".

    A Chinese name keeps its first character only (spaces inside it are ignored: "张 三" is
    "张*"); other names keep the first letter of each part; a one-letter name is hidden.
    """
    name = " ".join((name or "").split())
    if not name:
        return ""
    if _CJK.search(name):
        name = name.replace(" ", "")
        if len(name) == 1:
            return STAR
        return name[0] + "".join(ch if ch in "·・" else STAR for ch in name[1:])
    parts = _NAME_SEPARATORS.split(name)
    words = [part for part in parts[0::2] if part]
    if len(words) == 1 and len(words[0]) == 1:
        return STAR
    return "".join(
        part if index % 2 else part[:1] + STAR * (len(part) - 1) for index, part in enumerate(parts)
    )


def mask_email(email: str | None) -> str:
    """E-mail: "zhang.san@example.com" → "z***@example.com": the domain stays, the name shows
    its first character (none if it has only one) and never its length."""
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        return STAR * 3
    head = local[0] if len(local) > 1 else ""
    return f"{head}***@{domain}"


def mask_id_number(number: str | None) -> str:
    """Resident ID (身份证): "110101199001011234" → "110101********1234" (the region code and
    the last four stay, the birth date goes); other documents keep their first and last two
    characters when they have eight or more."""
    number = re.sub(r"\s", "", number or "")
    if not number:
        return ""
    if re.fullmatch(r"\d{17}[\dXx]|\d{15}", number):
        return _keep(number, 6, 4)
    if len(number) >= 8:
        return _keep(number, 2, 2)
    return STAR * len(number)


# Free text: what citizens type is scrubbed before others read it -------------------------

_SEP = r"[\s\-.]?"  # 138 1234 5678, 138-1234-5678, 138.1234.5678
_EMAIL = r"(?P<email>[A-Za-z0-9._%+\-]+[@＠][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
_ID = rf"(?P<id>\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}(?:\d|[XxＸｘ]))"
_PHONE = rf"(?P<phone>(?:[+＋]?[8８][6６][\s\-]?)?[1１]{_SEP}[3-9３-９]{_SEP}(?:\d{_SEP}){{8}}\d)"
# \d matches full-width digits too. An e-mail is tried first (a QQ address is a phone number
# followed by @qq.com), then an ID number, whose digits must never be read as a phone number.
# Each pattern starts only where its run of characters starts: linear time on any text.
_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9._%+\-]){_EMAIL}|(?<!\d){_ID}(?![\dXxＸｘ])|(?<!\d){_PHONE}(?!\d)"
)


def _scrub(match: re.Match) -> str:
    found = match.group(0)
    if match["email"]:
        return mask_email(found.replace("＠", "@"))
    if match["id"]:
        last = "X" if found[-1] in "XxＸｘ" else ""
        return mask_id_number(_ascii_digits(found) + last)
    digits = _ascii_digits(found)
    return ("+86 " if len(digits) > 11 else "") + mask_phone(digits[-11:])


def scrub_text(text: str | None) -> str:
    """Mask mainland mobile numbers, e-mail addresses and 18-digit ID numbers inside text,
    also when written with spaces, hyphens or full-width digits."""
    return _IN_TEXT.sub(_scrub, text or "")


# The complainant, as one user may see them ---------------------------------------------


@dataclass(frozen=True)
class ComplainantDetails:
    name: str
    phone: str
    email: str
    masked: bool
    id_number: str = ""
    # The building and room: hidden (``address_hidden``) from everyone outside the regulator
    # when the complainant asked to stay anonymous to the company, since a room number
    # names the household as surely as a phone number does.
    address: str = ""
    address_hidden: bool = False


def complainant_address(complaint: Complaint, user) -> tuple[str, bool]:
    """(the address as ``user`` may read it, whether it is withheld from them)."""
    if complaint.anonymous_to_company and not permissions.is_regulator(user):
        return "", bool(complaint.address)
    if permissions.can_see_personal_data(user):
        return complaint.address, False
    return scrub_text(complaint.address), False


def complainant_details(complaint: Complaint, user) -> ComplainantDetails:
    """The complainant's contact details, unmasked only for staff with the permission."""
    address, address_hidden = complainant_address(complaint, user)
    if permissions.can_see_personal_data(user):
        return ComplainantDetails(
            name=complaint.contact_name,
            phone=complaint.contact_phone,
            email=complaint.contact_email,
            id_number=complaint.contact_id_number,
            masked=False,
            address=address,
        )
    return ComplainantDetails(
        name=mask_name(complaint.contact_name),
        phone=mask_phone(complaint.contact_phone),
        email=mask_email(complaint.contact_email),
        id_number=mask_id_number(complaint.contact_id_number),
        masked=True,
        address=address,
        address_hidden=address_hidden,
    )
