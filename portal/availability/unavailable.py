"""What the site does when a backing service is gone.

* PostgreSQL unreachable: nothing can be saved or shown, so every page answers HTTP 503 with
  a plain bilingual page (try again later, nothing was saved, the hotline) and a
  ``Retry-After`` header, never a 500 or a stack trace. The page (like the 400 and 500 pages)
  is one static template rendered without the request: no context processor, session or
  query can fail a second time while it is drawn. ``DatabaseUnavailableMiddleware`` answers
  for errors raised in a view; ``server_error`` (``handler500``) for those raised anywhere
  else, e.g. by a middleware saving the session.
* Redis (the cache) unreachable: ``DegradingRedisCache`` turns every cache error into a miss,
  so rate limits and the page cache degrade (fail open, render afresh) instead of taking the
  complaint form down with them.

The broker and Elasticsearch need nothing here: a complaint is committed first and its
tasks are queued on commit with ``robust=True``; the outbox and notification sweeps catch up.
"""

import logging
import sys
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
DATABASE_ERRORS = (OperationalError, InterfaceError)
TRY_LATER_OR_CALL = _(
    "Please try again later, or call the complaint hotline 12345: we will take your "
    "complaint over the phone."
)
# Status → heading and paragraphs, each shown in Chinese and in English.
STATIC_PAGES = {
    400: (
        _("The request could not be read"),
        [
            _(
                "Nothing was saved. The most common reason is files that are too large "
                "together: each photo may be up to 10 MB, and all files of one form together "
                "up to 64 MB."
            ),
            _("Go back, remove or shrink some files and send the form again."),
        ],
    ),
    500: (
        _("Server error"),
        [_("Something went wrong on our side and has been reported."), TRY_LATER_OR_CALL],
    ),
    503: (
        _("Service temporarily unavailable"),
        [
            _(
                "The portal cannot reach its database at the moment. Please try again in a "
                "few minutes."
            ),
            _(
                "Nothing was saved: if you were filing a complaint, it has not been received. "
                "Please send it again later."
            ),
            TRY_LATER_OR_CALL,
        ],
    ),
}


def static_page(status: int) -> HttpResponse:
    heading, paragraphs = STATIC_PAGES[status]
    context = {"languages": ("zh-hans", "en"), "heading": heading, "paragraphs": paragraphs}
    return HttpResponse(render_to_string("portal/static_error.html", context), status=status)


def service_unavailable() -> HttpResponse:
    """The 503 page: static, bilingual, never cached, with a hint when to come back."""
    response = static_page(503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def database_lost(exception: BaseException | None) -> bool:
    """Whether ``exception`` means the database cannot be reached. An ``OperationalError``
    is also what a backend raises for a query it cannot run (SQLite's full-text search on a
    stray quote, a cancelled statement): those are our errors, a 500, never the "database
    unreachable" page. So a fresh connection is tried before answering 503."""
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    probe = connections[DEFAULT_DB_ALIAS].copy()
    try:
        probe.ensure_connection()
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS:
        return True
    finally:
        probe.close()
    return False


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection in a view into the 503 page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_lost(exception):
            return None
        logger.error("database unavailable (%s): %s", request.path, exception)
        return service_unavailable()


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 503 page when the database is the cause, else the plain 500 page.

    Django calls it inside its ``except`` block, so the error is still in ``sys.exc_info``.
    """
    if database_lost(sys.exc_info()[1]):
        return service_unavailable()
    return static_page(500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a request that could not be read (e.g. an upload over
    UPLOAD_REQUEST_MAX_BYTES); nothing was saved."""
    return static_page(400)


def _degrading(method, fallback):
    @wraps(method)
    def call(self, *args, **kwargs):
        if time.monotonic() < self.skip_until:
            return fallback(*args)
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            # A frozen Redis costs a socket timeout per call: a page makes a dozen calls.
            self.skip_until = time.monotonic() + self.pause_after_failure
            logger.warning("cache unavailable for %s s: %s", self.pause_after_failure, exc)
            return fallback(*args)

    return call


def _missing(key, *args):
    raise ValueError(f"Key {key!r} not found (cache unavailable).")


class DegradingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, where an unreachable Redis reads as an empty cache: a read
    misses, a write is dropped, ``add`` adds nothing and ``incr`` finds no key (which is what
    django-ratelimit expects from an unavailable cache). After a failure the client does
    not try Redis again for ``pause_after_failure`` seconds."""

    pause_after_failure = 5.0
    skip_until = 0.0

    def get_client(self, key=None, *, write=False):
        # Django builds a new redis-py client (a dozen attributes, its response callbacks)
        # for every call; one per connection pool serves every thread as well.
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = _degrading(RedisCacheClient.add, lambda *args: False)
    get = _degrading(RedisCacheClient.get, lambda key, default: default)
    set = _degrading(RedisCacheClient.set, lambda *args: None)
    touch = _degrading(RedisCacheClient.touch, lambda *args: False)
    delete = _degrading(RedisCacheClient.delete, lambda *args: False)
    get_many = _degrading(RedisCacheClient.get_many, lambda *args: {})
    has_key = _degrading(RedisCacheClient.has_key, lambda *args: False)
    incr = _degrading(RedisCacheClient.incr, _missing)
    set_many = _degrading(RedisCacheClient.set_many, lambda *args: None)
    delete_many = _degrading(RedisCacheClient.delete_many, lambda *args: None)
    clear = _degrading(RedisCacheClient.clear, lambda *args: False)


class DegradingRedisCache(RedisCache):
    """``CACHES`` backend: Django's Redis cache with ``DegradingRedisCacheClient``."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient
