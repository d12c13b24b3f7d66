"""A lost access code on the tracking page (找回查询码): tracking number + the phone given at
filing → a new code by SMS to that phone (``cases.code_recovery``).

Whatever was entered, the page answers the same (post/redirect/get with one message), so
nobody learns whether a number, a case or a pairing exists. Requests are counted per client
address and per phone number (django-ratelimit), matched or not: a script can neither try
numbers nor bury a citizen's phone in codes.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage

from cases.code_recovery import send_new_code
from cases.phones import phone_digest
from portal.site.tracking_forms import RecoveryForm, normalise

RATE_GROUP_ADDRESS = "portal.tracking.recover.ip"
RATE_GROUP_PHONE = "portal.tracking.recover.phone"

SENT_IF_MATCHED = gettext_lazy(
    "If this phone number is the one given for complaint %(number)s, a new access code is on "
    "its way to it by SMS; the earlier code no longer works once it is sent. No SMS after a few "
    "minutes? Check both numbers, or call the complaint hotline 12345."
)


def over_limit(request: HttpRequest, group: str, key, rate: str, *, count: bool) -> int | None:
    """Seconds until this key may ask again if it is over ``rate``, else None (and, with
    ``count``, one more request counted). Shared by the phone sign-in's code requests."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        return max(int(usage.get("time_left") or 60), 1)
    if count:
        get_usage(request, group=group, key=key, rate=rate, increment=True)
    return None


def _refused(request: HttpRequest, page, form, seconds: int) -> HttpResponse:
    minutes = max(1, -(-seconds // 60))
    response = TemplateResponse(
        request,
        "portal/tracking_recover.html",
        {"page": page, "self": page, "form": form, "rate_limited": True, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def recover(page, request: HttpRequest) -> HttpResponse:
    """The form; a valid request always ends on the look-up with the same message."""
    if request.method == "POST":
        form = RecoveryForm(request.POST)
        if form.is_valid():
            number = form.cleaned_data["tracking_number"]
            digest = phone_digest(form.cleaned_data["phone"])
            seconds = over_limit(
                request,
                RATE_GROUP_ADDRESS,
                "ip",
                settings.CODE_RECOVERY_RATE_LIMIT,
                count=True,
            ) or over_limit(
                request,
                RATE_GROUP_PHONE,
                lambda _group, _request: digest,
                settings.CODE_RECOVERY_PHONE_RATE_LIMIT,
                count=True,
            )
            if seconds:
                return _refused(request, page, form, seconds)
            send_new_code(number, form.cleaned_data["phone"], actor=None)
            messages.success(request, SENT_IF_MATCHED % {"number": number})
            lookup = page.url + page.reverse_subpage("lookup") + "?" + urlencode({"n": number})
            response = redirect(lookup)
            add_never_cache_headers(response)
            return response
    else:
        form = RecoveryForm(initial={"tracking_number": normalise(request.GET.get("n", ""))})
    response = TemplateResponse(
        request, "portal/tracking_recover.html", {"page": page, "self": page, "form": form}
    )
    add_never_cache_headers(response)
    return response
