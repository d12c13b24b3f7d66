"""Two-level handling (两级审核): an official signs off, or sends back, a resolution proposed
for a case whose tier needs it (``cases.tiers``; proposed by ``workflow.resolve_case``).

Signed off, the case is resolved with the proposed reply (the citizen is told as for any
resolution); sent back, it stays in progress and the author is told the official's note.
Nobody signs off their own proposal. Each decision locks the case, then the proposal, and
writes its timeline event in the same transaction; a repeated decision returns quietly.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import CaseStatus, SignOff, SignOffStatus
from cases.workflow import TransitionNotAllowed, lock, log_event, tell_staff, transition


def _lock(sign_off: SignOff) -> tuple:
    # The case first, then the proposal: the order resolve_case locks them in.
    locked = lock(sign_off.complaint)
    return locked, SignOff.objects.select_for_update().get(pk=sign_off.pk)


def _check(locked, current: SignOff, actor) -> None:
    if not permissions.can_sign_off(actor, locked):
        raise TransitionNotAllowed(
            _("Only an official of the case's district may sign off its resolution.")
        )
    if current.requested_by_id == actor.pk:
        raise TransitionNotAllowed(
            _("You proposed this resolution: another official must sign it off.")
        )
    if current.status != SignOffStatus.PENDING:
        raise TransitionNotAllowed(
            _("This proposal was already decided (“%(status)s”).")
            % {"status": current.get_status_display()}
        )


def sign_off_resolution(sign_off: SignOff, *, actor, note: str = "") -> SignOff:
    """Sign the proposal off: the case is resolved with its reply."""
    with transaction.atomic():
        locked, current = _lock(sign_off)
        if current.status == SignOffStatus.SIGNED_OFF:
            return current
        _check(locked, current, actor)
        current.status = SignOffStatus.SIGNED_OFF
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.note = note.strip()
        current.save(update_fields=["status", "decided_by", "decided_at", "note"])
        transition(
            locked,
            actor=actor,
            to=CaseStatus.RESOLVED,
            action="cases.complaint.resolved",
            public=True,
            data={"reply": current.reply, "sign_off": current.pk},
            permitted=True,
            public_reply=current.reply,
        )
    sign_off.refresh_from_db()
    return current


def send_back_resolution(sign_off: SignOff, *, actor, note: str) -> SignOff:
    """Send the proposal back with a note saying what is missing; the case stays open."""
    note = (note or "").strip()
    if not note:
        raise TransitionNotAllowed(_("Sending a resolution back needs a note saying why."))
    with transaction.atomic():
        locked, current = _lock(sign_off)
        if current.status == SignOffStatus.SENT_BACK:
            return current
        _check(locked, current, actor)
        current.status = SignOffStatus.SENT_BACK
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.note = note
        current.save(update_fields=["status", "decided_by", "decided_at", "note"])
        event = log_event(
            locked,
            "cases.complaint.sign_off_sent_back",
            actor=actor,
            public=False,
            data={"sign_off": current.pk, "note": note},
        )
        author = current.requested_by
        if author is not None and author.email:
            with translation.override(settings.LANGUAGE_CODE):
                values = {"number": locked.tracking_number, "note": note}
                subject = _("Case %(number)s: your resolution was sent back") % values
                body = _("The official sent your resolution back: %(note)s") % values
            tell_staff(
                [author], key=f"complaint:{locked.pk}:event:{event.pk}", subject=subject, body=body
            )
    sign_off.refresh_from_db()
    return current
