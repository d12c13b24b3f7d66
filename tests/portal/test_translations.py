"""Chinese is the default language: its catalogue must be complete and compiled."""

import gettext
import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES"


def entries() -> list[str]:
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    live = "\n".join(line for line in text.splitlines() if not line.startswith("#~"))
    return [block for block in live.split("\n\n") if "msgid " in block][1:]  # no header


def test_every_message_has_a_reviewed_chinese_translation():
    untranslated = [
        block.strip()
        for block in entries()
        if "#, fuzzy" in block or re.search(r'^msgstr(\[0\])? ""$(?!\n")', block, re.M)
    ]
    assert not untranslated, "\n\n".join(untranslated[:5])


def test_the_compiled_catalogue_holds_every_message():
    with open(CATALOGUE / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert catalogue.gettext("Similar complaints") == "相似投诉"
    # One compiled message per entry (plural forms count once per form; Chinese has one).
    assert len(catalogue._catalog) - 1 >= len(entries())  # minus the header
