"""The sign-in lockout page (django-axes): it says how long the lockout still lasts.

A try during the lockout no longer restarts it (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT),
so "try again in 15 minutes" would be wrong on every later try: the minutes left are counted
from the failure that caused the lockout."""

import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def minutes_left(request, credentials=None) -> int:
    """Whole minutes (rounded up, at least 1) until this username may try again here."""
    cool_off = get_cool_off(request)
    attempt = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=getattr(request, "axes_ip_address", None),
        )
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return math.ceil(cool_off.total_seconds() / 60)
    left = attempt.attempt_time + cool_off - timezone.now()
    return max(1, math.ceil(left.total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    return render(
        request,
        "portal/locked_out.html",
        {"minutes": minutes_left(request, credentials)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
