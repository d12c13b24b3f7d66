"""Dispatch (分派): the official sends a case to an inspector and/or the responsible company;
each receiving unit signs for it (签收) within ``CASE_SIGN_WITHIN_HOURS`` working hours or
returns it (退单) with a reason, and the official re-dispatches. The first signature starts the
work. The company's answer and its review are in ``cases.answers`` (re-exported here).

An inspector dispatched a case outside their district is granted it with django-guardian
(``view_complaint`` / ``change_complaint``); a replaced inspector loses the grant, and a company
sees the case only while ``dispatched_company`` is its own.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from cases import calendar, masking, permissions
from cases.answers import review_answer, submit_answer
from cases.models import (
    CaseStatus,
    Complaint,
    Dispatch,
    DispatchStatus,
    ReturnReason,
    ReturnRuling,
    RulingStatus,
)
from cases.signals import complaints_changed
from cases.workflow import (
    TransitionNotAllowed,
    ensure_allowed,
    lock,
    log_event,
    tell_staff,
    transition,
)
from enterprises.access import company_staff
from enterprises.models import Company, ContractStatus, ServiceContract
from foundation.names import display_name

__all__ = [
    "BulkResult",
    "bulk_dispatch",
    "dispatch_case",
    "responsible_company",
    "return_dispatch",
    "review_answer",
    "sign_dispatch",
    "submit_answer",
]

ACTIVE = (DispatchStatus.AWAITING_SIGNATURE, DispatchStatus.SIGNED)
INSPECTOR_PERMISSIONS = ("cases.view_complaint", "cases.change_complaint")


def responsible_company(complaint: Complaint) -> Company | None:
    """The company of the estate's filed contract in force today, else its managing company."""
    if complaint.estate_id is None:
        return None
    today = timezone.localdate()
    contract = (
        ServiceContract.objects.filter(
            estate_id=complaint.estate_id,
            status=ContractStatus.FILED,
            starts_on__lte=today,
            ends_on__gte=today,
        )
        .select_related("company")
        .first()
    )
    if contract is not None:
        return contract.company
    return complaint.estate.managing_company


def grant_case(inspector, complaint: Complaint) -> None:
    """Let an inspector outside the case's district see and work it (guardian)."""
    for perm in INSPECTOR_PERMISSIONS:
        assign_perm(perm, inspector, complaint)
    inspector.__dict__.pop("_portal_granted_complaints", None)


def withdraw_case(inspector, complaint: Complaint) -> None:
    for perm in INSPECTOR_PERMISSIONS:
        remove_perm(perm, inspector, complaint)
    inspector.__dict__.pop("_portal_granted_complaints", None)


def _check_units(inspector, company) -> None:
    if inspector is None and company is None:
        raise TransitionNotAllowed(_("Choose an inspector, a company or both to dispatch to."))
    if inspector is not None and not permissions.is_inspector(inspector):
        raise TransitionNotAllowed(
            _("%(user)s is not an inspector: a case is dispatched to an inspector or a company.")
            % {"user": display_name(inspector)}
        )
    if company is not None and not isinstance(company, Company):
        raise TransitionNotAllowed(_("A case can only be dispatched to a registered company."))


