"""Contacts with the complainant logged by staff (联系记录): a call or a visit is a first
response (``cases.sla.FIRST_RESPONSE_ACTIONS``) like a written reply, so it is recorded on the
public timeline: the complainant reads on their tracking page what was agreed."""

from django.db import transaction
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import CaseEvent, CaseStatus, Complaint
from cases.workflow import TransitionNotAllowed, lock, log_event

CONTACTED = "cases.complaint.contacted"
SUMMARY_MAX_LENGTH = 2000
# After acceptance and before the case is finished.
CONTACT_STATES = CaseStatus.OPEN_STATES - {CaseStatus.SUBMITTED}


def record_contact(complaint: Complaint, *, actor, summary: str) -> CaseEvent:
    """Log a call or visit with the complainant and what was said (public)."""
    summary = (summary or "").strip()
    if not summary:
        raise TransitionNotAllowed(_("Write what was said with the complainant."))
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise TransitionNotAllowed(
            _("A contact summary may have at most %(limit)d characters.")
            % {"limit": SUMMARY_MAX_LENGTH}
        )
    with transaction.atomic():
        locked = lock(complaint)
        if not permissions.can_work(actor, locked):
            raise TransitionNotAllowed(_("You may not log contacts on this case."))
        if locked.status not in CONTACT_STATES:
            raise TransitionNotAllowed(
                _(
                    "A contact is logged on an accepted case still being handled, "
                    "not a “%(status)s” one."
                )
                % {"status": locked.get_status_display()}
            )
        event = log_event(locked, CONTACTED, actor=actor, public=True, data={"summary": summary})
    complaint.refresh_from_db()
    return event
