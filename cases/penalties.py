"""The administrative penalty state machine (行政处罚): every status change of a ``Penalty``.

Regulator staff of the district propose a penalty; an official who did not propose it approves
it (four eyes), which numbers the decision (青岚住建罚〔year〕第NNN号) and renders its decision
document (行政处罚决定书), or refuses it; the decision is served on the company, its execution
recorded — a suspension or revocation then acts on the licence, and every penalty writes the
company's credit record — and finally published as a public enforcement result with personal
data masked, for the publicity period of its kind.

Before the decision the general procedure of the Administrative Penalty Law runs (prior notice,
statement and defence, hearing): ``cases.penalty_process``; the approval here refuses to decide
before those steps are done. A warning or a fine up to 3,000 yuan takes the simple procedure.

Each verb locks the row, checks the actor and the transition table, writes the audit entry in
the same transaction and returns quietly when the penalty already is where it was sent.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.decision_documents import public_text, render_decision
from cases.models import (
    EnforcementResult,
    Inspection,
    Penalty,
    PenaltyKind,
    PenaltyRule,
    PenaltyStatus,
    RectificationOrder,
)
from cases.rectification import save_with_number
from cases.workflow import TransitionNotAllowed, tell_staff
from enterprises import licensing
from enterprises.access import company_staff
from enterprises.credit import record_penalty
from enterprises.models import Company, Estate, Licence, LicenceStatus
from foundation import audit
from foundation.state_machine import StateMachine

S = PenaltyStatus
# The steps before the decision (prior notice, hearing) are ``cases.penalty_process``'s; the
# decision itself needs them done when the penalty takes the general procedure.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.PROPOSED: {S.NOTIFIED, S.APPROVED, S.REJECTED},
    S.NOTIFIED: {S.HEARING_REQUESTED, S.APPROVED, S.REJECTED},
    S.HEARING_REQUESTED: {S.HEARING_SCHEDULED, S.REJECTED},
    S.HEARING_SCHEDULED: {S.HEARING_SCHEDULED, S.HEARD, S.REJECTED},
    S.HEARD: {S.APPROVED, S.REJECTED},
    S.APPROVED: {S.SERVED},
    S.SERVED: {S.EXECUTED, S.WITHDRAWN},
    S.EXECUTED: {S.PUBLISHED, S.WITHDRAWN},
    S.REJECTED: set(),
    S.PUBLISHED: {S.WITHDRAWN},
    S.WITHDRAWN: set(),
}
# The 90-day limit to decide, from the day the case is opened (立案, art. 60): calendar days
# (art. 85 makes only the limits of 2, 3, 5 and 7 days working days).
DECISION_LIMIT_DAYS = 90
# The simple procedure (简易程序, art. 51): a warning, or a fine of at most 3,000 yuan on a
# company, is decided without the prior notice and its periods.
SIMPLE_PROCEDURE_FINE_LIMIT = Decimal("3000")
# The defaults of the rules per kind, as migration 0014 writes them (sources in its docstring):
# (hearing always, hearing from a fine of, publicity days). Without a row, these apply.
DEFAULT_RULES = {
    PenaltyKind.WARNING: (False, None, 90),
    PenaltyKind.FINE: (False, Decimal("50000"), 365),
    PenaltyKind.SUSPENSION: (True, None, 1095),
    PenaltyKind.REVOCATION: (True, None, 1095),
}


def rule_for(kind: str) -> PenaltyRule:
    """The administrator's rule for ``kind``, or the documented default when there is none
    (a deleted row, or a database emptied since its migration)."""
    rule = PenaltyRule.objects.filter(kind=kind).first()
    if rule is None:
        always, amount, days = DEFAULT_RULES.get(kind, (False, None, 365))
        rule = PenaltyRule(
            kind=kind, hearing_always=always, hearing_from_amount=amount, publicity_days=days
        )
    return rule


# The licence states a licence penalty can act on, by kind.
LICENCE_SOURCES = {
    PenaltyKind.SUSPENSION: {LicenceStatus.APPROVED},
    PenaltyKind.REVOCATION: {LicenceStatus.APPROVED, LicenceStatus.SUSPENDED},
}
DECISION_PREFIX = "青岚住建罚"


class PenaltyError(TransitionNotAllowed):
    """A penalty action was refused; the message is shown to the user as is."""


PENALTY_MACHINE = StateMachine(
    Penalty,
    transitions=ALLOWED_TRANSITIONS,
    error=PenaltyError,
    refusal=gettext_lazy("A penalty that is “%(current)s” cannot become “%(target)s”."),
    select_related=("company",),
)


# Proposing ----------------------------------------------------------------------------------


def propose_penalty(
    *,
    actor,
    company: Company,
    kind: str,
    violation: str,
    legal_basis: str,
    fine_amount: Decimal | None = None,
    licence: Licence | None = None,
    estate: Estate | None = None,
    inspection: Inspection | None = None,
    order: RectificationOrder | None = None,
) -> Penalty:
    """Propose a penalty (处罚建议) for an official to decide."""
    violation, legal_basis = (violation or "").strip(), (legal_basis or "").strip()
    for source in (inspection, order):
        if source is not None and source.company_id != company.pk:
            raise PenaltyError(
                _("The inspection or order named is of another company, not of “%(company)s”.")
                % {"company": company}
            )
    if estate is None:
        estate = inspection.estate if inspection else order.estate if order else None
    district_id = _district_of(company, estate, inspection, order)
    if not permissions.can_propose_penalty(actor, district_id):
        raise PenaltyError(_("You may not propose penalties in this district."))
    if kind not in PenaltyKind.values:
        raise PenaltyError(_("Choose a warning, a fine, a suspension or a revocation."))
    if not violation or not legal_basis:
        raise PenaltyError(_("A penalty needs the violation and its legal basis."))
    if len(legal_basis) > Penalty._meta.get_field("legal_basis").max_length:
        raise PenaltyError(_("The legal basis is too long; cite the article, not its text."))
    _check_fine(kind, fine_amount)
    licence = _licence_for(kind, company, licence)
    with transaction.atomic():
        penalty = Penalty.objects.create(
            company=company,
            estate=estate,
            district_id=district_id,
            inspection=inspection,
            order=order,
            licence=licence,
            kind=kind,
            fine_amount=fine_amount,
            violation=violation,
            legal_basis=legal_basis,
            proposed_by=actor,
            status=PenaltyStatus.PROPOSED,
            decision_due_on=local_today() + datetime.timedelta(days=DECISION_LIMIT_DAYS),
        )
        audit.record(
            penalty,
            "cases.penalty.proposed",
            actor=actor,
            to_status=PenaltyStatus.PROPOSED,
            kind=kind,
            fine_amount=str(fine_amount) if fine_amount is not None else None,
            licence=licence.pk if licence else None,
        )
    return penalty


def local_today() -> datetime.date:
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def takes_simple_procedure(kind: str, fine_amount: Decimal | None) -> bool:
    """A warning or a small fine (art. 51): no prior notice, statement period or hearing."""
    if kind == PenaltyKind.WARNING:
        return True
    return kind == PenaltyKind.FINE and Decimal(fine_amount or 0) <= SIMPLE_PROCEDURE_FINE_LIMIT


def _district_of(company, estate, inspection, order) -> int:
    if estate is not None:
        return estate.district_id
    if inspection is not None:
        return inspection.district_id
    if order is not None:
        return order.district_id
    return company.district_id


def _check_fine(kind: str, fine_amount: Decimal | None) -> None:
    if kind == PenaltyKind.FINE:
        if fine_amount is None or Decimal(fine_amount) <= 0:
            raise PenaltyError(_("A fine needs a positive amount in yuan."))
    elif fine_amount is not None:
        raise PenaltyError(_("Only a fine has an amount; leave it empty for this penalty."))


def _licence_for(kind: str, company: Company, licence: Licence | None) -> Licence | None:
    """The licence a suspension or revocation acts on: the one named, or the company's only
    licence in a state that allows it. Warnings and fines name none."""
    if kind not in LICENCE_SOURCES:
        if licence is not None:
            raise PenaltyError(_("Only a suspension or a revocation acts on a licence."))
        return None
    sources = LICENCE_SOURCES[kind]
    if licence is None:
        candidates = list(company.licences.filter(status__in=sources)[:2])
        if len(candidates) != 1:
            raise PenaltyError(
                _("“%(company)s” has no licence this penalty can act on.") % {"company": company}
                if not candidates
                else _("“%(company)s” holds several licences: name the one affected.")
                % {"company": company}
            )
        return candidates[0]
    if licence.company_id != company.pk:
        raise PenaltyError(_("The licence named belongs to another company."))
    if licence.status not in sources:
        raise PenaltyError(
            _("Licence “%(licence)s” is “%(status)s”: this penalty cannot act on it.")
            % {"licence": licence, "status": licence.get_status_display()}
        )
    return licence


# Deciding -----------------------------------------------------------------------------------


def approve_penalty(penalty: Penalty, *, actor, decision: str) -> Penalty:
    """Approval (批准): the decision is numbered, dated today and its document rendered.
    Under the general procedure only after the prior notice, once the statement period (and
    the time to ask for a hearing) is over, or after the hearing."""
    decision = (decision or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_approver(locked, actor)
        if locked.status == PenaltyStatus.APPROVED:
            return locked
        if not decision:
            raise PenaltyError(_("Write the decision the company will read."))
        PENALTY_MACHINE.check(locked, PenaltyStatus.APPROVED)
        _require_due_process(locked)
        today = local_today()
        save_with_number(
            locked, "decision_number", f"{DECISION_PREFIX}〔{today.year}〕第", PenaltyError
        )
        locked.decision, locked.decided_on = decision, today
        document = render_decision(locked)
        locked.decision_document.save(f"decision-{locked.pk}.pdf", ContentFile(document), False)
        PENALTY_MACHINE.move(
            locked,
            PenaltyStatus.APPROVED,
            actor=actor,
            action="cases.penalty.approved",
            data={"decision_number": locked.decision_number, "decision": decision},
            approved_by=actor,
            approved_at=timezone.now(),
        )
    penalty.refresh_from_db()
    return locked


def reject_penalty(penalty: Penalty, *, actor, reason: str) -> Penalty:
    """Refusal (不予批准), with the reason the proposer reads."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_approver(locked, actor)
        if locked.status == PenaltyStatus.REJECTED:
            return locked
        if not reason:
            raise PenaltyError(_("Say why the penalty is not approved."))
        PENALTY_MACHINE.move(
            locked,
            PenaltyStatus.REJECTED,
            actor=actor,
            action="cases.penalty.rejected",
            data={"reason": reason},
            rejection_reason=reason,
        )
    penalty.refresh_from_db()
    return locked


