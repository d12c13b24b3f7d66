"""Escalation of an owners' committee's improvement request (整改要求) to the regulator: one
step that opens a complaint through the owners' committee channel, its description carrying
the request's history, and marks the request escalated with the case's tracking number.

The request's state machine is ``enterprises.improvement_requests``; the complaint is made
here, in the cases layer, since the register knows nothing of cases. Both commit together
(``escalate`` calls back under the request's lock), so a second escalation opens no case.
"""

from cases.models import Category, Channel
from cases.services import submit_complaint
from enterprises import improvement_requests
from enterprises.models import ImprovementRequest


def _contact_phone(actor) -> str:
    """The escalating member's phone from their invitation, if they gave one."""
    invitation = actor.invitations.exclude(phone="").order_by("-pk").first() if actor else None
    return invitation.phone if invitation is not None else ""


def escalate_request(request: ImprovementRequest, *, actor, note: str) -> ImprovementRequest:
    """Escalate the answered request; returns it with the new case's tracking number."""

    def open_case(locked: ImprovementRequest) -> str:
        receipt = submit_complaint(
            actor=actor,
            category=Category.SERVICE_QUALITY,
            description=improvement_requests.history(locked),
            contact_phone=_contact_phone(actor),
            contact_name=actor.get_full_name() or actor.get_username(),
            contact_email=actor.email or "",
            estate=locked.estate,
            channel=Channel.OWNERS_COMMITTEE,
            channel_reference=f"IR-{locked.pk}",
            registered_by=actor,
        )
        return receipt.tracking_number

    return improvement_requests.escalate(request, actor=actor, note=note, open_case=open_case)
