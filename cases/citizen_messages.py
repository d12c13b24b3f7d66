"""What the complainant is told, and when (沟通反馈): acceptance, rejection with its reason,
dispatch (who handles it, in general terms), a merge into another case, an extension or a
re-triage with the new due date, resolution with the follow-up request, reopening, closing and
a transfer to another agency (转办: where it went and its contact). Texts are in the language
the complainant used or chose (``Complaint.language``), sent by SMS and, when given, e-mail,
once per timeline event and complainant.
Each names the tracking page with the number filled in (never the access code); an SMS quotes
a long reply or reason only in part, the page has it whole.

The complainants of the complaints merged into a case are told of its resolution too, each
asked to rate it on their own tracking page: they are all followed up.
"""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import CaseEvent, CaseStatus, Complaint
from foundation.notifications import notify

RESOLVED = "cases.complaint.resolved"
# The transfer's action code (written by cases.transfers): both spellings are understood.
TRANSFERRED = frozenset({"cases.complaint.transferred", "cases.transferred"})
ALREADY_RESOLVED = {CaseStatus.RESOLVED, CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED}
# How much of a reply, reason or question an SMS quotes; the tracking page shows all of it.
SMS_QUOTE_CHARS = 40


def in_their_language(complaint: Complaint) -> str:
    """The language every message to this complainant is written in: the one they used on the
    web or chose on the phone; the portal's default for one the site no longer offers."""
    offered = {code for code, _name in settings.LANGUAGES}
    return complaint.language if complaint.language in offered else settings.LANGUAGE_CODE


def tracking_url(complaint: Complaint) -> str:
    """The tracking page with the tracking number filled in (the access code never is)."""
    return f"{settings.TRACKING_PAGE_URL}?{urlencode({'n': complaint.tracking_number})}"


def clip(text: str, limit: int | None) -> str:
    text = str(text or "")
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def linked(complaint: Complaint, subject: str, body: str, sms: str) -> tuple[str, str, str]:
    """The e-mail and the SMS with the tracking page's address at their end."""
    url = tracking_url(complaint)
    page = _("Your tracking page (enter your access code there): %(url)s") % {"url": url}
    return subject, f"{body}\n\n{page}", f"{sms} {url}"


def _date(value) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d}"
    return "—"


def _texts(action: str, complaint: Complaint, event: CaseEvent) -> tuple[str, str, str] | None:
    """Subject, e-mail body and SMS of the message for ``event``, or None for no message."""
    full = _compose(action, complaint, event, None)
    if full is None:
        return None
    short = _compose(action, complaint, event, SMS_QUOTE_CHARS)
    return linked(complaint, full[0], full[1], short[1])


