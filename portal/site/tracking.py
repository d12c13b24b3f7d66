"""The citizen's tracking page (进度查询): thin views over the case services.

The tracking number and access code open a case for this browser session only: the complaint
id goes into the session, never into the URL, so a shared link shows nothing to someone else.
Wrong guesses are counted per client address (django-ratelimit) and a wrong answer never says
whether the number or the code was wrong. Every form posts and redirects (post/redirect/get).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage

from cases import sla
from cases.access_codes import access_code_matches
from cases.clock import answer_information
from cases.log_actions import TIMELINE_ACTIONS
from cases.masking import mask_phone
from cases.merging import can_rate_merged, public_timeline, record_merged_follow_up
from cases.models import CaseStatus, Complaint, InfoRequest, Satisfaction, Transfer
from cases.workflow import TransitionNotAllowed, record_follow_up
from portal.site.tracking_forms import InfoAnswerForm, SatisfactionForm, TrackingForm, normalise

SESSION_KEY = "portal.tracked_complaints"
RATE_GROUP = "portal.tracking.lookup"
# Compared against when the number does not exist, so both wrong answers take the same time.
_NO_SUCH_DIGEST = "0" * 64

WRONG_NUMBER_OR_CODE = gettext_lazy(
    "The tracking number or access code is wrong. Check both against your receipt and try again."
)

SLA_WORDS = {
    "green": gettext_lazy("On schedule"),
    "amber": gettext_lazy("Due soon: less than a quarter of the time to resolve is left"),
    "red": gettext_lazy("Overdue: the time limit to resolve has passed"),
}

# What the citizen may read of an event's data; anything else (notes, staff names,
# another complainant's answers on a merged case) stays inside.
PUBLIC_DETAILS: dict[str, list[tuple[str, str]]] = {
    "cases.complaint.rejected": [("reason", gettext_lazy("Reason"))],
    "cases.complaint.resolved": [("reply", gettext_lazy("Reply"))],
    "cases.complaint.info_requested": [("question", gettext_lazy("Question"))],
    "cases.complaint.info_provided": [("due", gettext_lazy("New date to resolve by"))],
    "cases.complaint.extended": [
        ("days", gettext_lazy("Extra working days")),
        ("due", gettext_lazy("New date to resolve by")),
    ],
    "cases.complaint.due_changed": [
        ("accept_due", gettext_lazy("New date to accept by")),
        ("due", gettext_lazy("New date to resolve by")),
    ],
    "cases.complaint.transferred": [
        ("agency", gettext_lazy("Transferred to")),
        ("contact", gettext_lazy("Agency contact")),
        ("reason", gettext_lazy("Reason")),
    ],
    "cases.transfer.outcome_recorded": [("outcome", gettext_lazy("Agency's outcome"))],
}


# The session: which cases this browser has opened -----------------------------------------


def tracked_ids(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get(SESSION_KEY, [])]


def remember_case(request: HttpRequest, complaint_id: int) -> None:
    ids = tracked_ids(request)
    if complaint_id in ids:
        return  # opened before in this session: nothing new to protect or to write
    # A new session key once a case is opened: a planted session id learns nothing.
    request.session.cycle_key()
    request.session[SESSION_KEY] = [*[pk for pk in ids if pk != complaint_id], complaint_id]


def _forget(request: HttpRequest, complaint_id: int) -> None:
    request.session[SESSION_KEY] = [pk for pk in tracked_ids(request) if pk != complaint_id]


def check_access(tracking_number: str, access_code: str) -> Complaint | None:
    """The complaint these two open, else None; the comparison is constant-time."""
    complaint = (
        Complaint.objects.filter(tracking_number=tracking_number)
        .only("pk", "tracking_number", "access_code_digest")
        .first()
    )
    digest = complaint.access_code_digest if complaint else _NO_SUCH_DIGEST
    if access_code_matches(tracking_number, access_code, digest) and complaint is not None:
        return complaint
    return None


# Wrong attempts ------------------------------------------------------------------------------


def _wrong_attempts(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request,
        group=RATE_GROUP,
        key="ip",
        rate=settings.TRACKING_RATE_LIMIT,
        increment=increment,
    )


def _over_limit(usage: dict | None) -> bool:
    # "10/h" allows ten wrong attempts; the eleventh attempt is refused, right or wrong.
    return usage is not None and usage["count"] >= usage["limit"]


def rate_limited(
    request: HttpRequest,
    exception: Exception | None = None,
    *,
    page=None,
    retry_after: int | None = None,
) -> HttpResponse:
    """Too many wrong attempts from this address (also django-ratelimit's RATELIMIT_VIEW)."""
    minutes = max(1, -(-retry_after // 60)) if retry_after and retry_after > 0 else None
    response = TemplateResponse(
        request,
        "portal/tracking_lookup.html",
        {"page": page, "self": page, "rate_limited": True, "minutes": minutes},
        status=429,
    )
    if minutes:
        response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


# Views -------------------------------------------------------------------------------------


def _lookup_url(page) -> str:
    return page.url + page.reverse_subpage("lookup")


def _case_url(page, tracking_number: str) -> str:
    return page.url + page.reverse_subpage("case") + "?" + urlencode({"n": tracking_number})


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def lookup(page, request: HttpRequest) -> HttpResponse:
    """Tracking number + access code → the case page, or one message for any wrong pair."""
    if request.method == "POST":
        usage = _wrong_attempts(request, increment=False)
        if _over_limit(usage):
            return rate_limited(request, page=page, retry_after=usage.get("time_left"))
        form = TrackingForm(request.POST)
        if form.is_valid():
            number = form.cleaned_data["tracking_number"]
            complaint = check_access(number, form.cleaned_data["access_code"])
            if complaint is not None:
                remember_case(request, complaint.pk)
                return _no_store(redirect(_case_url(page, complaint.tracking_number)))
            _wrong_attempts(request, increment=True)
            form.add_error(None, WRONG_NUMBER_OR_CODE)
    else:
        form = TrackingForm(initial={"tracking_number": normalise(request.GET.get("n", ""))})
    ids = tracked_ids(request)
    opened = (
        list(Complaint.objects.filter(pk__in=ids).values_list("tracking_number", flat=True))
        if ids
        else []
    )
    context = {
        "page": page,
        "self": page,
        "form": form,
        "opened": [(number, _case_url(page, number)) for number in opened],
    }
    return _no_store(TemplateResponse(request, "portal/tracking_lookup.html", context))


def case_detail(page, request: HttpRequest) -> HttpResponse:
    """The case as the complainant may see it, with the answer and rating forms."""
    number = normalise(request.GET.get("n", ""))
    ids = tracked_ids(request)
    complaint = None
    if ids and number:
        # The merged-into case is read only for a merged complaint (one case in many).
        complaint = Complaint.objects.filter(pk__in=ids, tracking_number=number).first()
    if complaint is None:
        messages.info(request, _("Enter your tracking number and access code to see the case."))
        return _no_store(redirect(_lookup_url(page)))

    info_form = satisfaction_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "sign_out":
            _forget(request, complaint.pk)
            messages.success(request, _("You are signed out of this case on this device."))
            return _no_store(redirect(_lookup_url(page)))
        if action == "answer":
            info_form = InfoAnswerForm(request.POST)
            if info_form.is_valid():
                return _act(
                    request,
                    page,
                    complaint,
                    lambda: answer_information(
                        complaint, answer=info_form.cleaned_data["answer"], actor=None
                    ),
                    _("Thank you: your answer has been sent and the time limit runs again."),
                )
        elif action == "rate":
            if not can_rate_now(complaint):  # not resolved yet, or rated meanwhile
                messages.error(request, _("This case cannot be rated now: it is not resolved."))
                return _no_store(redirect(_case_url(page, complaint.tracking_number)))
            satisfaction_form = SatisfactionForm(request.POST)
            if satisfaction_form.is_valid():
                return _act(
                    request,
                    page,
                    complaint,
                    lambda: rate_as_complainant(complaint, **satisfaction_form.cleaned_data),
                    _("Thank you: your rating has been recorded."),
                )
        else:
            return _no_store(redirect(_case_url(page, complaint.tracking_number)))

    context = _case_context(page, complaint, info_form, satisfaction_form)
    return _no_store(TemplateResponse(request, "portal/tracking_case.html", context))


def _act(request, page, complaint: Complaint, call, done: str) -> HttpResponse:
    """Run one case service; a refusal is shown as it is and changes nothing."""
    try:
        call()
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return _no_store(redirect(_case_url(page, complaint.tracking_number)))


# The complainant holds the access code: they act as the (anonymous) complainant whoever is
# signed in, so a staff member's own session never turns a citizen's rating into staff work.
def rate_as_complainant(complaint: Complaint, *, satisfaction: str, comment: str) -> None:
    if complaint.status == CaseStatus.MERGED:
        record_merged_follow_up(complaint, satisfaction=satisfaction, comment=comment)
    else:
        record_follow_up(complaint, actor=None, satisfaction=satisfaction, comment=comment)


def can_rate_now(complaint: Complaint) -> bool:
    # A merged complainant rates the primary's outcome on their own complaint.
    return complaint.status == CaseStatus.RESOLVED or can_rate_merged(complaint)


def _case_context(page, complaint: Complaint, info_form, satisfaction_form) -> dict:
    case = complaint.merged_into if complaint.status == CaseStatus.MERGED else complaint
    case = case or complaint
    # Only the complainant's own questions: a merged case's primary has its own complainant.
    requests = list(InfoRequest.objects.filter(complaint=complaint).order_by("asked_at", "id"))
    open_request = next((r for r in reversed(requests) if r.answered_at is None), None)
    can_rate = can_rate_now(complaint)
    running = case.status not in sla.FINISHED and case.status != CaseStatus.MERGED
    events = public_timeline(complaint)
    reopened = _current_reopening(case, events)
    return {
        "page": page,
        "self": page,
        "complaint": complaint,
        "case": case,
        "merged": case.pk != complaint.pk,
        "masked_phone": mask_phone(complaint.contact_phone),
        "sla_words": SLA_WORDS[sla.sla_state(case)] if running else None,
        "paused": running and case.awaiting_complainant_since is not None,
        "timeline": [_public_event(event) for event in events],
        # The number never breaks across lines: the one string the citizen must copy exactly.
        "number_html": format_html(
            '<span class="tracking-number">{}</span>', complaint.tracking_number
        ),
        "rating": None if can_rate else _own_rating(complaint, events),
        "reopened": reopened,
        "open_request": open_request,
        "answered_requests": [r for r in requests if r.answered_at is not None],
        "info_form": (info_form or InfoAnswerForm()) if open_request else None,
        "satisfaction_form": (satisfaction_form or SatisfactionForm()) if can_rate else None,
        "case_url": _case_url(page, complaint.tracking_number),
        "transfer": _transfer(case),
    }


def _transfer(case: Complaint) -> Transfer | None:
    """Where a transferred case went: the agency, its contact, reference and outcome."""
    if case.status != CaseStatus.TRANSFERRED:
        return None
    return Transfer.objects.select_related("agency").filter(complaint=case).first()


RATED = ("cases.complaint.reopened", "cases.complaint.followed_up")


def _own_rating(complaint: Complaint, events) -> dict | None:
    """The complainant's latest rating with their comment (from their own complaint's events:
    on a merged case the primary's complainant rates separately)."""
    for event in reversed(events):
        data = event.data or {}
        if (
            event.complaint_id == complaint.pk
            and event.action in RATED
            and data.get("satisfaction") in Satisfaction.values
        ):
            return {
                "timestamp": event.timestamp,
                "satisfaction": Satisfaction(data["satisfaction"]).label,
                "comment": data.get("comment") or "",
            }
    return None


def _current_reopening(case: Complaint, events) -> dict | None:
    """When the case is back at work after a reply (重办): since when, and the date it is now
    to be resolved by if that date still lies ahead; None once it is resolved again."""
    if case.status in CaseStatus.RESOLVED_STATES or case.status in (
        CaseStatus.REJECTED,
        CaseStatus.MERGED,
        CaseStatus.TRANSFERRED,
    ):
        return None
    reopenings = [
        e for e in events if e.action == "cases.complaint.reopened" and e.complaint_id == case.pk
    ]
    if not reopenings:
        return None
    at = reopenings[-1].timestamp
    due = case.resolve_due_at
    return {
        "timestamp": at,
        "due": due if due is not None and due > at else None,
        "old_due": due if due is not None and due <= at else None,
    }


def _public_event(event) -> dict:
    """An event as the citizen reads it: when, what, and only the whitelisted details."""
    data = event.data or {}
    details = []
    for key, label in PUBLIC_DETAILS.get(event.action, []):
        value = data.get(key)
        if value not in (None, ""):
            details.append((label, _display(value)))
    return {
        "timestamp": event.timestamp,
        "label": TIMELINE_ACTIONS.get(event.action, _("Update")),
        "details": details,
    }


def _display(value) -> str:
    """Dates stored as ISO text in the event's JSON are shown as dates; the rest as text."""
    if isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "Y-m-d H:i")
        day = parse_date(value)
        if day is not None:
            return date_format(day, "Y-m-d")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return str(value)
