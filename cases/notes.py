"""Internal notes (内部备注) on a case: what staff tell each other, with files; never public.

Every file is checked before anything is written, so one refused file refuses the whole note
and leaves the case as it was.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from cases import permissions
from cases.attachments import store_attachment, validate_attachment
from cases.models import AttachmentKind, CaseEvent, Complaint
from cases.workflow import TransitionNotAllowed, lock, log_event

NOTE_MAX_LENGTH = 5000


def add_internal_note(complaint: Complaint, *, actor, text: str, files=()) -> CaseEvent:
    """Write an internal note (event "cases.complaint.note_added") with its attachments.

    Raises ``TransitionNotAllowed`` for an actor who may not work the case or an empty or
    over-long text, ``ValidationError`` (naming the file) for a file that cannot be attached.
    """
    if not permissions.can_work(actor, complaint):
        raise TransitionNotAllowed(
            _("Only regulator staff working on this case may add internal notes to it.")
        )
    text = (text or "").strip()
    if not text:
        raise TransitionNotAllowed(_("An internal note needs a text."))
    if len(text) > NOTE_MAX_LENGTH:
        raise TransitionNotAllowed(
            _("An internal note may have at most %(limit)d characters; this one has %(length)d.")
            % {"limit": NOTE_MAX_LENGTH, "length": len(text)}
        )
    files = list(files)
    for uploaded in files:
        validate_attachment(uploaded)
    with transaction.atomic():
        locked = lock(complaint)
        attachments = [
            store_attachment(locked, uploaded, kind=AttachmentKind.INTERNAL, actor=actor)
            for uploaded in files
        ]
        return log_event(
            locked,
            "cases.complaint.note_added",
            actor=actor,
            public=False,
            data={"text": text, "attachments": [attachment.pk for attachment in attachments]},
        )
