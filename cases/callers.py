"""A caller's earlier complaints, found by phone number, for staff who may see personal data.

What a person finds is the intersection of the phone's complaints (``cases.phones``) with the
cases they may see (``permissions.visible_complaints``): an official of one district never
learns of a caller's complaints in another, and a number with no complaint, or none in the
person's view, gives the same empty answer. Every look-up is in the audit log (审计日志) with
the number masked and its keyed digest, so an auditor can tell which number was asked for.
"""

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from cases import permissions
from cases.masking import mask_phone
from cases.models import Complaint
from cases.phones import phone_digest
from foundation.audit import record_event

LOOKED_UP = "cases.caller.looked_up"


class LookUpNotAllowed(Exception):
    """The person may not look callers up (no personal-data permission)."""


def _visible_with_digest(user, digest: str) -> QuerySet[Complaint]:
    if not digest:
        return Complaint.objects.none()
    return permissions.visible_complaints(user).filter(phone_digest=digest)


def look_up_caller(user, phone: str, *, request=None) -> QuerySet[Complaint]:
    """The complaints filed with ``phone`` that ``user`` may see, newest first, with what a
    list shows joined; the look-up is audited whatever it finds."""
    if not permissions.can_look_up_callers(user):
        raise LookUpNotAllowed
    digest = phone_digest(phone)
    complaints = (
        _visible_with_digest(user, digest)
        .select_related("estate", "district")
        .order_by("-created_at", "-pk")
    )
    record_event(
        actor=user,
        action=LOOKED_UP,
        label=mask_phone(phone),
        filters={"phone_digest": digest},
        request=request,
    )
    return complaints


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.REPEAT_CALLER_DAYS)


def earlier_complaint_count(user, complaint: Complaint) -> int:
    """How many complaints ``user`` may see from this complaint's phone within the repeat
    window, this one included; 0 for those who may not see personal data (they are never
    told)."""
    if not permissions.can_look_up_callers(user) or not complaint.phone_digest:
        return 0
    return (
        _visible_with_digest(user, complaint.phone_digest)
        .filter(created_at__gte=_window_start())
        .count()
    )


def repeat_threshold() -> dict:
    """The repeat-caller rule, for the screens that explain the flag."""
    return {"count": settings.REPEAT_CALLER_COMPLAINTS, "days": settings.REPEAT_CALLER_DAYS}


def is_repeat_caller(user, complaint: Complaint) -> bool:
    """At least ``REPEAT_CALLER_COMPLAINTS`` complaints within ``REPEAT_CALLER_DAYS``, as far
    as ``user`` may see them."""
    return earlier_complaint_count(user, complaint) >= settings.REPEAT_CALLER_COMPLAINTS


def repeats_within_window(complaints) -> bool:
    """Whether complaints already found (a look-up's rows) make their phone a repeat caller."""
    since = _window_start()
    recent = sum(1 for complaint in complaints if complaint.created_at >= since)
    return recent >= settings.REPEAT_CALLER_COMPLAINTS
