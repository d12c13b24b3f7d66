"""The case state machine (办件流程): every status change of a complaint happens here.

Each verb locks the row, checks the actor's permission and the allowed-transition table,
changes the status, writes the timeline event in the same transaction and sends
``cases.signals.complaint_changed`` in it (search queues indexing on commit). A resolution
also writes the company's credit record there: a resolved complaint is substantiated. A
repeated call for a state already reached returns quietly; anything else illegal raises
``TransitionNotAllowed`` and changes nothing.

Dispatch, signing and the company's answer live in ``cases.dispatch``; they move the case
through ``transition`` too.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions, sla, tiers
from cases.citizen_messages import tell_complainant
from cases.models import (
    AnswerStatus,
    CaseEvent,
    CaseStatus,
    Complaint,
    Dispatch,
    DispatchStatus,
    ReturnRuling,
    RulingStatus,
    Satisfaction,
    SignOff,
    SignOffStatus,
    Tier,
)
from cases.signals import complaints_changed
from enterprises import credit
from foundation.notifications import notify
from foundation.roles import Role
from foundation.state_machine import StateMachine

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.SUBMITTED: {CaseStatus.ACCEPTED, CaseStatus.REJECTED, CaseStatus.MERGED},
    # Straight to "resolved" only for a consultation answered at once (cases.consultations).
    CaseStatus.ACCEPTED: {CaseStatus.ASSIGNED, CaseStatus.MERGED, CaseStatus.RESOLVED},
    # Back to "accepted" when every unit returned it (退单): the official re-dispatches.
    CaseStatus.ASSIGNED: {CaseStatus.IN_PROGRESS, CaseStatus.ACCEPTED, CaseStatus.MERGED},
    # Back to "accepted" when a re-triage withdrew every unit (cases.retriage).
    CaseStatus.IN_PROGRESS: {CaseStatus.RESOLVED, CaseStatus.ACCEPTED, CaseStatus.MERGED},
    CaseStatus.RESOLVED: {CaseStatus.FOLLOWED_UP, CaseStatus.REOPENED},
    CaseStatus.FOLLOWED_UP: {CaseStatus.CLOSED, CaseStatus.REOPENED},
    CaseStatus.CLOSED: {CaseStatus.REOPENED},
    CaseStatus.REOPENED: {CaseStatus.ASSIGNED, CaseStatus.MERGED},
    CaseStatus.REJECTED: set(),
    CaseStatus.MERGED: set(),
    CaseStatus.TRANSFERRED: set(),
}
# Any open case out of the regulator's remit may be transferred to another agency (转办).
for _open in CaseStatus.OPEN_STATES:
    ALLOWED_TRANSITIONS[_open].add(CaseStatus.TRANSFERRED)


# An unsatisfied rating reopens a case this many times; after that it is recorded and flagged.
MAX_REOPENS_BY_FOLLOW_UP = 1


class TransitionNotAllowed(Exception):
    """A transition was refused; the message is shown to the user as is."""


def _user_or_none(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _timeline_writer(public: bool):
    """The case's audit entries are its timeline (``CaseEvent``), public or internal."""

    def write(complaint, action, *, actor, from_status, to_status, **data) -> CaseEvent:
        return CaseEvent.objects.log_action(
            complaint,
            action,
            user=_user_or_none(actor),
            from_status=from_status,
            to_status=to_status,
            is_public=public,
            data=data,
        )

    return write


CASE_MACHINE = StateMachine(
    Complaint,
    transitions=ALLOWED_TRANSITIONS,
    error=TransitionNotAllowed,
    refusal=gettext_lazy("A case that is “%(current)s” cannot become “%(target)s”."),
    writer=_timeline_writer(public=False),
)


def lock(complaint: Complaint) -> Complaint:
    """The complaint's row, locked until the end of the caller's transaction."""
    return CASE_MACHINE.lock(complaint)


def ensure_allowed(locked: Complaint, *, actor, to: str, permitted: bool | None = None) -> None:
    """Raise ``TransitionNotAllowed`` unless ``actor`` may move ``locked`` to ``to`` now."""
    if permitted is None:
        permitted = permissions.can_transition(actor, locked, to)
    CASE_MACHINE.check(
        locked, to, permitted=permitted, denied=_("You may not perform this action on this case.")
    )


