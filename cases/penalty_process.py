"""Due process before a penalty decision (Administrative Penalty Law 2021, general procedure).

1. Prior notice (事先告知, art. 44): an official serves the facts, grounds, evidence and the
   intended penalty as a numbered PDF; the intended penalty is frozen there.
2. Statement and defence (陈述、申辩, art. 45): the company (or an official writing down what
   it said) records its statement until ``STATEMENT_WORKING_DAYS`` after the notice. After the
   notice the penalty may be lowered, never raised (``revise_penalty``).
3. Hearing (听证, art. 63–64), when ``PenaltyRule`` gives the right: requested within
   ``HEARING_REQUEST_WORKING_DAYS``, notified at least ``HEARING_NOTICE_WORKING_DAYS`` before it
   is held, held by an official who did not investigate, with a written record.
Art. 85 makes these limits of 5 and 7 days working days: they are counted on the project's
working calendar (``cases.calendar``: statutory holidays off, swapped weekends worked), each
ending at the close of business of its last day. The decision itself is
``cases.penalties.approve_penalty``; its 90-day limit (art. 60) may be extended here, with a
reason, by an official.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import calendar, permissions
from cases.decision_documents import render_prior_notice
from cases.models import Penalty, PenaltyKind, PenaltyStatus
from cases.penalties import (
    LICENCE_SOURCES,
    PENALTY_MACHINE,
    PenaltyError,
    _check_fine,
    _require_approver,
    _require_handler,
    local_today,
    rule_for,
    takes_simple_procedure,
)
from cases.rectification import save_with_number
from cases.workflow import tell_staff
from enterprises.access import company_staff
from foundation import audit

S = PenaltyStatus
STATEMENT_WORKING_DAYS = 5  # the same period as for a hearing request: one date to remember
HEARING_REQUEST_WORKING_DAYS = 5  # art. 64 (1)
HEARING_NOTICE_WORKING_DAYS = 7  # art. 64 (2)
MAX_EXTENSION_DAYS = 60
NOTICE_PREFIX = "青岚住建罚告"
# Severity, lightest first: a revision after the notice may only move down this scale.
SEVERITY = [PenaltyKind.WARNING, PenaltyKind.FINE, PenaltyKind.SUSPENSION, PenaltyKind.REVOCATION]


def has_hearing_right(kind: str, fine_amount: Decimal | None) -> bool:
    """Whether the administrator's rule for ``kind`` gives the company the right to a hearing."""
    rule = rule_for(kind)
    if rule.hearing_always:
        return True
    return (
        kind == PenaltyKind.FINE
        and rule.hearing_from_amount is not None
        and Decimal(fine_amount or 0) >= rule.hearing_from_amount
    )


