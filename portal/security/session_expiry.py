"""Signed-in sessions end after ``SESSION_IDLE_MINUTES`` without a request (会话超时).

``SESSION_COOKIE_AGE`` bounds a session absolutely (8 hours); this bounds the time a screen
left open on an unattended desk stays usable. The last request's time is kept in the session,
written at most once a minute so a busy session does not write on every request.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from foundation.audit import record_event

LAST_SEEN_KEY = "portal_last_seen"
SESSION_EXPIRED = "portal.auth.session_expired"
# How stale the stored time may get before it is written again (seconds).
_WRITE_EVERY = 60


def _stamp(request: HttpRequest, now: float) -> None:
    request.session[LAST_SEEN_KEY] = int(now)


def stamp_on_login(sender, request, user, **kwargs) -> None:
    """The idle clock starts at the sign-in (connected to ``user_logged_in``)."""
    if request is not None and hasattr(request, "session"):
        _stamp(request, time.time())


class IdleSessionMiddleware:
    """Signs out a session idle for longer than ``SESSION_IDLE_MINUTES``; admin pages then go
    to the sign-in page with a message, public pages are served to the visitor signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = settings.SESSION_IDLE_MINUTES * 60
            if last_seen is not None and now - last_seen > limit:
                return self._expire(request, idle_minutes=int((now - last_seen) // 60))
            if last_seen is None or now - last_seen >= _WRITE_EVERY:
                _stamp(request, now)
        return self.get_response(request)

    def _expire(self, request: HttpRequest, *, idle_minutes: int) -> HttpResponse:
        user = request.user
        record_event(actor=user, action=SESSION_EXPIRED, label=user.get_username(),
                     filters={"idle_minutes": idle_minutes}, row_count=None, format="",
                     request=request)  # fmt: skip
        logout(request)
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return self.get_response(request)
        messages.info(
            request,
            _("You were signed out after %(minutes)d minutes without activity. Sign in again.")
            % {"minutes": settings.SESSION_IDLE_MINUTES},
        )
        login = reverse("wagtailadmin_login")
        return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
