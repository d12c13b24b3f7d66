"""Credit evaluation (信用评价): every point of a company's score is explained by a credit
record (信用记录), written once per source (complaint, evaluation, rectification, penalty).
The cases app pushes the records of its complaints, orders and penalties through the
``record_*`` functions below; this module never reads cases.
The score itself is computed in ``enterprises.credit_score``; an upheld appeal (信用修复)
withdraws a record. The rules for readers: README, "Credit evaluation".
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises import credit_score
from enterprises.credit_tasks import queue_credit_recompute
from enterprises.models import (
    AppealStatus,
    Company,
    CreditAppeal,
    CreditPolicy,
    CreditRecord,
    CreditRecordKind,
)
from enterprises.permissions import can_act_for_company, decides_companys_request
from foundation import audit
from foundation.state_machine import StateMachine

Kind = CreditRecordKind

ALLOWED_APPEAL_TRANSITIONS: dict[str, set[str]] = {
    AppealStatus.SUBMITTED: {AppealStatus.UPHELD, AppealStatus.DISMISSED},
    AppealStatus.UPHELD: set(),
    AppealStatus.DISMISSED: set(),
}
DECISION_ACTIONS = {
    AppealStatus.UPHELD: "enterprises.credit.appeal_upheld",
    AppealStatus.DISMISSED: "enterprises.credit.appeal_dismissed",
}


class CreditError(Exception):
    """A credit action was refused; the message is shown to the user as is."""


APPEAL_MACHINE = StateMachine(
    CreditAppeal,
    transitions=ALLOWED_APPEAL_TRANSITIONS,
    error=CreditError,
    refusal=gettext_lazy("This appeal is already “%(status)s”; it cannot become “%(target)s”."),
    # Only the appeal's row is locked; ``recompute_credit`` locks the company's when needed.
    select_related=("record__company",),
    lock_of=("self",),
)


# Records pushed by the cases app ----------------------------------------------------------


# Pushed by the cases app: what the record says and which policy field gives its points.
_GENERIC_RECORDS = {
    Kind.SUBSTANTIATED_COMPLAINT: (
        "complaint_points",
        gettext_lazy(
            "Complaint %(number)s against the company was substantiated (resolved on %(date)s)."
        ),
    ),
    Kind.OVERDUE_RECTIFICATION: (
        "rectification_points",
        gettext_lazy("Rectification %(label)s was not completed by its deadline."),
    ),
    Kind.PENALTY: ("penalty_points", gettext_lazy("Administrative penalty %(label)s.")),
}


def _record_generic(
    company: Company, kind: str, source_key: str, label: str, occurred_on: datetime.date
) -> CreditRecord:
    if not source_key.strip() or not label.strip():
        raise CreditError(_("A credit record needs the key and label of its source."))
    points_field, template = _GENERIC_RECORDS[kind]
    policy = CreditPolicy.load()
    with transaction.atomic():
        record = credit_score.write_record(
            company.pk,
            policy,
            template,
            {"label": label, "number": label, "date": occurred_on.isoformat()},
            kind=kind,
            points=getattr(policy, points_field),
            source_label=label[:64],
            source_key=source_key,
            occurred_on=occurred_on,
        )
        queue_credit_recompute(company.pk)
    return record


def record_substantiated_complaint(
    company: Company, *, source_key: str, label: str, occurred_on: datetime.date
) -> CreditRecord:
    """A complaint against the company substantiated: its case was resolved (办结) on
    ``occurred_on``. ``source_key`` names it, e.g. ``complaint:12``, ``label`` is its tracking
    number. A second call (a case resolved again after reopening) keeps the first record."""
    return _record_generic(company, Kind.SUBSTANTIATED_COMPLAINT, source_key, label, occurred_on)


def record_overdue_rectification(
    company: Company, *, source_key: str, label: str, occurred_on: datetime.date
) -> CreditRecord:
    """A rectification order (整改通知书) not met by its deadline; ``source_key`` names the
    order, e.g. ``rectification:12``, ``label`` is its public number."""
    return _record_generic(company, Kind.OVERDUE_RECTIFICATION, source_key, label, occurred_on)


def record_penalty(
    company: Company, *, source_key: str, label: str, occurred_on: datetime.date
) -> CreditRecord:
    """An administrative penalty (行政处罚), e.g. ``penalty:7`` labelled by its decision number."""
    return _record_generic(company, Kind.PENALTY, source_key, label, occurred_on)


def withdraw_source_record(
    company: Company, *, source_key: str, reason: str, actor=None
) -> CreditRecord | None:
    """The source of a record fell away (a penalty decision changed, revoked or annulled on
    review): its record is withdrawn and the score recomputed at once. Returns the record, or
    None when the source never wrote one; a second call changes nothing."""
    with transaction.atomic():
        record = (
            CreditRecord.objects.select_for_update()
            .filter(company=company, source_key=source_key)
            .first()
        )
        if record is None or record.withdrawn:
            return record
        record.withdrawn = True
        record.save(update_fields=["withdrawn"])
        audit.record(record, "enterprises.credit.record_withdrawn", actor=actor, reason=reason)
        credit_score.recompute_credit(company)
    return record


# Appeals (信用修复) -------------------------------------------------------------------------


def _signed_in(actor) -> bool:
    return actor is not None and actor.is_authenticated


def appeal_credit_record(record: CreditRecord, *, actor, reason: str) -> CreditAppeal:
    """The company asks for ``record`` to be withdrawn; one open appeal per record."""
    if not _signed_in(actor) or not can_act_for_company(actor, record.company):
        raise CreditError(
            _("Only staff of “%(company)s” may appeal its credit records.")
            % {"company": record.company.name}
        )
    if not (reason or "").strip():
        raise CreditError(_("An appeal needs the reasons why the record is wrong."))
    with transaction.atomic():
        locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
        if locked.withdrawn:
            raise CreditError(_("This credit record has already been withdrawn."))
        # The row lock above serialises appeals on one record: no second open one slips in.
        if locked.appeals.filter(status=AppealStatus.SUBMITTED).exists():
            raise CreditError(_("An appeal against this credit record is awaiting a decision."))
        appeal = CreditAppeal.objects.create(record=locked, reason=reason, submitted_by=actor)
        audit.record(appeal, "enterprises.credit.appealed", actor=actor, record=locked.pk)
    return appeal


def _decide(appeal: CreditAppeal, *, actor, decision: str, to: str) -> CreditAppeal:
    with transaction.atomic():
        locked = APPEAL_MACHINE.lock(appeal)
        if locked.status == to:
            return locked
        company = locked.record.company
        APPEAL_MACHINE.check(
            locked,
            to,
            permitted=decides_companys_request(actor, company, locked.submitted_by_id),
            denied=_(
                "Only an official of the company's district, never the appellant, may decide."
            ),
        )
        if not (decision or "").strip():
            raise CreditError(_("A decision needs its reasons, which the company will read."))
        APPEAL_MACHINE.move(
            locked,
            to,
            actor=actor,
            action=DECISION_ACTIONS[to],
            data={"record": locked.record_id, "decision": decision},
            decision=decision,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if to == AppealStatus.UPHELD:
            CreditRecord.objects.filter(pk=locked.record_id).update(withdrawn=True)
            credit_score.recompute_credit(company)
    appeal.refresh_from_db()
    return locked


def uphold_appeal(appeal: CreditAppeal, *, actor, decision: str) -> CreditAppeal:
    """The record is withdrawn (信用修复) and the score recomputed at once."""
    return _decide(appeal, actor=actor, decision=decision, to=AppealStatus.UPHELD)


def dismiss_appeal(appeal: CreditAppeal, *, actor, decision: str) -> CreditAppeal:
    """The record stands; the company may appeal again with new reasons."""
    return _decide(appeal, actor=actor, decision=decision, to=AppealStatus.DISMISSED)