def transition(
    complaint: Complaint,
    *,
    actor,
    to: str,
    action: str,
    public: bool,
    data: dict | None = None,
    permitted: bool | None = None,
    **changes,
) -> tuple[Complaint, CaseEvent | None]:
    """Move the case to ``to`` and write the event; the event is None when the case already
    was there (a repeated request). ``permitted`` replaces ``can_transition`` when the caller
    has checked a narrower permission itself (e.g. ``can_dispatch``)."""
    with transaction.atomic():
        locked = lock(complaint)
        if locked.status == to and to != CaseStatus.REOPENED:
            return locked, None
        ensure_allowed(locked, actor=actor, to=to, permitted=permitted)
        event = CASE_MACHINE.move(
            locked,
            to,
            actor=actor,
            action=action,
            data=data,
            writer=_timeline_writer(public),
            **changes,
        )
        complaints_changed([locked.pk])
        if public:
            sla.record_first_response(locked, event)
        if to in sla.FINISHED:
            lapse_pending_returns(locked, actor=actor)
        if to == CaseStatus.RESOLVED:
            substantiate(locked, resolved_on=timezone.localdate(event.timestamp))
        tell_complainant(locked, event)
    complaint.refresh_from_db()
    return locked, event


def lapse_pending_returns(complaint: Complaint, *, actor) -> None:
    """A case finished (merged, transferred, resolved...) while a unit's return awaited its
    ruling: nothing is left to rule on, so the return lapses instead of waiting for ever in
    the unit's figures and the sweep (an internal event says so; the complaint is locked)."""
    pending = list(
        ReturnRuling.objects.select_for_update(of=("self",))
        .filter(complaint=complaint, status=RulingStatus.PENDING)
        .select_related("dispatch")
    )
    for ruling in pending:
        ruling.status = RulingStatus.LAPSED
        ruling.ruled_at = timezone.now()
        ruling.save(update_fields=["status", "ruled_at"])
        log_event(
            complaint,
            "cases.dispatch.return_lapsed",
            actor=actor,
            public=False,
            data={
                "dispatch": ruling.dispatch_id,
                "unit": ruling.dispatch.unit_kind,
                "status": complaint.status,
            },
        )


def log_event(
    complaint: Complaint, action: str, *, actor, public: bool, data: dict | None = None
) -> CaseEvent:
    """An event without a status change (a note, a signature, an answer, a sweep flag). The
    caller has checked the permission; a public event may message the complainant."""
    event = CaseEvent.objects.log_action(
        complaint, action, user=_user_or_none(actor), is_public=public, data=data or {}
    )
    if public:
        sla.record_first_response(complaint, event)
        tell_complainant(complaint, event)
    return event


def substantiate(complaint: Complaint, *, resolved_on: dt.date) -> None:
    """A resolved complaint is substantiated: its company's credit record, written once (a
    case resolved again after reopening keeps the first), and the score recomputed on commit.
    A consultation (a question, not a complaint against anyone) substantiates nothing."""
    if complaint.company_id is None or complaint.tier == Tier.CONSULTATION:
        return
    credit.record_substantiated_complaint(
        complaint.company,
        source_key=f"complaint:{complaint.pk}",
        label=complaint.tracking_number,
        occurred_on=resolved_on,
    )


def district_officials(district_id: int | None):
    """Who supervises a district's cases: its officials, else the heads of department."""
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.OFFICIAL)
    local = users.filter(staff_profile__district_id=district_id) if district_id else users.none()
    if local.exists():
        return local
    return users.filter(staff_profile__city_wide=True)


def tell_staff(users, *, key: str, subject: str, body: str) -> int:
    """E-mail each of ``users`` once per ``key`` (staff messages carry no personal data)."""
    return sum(
        notify(dedup_key=f"{key}:user:{user.pk}", subject=subject, body=body, email=user.email)
        for user in users
    )