def dispatch_case(
    complaint: Complaint,
    *,
    actor,
    inspector=None,
    company: Company | None = None,
    instructions: str = "",
    note: str = "",
) -> Complaint:
    """Dispatch an accepted or reopened case (分派) to an inspector and/or a company.

    ``instructions`` go to the receiving units (their dispatch row and e-mail); ``note`` is
    an internal note on the timeline that only regulator staff read."""
    _check_units(inspector, company)
    wanted = {
        ("inspector", getattr(inspector, "pk", None)),
        ("company", getattr(company, "pk", None)),
    }
    wanted = {unit for unit in wanted if unit[1] is not None}
    with transaction.atomic():
        locked = lock(complaint)
        active = list(locked.dispatches.filter(status__in=ACTIVE).select_related("inspector"))
        if locked.status == CaseStatus.ASSIGNED and wanted == {
            (d.unit_kind, d.inspector_id or d.company_id) for d in active
        }:
            return locked  # the same dispatch again (a double click)
        if not permissions.can_dispatch(actor, locked):
            raise TransitionNotAllowed(
                _("Only an official of the case's district may dispatch it.")
            )
        if locked.status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
            raise TransitionNotAllowed(
                _(
                    "The case is already dispatched (“%(status)s”): it can be dispatched again "
                    "once every unit returned it, or after it is reopened."
                )
                % {"status": locked.get_status_display()}
            )
        if ReturnRuling.objects.filter(complaint=locked, status=RulingStatus.PENDING).exists():
            raise TransitionNotAllowed(
                _(
                    "A return of this case awaits a ruling: rule on it first (uphold it to "
                    "dispatch the case elsewhere)."
                )
            )
        ensure_allowed(locked, actor=actor, to=CaseStatus.ASSIGNED, permitted=True)
        replaced = {d.inspector for d in active if d.inspector_id}
        if locked.assigned_inspector_id:
            replaced.add(locked.assigned_inspector)
        Dispatch.objects.filter(pk__in=[d.pk for d in active]).update(
            status=DispatchStatus.WITHDRAWN
        )
        for old in replaced:
            if inspector is None or old.pk != inspector.pk:
                withdraw_case(old, locked)
        sign_due = calendar.add_working_hours(timezone.now(), settings.CASE_SIGN_WITHIN_HOURS)
        units = [{"inspector": inspector}] if inspector is not None else []
        units += [{"company": company}] if company is not None else []
        created = [
            Dispatch.objects.create(
                complaint=locked,
                dispatched_by=actor,
                sign_due_at=sign_due,
                instructions=instructions.strip(),
                **unit,
            )
            for unit in units
        ]
        if inspector is not None:
            grant_case(inspector, locked)
        locked = transition(
            complaint,
            actor=actor,
            to=CaseStatus.ASSIGNED,
            action="cases.complaint.assigned",
            public=True,
            # The citizen learns which kind of unit handles the case, never a person's name.
            data={"units": [d.unit_kind for d in created]},
            permitted=True,
            assigned_inspector=inspector,
            dispatched_company=company,
        )[0]
        if note.strip():
            log_event(
                locked,
                "cases.complaint.note_added",
                actor=actor,
                public=False,
                data={"text": note, "attachments": []},
            )
        for dispatch in created:
            _tell_unit(dispatch, locked)
    return locked


def _unit_staff(dispatch: Dispatch):
    if dispatch.inspector_id:
        return [dispatch.inspector]
    return company_staff(dispatch.company_id)