def _compose(
    action: str, complaint: Complaint, event: CaseEvent, limit: int | None
) -> tuple[str, str] | None:
    number = complaint.tracking_number
    if action == "cases.complaint.accepted":
        subject = _("Your complaint %(number)s has been accepted") % {"number": number}
        body = _(
            "Your complaint %(number)s has been accepted and will be resolved by %(due)s. "
            "Follow it on the portal with your tracking number and access code."
        ) % {
            "number": number,
            "due": f"{complaint.resolve_due_at:%Y-%m-%d}" if complaint.resolve_due_at else "—",
        }
    elif action == "cases.complaint.rejected":
        subject = _("Your complaint %(number)s was not accepted") % {"number": number}
        body = _("Your complaint %(number)s was not accepted: %(reason)s") % {
            "number": number,
            "reason": clip(event.data.get("reason", ""), limit),
        }
    elif action == RESOLVED:
        subject = _("Your complaint %(number)s has been resolved") % {"number": number}
        body = _(
            "Your complaint %(number)s has been resolved: %(reply)s Please tell us on the "
            "portal whether you are satisfied (tracking number and access code)."
        ) % {"number": number, "reply": clip(event.data.get("reply", ""), limit)}
    elif action == "cases.complaint.merged":
        values = {"number": number, "primary": event.data.get("into", "")}
        subject = _("Your complaint %(number)s is handled together with case %(primary)s") % values
        body = (
            _(
                "Your complaint %(number)s reports the same problem as case %(primary)s, so "
                "the two are handled together. Your tracking page (tracking number %(number)s "
                "and your access code) now shows the progress of case %(primary)s, and you "
                "will be told when it is resolved."
            )
            % values
        )
        primary = complaint.merged_into
        if primary is not None and primary.status in ALREADY_RESOLVED and primary.public_reply:
            # Its resolution came before the merge: tell it now, or the follower never hears.
            body = _(
                "Your complaint %(number)s reports the same problem as case %(primary)s, which "
                "has already been resolved: %(reply)s Please tell us on the portal whether you "
                "are satisfied (tracking number %(number)s and your access code)."
            ) % {**values, "reply": clip(primary.public_reply, limit)}
    elif action == "cases.complaint.extended":
        values = {
            "number": number,
            "days": event.data.get("days", ""),
            "due": _date(event.data.get("due") or complaint.resolve_due_at),
        }
        subject = _("Your complaint %(number)s: more time to resolve it") % values
        body = (
            _(
                "The time to resolve your complaint %(number)s was extended by %(days)s "
                "working days; it will now be resolved by %(due)s."
            )
            % values
        )
    elif action == "cases.complaint.assigned":
        subject = _("Your complaint %(number)s is being handled") % {"number": number}
        body = _("Your complaint %(number)s is now being handled by %(units)s.") % {
            "number": number,
            "units": _handlers(event.data.get("units") or []),
        }
    elif action == "cases.complaint.reopened":
        subject = _("Your complaint %(number)s has been reopened") % {"number": number}
        body = _(
            "Your complaint %(number)s has been reopened and will be handled again. "
            "You will be told when it is resolved."
        ) % {"number": number}
    elif action == "cases.complaint.closed":
        subject = _("Your complaint %(number)s is closed") % {"number": number}
        body = _(
            "Your complaint %(number)s is closed. Thank you for telling us; you can still "
            "read it on the portal."
        ) % {"number": number}
    elif action == "cases.complaint.due_changed":
        # A re-triage (cases.retriage) moved a date the citizen sees.
        values = {"number": number, "due": _date(event.data.get("due") or complaint.resolve_due_at)}
        subject = _("Your complaint %(number)s: a new date to resolve it") % values
        body = (
            _(
                "Your complaint %(number)s was reviewed and its time limit changed: it will "
                "now be resolved by %(due)s."
            )
            % values
        )
    elif action in TRANSFERRED:
        values = {
            "number": number,
            "agency": event.data.get("agency") or event.data.get("agency_name") or "—",
            "contact": event.data.get("contact", ""),
            "reason": clip(event.data.get("reason", ""), limit),
        }
        subject = _("Your complaint %(number)s was transferred to %(agency)s") % values
        body = (
            _(
                "Your complaint %(number)s is outside the regulator's remit and was transferred "
                "to %(agency)s, which handles it from now on (contact: %(contact)s). "
                "Reason: %(reason)s"
            )
            % values
        )
    else:
        return None
    return subject, body


def _handlers(units: list[str]) -> str:
    """Who handles the case in general terms, never a person's or company's name."""
    if "company" in units and "inspector" in units:
        return _("the property company and a district inspector")
    if "company" in units:
        return _("the property company")
    if "inspector" in units:
        return _("a district inspector")
    return _("the housing regulator")


def _follower_texts(
    follower: Complaint, primary: Complaint, event: CaseEvent
) -> tuple[str, str, str]:
    def body(limit: int | None) -> str:
        return _(
            "Your complaint %(number)s was handled together with case %(primary)s, which has "
            "been resolved: %(reply)s Please tell us on the portal whether you are satisfied "
            "(tracking number %(number)s and your access code)."
        ) % {
            "number": follower.tracking_number,
            "primary": primary.tracking_number,
            "reply": clip(event.data.get("reply", ""), limit),
        }

    subject = _("Your complaint %(number)s has been resolved") % {
        "number": follower.tracking_number
    }
    return linked(follower, subject, body(None), body(SMS_QUOTE_CHARS))


def _send(complaint: Complaint, event: CaseEvent, texts: tuple[str, str, str]) -> int:
    subject, body, sms = texts
    return notify(
        dedup_key=f"complaint:{complaint.pk}:event:{event.pk}",
        subject=subject,
        body=body,
        sms=sms,
        email=complaint.contact_email,
        phone=complaint.contact_phone,
    )


def tell_complainant(complaint: Complaint, event: CaseEvent) -> int:
    """Queue the messages for this event (inside the caller's transaction); returns how many
    were queued, duplicates of earlier ones left out."""
    with translation.override(in_their_language(complaint)):
        texts = _texts(event.action, complaint, event)
    if texts is None:
        return 0
    sent = _send(complaint, event, texts)
    if event.action == RESOLVED:
        followers = complaint.merged_complaints.filter(status=CaseStatus.MERGED)
        for follower in followers.order_by("pk"):
            # Each follower is told in their own language, not the primary's.
            with translation.override(in_their_language(follower)):
                texts = _follower_texts(follower, complaint, event)
            sent += _send(follower, event, texts)
    return sent