def _require_due_process(locked: Penalty) -> None:
    """The decision waits for the party: refused before its periods end (art. 44, 45, 62)."""
    if locked.status == PenaltyStatus.PROPOSED:
        if takes_simple_procedure(locked.kind, locked.fine_amount):
            return
        raise PenaltyError(
            _("Serve the prior notice first: this penalty takes the general procedure.")
        )
    if locked.status == PenaltyStatus.NOTIFIED:
        now = timezone.now()
        ends = max(d for d in (locked.statement_due_at, locked.hearing_request_due_at) if d)
        if now <= ends:
            raise PenaltyError(
                _(
                    "The company may state its case (and ask for a hearing) until %(until)s: "
                    "decide after that."
                )
                % {"until": f"{timezone.localtime(ends):%Y-%m-%d %H:%M}"}
            )


# Serving, execution, publication ------------------------------------------------------------


def serve_penalty(penalty: Penalty, *, actor) -> Penalty:
    """The decision was served on the company (送达); from now on the company sees it."""
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_handler(locked, actor)
        if locked.status == PenaltyStatus.SERVED:
            return locked
        PENALTY_MACHINE.move(
            locked,
            PenaltyStatus.SERVED,
            actor=actor,
            action="cases.penalty.served",
            served_at=timezone.now(),
        )
        _tell_company_served(locked)
    penalty.refresh_from_db()
    return locked