def accept_case(
    complaint: Complaint, *, actor, tier: str | None = None, note: str = ""
) -> Complaint:
    """Intake registration (受理); a tier set here re-computes the due dates. An urgent case
    alerts the on-duty official and the company (``cases.tiers``, once per case)."""
    changes = {}
    if tier and tier != complaint.tier:
        due = sla.due_dates(complaint.created_at, tier, complaint.category)
        changes = {
            "tier": tier,
            "accept_due_at": due.accept_by,
            "respond_due_at": due.respond_by,
            "resolve_due_at": due.resolve_by,
        }
    with transaction.atomic():
        accepted, event = transition(
            complaint,
            actor=actor,
            to=CaseStatus.ACCEPTED,
            action="cases.complaint.accepted",
            public=True,
            data={"note": note},
            **changes,
        )
        if event is not None:
            tiers.alert_if_urgent(accepted)
    return accepted


def reject_case(complaint: Complaint, *, actor, reason: str) -> Complaint:
    """Not accepted (不予受理); the reason is shown to the citizen."""
    if not reason.strip():
        raise TransitionNotAllowed(_("A rejection needs a reason the citizen can read."))
    return transition(
        complaint,
        actor=actor,
        to=CaseStatus.REJECTED,
        action="cases.complaint.rejected",
        public=True,
        data={"reason": reason},
        public_reply=reason,
    )[0]


def current_company_dispatch(locked: Complaint) -> Dispatch | None:
    """The live dispatch to the company the case is dispatched to, if any."""
    if not locked.dispatched_company_id:
        return None
    return (
        Dispatch.objects.filter(
            complaint=locked,
            company_id=locked.dispatched_company_id,
            status__in=[DispatchStatus.AWAITING_SIGNATURE, DispatchStatus.SIGNED],
        )
        .order_by("-dispatched_at", "-id")
        .first()
    )


