"""What the complainant is told, and when (沟通反馈): acceptance, rejection with its reason,
resolution with the follow-up request. Texts are in the portal's default language (the
complaint does not record the citizen's), sent once per timeline event."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from cases.models import CaseEvent, Complaint
from portal.notifications import notify


def _texts(action: str, complaint: Complaint, event: CaseEvent) -> tuple[str, str] | None:
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
            "reason": event.data.get("reason", ""),
        }
    elif action == "cases.complaint.resolved":
        subject = _("Your complaint %(number)s has been resolved") % {"number": number}
        body = _(
            "Your complaint %(number)s has been resolved: %(reply)s Please tell us on the "
            "portal whether you are satisfied (tracking number and access code)."
        ) % {"number": number, "reply": event.data.get("reply", "")}
    else:
        return None
    return subject, body


def tell_complainant(complaint: Complaint, event: CaseEvent) -> int:
    """Queue the messages for this event (inside the caller's transaction)."""
    with translation.override(settings.LANGUAGE_CODE):
        texts = _texts(event.action, complaint, event)
    if texts is None:
        return 0
    subject, body = texts
    return notify(
        dedup_key=f"complaint:{complaint.pk}:event:{event.pk}",
        subject=subject,
        body=body,
        phone=complaint.contact_phone,
    )