def _fmt(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# 1. Prior notice ----------------------------------------------------------------------------


def serve_prior_notice(penalty: Penalty, *, actor, evidence: str) -> Penalty:
    """Number and render the prior notice, record that it was served today, start the periods."""
    evidence = (evidence or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_handler(locked, actor)
        if locked.status == S.NOTIFIED:
            return locked
        PENALTY_MACHINE.check(locked, S.NOTIFIED)
        if not evidence:
            raise PenaltyError(_("List the evidence the prior notice relies on."))
        now = timezone.now()
        today = local_today()
        overrides = calendar.load_overrides(today)
        locked.notice_evidence = evidence
        locked.hearing_right = has_hearing_right(locked.kind, locked.fine_amount)
        locked.statement_due_at = calendar.add_working_days(
            now, STATEMENT_WORKING_DAYS, overrides=overrides
        )
        locked.hearing_request_due_at = (
            calendar.add_working_days(now, HEARING_REQUEST_WORKING_DAYS, overrides=overrides)
            if locked.hearing_right
            else None
        )
        save_with_number(
            locked, "notice_number", f"{NOTICE_PREFIX}〔{today.year}〕第", PenaltyError
        )
        document = render_prior_notice(locked, served_on=today)
        locked.notice_document.save(f"notice-{locked.pk}.pdf", ContentFile(document), False)
        PENALTY_MACHINE.move(
            locked,
            S.NOTIFIED,
            actor=actor,
            action="cases.penalty.notified",
            data={
                "notice_number": locked.notice_number,
                "hearing_right": locked.hearing_right,
                "statement_due_at": locked.statement_due_at.isoformat(),
            },
            notice_served_at=now,
            noticed_kind=locked.kind,
            noticed_fine_amount=locked.fine_amount,
        )
        _tell_company(
            locked,
            "notified",
            gettext_lazy("Prior notice %(number)s of an intended administrative penalty"),
            gettext_lazy(
                "Prior notice %(number)s of an intended administrative penalty was served on "
                "your company. You may state your case until %(until)s. The notice is in the "
                "portal."
            ),
            until=_fmt(locked.statement_due_at),
        )
    penalty.refresh_from_db()
    return locked


# 2. Statement and defence -------------------------------------------------------------------


def record_statement(penalty: Penalty, *, actor, statement: str) -> Penalty:
    """The company's statement and defence (陈述、申辩), written by its staff or taken down by
    an official; a later statement adds to the earlier ones. Not a change of state."""
    statement = (statement or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_party_or_handler(locked, actor)
        if locked.status not in (S.NOTIFIED, S.HEARING_REQUESTED, S.HEARING_SCHEDULED):
            raise PenaltyError(
                _("A statement is recorded after the prior notice, before the decision.")
            )
        if not statement:
            raise PenaltyError(_("Write the company's statement and defence."))
        if timezone.now() > locked.statement_due_at:
            raise PenaltyError(
                _("The statement period ended on %(until)s.")
                % {"until": _fmt(locked.statement_due_at)}
            )
        now = timezone.now()
        stamp = f"[{_fmt(now)}] "
        locked.statement = (
            f"{locked.statement}\n\n{stamp}{statement}" if locked.statement else stamp + statement
        )
        locked.statement_at, locked.statement_by = now, actor
        locked.save(update_fields=["statement", "statement_at", "statement_by"])
        audit.record(locked, "cases.penalty.statement_recorded", actor=actor, statement=statement)
    penalty.refresh_from_db()
    return locked


def revise_penalty(
    penalty: Penalty, *, actor, kind: str, fine_amount: Decimal | None, reason: str
) -> Penalty:
    """Change the intended penalty before the decision. After the prior notice it may only be
    made lighter (art. 45: no heavier penalty because the company defended itself)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_approver(locked, actor)
        if locked.status not in S.UNDECIDED_STATES:
            raise PenaltyError(_("Only a penalty not yet decided can be revised."))
        if kind not in PenaltyKind.values:
            raise PenaltyError(_("Choose a warning, a fine, a suspension or a revocation."))
        if not reason:
            raise PenaltyError(_("Say why the intended penalty is revised."))
        _check_fine(kind, fine_amount)
        if locked.status != S.PROPOSED and _heavier(
            kind, fine_amount, locked.noticed_kind, locked.noticed_fine_amount
        ):
            raise PenaltyError(
                _(
                    "After the prior notice the penalty may not be raised (art. 45): "
                    "choose a penalty no heavier than the one notified."
                )
            )
        if locked.status == S.PROPOSED and kind in LICENCE_SOURCES and locked.licence is None:
            raise PenaltyError(_("Propose a licence penalty anew: this one names no licence."))
        before = {"kind": locked.kind, "fine_amount": _str(locked.fine_amount)}
        locked.kind, locked.fine_amount = kind, fine_amount
        if kind not in LICENCE_SOURCES:
            locked.licence = None
        locked.save(update_fields=["kind", "fine_amount", "licence"])
        audit.record(
            locked,
            "cases.penalty.revised",
            actor=actor,
            before=before,
            kind=kind,
            fine_amount=_str(fine_amount),
            reason=reason,
        )
    penalty.refresh_from_db()
    return locked


def _heavier(kind, amount, noticed_kind, noticed_amount) -> bool:
    rank, noticed_rank = SEVERITY.index(kind), SEVERITY.index(noticed_kind)
    if rank != noticed_rank:
        return rank > noticed_rank
    return kind == PenaltyKind.FINE and Decimal(amount or 0) > Decimal(noticed_amount or 0)


def _str(amount: Decimal | None) -> str | None:
    return str(amount) if amount is not None else None


# 3. Hearing ---------------------------------------------------------------------------------


def request_hearing(penalty: Penalty, *, actor) -> Penalty:
    """The company asks for a hearing (要求听证) within its period."""
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_party_or_handler(locked, actor)
        if locked.status == S.HEARING_REQUESTED:
            return locked
        PENALTY_MACHINE.check(locked, S.HEARING_REQUESTED)
        if not locked.hearing_right:
            raise PenaltyError(_("This penalty gives no right to a hearing."))
        if timezone.now() > locked.hearing_request_due_at:
            raise PenaltyError(
                _("A hearing could be requested until %(until)s.")
                % {"until": _fmt(locked.hearing_request_due_at)}
            )
        PENALTY_MACHINE.move(
            locked,
            S.HEARING_REQUESTED,
            actor=actor,
            action="cases.penalty.hearing_requested",
            hearing_requested_at=timezone.now(),
        )
    penalty.refresh_from_db()
    return locked


def investigators(penalty: Penalty) -> set[int]:
    """Who investigated: the proposer, the inspection's team, the issuer of the order."""
    people = {penalty.proposed_by_id}
    if penalty.inspection_id:
        people |= set(penalty.inspection.inspectors.values_list("pk", flat=True))
    if penalty.order_id and penalty.order.issued_by_id:
        people.add(penalty.order.issued_by_id)
    return people


def schedule_hearing(
    penalty: Penalty, *, actor, officer, hearing_at: datetime.datetime, place: str
) -> Penalty:
    """Name the hearing officer (never an investigator) and notify the company of the time and
    place at least seven working days ahead; a second call reschedules, with a new notice."""
    place = (place or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_handler(locked, actor)
        PENALTY_MACHINE.check(locked, S.HEARING_SCHEDULED)
        if officer is None or not permissions.can_handle_penalty(officer, locked):
            raise PenaltyError(_("The hearing is held by an official of the penalty's district."))
        if officer.pk in investigators(locked):
            raise PenaltyError(
                _("%(name)s investigated this case and may not hold its hearing.")
                % {"name": officer.get_full_name() or officer.get_username()}
            )
        if not place:
            raise PenaltyError(_("Give the place of the hearing."))
        now = timezone.now()
        earliest = calendar.add_working_days(now, HEARING_NOTICE_WORKING_DAYS)
        if hearing_at is None or hearing_at.astimezone(calendar.TIMEZONE).date() < earliest.date():
            raise PenaltyError(
                _(
                    "The company must be notified at least 7 working days before the hearing: "
                    "hold it on %(date)s or later."
                )
                % {"date": earliest.date().isoformat()}
            )
        PENALTY_MACHINE.move(
            locked,
            S.HEARING_SCHEDULED,
            actor=actor,
            action="cases.penalty.hearing_scheduled",
            data={"officer": officer.pk, "hearing_at": hearing_at.isoformat(), "place": place},
            hearing_officer=officer,
            hearing_at=hearing_at,
            hearing_place=place,
            hearing_notified_at=now,
        )
        _tell_company(
            locked,
            f"hearing:{hearing_at:%Y%m%d%H%M}",
            gettext_lazy("Hearing on administrative penalty %(number)s"),
            gettext_lazy(
                "The hearing on the intended administrative penalty %(number)s is held on "
                "%(until)s at %(place)s."
            ),
            until=_fmt(hearing_at),
            place=place,
        )
    penalty.refresh_from_db()
    return locked


def record_hearing(penalty: Penalty, *, actor, record: str) -> Penalty:
    """The written record of the hearing (听证笔录), by the official who held it."""
    record = (record or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_handler(locked, actor)
        if locked.status == S.HEARD:
            return locked
        PENALTY_MACHINE.check(locked, S.HEARD)
        if actor.pk in investigators(locked):
            raise PenaltyError(_("You investigated this case and may not hold its hearing."))
        if actor.pk != locked.hearing_officer_id:
            raise PenaltyError(_("Only the official who held the hearing records it."))
        if timezone.now() < locked.hearing_at:
            raise PenaltyError(
                _("The hearing is set for %(until)s: record it once held.")
                % {"until": _fmt(locked.hearing_at)}
            )
        if not record:
            raise PenaltyError(_("Write the record of the hearing."))
        PENALTY_MACHINE.move(
            locked,
            S.HEARD,
            actor=actor,
            action="cases.penalty.heard",
            data={"officer": actor.pk},
            hearing_record=record,
            hearing_recorded_at=timezone.now(),
        )
    penalty.refresh_from_db()
    return locked


# The 90-day limit ---------------------------------------------------------------------------


def extend_decision_limit(penalty: Penalty, *, actor, days: int, reason: str) -> Penalty:
    """Move the decision's due date on by ``days`` (a complex case, 情况复杂), with the reason;
    an official who did not propose the penalty decides it."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_approver(locked, actor)
        if locked.status not in S.UNDECIDED_STATES or locked.decision_due_on is None:
            raise PenaltyError(_("Only the time limit of a penalty not yet decided is extended."))
        if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
            raise PenaltyError(
                _("An extension is between 1 and %(max)d days.") % {"max": MAX_EXTENSION_DAYS}
            )
        if not reason:
            raise PenaltyError(_("Say why the decision needs more time."))
        before = locked.decision_due_on
        locked.decision_due_on = before + datetime.timedelta(days=days)
        locked.limit_extension_reason, locked.limit_extended_by = reason, actor
        if locked.decision_due_on >= local_today():
            locked.limit_warned_at = locked.limit_overdue_at = None  # the ladder starts again
        locked.save()
        audit.record(
            locked,
            "cases.penalty.limit_extended",
            actor=actor,
            days=days,
            before=before.isoformat(),
            due=locked.decision_due_on.isoformat(),
            reason=reason,
        )
    penalty.refresh_from_db()
    return locked


def needs_prior_notice(penalty: Penalty) -> bool:
    return not takes_simple_procedure(penalty.kind, penalty.fine_amount)


# The machinery ------------------------------------------------------------------------------


def _require_party_or_handler(locked: Penalty, actor) -> None:
    if actor is None or not (
        permissions.can_answer_penalty(actor, locked)
        or permissions.can_handle_penalty(actor, locked)
    ):
        raise PenaltyError(
            _("Only staff of the company concerned, or an official of the district, may do this.")
        )


def _tell_company(locked: Penalty, step: str, subject: str, body: str, **values) -> None:
    values = {"number": locked.notice_number, **values}
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = str(subject) % values, str(body) % values
    tell_staff(
        company_staff(locked.company_id),
        key=f"penalty:{locked.pk}:{step}",
        subject=subject,
        body=body,
    )
