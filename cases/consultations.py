"""Consultations answered at once (即问即答): a question (tier ``consultation``) is answered
and resolved by the intake clerk who registered it or an official, without dispatch.

The case moves submitted → accepted → resolved through the case state machine in one
transaction, the answer becoming the public reply the citizen reads and is told of (once: the
acceptance is on the timeline but sends no message of its own). Unlike ``resolve_case``, no
credit record is written: a question answered from the knowledge base says nothing against
the estate's company. The knowledge-base page is the portal's, so it arrives here as an id and
an address only (cases does not import portal).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from cases import permissions, sla
from cases.citizen_messages import tell_complainant
from cases.models import CaseEvent, CaseStatus, Complaint, Tier
from cases.signals import complaints_changed
from cases.workflow import CASE_MACHINE, TransitionNotAllowed, lock

# Open and not yet dispatched: later, the dispatched unit answers through its dispatch.
ANSWERABLE = frozenset({CaseStatus.SUBMITTED, CaseStatus.ACCEPTED})
MAX_ANSWER_CHARS = 5000


class ConsultationRefused(TransitionNotAllowed):
    """An answer at once was refused; ``field`` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _public_event(complaint, action, *, actor, from_status, to_status, **data) -> CaseEvent:
    """Both steps are on the citizen's timeline (the machine's default writes internal ones)."""
    return CaseEvent.objects.log_action(
        complaint,
        action,
        user=actor,
        from_status=from_status,
        to_status=to_status,
        is_public=True,
        data=data,
    )


def _check(locked: Complaint, *, actor, answer: str) -> None:
    if not permissions.can_answer_consultation(actor, locked):
        raise ConsultationRefused(_("You may not answer this case at once."))
    if locked.tier != Tier.CONSULTATION:
        raise ConsultationRefused(
            _(
                "Only a consultation is answered at once; this case is “%(tier)s”: change its "
                "tier first or dispatch it."
            )
            % {"tier": locked.get_tier_display()},
            "tier",
        )
    if locked.status not in ANSWERABLE:
        raise ConsultationRefused(
            _("A case that is “%(status)s” cannot be answered at once.")
            % {"status": locked.get_status_display()}
        )
    if not answer:
        raise ConsultationRefused(_("Write the answer the citizen will read."), "answer")
    if len(answer) > MAX_ANSWER_CHARS:
        raise ConsultationRefused(
            _("The answer is too long: at most %(limit)d characters.")
            % {"limit": MAX_ANSWER_CHARS},
            "answer",
        )


def answer_consultation(
    complaint: Complaint,
    *,
    actor,
    answer: str,
    faq_page: int | None = None,
    faq_url: str = "",
) -> Complaint:
    """Accept (if need be) and resolve the consultation with ``answer`` as its public reply;
    ``faq_page``/``faq_url`` name the knowledge-base page it came from, for the timeline.
    The same answer sent twice (a double click) returns quietly."""
    answer = (answer or "").strip()
    with transaction.atomic():
        locked = lock(complaint)
        if locked.status == CaseStatus.RESOLVED and locked.public_reply == answer:
            return locked
        _check(locked, actor=actor, answer=answer)
        if locked.status == CaseStatus.SUBMITTED:
            CASE_MACHINE.move(
                locked,
                CaseStatus.ACCEPTED,
                actor=actor,
                action="cases.complaint.accepted",
                data={"note": _("Consultation answered at once.")},
                writer=_public_event,
            )
        event = CASE_MACHINE.move(
            locked,
            CaseStatus.RESOLVED,
            actor=actor,
            action="cases.complaint.resolved",
            data={"reply": answer, "at_once": True, "faq_page": faq_page, "faq_url": faq_url},
            writer=_public_event,
            public_reply=answer,
        )
        sla.record_first_response(locked, event)  # the answer is the first response
        complaints_changed([locked.pk])
        tell_complainant(locked, event)
    complaint.refresh_from_db()
    return locked
