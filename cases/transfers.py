"""Transfer (转办): an open case outside the regulator's remit goes to another agency.

An official of the case's district picks an active agency of the register
(``cases.models.Agency``) and gives the reason the citizen reads; the case leaves the
regulator's queues in the final state ``transferred``: open dispatches are withdrawn, the
inspectors lose their grants, and the citizen is told where it went and how to reach the
agency (a public timeline event, one message after commit). The agency's reference and,
later, its outcome are recorded on the ``Transfer`` and shown on the tracking page.
Transferred cases count apart in every figure (``cases.metrics``): neither resolved nor
rejected.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.dispatch import ACTIVE, withdraw_case
from cases.models import Agency, CaseStatus, Complaint, Dispatch, DispatchStatus, Transfer
from cases.workflow import TransitionNotAllowed, lock, log_event, transition

TRANSFERRED = "cases.complaint.transferred"
OUTCOME_RECORDED = "cases.transfer.outcome_recorded"
MAX_REFERENCE = 100


class TransferRefused(TransitionNotAllowed):
    """A refused transfer or outcome; ``field`` names the form field the message is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _check_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if len(reference) > MAX_REFERENCE:
        raise TransferRefused(
            _("Agency's reference: at most %(limit)d characters.") % {"limit": MAX_REFERENCE},
            "reference",
        )
    return reference


def _refuse_unless_official(actor, locked: Complaint) -> None:
    if actor is None or not permissions.can_transfer(actor, locked):
        raise TransferRefused(_("Only an official of the case's district may transfer it."))


def transfer_case(
    complaint: Complaint, *, actor, agency: Agency, reason: str, reference: str = ""
) -> Complaint:
    """Transfer an open case to ``agency``; a repeated request (same agency) returns quietly."""
    reason = (reason or "").strip()
    reference = _check_reference(reference)
    if not isinstance(agency, Agency) or agency.pk is None:
        raise TransferRefused(_("Agency: choose an agency of the register."), "agency")
    if not reason:
        raise TransferRefused(
            _("Reason: say why the case is outside the regulator's remit (the citizen reads it)."),
            "reason",
        )
    with transaction.atomic():
        locked = lock(complaint)
        _refuse_unless_official(actor, locked)
        repeated = Transfer.objects.filter(complaint=locked, agency_id=agency.pk)
        if locked.status == CaseStatus.TRANSFERRED and repeated.exists():
            return locked
        # Read again under a lock: an agency deactivated meanwhile takes no new case.
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if not agency.active:
            raise TransferRefused(
                _("Agency: %(agency)s is no longer active; choose another.")
                % {"agency": agency.name},
                "agency",
            )
        if locked.status not in CaseStatus.OPEN_STATES:
            raise TransferRefused(
                _("The case is “%(status)s”: only an open case can be transferred.")
                % {"status": locked.get_status_display()}
            )
        _withdraw_units(locked)
        Transfer.objects.create(
            complaint=locked,
            agency=agency,
            reason=reason,
            reference=reference,
            transferred_by=actor,
        )
        transition(
            locked,
            actor=actor,
            to=CaseStatus.TRANSFERRED,
            action=TRANSFERRED,
            public=True,
            data={
                "agency": agency.name,
                "contact": agency.contact,
                "reason": reason,
                "agency_reference": reference,
            },
            permitted=True,
            assigned_inspector=None,
            dispatched_company=None,
        )
    complaint.refresh_from_db()
    permissions.forget_visibility(complaint)
    return complaint


def _withdraw_units(locked: Complaint) -> None:
    """Nobody of ours or of a company works a transferred case any more."""
    active = list(locked.dispatches.filter(status__in=ACTIVE).select_related("inspector"))
    Dispatch.objects.filter(pk__in=[d.pk for d in active]).update(status=DispatchStatus.WITHDRAWN)
    inspectors = {d.inspector for d in active if d.inspector_id}
    if locked.assigned_inspector_id:
        inspectors.add(locked.assigned_inspector)
    for inspector in inspectors:
        withdraw_case(inspector, locked)


def record_transfer_outcome(
    complaint: Complaint, *, actor, outcome: str, reference: str = ""
) -> Transfer:
    """The outcome the agency reported (and its reference, when it gave one since); the
    citizen reads it on the tracking page. The same outcome again changes nothing."""
    outcome = (outcome or "").strip()
    reference = _check_reference(reference)
    if not outcome:
        raise TransferRefused(_("Outcome: write what the agency reported."), "outcome")
    with transaction.atomic():
        locked = lock(complaint)
        _refuse_unless_official(actor, locked)
        if locked.status != CaseStatus.TRANSFERRED:
            raise TransferRefused(
                _("The case is “%(status)s”: an outcome is recorded only for a transferred case.")
                % {"status": locked.get_status_display()}
            )
        transfer = Transfer.objects.select_for_update().get(complaint=locked)
        reference = reference or transfer.reference
        if transfer.outcome == outcome and transfer.reference == reference:
            return transfer
        transfer.outcome = outcome
        transfer.reference = reference
        transfer.outcome_recorded_at = timezone.now()
        transfer.outcome_recorded_by = actor
        transfer.save()
        log_event(
            locked,
            OUTCOME_RECORDED,
            actor=actor,
            public=True,
            data={"outcome": outcome, "agency_reference": reference},
        )
    return transfer