def record_execution(penalty: Penalty, *, actor) -> Penalty:
    """The penalty was carried out (执行): a suspension or revocation acts on the licence, and
    the company's credit record is written (its score is recomputed on commit)."""
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_handler(locked, actor)
        if locked.status == PenaltyStatus.EXECUTED:
            return locked
        PENALTY_MACHINE.check(locked, PenaltyStatus.EXECUTED)
        if locked.kind in LICENCE_SOURCES:
            _act_on_licence(locked, actor)
        record_penalty(
            locked.company,
            source_key=f"penalty:{locked.pk}",
            label=locked.decision_number,
            occurred_on=locked.decided_on,
        )
        PENALTY_MACHINE.move(
            locked,
            PenaltyStatus.EXECUTED,
            actor=actor,
            action="cases.penalty.executed",
            data={"licence": locked.licence_id},
            executed_at=timezone.now(),
        )
    penalty.refresh_from_db()
    return locked


def _act_on_licence(locked: Penalty, actor) -> None:
    licence = locked.licence
    if licence is None or licence.status not in LICENCE_SOURCES[locked.kind]:
        raise PenaltyError(
            _("The licence is no longer in a state this penalty can act on; check it first.")
        )
    act = (
        licensing.suspend_licence
        if locked.kind == PenaltyKind.SUSPENSION
        else licensing.revoke_licence
    )
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Administrative penalty decision %(number)s.") % {
            "number": locked.decision_number
        }
    try:
        act(licence, actor=actor, reason=reason, penalty_reference=locked.decision_number)
    except licensing.LicenceError as exc:
        raise PenaltyError(str(exc)) from exc


