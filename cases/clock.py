"""The case clock: questions to the complainant (补充材料) stop it, extensions (延期) move it.

While a request for information is open the clock stands still at
``Complaint.awaiting_complainant_since`` (see `cases.sla.clock_reading`); the answer moves
every due date still ahead at that moment on by the working time the case waited. An
extension is asked by whoever works the case and decided by an official other than the
requester; an approved one moves the resolution due date on by its working days.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import calendar, permissions
from cases.citizen_messages import SMS_QUOTE_CHARS, clip, in_their_language, linked
from cases.models import CaseStatus, Complaint, Extension, ExtensionStatus, InfoRequest
from cases.signals import complaints_changed
from cases.workflow import TransitionNotAllowed, log_event
from foundation.notifications import notify

# The states in which the case is being worked and its clock runs: open and accepted.
RUNNING = CaseStatus.OPEN_STATES - {CaseStatus.SUBMITTED}
MAX_ANSWER_LENGTH = 2000
MIN_EXTENSION_DAYS, MAX_EXTENSION_DAYS = 1, 30
DUE_FIELDS = ("accept_due_at", "respond_due_at", "resolve_due_at")


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _require_running(complaint: Complaint) -> None:
    if complaint.status not in RUNNING:
        raise TransitionNotAllowed(
            _("This cannot be done while the case is “%(status)s”.")
            % {"status": complaint.get_status_display()}
        )


def _open_request(complaint: Complaint) -> InfoRequest | None:
    return (
        InfoRequest.objects.select_for_update()
        .filter(complaint=complaint, answered_at__isnull=True)
        .first()
    )


def request_information(complaint: Complaint, *, actor, question: str) -> InfoRequest:
    """Ask the complainant for more information; the clock stops until they answer."""
    question = question.strip()
    if not question:
        raise TransitionNotAllowed(_("Write the question the complainant should answer."))
    with transaction.atomic():
        locked = _lock(complaint)
        if not permissions.can_work(actor, locked):
            raise TransitionNotAllowed(_("You may not ask questions on this case."))
        _require_running(locked)
        if _open_request(locked) is not None:
            raise TransitionNotAllowed(
                _("The complainant has not answered the previous question yet.")
            )
        now = timezone.now()
        request = InfoRequest.objects.create(
            complaint=locked, question=question, asked_by=actor, asked_at=now
        )
        locked.awaiting_complainant_since = now
        locked.save(update_fields=["awaiting_complainant_since", "updated_at"])
        event = log_event(
            locked,
            "cases.complaint.info_requested",
            actor=actor,
            public=True,
            data={"question": question, "request": request.pk},
        )
        complaints_changed([locked.pk])
        _ask_complainant(locked, question, dedup_key=f"complaint:{locked.pk}:event:{event.pk}")
    complaint.refresh_from_db()
    return request


def _ask_complainant(complaint: Complaint, question: str, *, dedup_key: str) -> None:
    def body(limit: int | None) -> str:
        return _(
            "To handle your complaint %(number)s we need your answer to this question: "
            "%(question)s Please answer on the portal's tracking page with your tracking "
            "number and access code. The time limit for your case is suspended until then."
        ) % {"number": complaint.tracking_number, "question": clip(question, limit)}

    with translation.override(in_their_language(complaint)):
        subject = _("Your complaint %(number)s: we need more information") % {
            "number": complaint.tracking_number
        }
        subject, email_body, sms = linked(complaint, subject, body(None), body(SMS_QUOTE_CHARS))
    notify(
        dedup_key=dedup_key,
        subject=subject,
        body=email_body,
        sms=sms,
        email=complaint.contact_email,
        phone=complaint.contact_phone,
    )


def answer_information(complaint: Complaint, *, answer: str, actor=None) -> InfoRequest:
    """The complainant's answer (from the tracking page, actor None; or recorded by staff who
    work the case): the clock restarts and the due dates move on by the time it stood still."""
    answer = answer.strip()
    if not answer:
        raise TransitionNotAllowed(_("Write your answer to the question."))
    if len(answer) > MAX_ANSWER_LENGTH:
        raise TransitionNotAllowed(
            _("The answer is too long: at most %(limit)d characters.")
            % {"limit": MAX_ANSWER_LENGTH}
        )
    with transaction.atomic():
        locked = _lock(complaint)
        # The tracking page acts for the complainant (actor None or anonymous) once the access
        # code is checked; staff record an answer given by phone only on cases they work.
        citizen = actor is None or not actor.is_authenticated
        if not citizen and not permissions.can_work(actor, locked):
            raise TransitionNotAllowed(_("You may not answer for the complainant on this case."))
        request = _open_request(locked)
        if request is None:
            raise TransitionNotAllowed(_("There is no open question on this case to answer."))
        now = timezone.now()
        stopped = locked.awaiting_complainant_since or request.asked_at
        overrides = calendar.load_overrides(stopped.astimezone(calendar.TIMEZONE).date())
        paused = max(calendar.working_hours_between(stopped, now, overrides=overrides), 0.0)
        shifted = {}
        for field in DUE_FIELDS:
            due = getattr(locked, field)
            # A due date already passed when the clock stopped stays missed; shifting by zero
            # hours would still move a close-of-business date to the next opening.
            if due is not None and due > stopped and paused > 0:
                setattr(locked, field, calendar.add_working_hours(due, paused, overrides=overrides))
                shifted[field] = getattr(locked, field).isoformat()
        locked.awaiting_complainant_since = None
        locked.save(update_fields=[*DUE_FIELDS, "awaiting_complainant_since", "updated_at"])
        request.answer = answer
        request.answered_at = now
        request.save(update_fields=["answer", "answered_at"])
        log_event(
            locked,
            "cases.complaint.info_provided",
            actor=actor,
            public=True,
            data={
                "request": request.pk,
                "answer": answer,
                "paused_hours": round(paused, 2),
                "due": shifted.get("resolve_due_at", ""),
            },
        )
        complaints_changed([locked.pk])
    complaint.refresh_from_db()
    return request


def request_extension(complaint: Complaint, *, actor, working_days: int, reason: str) -> Extension:
    """Ask an official for more working days to resolve (延期)."""
    reason = reason.strip()
    if not isinstance(working_days, int) or not (
        MIN_EXTENSION_DAYS <= working_days <= MAX_EXTENSION_DAYS
    ):
        raise TransitionNotAllowed(
            _("An extension is between %(min)d and %(max)d working days.")
            % {"min": MIN_EXTENSION_DAYS, "max": MAX_EXTENSION_DAYS}
        )
    if not reason:
        raise TransitionNotAllowed(_("Say why the case needs more time."))
    with transaction.atomic():
        locked = _lock(complaint)
        if not permissions.can_request_extension(actor, locked):
            raise TransitionNotAllowed(_("You may not ask for an extension on this case."))
        _require_running(locked)
        if locked.resolve_due_at is None:
            raise TransitionNotAllowed(_("This case has no due date to extend."))
        if locked.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
            raise TransitionNotAllowed(
                _("An extension is already waiting for a decision on this case.")
            )
        extension = Extension.objects.create(
            complaint=locked, working_days=working_days, reason=reason, requested_by=actor
        )
        log_event(
            locked,
            "cases.extension.requested",
            actor=actor,
            public=False,
            data={"extension": extension.pk, "days": working_days, "reason": reason},
        )
    return extension


def decide_extension(extension: Extension, *, actor, approve: bool, note: str = "") -> Extension:
    """An official approves (the due date moves on) or refuses (with a note) an extension."""
    note = note.strip()
    target = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    with transaction.atomic():
        locked = _lock(extension.complaint)
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if not permissions.can_decide_extension(actor, locked):
            raise TransitionNotAllowed(
                _("Only an official responsible for this case may decide on its extension.")
            )
        if ext.status == target:
            return ext
        if ext.status != ExtensionStatus.REQUESTED:
            raise TransitionNotAllowed(
                _("This extension was already decided: %(status)s.")
                % {"status": ext.get_status_display()}
            )
        if ext.requested_by_id is not None and ext.requested_by_id == actor.pk:
            raise TransitionNotAllowed(_("You may not decide on your own extension request."))
        if approve:
            _require_running(locked)
        elif not note:
            raise TransitionNotAllowed(_("Say why the extension is refused."))
        now = timezone.now()
        ext.status, ext.decided_by, ext.decided_at, ext.decision_note = target, actor, now, note
        if approve:
            _extend(locked, ext, now)
            log_event(
                locked,
                "cases.complaint.extended",
                actor=actor,
                public=True,
                data={"days": ext.working_days, "due": ext.new_due_at.isoformat()},
            )
            complaints_changed([locked.pk])
        else:
            log_event(
                locked,
                "cases.extension.refused",
                actor=actor,
                public=False,
                data={"extension": ext.pk, "days": ext.working_days, "note": note},
            )
        ext.save()
    extension.refresh_from_db()
    return ext


def _extend(complaint: Complaint, extension: Extension, now) -> None:
    extension.previous_due_at = complaint.resolve_due_at
    extension.new_due_at = calendar.add_working_days(
        complaint.resolve_due_at, extension.working_days
    )
    complaint.resolve_due_at = extension.new_due_at
    fields = ["resolve_due_at", "updated_at"]
    if extension.new_due_at > now:
        # The supervision ladder starts again from the new due date.
        complaint.overdue_since = complaint.sla_warned_at = None
        complaint.escalation_level = 0
        fields += ["overdue_since", "sla_warned_at", "escalation_level"]
    complaint.save(update_fields=fields)
