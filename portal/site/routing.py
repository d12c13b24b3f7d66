"""Routing the public site without asking the database on every request.

Before a Wagtail page does any work of its own, Wagtail finds the site (one query), the root
page and each path component's child with their specific rows, then the view restrictions of
the page and its ancestors: six queries on every complaint form, receipt and tracking page,
more than the form itself runs. The tree behind them changes only when an editor publishes,
unpublishes, moves or deletes a page, or edits a site or a view restriction: each of those
bumps the public page cache's generation (``portal.site.page_cache``), at once and again after
the commit. Each process keeps the routes of the current generation and reads the generation
once per request; with the cache unavailable, every request routes afresh.

``serve`` is Wagtail's own view with its per-request memos (``request._wagtail_site``,
``request._wagtail_route_for_request``) filled from here; Wagtail does the rest (restriction
checks, hooks, the page's ``serve``).
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections import OrderedDict

from django.http import Http404
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from portal.site import page_cache

MAX_ROUTES = 512  # paths kept per process; the public tree has a few hundred

_lock = threading.Lock()
_routes: OrderedDict[tuple, tuple] = OrderedDict()


def serve(request, path: str):
    """Wagtail's ``serve``, with the site and the route taken from this process's memory
    when the tree has not changed since they were read."""
    generation = page_cache.generation()
    if generation is not None:
        _route_from_memory(request, path, generation)
    return wagtail_views.serve(request, path)


def _route_from_memory(request, path: str, generation: int) -> None:
    key = (generation, request.get_host(), request.get_port(), path)
    with _lock:
        known = _routes.get(key)
        if known is not None:
            _routes.move_to_end(key)
    components = [component for component in path.split("/") if component]
    if known is None:
        known = _remember(request, key, components)
        if known is None:
            return
    site, page, consumed, restrictions = known
    page = copy.copy(page)  # requests may set attributes on the page they serve
    # Wagtail's restriction hook asks the page; the answer was read with the route.
    page.get_view_restrictions = lambda: restrictions
    request._wagtail_site = site
    # A 404 here: Wagtail routes the request itself, and answers it.
    with contextlib.suppress(Http404):
        request._wagtail_route_for_request = page.route(request, components[consumed:])


def _remember(request, key: tuple, components: list[str]) -> tuple | None:
    site = Site.find_for_request(request)
    if site is None:
        return None
    route = Page.route_for_request(request, "/".join(components) + "/")
    # Routed on a fresh request object next time; this one keeps what Wagtail found.
    del request._wagtail_route_for_request
    if route is None:
        return None
    page = route[0]
    root = site.root_page
    consumed = page.depth - root.depth
    if consumed < 0 or not page.path.startswith(root.path):
        return None
    known = (site, page, consumed, list(page.get_view_restrictions()))
    with _lock:
        _routes[key] = known
        while len(_routes) > MAX_ROUTES:
            _routes.popitem(last=False)
    return known


def forget_routes() -> None:
    """Empty this process's memory (tests start from nothing)."""
    with _lock:
        _routes.clear()