def _company_answer_accepted(locked: Complaint) -> bool:
    """Was the company's answer to its current dispatch accepted (its latest answer)?"""
    current = current_company_dispatch(locked)
    if current is None:
        return True  # withdrawn or returned: no company works the case any more
    latest = (
        locked.answers.filter(
            company_id=locked.dispatched_company_id, submitted_at__gte=current.dispatched_at
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    return latest is not None and latest.status == AnswerStatus.ACCEPTED


def resolve_case(complaint: Complaint, *, actor, reply: str) -> Complaint:
    """Resolution (办结) with the public reply the citizen reads. A case dispatched to a
    company is resolved only once the company's answer was accepted. When the case's tier
    needs an official's sign-off (``cases.tiers``), the resolution is only proposed: the case
    stays in progress until ``cases.sign_off`` decides."""
    if not reply.strip():
        raise TransitionNotAllowed(_("A resolution needs a public reply."))
    with transaction.atomic():
        locked = lock(complaint)
        if locked.status == CaseStatus.RESOLVED:
            return locked
        ensure_allowed(locked, actor=actor, to=CaseStatus.RESOLVED)
        if locked.status == CaseStatus.ACCEPTED:
            # Only a consultation skips the dispatch, through cases.consultations.
            raise CASE_MACHINE.refusal(locked, CaseStatus.RESOLVED)
        if locked.dispatched_company_id and not _company_answer_accepted(locked):
            raise TransitionNotAllowed(
                _(
                    "The case is dispatched to %(company)s: accept the company's answer "
                    "before resolving the case."
                )
                % {"company": locked.dispatched_company}
            )
        if tiers.needs_sign_off(locked.tier):
            propose_resolution(locked, actor=actor, reply=reply)
            return locked
        return transition(
            complaint,
            actor=actor,
            to=CaseStatus.RESOLVED,
            action="cases.complaint.resolved",
            public=True,
            data={"reply": reply},
            public_reply=reply,
        )[0]


def propose_resolution(locked: Complaint, *, actor, reply: str) -> SignOff:
    """A resolution waiting for an official's sign-off; the district's officials are told.
    The same proposal again (a double click) returns the pending one; another is refused."""
    pending = locked.sign_offs.filter(status=SignOffStatus.PENDING).first()
    if pending is not None:
        if pending.requested_by_id == getattr(actor, "pk", None) and pending.reply == reply:
            return pending
        raise TransitionNotAllowed(
            _("A resolution of this case is already waiting for an official's sign-off.")
        )
    proposal = SignOff.objects.create(complaint=locked, reply=reply, requested_by=actor)
    event = log_event(
        locked,
        "cases.complaint.sign_off_requested",
        actor=actor,
        public=False,
        data={"sign_off": proposal.pk, "reply": reply},
    )
    with translation.override(settings.LANGUAGE_CODE):
        values = {"number": locked.tracking_number, "tier": locked.get_tier_display()}
        subject = _("Case %(number)s: a resolution waits for your sign-off") % values
        body = (
            _(
                "A resolution of %(tier)s case %(number)s was proposed. An official of the "
                "district other than its author signs it off or sends it back."
            )
            % values
        )
    tell_staff(
        [person for person in district_officials(locked.district_id) if person.pk != actor.pk],
        key=f"complaint:{locked.pk}:event:{event.pk}:sign_off",
        subject=subject,
        body=body,
    )
    return proposal


def record_follow_up(
    complaint: Complaint, *, actor, satisfaction: str, comment: str = ""
) -> Complaint:
    """Satisfaction follow-up (回访). An unsatisfied answer reopens the case once and sends it
    back to the official; a second one is recorded and flagged to the district's officials."""
    if satisfaction not in Satisfaction.values:
        raise TransitionNotAllowed(_("Choose satisfied, basically satisfied or unsatisfied."))
    data = {"satisfaction": satisfaction, "comment": comment}
    with transaction.atomic():
        locked = lock(complaint)
        unsatisfied = satisfaction == Satisfaction.UNSATISFIED
        if unsatisfied and locked.reopen_count < MAX_REOPENS_BY_FOLLOW_UP:
            locked, event = transition(
                complaint,
                actor=actor,
                to=CaseStatus.REOPENED,
                action="cases.complaint.reopened",
                public=True,
                data=data,
                satisfaction=satisfaction,
                reopen_count=locked.reopen_count + 1,
            )
            tell_officials(locked, event, "reopened")
            return locked
        locked, event = transition(
            complaint,
            actor=actor,
            to=CaseStatus.FOLLOWED_UP,
            action="cases.complaint.followed_up",
            public=True,
            data=data,
            satisfaction=satisfaction,
        )
        if unsatisfied and event is not None:
            flag = log_event(
                locked,
                "cases.complaint.unsatisfied_again",
                actor=actor,
                public=False,
                data={"comment": comment, "reopen_count": locked.reopen_count},
            )
            tell_officials(locked, flag, "unsatisfied_again")
        return locked


def tell_officials(complaint: Complaint, event: CaseEvent, why: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        number = complaint.tracking_number
        if why == "reopened":
            subject = _("Case %(number)s reopened: the complainant is unsatisfied") % {
                "number": number
            }
            body = _(
                "The complainant rated case %(number)s unsatisfied, so it was reopened. "
                "Please dispatch it again."
            ) % {"number": number}
        else:
            subject = _("Case %(number)s: the complainant is unsatisfied again") % {
                "number": number
            }
            body = _(
                "The complainant rated case %(number)s unsatisfied again after it was "
                "reopened once. It was recorded as followed up; please review it."
            ) % {"number": number}
    tell_staff(
        district_officials(complaint.district_id),
        key=f"complaint:{complaint.pk}:event:{event.pk}:{why}",
        subject=subject,
        body=body,
    )


def close_case(complaint: Complaint, *, actor) -> Complaint:
    """Closing (结案); the complainant is told."""
    return transition(
        complaint, actor=actor, to=CaseStatus.CLOSED, action="cases.complaint.closed", public=True
    )[0]


def reopen_case(complaint: Complaint, *, actor, reason: str) -> Complaint:
    """A wrongly closed case goes back to work (重办)."""
    if not reason.strip():
        raise TransitionNotAllowed(_("Reopening a case needs a reason."))
    with transaction.atomic():
        locked = lock(complaint)
        return transition(
            complaint,
            actor=actor,
            to=CaseStatus.REOPENED,
            action="cases.complaint.reopened",
            public=True,
            data={"reason": reason},
            reopen_count=locked.reopen_count + 1,
        )[0]