def _tell_unit(dispatch: Dispatch, complaint: Complaint) -> None:
    """E-mail the receiving unit what locates the case and the official's instructions (with
    any phone number, e-mail or ID number in them masked: staff mail carries no personal data)."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "number": complaint.tracking_number,
            "category": complaint.get_category_display(),
            "estate": complaint.estate_name,
            "due": f"{timezone.localtime(dispatch.sign_due_at):%Y-%m-%d %H:%M}",
        }
        subject = _("Case %(number)s was dispatched to you") % values
        body = (
            _(
                "Case %(number)s (%(category)s, %(estate)s) was dispatched to you. "
                "Sign for it or return it with a reason by %(due)s."
            )
            % values
        )
        if dispatch.instructions:
            body += "\n\n" + _("Instructions from the official: %(instructions)s") % {
                "instructions": masking.scrub_text(dispatch.instructions)
            }
    tell_staff(
        _unit_staff(dispatch), key=f"dispatch:{dispatch.pk}:sent", subject=subject, body=body
    )


@dataclass
class BulkResult:
    done: list[Complaint] = field(default_factory=list)
    refused: list[tuple[Complaint, str]] = field(default_factory=list)


def bulk_dispatch(
    complaints, *, actor, inspector=None, company: Company | None = None
) -> BulkResult:
    """Dispatch many cases to the same units, one transaction each: a refused case (with its
    message) does not hold back the others."""
    result = BulkResult()
    for complaint in complaints:
        try:
            result.done.append(
                dispatch_case(complaint, actor=actor, inspector=inspector, company=company)
            )
        except TransitionNotAllowed as refusal:
            result.refused.append((complaint, str(refusal)))
    return result


def _lock_dispatch(dispatch: Dispatch) -> tuple[Complaint, Dispatch]:
    # Always the complaint first, then the dispatch: the same order as dispatch_case.
    locked = lock(dispatch.complaint)
    return locked, Dispatch.objects.select_for_update().get(pk=dispatch.pk)


def _refuse_unless_open(locked: Complaint, current: Dispatch, verb: str) -> None:
    if locked.status not in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        raise TransitionNotAllowed(
            _("The case is “%(status)s”: its dispatch can no longer be %(verb)s.")
            % {"status": locked.get_status_display(), "verb": verb}
        )
    if current.status != DispatchStatus.AWAITING_SIGNATURE:
        raise TransitionNotAllowed(
            _("This dispatch is “%(status)s”: it can no longer be %(verb)s.")
            % {"status": current.get_status_display(), "verb": verb}
        )


def sign_dispatch(dispatch: Dispatch, *, actor) -> Dispatch:
    """The receiving unit signs for the case (签收); the first signature starts the work."""
    with transaction.atomic():
        locked, current = _lock_dispatch(dispatch)
        if current.status == DispatchStatus.SIGNED:
            return current
        if actor is None or not permissions.can_sign(actor, current):
            raise TransitionNotAllowed(
                _("Only the unit the case was dispatched to may sign for it.")
            )
        _refuse_unless_open(locked, current, _("signed for"))
        current.status = DispatchStatus.SIGNED
        current.signed_at = timezone.now()
        current.signed_by = actor
        current.save(update_fields=["status", "signed_at", "signed_by"])
        log_event(
            locked,
            "cases.dispatch.signed",
            actor=actor,
            public=False,
            data={"dispatch": current.pk, "unit": current.unit_kind},
        )
        if locked.status == CaseStatus.ASSIGNED:
            transition(
                locked,
                actor=actor,
                to=CaseStatus.IN_PROGRESS,
                action="cases.complaint.started",
                public=True,
                permitted=True,
            )
    dispatch.refresh_from_db()
    return current


def return_dispatch(dispatch: Dispatch, *, actor, reason_code: str, reason: str) -> Dispatch:
    """The receiving unit returns the case unsigned (退单), citing a reason from
    ``ReturnReason`` and saying why; the return then awaits an official's ruling
    (``cases.returns``). When no unit is left the case goes back to "accepted". A unit whose
    earlier return of the case was overruled may not return it again."""
    if reason_code not in ReturnReason.values:
        raise TransitionNotAllowed(_("Reason for returning: choose one of the listed reasons."))
    if not reason.strip():
        raise TransitionNotAllowed(
            _("Returning a case needs a reason telling the official why it is not yours.")
        )
    with transaction.atomic():
        locked, current = _lock_dispatch(dispatch)
        if current.status == DispatchStatus.RETURNED:
            return current
        if actor is None or not permissions.can_sign(actor, current):
            raise TransitionNotAllowed(_("Only the unit the case was dispatched to may return it."))
        if current.status == DispatchStatus.SIGNED:
            raise TransitionNotAllowed(
                _("The case was signed for: a signed case cannot be returned any more.")
            )
        _refuse_unless_open(locked, current, _("returned"))
        if overruled_before(current):
            raise TransitionNotAllowed(
                _(
                    "An official overruled this unit's earlier return of the case: the unit "
                    "must handle it and cannot return it again."
                )
            )
        now = timezone.now()
        current.status = DispatchStatus.RETURNED
        current.returned_at = now
        current.return_reason = reason
        current.save(update_fields=["status", "returned_at", "return_reason"])
        ReturnRuling.objects.create(
            dispatch=current,
            complaint=locked,
            reason=reason_code,
            returned_by=actor,
            returned_at=now,
            rule_due_at=calendar.add_working_hours(now, settings.CASE_RULE_ON_RETURN_WITHIN_HOURS),
        )
        changes = {}
        if current.inspector_id and locked.assigned_inspector_id == current.inspector_id:
            changes["assigned_inspector"] = None
            withdraw_case(current.inspector, locked)
        if current.company_id and locked.dispatched_company_id == current.company_id:
            changes["dispatched_company"] = None
        data = {
            "dispatch": current.pk,
            "unit": current.unit_kind,
            "reason_code": reason_code,
            "reason": reason,
        }
        if (
            not locked.dispatches.filter(status__in=ACTIVE).exists()
            and locked.status == CaseStatus.ASSIGNED
        ):
            transition(
                locked,
                actor=actor,
                to=CaseStatus.ACCEPTED,
                action="cases.dispatch.returned",
                public=False,
                data=data,
                permitted=True,
                **changes,
            )
        else:
            _save_units(locked, changes)
            log_event(locked, "cases.dispatch.returned", actor=actor, public=False, data=data)
    dispatch.refresh_from_db()
    return current


def overruled_before(dispatch: Dispatch) -> bool:
    """Whether an official overruled an earlier return of the case by the same unit."""
    unit = (
        {"dispatch__inspector_id": dispatch.inspector_id}
        if dispatch.inspector_id
        else {"dispatch__company_id": dispatch.company_id}
    )
    return ReturnRuling.objects.filter(
        complaint_id=dispatch.complaint_id, status=RulingStatus.OVERRULED, **unit
    ).exists()


def _save_units(locked: Complaint, changes: dict) -> None:
    if not changes:
        return
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*changes, "updated_at"])
    complaints_changed([locked.pk])  # the company's search scope follows dispatched_company
