"""Return arbitration (退单审定): an official of the case's district rules on a unit's return.

Upheld, the return stands: the official re-dispatches the case at once (``redispatch_to``, a
company or an inspector, through ``cases.dispatch.dispatch_case``) or leaves it "accepted" to
transfer it. Overruled, the same unit must handle the case: a new dispatch to it awaits its
signature and ``cases.dispatch.return_dispatch`` refuses its second return of the case, which
is what breaks the return-and-resend loops of hotline centres.

Refused, with nothing changed: a ruling by the person who returned the case, by anyone but
an official who sees the case (an official of another district does not), on a return
already ruled on, an overruling without a note, and a case no longer being handled. A ruling
not made by ``ReturnRuling.rule_due_at`` (working hours) is flagged by the SLA sweep
(``cases.supervision``).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import calendar, permissions
from cases.dispatch import _save_units, _tell_unit, dispatch_case, grant_case
from cases.models import (
    CaseStatus,
    Complaint,
    Dispatch,
    DispatchStatus,
    ReturnRuling,
    RulingStatus,
)
from cases.workflow import TransitionNotAllowed, lock, log_event, transition
from enterprises.models import Company

# A ruling is made while the case is still being handled (not resolved, merged, closed).
RULABLE = (CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)


def rule_on_return(
    dispatch: Dispatch, *, actor, uphold: bool, note: str = "", redispatch_to=None
) -> ReturnRuling:
    """Uphold or overrule the pending return of ``dispatch``; see the module's docstring."""
    if not uphold and not note.strip():
        raise TransitionNotAllowed(
            _("Note: overruling a return needs a note telling the unit why the case is theirs.")
        )
    if not uphold and redispatch_to is not None:
        raise TransitionNotAllowed(
            _("An overruled return goes back to the same unit: choose no unit to dispatch to.")
        )
    with transaction.atomic():
        locked = lock(dispatch.complaint)
        current = (
            ReturnRuling.objects.select_for_update(of=("self",))
            .select_related("dispatch__inspector", "dispatch__company")
            .filter(dispatch_id=dispatch.pk)
            .first()
        )
        if current is None:
            raise TransitionNotAllowed(
                _("This dispatch was not returned: there is no ruling to make.")
            )
        _refuse(current, locked, actor)
        current.status = RulingStatus.UPHELD if uphold else RulingStatus.OVERRULED
        current.ruled_by = actor
        current.ruled_at = timezone.now()
        current.note = note.strip()
        current.save(update_fields=["status", "ruled_by", "ruled_at", "note"])
        returned = current.dispatch
        data = {"dispatch": returned.pk, "unit": returned.unit_kind, "note": current.note}
        if uphold:
            log_event(locked, "cases.dispatch.return_upheld", actor=actor, public=False, data=data)
            if redispatch_to is not None:
                _redispatch(locked, returned, actor, redispatch_to)
        else:
            _reopen_to_unit(locked, returned, actor, current.note, data)
    dispatch.refresh_from_db()
    return current


def _refuse(current: ReturnRuling, locked: Complaint, actor) -> None:
    if actor is None or not permissions.can_rule_on_return(actor, locked):
        raise TransitionNotAllowed(
            _("Only an official of the case's district may rule on its return.")
        )
    if current.returned_by_id == actor.pk:
        raise TransitionNotAllowed(
            _("You returned this case: another official rules on your return.")
        )
    if current.status != RulingStatus.PENDING:
        raise TransitionNotAllowed(
            _("This return was already ruled on (“%(ruling)s”).")
            % {"ruling": current.get_status_display()}
        )
    if locked.status not in RULABLE:
        raise TransitionNotAllowed(
            _("The case is “%(status)s”: its return can no longer be ruled on.")
            % {"status": locked.get_status_display()}
        )


def _redispatch(locked: Complaint, returned: Dispatch, actor, unit) -> None:
    """Dispatch the case again at once, to another unit than the one whose return stands."""
    is_company = isinstance(unit, Company)
    if (is_company and unit.pk == returned.company_id) or (
        not is_company and unit.pk == returned.inspector_id
    ):
        raise TransitionNotAllowed(
            _("The return stands: dispatch the case to another unit than the one that returned it.")
        )
    if is_company:
        dispatch_case(locked, actor=actor, company=unit)
    else:
        dispatch_case(locked, actor=actor, inspector=unit)


def _reopen_to_unit(locked: Complaint, returned: Dispatch, actor, note: str, data: dict) -> None:
    """The unit must handle the case: a new dispatch to it, with the official's note as its
    instructions, and the case assigned again if no unit was left on it."""
    field = "assigned_inspector" if returned.inspector_id else "dispatched_company"
    taken = getattr(locked, f"{field}_id")
    if taken is not None and taken != (returned.inspector_id or returned.company_id):
        raise TransitionNotAllowed(
            _(
                "The case was dispatched to another unit meanwhile: the return can only be "
                "upheld now."
            )
        )
    reopened = Dispatch.objects.create(
        complaint=locked,
        inspector_id=returned.inspector_id,
        company_id=returned.company_id,
        dispatched_by=actor,
        sign_due_at=calendar.add_working_hours(timezone.now(), settings.CASE_SIGN_WITHIN_HOURS),
        instructions=note,
        status=DispatchStatus.AWAITING_SIGNATURE,
    )
    unit = {field: returned.inspector if returned.inspector_id else returned.company}
    if returned.inspector_id:
        grant_case(returned.inspector, locked)
    data = {**data, "reopened": reopened.pk}
    if locked.status == CaseStatus.ACCEPTED:
        transition(
            locked,
            actor=actor,
            to=CaseStatus.ASSIGNED,
            action="cases.dispatch.return_overruled",
            public=False,
            data=data,
            permitted=True,
            **unit,
        )
    else:
        _save_units(locked, unit)
        log_event(locked, "cases.dispatch.return_overruled", actor=actor, public=False, data=data)
    _tell_unit(reopened, locked)


def pending_returns(complaint: Complaint) -> list[ReturnRuling]:
    """The case's returns awaiting a ruling, oldest first (the case page shows them)."""
    return list(
        complaint.return_rulings.filter(status=RulingStatus.PENDING).select_related("dispatch")
    )
