"""My complaints (我的投诉): a citizen signed in with their phone (``phone_sign_in``) sees every
complaint filed with that number, by any channel, with its status and due date, and rates the
resolved ones there with the tracking page's rating flow.

Every complaint named in a URL is looked up together with the session's phone digest: a number
that belongs to another phone is a 404, whatever is guessed. Thin views; the cases services
decide what changes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import sla
from cases.masking import mask_phone
from cases.models import CaseStatus, Complaint, Satisfaction
from cases.phones import phone_digest
from cases.workflow import TransitionNotAllowed
from portal.models import TrackingPage
from portal.site import phone_sign_in
from portal.site.my_complaints_forms import CodeForm, PhoneForm
from portal.site.tracking import can_rate_now, rate_as_complainant, remember_case
from portal.site.tracking_forms import SatisfactionForm, normalise
from portal.site.tracking_recovery import over_limit

GROUP_PHONE = "portal.my_complaints.code.phone"
GROUP_ADDRESS = "portal.my_complaints.code.ip"


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _to_sign_in() -> HttpResponse:
    return _no_store(redirect("my_complaints_login"))


def sign_in(request: HttpRequest) -> HttpResponse:
    """The phone number: a code goes to it by SMS (if it filed anything), then the code page."""
    if phone_sign_in.signed_in_digest(request):
        return _no_store(redirect("my_complaints"))
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        refusal = _ask_for_code(request, phone)
        if refusal is None:
            phone_sign_in.set_pending(request, phone_digest(phone), mask_phone(phone))
            return _no_store(redirect("my_complaints_verify"))
        form.add_error(None, refusal)
        status = 429
    response = TemplateResponse(request, "portal/my_complaints_sign_in.html", {"form": form})
    response.status_code = status
    return _no_store(response)


def _ask_for_code(request: HttpRequest, phone: str) -> str | None:
    """Send a code unless a limit says no; the refusal's message, else None."""
    digest = phone_digest(phone)
    wait = phone_sign_in.seconds_to_wait(digest)
    if not wait:
        wait = over_limit(
            request, GROUP_ADDRESS, "ip", settings.SIGN_IN_CODE_RATE_LIMIT, count=False
        ) or over_limit(
            request,
            GROUP_PHONE,
            lambda _group, _request: digest,
            settings.SIGN_IN_CODE_PHONE_RATE_LIMIT,
            count=False,
        )
        if wait:
            minutes = max(1, -(-wait // 60))
            return _(
                "Too many codes were asked for this number or from your connection. Try again "
                "in about %(minutes)d minutes, or call the complaint hotline 12345."
            ) % {"minutes": minutes}
    try:
        phone_sign_in.send_code(phone)
    except phone_sign_in.SignInRefused as refusal:
        return str(refusal)
    for group, key, rate in (
        (GROUP_ADDRESS, "ip", settings.SIGN_IN_CODE_RATE_LIMIT),
        (GROUP_PHONE, lambda _g, _r: digest, settings.SIGN_IN_CODE_PHONE_RATE_LIMIT),
    ):
        over_limit(request, group, key, rate, count=True)
    return None


def verify(request: HttpRequest) -> HttpResponse:
    """The code from the SMS; "send again" asks for another one (throttled)."""
    waiting = phone_sign_in.pending(request)
    if waiting is None:
        return _to_sign_in()
    form = CodeForm()
    if request.method == "POST":
        if request.POST.get("action") == "resend":
            messages.info(request, _("Enter your number again to get a new code."))
            return _to_sign_in()
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                phone_sign_in.check_code(waiting.digest, form.cleaned_data["code"])
            except phone_sign_in.SignInRefused as refusal:
                form.add_error("code", str(refusal))
            else:
                phone_sign_in.sign_in(request, waiting.digest)
                return _no_store(redirect("my_complaints"))
    context = {"form": form, "masked": waiting.masked}
    return _no_store(TemplateResponse(request, "portal/my_complaints_verify.html", context))


def _mine(request: HttpRequest):
    digest = phone_sign_in.signed_in_digest(request)
    if not digest:
        return None
    return Complaint.objects.filter(phone_digest=digest, anonymised_at__isnull=True)


def my_complaints(request: HttpRequest) -> HttpResponse:
    """Every complaint filed with the signed-in phone, newest first."""
    mine = _mine(request)
    if mine is None:
        return _to_sign_in()
    complaints = list(
        mine.select_related("estate", "merged_into", "partner").order_by("-created_at", "-pk")
    )
    rows = [_row(complaint) for complaint in complaints]
    context = {
        "rows": rows,
        "object_list": complaints,
        "satisfaction_choices": Satisfaction.choices,
    }
    return _no_store(TemplateResponse(request, "portal/my_complaints.html", context))


def _row(complaint: Complaint) -> dict:
    case = complaint.merged_into if complaint.status == CaseStatus.MERGED else complaint
    case = case or complaint
    running = case.status not in sla.FINISHED and case.status != CaseStatus.MERGED
    return {
        "complaint": complaint,
        "case": case,
        "due": case.resolve_due_at if running else None,
        "can_rate": can_rate_now(complaint),
        "rate_url": reverse("my_complaint_rate", args=(complaint.tracking_number,)),
        "open_url": reverse("my_complaint_open", args=(complaint.tracking_number,)),
    }


def _own(request: HttpRequest, number: str) -> Complaint:
    """The complaint with this number if the signed-in phone filed it; else 404 (a guess
    learns nothing, not even whether the number exists)."""
    mine = _mine(request)
    if mine is None:
        raise Http404
    complaint = mine.select_related("merged_into").filter(tracking_number=normalise(number))
    found = complaint.first()
    if found is None:
        raise Http404
    return found


@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """The satisfaction rating (回访), the same service as on the tracking page."""
    if _mine(request) is None:
        return _to_sign_in()
    complaint = _own(request, number)
    if not can_rate_now(complaint):
        messages.error(request, _("This case cannot be rated now: it is not resolved."))
        return _no_store(redirect("my_complaints"))
    form = SatisfactionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _no_store(redirect("my_complaints"))
    try:
        rate_as_complainant(complaint, **form.cleaned_data)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Thank you: your rating of %(number)s has been recorded.")
            % {"number": complaint.tracking_number},
        )
    return _no_store(redirect("my_complaints"))


@require_POST
def open_case(request: HttpRequest, number: str) -> HttpResponse:
    """The complaint's full tracking page (timeline, questions), opened without the code."""
    if _mine(request) is None:
        return _to_sign_in()
    complaint = _own(request, number)
    page = TrackingPage.objects.live().first()
    if page is None:
        raise Http404
    remember_case(request, complaint.pk)
    url = page.url + page.reverse_subpage("case") + f"?n={complaint.tracking_number}"
    return _no_store(redirect(url))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    phone_sign_in.sign_out(request)
    messages.success(request, _("You are signed out of your complaints on this device."))
    return _to_sign_in()
