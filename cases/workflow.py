"""The case state machine (办件流程): every status change of a complaint happens here.

Each verb locks the row, checks the actor's permission and the allowed-transition table,
changes the status, writes the timeline event in the same transaction, and queues indexing on
commit. A repeated call for a state already reached returns quietly; anything else illegal
raises ``TransitionNotAllowed`` and changes nothing.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from cases import permissions, sla
from cases.citizen_messages import tell_complainant
from cases.models import CaseEvent, CaseStatus, Complaint, Satisfaction

S = CaseStatus

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.ACCEPTED, S.REJECTED},
    S.ACCEPTED: {S.ASSIGNED},
    S.ASSIGNED: {S.IN_PROGRESS},
    S.IN_PROGRESS: {S.RESOLVED},
    S.RESOLVED: {S.FOLLOWED_UP, S.REOPENED},
    S.FOLLOWED_UP: {S.CLOSED, S.REOPENED},
    S.CLOSED: {S.REOPENED},
    S.REOPENED: {S.ASSIGNED},
    S.REJECTED: set(),
}


class TransitionNotAllowed(Exception):
    """A transition was refused; the message is shown to the user as is."""


def _transition(
    complaint: Complaint,
    *,
    actor,
    to: str,
    action: str,
    public: bool,
    data: dict | None = None,
    **changes,
) -> Complaint:
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status == to and to != S.REOPENED:
            return locked
        if not permissions.can_transition(actor, locked, to):
            raise TransitionNotAllowed(_("You may not perform this action on this case."))
        if to not in ALLOWED_TRANSITIONS[locked.status]:
            raise TransitionNotAllowed(
                _("A case that is “%(current)s” cannot become “%(target)s”.")
                % {"current": locked.get_status_display(), "target": S(to).label}
            )
        from_status = locked.status
        locked.status = to
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save()
        event = CaseEvent.objects.log_action(
            locked,
            action,
            user=actor if actor is not None and actor.is_authenticated else None,
            from_status=from_status,
            to_status=to,
            is_public=public,
            data=data or {},
        )
        _queue_side_effects(locked)
        tell_complainant(locked, event)
    complaint.refresh_from_db()
    return locked


def _queue_side_effects(complaint: Complaint) -> None:
    from enterprises.credit_tasks import queue_credit_recompute
    from search.indexing import queue_for_indexing

    queue_for_indexing([complaint.pk])
    if complaint.company_id and complaint.status == S.RESOLVED:
        # A resolved complaint is substantiated: the company's credit follows at once.
        queue_credit_recompute(complaint.company_id)


def accept_case(complaint: Complaint, *, actor, tier: str | None = None, note: str = ""):
    """Intake registration (受理); a tier set here re-computes the due dates."""
    changes = {}
    if tier and tier != complaint.tier:
        due = sla.due_dates(complaint.created_at, tier, complaint.category)
        changes = {
            "tier": tier,
            "accept_due_at": due.accept_by,
            "respond_due_at": due.respond_by,
            "resolve_due_at": due.resolve_by,
        }
    return _transition(
        complaint,
        actor=actor,
        to=S.ACCEPTED,
        action="cases.complaint.accepted",
        public=True,
        data={"note": note},
        **changes,
    )


def reject_case(complaint: Complaint, *, actor, reason: str):
    """Not accepted (不予受理); the reason is shown to the citizen."""
    if not reason.strip():
        raise TransitionNotAllowed(_("A rejection needs a reason the citizen can read."))
    return _transition(
        complaint,
        actor=actor,
        to=S.REJECTED,
        action="cases.complaint.rejected",
        public=True,
        data={"reason": reason},
        public_reply=reason,
    )


def assign_case(complaint: Complaint, *, actor, note: str = ""):
    """Dispatch (分派) to the responsible unit."""
    return _transition(
        complaint,
        actor=actor,
        to=S.ASSIGNED,
        action="cases.complaint.assigned",
        public=True,
        data={"note": note},
    )


def start_work(complaint: Complaint, *, actor):
    return _transition(
        complaint, actor=actor, to=S.IN_PROGRESS, action="cases.complaint.started", public=True
    )


def resolve_case(complaint: Complaint, *, actor, reply: str):
    """Resolution (办结) with the public reply the citizen reads."""
    if not reply.strip():
        raise TransitionNotAllowed(_("A resolution needs a public reply."))
    return _transition(
        complaint,
        actor=actor,
        to=S.RESOLVED,
        action="cases.complaint.resolved",
        public=True,
        data={"reply": reply},
        public_reply=reply,
    )


def record_follow_up(complaint: Complaint, *, actor, satisfaction: str, comment: str = ""):
    """Satisfaction follow-up (回访); an unsatisfied answer reopens the case."""
    if satisfaction not in Satisfaction.values:
        raise TransitionNotAllowed(_("Choose satisfied, basically satisfied or unsatisfied."))
    to = S.REOPENED if satisfaction == Satisfaction.UNSATISFIED else S.FOLLOWED_UP
    action = "cases.complaint.reopened" if to == S.REOPENED else "cases.complaint.followed_up"
    return _transition(
        complaint,
        actor=actor,
        to=to,
        action=action,
        public=True,
        data={"satisfaction": satisfaction, "comment": comment},
        satisfaction=satisfaction,
    )


def close_case(complaint: Complaint, *, actor):
    return _transition(
        complaint, actor=actor, to=S.CLOSED, action="cases.complaint.closed", public=True
    )


def reopen_case(complaint: Complaint, *, actor, reason: str):
    """A wrongly closed case goes back to work (重办)."""
    return _transition(
        complaint,
        actor=actor,
        to=S.REOPENED,
        action="cases.complaint.reopened",
        public=True,
        data={"reason": reason},
    )