def publish_penalty(penalty: Penalty, *, actor) -> Penalty:
    """Publication (公示): the public enforcement result, holding no personal data."""
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_handler(locked, actor)
        if locked.status == PenaltyStatus.PUBLISHED:
            return locked
        PENALTY_MACHINE.check(locked, PenaltyStatus.PUBLISHED)
        public_until = publicity_ends_on(locked)
        if public_until < local_today():
            raise PenaltyError(
                _(
                    "The publicity period of this decision ended on %(date)s: it can no longer "
                    "be published."
                )
                % {"date": public_until.isoformat()}
            )
        result = EnforcementResult.objects.create(
            public_until=public_until,
            decision_number=locked.decision_number,
            company_id=locked.company_id,
            district_id=locked.district_id,
            kind=locked.kind,
            fine_amount=locked.fine_amount,
            violation=public_text(locked, locked.violation),
            legal_basis=public_text(locked, locked.legal_basis),
            decision=public_text(locked, locked.decision),
            decided_on=locked.decided_on,
            published_at=timezone.now(),
        )
        PENALTY_MACHINE.move(
            locked,
            PenaltyStatus.PUBLISHED,
            actor=actor,
            action="cases.penalty.published",
            data={"enforcement_result": result.pk},
            enforcement_result=result,
        )
    penalty.refresh_from_db()
    return locked


def publicity_ends_on(penalty: Penalty) -> datetime.date:
    """The last day the result is public: the administrator's period for the kind, counted
    from the day of the decision (the day itself is the first)."""
    days = rule_for(penalty.kind).publicity_days
    return penalty.decided_on + datetime.timedelta(days=days - 1)


# The machinery ------------------------------------------------------------------------------


def _require_approver(locked: Penalty, actor) -> None:
    """Four eyes: an official of the district who did not propose the penalty."""
    if actor is None or not permissions.can_handle_penalty(actor, locked):
        raise PenaltyError(_("Only an official of the penalty's district may decide it."))
    if not permissions.can_approve_penalty(actor, locked):
        raise PenaltyError(
            _("You proposed this penalty: another official must approve or refuse it.")
        )


def _require_handler(locked: Penalty, actor) -> None:
    if actor is None or not permissions.can_handle_penalty(actor, locked):
        raise PenaltyError(_("Only an official of the penalty's district may do this."))


def _tell_company_served(penalty: Penalty) -> None:
    staff = company_staff(penalty.company_id)
    values = {"number": penalty.decision_number}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Administrative penalty decision %(number)s") % values
        body = (
            _(
                "Administrative penalty decision %(number)s was served on your company. "
                "The decision document is in the portal."
            )
            % values
        )
    tell_staff(staff, key=f"penalty:{penalty.pk}:served", subject=subject, body=body)
