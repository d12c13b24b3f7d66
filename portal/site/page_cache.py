"""The public page cache: anonymous visitors get Wagtail pages from Django's cache framework.

Why a middleware and a hook together: Wagtail's ``serve`` view looks the site and the page up
in the database before any page hook runs, so only a middleware placed before URL resolution
can answer a repeated view with no query at all. Which responses may be stored is decided
where the page is known: the ``before_serve_page`` hook marks the request when the page is a
public page meant to be cached (never the complaint form or the tracking page, whose pages
carry CSRF tokens and personal results). Django's own per-site cache middleware was not used:
it would cache every URL (the admin too) and it cannot drop everything at once on publish.

Key = host + path + language + a generation number; publishing, unpublishing, moving or
deleting a page, or saving or deleting an enforcement result, a random draw or a service
contract (its filed terms are on the company's page), bumps the generation, which
invalidates every stored page at once (the old entries simply expire).
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import has_vary_header
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cases.models import EnforcementResult, RandomDraw
from enterprises.models import Evaluation, ServiceContract, Survey

GENERATION_KEY = "portal:page-cache:generation"
KEY_PREFIX = "portal:page-cache"
# Pages that must never be stored: forms needing CSRF and answers about one person's case.
NEVER_CACHED = ("portal.ComplaintPage", "portal.TrackingPage")
_MARK = "_portal_cacheable_page"
# Not pages: the admin, and the probes and metrics (liveness must not wait for the cache).
NEVER_LOOKED_UP = ("/admin/", "/healthz", "/metrics")


def timeout() -> int:
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300)


def generation() -> int:
    """The current generation; started from the clock so a lost counter never revives old
    entries."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def invalidate(**_: object) -> None:
    """Drop every cached page (a signal receiver, hence the keyword arguments): at once, and
    again after the commit, so no process keeps what it read before the change was visible."""
    _next_generation()
    transaction.on_commit(_next_generation)


def _next_generation() -> None:
    cache.set(GENERATION_KEY, max((generation() or 0) + 1, time.time_ns()), timeout=None)


def cache_key(request: HttpRequest) -> str:
    """The path is hashed: a visitor's path may hold any character at any length, a key not."""
    language = get_language() or settings.LANGUAGE_CODE
    path = hashlib.sha256(request.path.encode()).hexdigest()
    return f"{KEY_PREFIX}:{generation()}:{request.get_host()}:{language}:{path}"


def _may_use_cache(request: HttpRequest) -> bool:
    """A plain anonymous GET: no query string, no session (so nobody signed in and no pending
    message), caching switched on."""
    return (
        timeout() > 0
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(NEVER_LOOKED_UP)
    )


def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        getattr(request, _MARK, False)
        and request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        # Vary: Cookie means the session or a CSRF token was used: the page is someone's own.
        and not has_vary_header(response, "Cookie")
        and "private" not in response.get("Cache-Control", "")
    )


def is_cacheable_page(page: Page) -> bool:
    return page.specific_class is not None and (page.specific_class._meta.label not in NEVER_CACHED)


class PublicPageCacheMiddleware:
    """Serve a stored public page, or store the page just rendered when allowed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_use_cache(request):
            return self.get_response(request)
        key = cache_key(request)
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if _may_store(request, response):
            headers = [(name, value) for name, value in response.items()]
            cache.set(key, (response.status_code, headers, response.content), timeout())
        return response


@hooks.register("before_serve_page")
def mark_cacheable(page: Page, request: HttpRequest, serve_args, serve_kwargs) -> None:
    """Tell the middleware this response shows a public page it may store."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    setattr(request, _MARK, not signed_in and is_cacheable_page(page))


def connect_signals() -> None:
    """Invalidate on every change the public pages show (called from PortalConfig.ready)."""
    page_published.connect(invalidate, dispatch_uid="portal.page_cache.published")
    page_unpublished.connect(invalidate, dispatch_uid="portal.page_cache.unpublished")
    post_page_move.connect(invalidate, dispatch_uid="portal.page_cache.moved")
    # A filed contract's current terms, closed surveys and evaluations are on the public pages
    # of its company and estate.
    senders = (EnforcementResult, RandomDraw, Site, PageViewRestriction, ServiceContract)
    for model in (*senders, Survey, Evaluation):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"portal.page_cache.s.{model}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"portal.page_cache.d.{model}")
    # Pages are saved and deleted as their specific classes: listen to all and filter.
    post_save.connect(_page_changed, dispatch_uid="portal.page_cache.page_saved")
    post_delete.connect(_page_changed, dispatch_uid="portal.page_cache.page_deleted")


def _page_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        invalidate()
