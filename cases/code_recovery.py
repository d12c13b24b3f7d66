"""A lost access code (查询码找回): a new one, sent by SMS to the phone given at filing.

The access code is stored only as a digest, so it cannot be read back: recovery issues a new
one and the old one stops opening the case. Only the phone the complaint was filed with, and
only a mainland mobile, receives it; whoever asks learns nothing of whether the number and the
phone matched (the tracking page answers alike), so cases and numbers cannot be enumerated.
"""

from django.db import transaction
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cases.access_codes import digest_access_code, new_access_code
from cases.citizen_messages import in_their_language, tracking_url
from cases.models import CaseEvent, Complaint
from cases.phones import is_mainland_mobile, phone_digest
from cases.workflow import TransitionNotAllowed
from foundation.notifications import notify

REISSUED = "cases.complaint.access_code_reissued"


def reissue_access_code(complaint: Complaint, *, actor, reason: str = "recovery") -> str:
    """Replace the complaint's access code (the old one stops working) and note it on the
    internal timeline; returns the new code, which is never stored in clear."""
    return _reissue(complaint, actor=actor, reason=reason)[0]


def _reissue(complaint: Complaint, *, actor, reason: str) -> tuple[str, CaseEvent]:
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.anonymised_at is not None:
            raise TransitionNotAllowed(
                _("The personal data of this case was removed: it has no access code any more.")
            )
        code = new_access_code()
        locked.access_code_digest = digest_access_code(locked.tracking_number, code)
        locked.save(update_fields=["access_code_digest", "updated_at"])
        event = CaseEvent.objects.log_action(
            locked, REISSUED, user=actor, data={"reason": reason}, is_public=False
        )
    complaint.access_code_digest = locked.access_code_digest
    return code, event


def send_new_code(tracking_number: str, phone: str, *, actor=None) -> bool:
    """If ``phone`` is the mainland mobile this complaint was filed with, issue a new code and
    queue it by SMS to that phone (in the complaint's language); True if one was sent. The
    caller answers the same either way."""
    digest = phone_digest(phone)
    complaint = (
        Complaint.objects.filter(tracking_number=tracking_number)
        .only("pk", "tracking_number", "phone_digest", "contact_phone", "language")
        .first()
    )
    stored = complaint.phone_digest if complaint is not None else ""
    matches = constant_time_compare(stored or "-", digest or "")
    if complaint is None or not matches or not is_mainland_mobile(complaint.contact_phone):
        return False
    with transaction.atomic():
        code, event = _reissue(complaint, actor=actor, reason="recovery")
        with translation.override(in_their_language(complaint)):
            text = _(
                "Your new access code for complaint %(number)s is %(code)s. The earlier code no "
                "longer works. %(url)s"
            ) % {
                "number": complaint.tracking_number,
                "code": code,
                "url": tracking_url(complaint),
            }
            subject = _("New access code for complaint %(number)s") % {
                "number": complaint.tracking_number
            }
        notify(
            dedup_key=f"complaint:{complaint.pk}:access-code:{event.pk}",
            subject=subject,
            body=text,
            phone=complaint.contact_phone,
        )
    return True
