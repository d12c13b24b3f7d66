"""Tags for what a public page says about itself: the language of its parts and its description.

The editors write in Chinese and the site has no English translations of its Wagtail pages
(``WAGTAIL_I18N_ENABLED`` is off), so ``/en/`` pages show Chinese titles, bodies and records
inside ``<html lang="en">``. WCAG 3.1.2 (language of parts) asks for each such part to say its
language, so a screen reader switches voice: ``<h1{% lang_of page %}>`` adds
``lang="zh-Hans"`` exactly when the page's locale is not the language being shown.
"""

import re

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

register = template.Library()

# What each page type offers, for search engines and link previews, when the editors wrote no
# search description (or wrote it in a language other than the one shown).
DESCRIPTIONS = {
    "HomePage": _(
        "Complain about your estate's property service, track your case and read the "
        "regulator's notices, standards and enforcement results."
    ),
    "ComplaintPage": _(
        "File a complaint about a property-management company online, with photos; you "
        "receive a tracking number and an access code."
    ),
    "TrackingPage": _(
        "Follow your complaint with its tracking number and access code, read the reply and "
        "rate how it was handled."
    ),
    "NoticeIndexPage": _("Notices and announcements of the property service regulator."),
    "NoticePage": _("A notice of the property service regulator."),
    "StandardIndexPage": _("Property service standards in force and superseded, with clauses."),
    "StandardPage": _("A property service standard: its clauses, dates and attachments."),
    "EnforcementIndexPage": _(
        "Administrative penalties decided against property-management companies."
    ),
    "CompanyDirectoryPage": _(
        "Registered property-management companies: credit grade, red and black lists, licences."
    ),
    "SearchPage": _("Search the portal's notices, standards and pages."),
    "DrawResultsPage": _(
        "Random draws of inspection targets and inspectors, with the pool and seed to re-run each."
    ),
    "StatisticsPage": _("City-wide complaint statistics: counts and rates, never one case."),
    "FaqIndexPage": _("Answers to the questions citizens ask most about property services."),
    "FaqPage": _("A question about property services and the regulator's answer."),
}
SITE_DESCRIPTION = _(
    "The city's property service regulation portal: complaints, notices, standards, "
    "enforcement results and the register of property-management companies."
)


def bcp47(code: str) -> str:
    """Django's ``zh-hans`` as the HTML ``lang`` value ``zh-Hans`` (script title-cased)."""
    first, *rest = code.split("-")
    tags = [
        part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part
        for part in rest
    ]
    return "-".join([first.lower(), *tags])


def content_language(source, request=None) -> str:
    """The language ``source`` is written in: a Wagtail page's locale, else (records, texts the
    editors or citizens typed) the site's default language.

    With Wagtail's localisation off every page is in the default locale, so no query is made;
    with it on, the locales are read once per request."""
    locale_id = getattr(source, "locale_id", None)
    if locale_id is None or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return settings.LANGUAGE_CODE
    locales = getattr(request, "_portal_locales", None)
    if locales is None:
        locales = dict(Locale.objects.values_list("pk", "language_code"))
        if request is not None:
            request._portal_locales = locales
    return locales.get(locale_id, settings.LANGUAGE_CODE)


def foreign_language(source=None, request=None) -> str | None:
    """``source``'s language as a ``lang`` value when it differs from the one shown, else None."""
    written = content_language(source, request)
    shown = get_language() or settings.LANGUAGE_CODE
    return None if written.lower() == shown.lower() else bcp47(written)


@register.simple_tag(takes_context=True)
def lang_of(context, source=None) -> str:
    """`` lang="zh-Hans"`` when ``source`` (a page; nothing for the site's own records) is in
    another language than the page shown, else nothing: goes inside an element's start tag."""
    language = foreign_language(source, context.get("request"))
    return format_html(' lang="{}"', language) if language else ""


@register.simple_tag(takes_context=True)
def meta_description(context) -> str:
    """The page's own search description when it is in the language shown, else its type's."""
    page = context.get("page")
    if page is None:
        return str(SITE_DESCRIPTION)
    own = (getattr(page, "search_description", "") or "").strip()
    if own and foreign_language(page, context.get("request")) is None:
        return own
    return str(DESCRIPTIONS.get(type(page).__name__, SITE_DESCRIPTION))


# Han characters and the CJK punctuation and full-width forms around them.
HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


@register.filter
def typed_language(text) -> str:
    """Text someone typed (a search query): nothing says its language, so text with Han
    characters shown on a page in another language is wrapped as Chinese; escaped either way."""
    text = "" if text is None else str(text)
    shown = (get_language() or settings.LANGUAGE_CODE).lower()
    if HAN.search(text) and not shown.startswith("zh"):
        return format_html('<span lang="{}">{}</span>', bcp47(settings.LANGUAGE_CODE), text)
    return conditional_escape(text)
