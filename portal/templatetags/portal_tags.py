"""Tags of the public site's frame: the language switcher's links and the main navigation."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Site

from portal.site import page_cache
from portal.templatetags.public_page import foreign_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One plain link per language to this very page in that language (no form, no script):
    ``code``, ``name``, ``url`` and ``current``."""
    request: HttpRequest | None = context.get("request")
    here = request.get_full_path() if request else "/"
    active = get_language()
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(here, code),
            "current": code == active,
        }
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def primary_navigation(context) -> list[dict]:
    """The live, public children of the site's home page, in the editors' order, as ``pk``,
    ``title`` and ``url``. Kept in the cache under the public page cache's generation, so a
    publish refreshes it and uncached pages (the tracking page) pay no query for it. ``lang``
    is the title's language when it is not the one shown (WCAG 3.1.2), else None."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return []
    key = f"portal:nav:{page_cache.generation()}:{request.get_host()}:{get_language()}"
    items = cache.get(key)
    if items is None:
        site = Site.find_for_request(request)
        children = site.root_page.get_children().live().public() if site else []
        items = [
            {
                "pk": p.pk,
                "title": p.title,
                "url": p.get_url(request),
                "lang": foreign_language(p, request),
            }
            for p in children
        ]
        cache.set(key, items, page_cache.timeout() or None)
    return items


@register.filter
def percent(rate: float | None) -> str:
    """A rate in 0..1 as a whole percentage; "—" when there was nothing to divide by."""
    return "—" if rate is None else f"{round(rate * 100)}%"
