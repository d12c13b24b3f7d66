"""How a person's name is shown: one rule for the whole product.

Django's ``get_full_name()`` is "first last", which turns 赵建国 (family name 赵) into
"建国 赵". A name written in Chinese characters is shown family name first without a space;
a name in Latin letters is shown as the person's record has it, "first last". The username
stands in when the record has no name.
"""

import re

# CJK ideographs (basic block, extension A, compatibility) and the middle dot of
# transliterated foreign names (·): a name made only of these is written family name first.
_CHINESE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·・]+$")


def is_chinese(text: str) -> bool:
    return bool(_CHINESE.match(text))


def display_name(user) -> str:
    """The person's name as people read it: 赵建国, or "Jane Smith", else the username."""
    if user is None:
        return ""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if first and last and is_chinese(first + last):
        return f"{last}{first}"
    name = " ".join(part for part in (first, last) if part)
    return name or user.get_username()
