"""The second-factor pages and the middleware that sends officials and administrators to them.

After the password (Wagtail's own login form), a person who must have a second factor lands
on the code page, or on the enrolment page if they have no authenticator yet. Until the code
is accepted, every other URL of the site redirects there: the admin, exports and anything
else the session could open. Verification lives in the session the way django-otp keeps it
(``django_otp.login``), so ``request.user.is_verified()`` is the one test.
"""

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from portal.security import second_factor_devices as devices

VERIFY = "second_factor_verify"
ENROL = "second_factor_enrol"
# Reachable before the second factor: the pages themselves, signing in and out, the admin's
# translations script and icon sprite (fetched by script and pasted into the page: a redirect
# there would paste this page twice), the language switch and the health check.
_OPEN_URL_NAMES = frozenset(
    {
        VERIFY,
        ENROL,
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
        "set_language",
        "healthz",
    }
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Authenticator or recovery code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your app shows.")},
        help_text=_("The 6-digit code your app shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "numeric"}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _throttled_message(locked_until) -> str:
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    return _("Too many wrong codes. Wait %(seconds)d seconds, then try again.") % {
        "seconds": seconds
    }


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """ "Enter the 6-digit code" (或恢复码), after the password."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return HttpResponseRedirect(next_url)
    if not devices.has_authenticator(request.user):
        return redirect(_with_next(ENROL, next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = devices.verify_code(request.user, form.cleaned_data["code"], request=request)
        if result.device is not None:
            django_otp.login(request, result.device)
            # A new session key once the sign-in is complete, as after the password.
            request.session.cycle_key()
            return HttpResponseRedirect(next_url)
        if result.locked_until is not None:
            form.add_error(None, _throttled_message(result.locked_until))
        else:
            form.add_error("code", _("This code is not valid. Try the current one."))
    return render(request, "portal/second_factor/verify.html", {"form": form, "next": next_url})


def _qr_svg(url: str) -> str:
    """The otpauth URL as an inline SVG element: no image request, no script, no style."""
    title = str(_("QR code for your authenticator app"))
    return segno.make(url, error="m").svg_inline(scale=4, border=2, light="#fff", title=title)


def _spaced(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@sensitive_post_parameters("code")
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), confirm with a first code, note the recovery
    codes, which are shown on this one response and never again."""
    next_url = _next_url(request)
    if devices.has_authenticator(request.user):
        return redirect(_with_next(VERIFY, next_url))
    device = devices.pending_authenticator(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = devices.confirm_authenticator(device, form.cleaned_data["code"], request=request)
        if codes is not None:
            django_otp.login(request, device)
            request.session.cycle_key()
            context = {"codes": codes, "next": next_url}
            return render(request, "portal/second_factor/recovery_codes.html", context)
        device.refresh_from_db()
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            form.add_error(None, _throttled_message(details["locked_until"]))
        else:
            form.add_error("code", _("This code is not valid. Check the time on your phone."))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - our own segno output
        "secret": _spaced(secret),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "portal/second_factor/enrol.html", context)


class SecondFactorRequiredMiddleware:
    """Redirects an official or administrator whose session has no verified second factor.

    Installed after django-otp's OTPMiddleware (which sets ``user.is_verified``) and the
    message middleware. Decided in ``process_view``, once the URL name is known.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not settings.REQUIRE_SECOND_FACTOR:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _OPEN_URL_NAMES:
            return None
        if request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return None
        if user.is_verified() or not devices.requires_second_factor(user):
            return None
        target = VERIFY if devices.has_authenticator(user) else ENROL
        return redirect(_with_next(target, request.get_full_path()))
