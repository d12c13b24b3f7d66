"""Good conduct declarations (良好行为申报) and training records of companies.

A company declares good conduct with evidence; an official of its district, never the
declarant nor anyone acting for the company, verifies it (a credit record adds
``CreditPolicy.good_conduct_points``, within ``good_record_cap``) or rejects it with reasons.
Training sessions are recorded by the company and read by the regulator.
"""

import datetime
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises import credit_score
from enterprises.credit_tasks import queue_credit_recompute
from enterprises.models import (
    ClaimStatus,
    Company,
    CreditPolicy,
    CreditRecordKind,
    Estate,
    GoodConductClaim,
    TrainingSession,
)
from enterprises.permissions import can_act_for_company, decides_companys_request
from foundation import audit
from foundation.state_machine import StateMachine
from foundation.uploads import validate_evidence

# Evidence older than this is history, not conduct worth credit today.
OLDEST_CLAIM_DAYS = 365
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class GoodConductError(Exception):
    """Refused; ``message`` is shown as is, on ``field`` of the form when it names one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


CLAIM_MACHINE = StateMachine(
    GoodConductClaim,
    transitions={
        ClaimStatus.SUBMITTED: {ClaimStatus.VERIFIED, ClaimStatus.REJECTED},
        ClaimStatus.VERIFIED: set(),
        ClaimStatus.REJECTED: set(),
    },
    error=GoodConductError,
    refusal=gettext_lazy(
        "This declaration is already “%(status)s”; it cannot become “%(target)s”."
    ),
    select_related=("company",),
    lock_of=("self",),
)


def _signed_in(actor) -> bool:
    return actor is not None and actor.is_authenticated


def _acting_for(actor, company: Company) -> None:
    if not _signed_in(actor) or not can_act_for_company(actor, company):
        raise GoodConductError(
            _("Only staff of “%(company)s” may record this for it.") % {"company": company.name}
        )


def _estate_of(company: Company, estate: Estate | None) -> None:
    if estate is not None and estate.managing_company_id != company.pk:
        raise GoodConductError(
            _("“%(company)s” does not manage “%(estate)s”.")
            % {"company": company.name, "estate": estate.name},
            "estate",
        )


def declare_good_conduct(
    *,
    actor,
    company: Company,
    kind: str,
    title: str,
    description: str,
    occurred_on: datetime.date,
    evidence,
    estate: Estate | None = None,
) -> GoodConductClaim:
    """The company's declaration; the evidence is checked by content before anything is
    written, so a refused declaration leaves neither a row nor a file."""
    _acting_for(actor, company)
    _estate_of(company, estate)
    if not (title or "").strip() or not (description or "").strip():
        raise GoodConductError(_("Say what the good conduct was: a title and what happened."))
    today = timezone.localdate()
    if occurred_on > today or (today - occurred_on).days > OLDEST_CLAIM_DAYS:
        raise GoodConductError(
            _("The date must be within the last %(days)d days.") % {"days": OLDEST_CLAIM_DAYS},
            "occurred_on",
        )
    if not evidence:
        raise GoodConductError(_("A declaration needs its evidence."), "evidence")
    try:
        mime = validate_evidence(evidence)
    except ValidationError as error:
        raise GoodConductError(" ".join(error.messages), "evidence") from error
    evidence.name = f"{today:%Y%m%d}-{os.urandom(6).hex()}{_EXTENSIONS.get(mime, '')}"
    with transaction.atomic():
        claim = GoodConductClaim.objects.create(
            company=company,
            estate=estate,
            kind=kind,
            title=title.strip(),
            description=description.strip(),
            occurred_on=occurred_on,
            evidence=evidence,
            submitted_by=actor,
        )
        audit.record(claim, "enterprises.good_conduct.declared", actor=actor)
    return claim


def _decide(claim: GoodConductClaim, *, actor, decision: str, to: str) -> GoodConductClaim:
    with transaction.atomic():
        locked = CLAIM_MACHINE.lock(claim)
        company = locked.company
        CLAIM_MACHINE.check(
            locked,
            to,
            permitted=decides_companys_request(actor, company, locked.submitted_by_id),
            denied=_(
                "Only an official of the company's district, never the declarant, may decide."
            ),
        )
        if not (decision or "").strip():
            raise GoodConductError(
                _("A decision needs its reasons, which the company will read."), "decision"
            )
        CLAIM_MACHINE.move(
            locked,
            to,
            actor=actor,
            action=f"enterprises.good_conduct.{to}",
            data={"decision": decision},
            decision=decision,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if to == ClaimStatus.VERIFIED:
            _credit(locked)
    claim.refresh_from_db()
    return locked


def _credit(claim: GoodConductClaim) -> None:
    policy = CreditPolicy.load()
    credit_score.write_record(
        claim.company_id,
        policy,
        gettext_lazy("Good conduct verified by the regulator: %(title)s."),
        {"title": claim.title},
        kind=CreditRecordKind.GOOD_CONDUCT,
        points=policy.good_conduct_points,
        source_label=claim.title[:64],
        source_key=f"good_conduct:{claim.pk}",
        occurred_on=claim.occurred_on,
    )
    queue_credit_recompute(claim.company_id)


def verify_good_conduct(claim: GoodConductClaim, *, actor, decision: str) -> GoodConductClaim:
    """Verified: a credit record adds points, within the cap (enterprises.credit_score)."""
    return _decide(claim, actor=actor, decision=decision, to=ClaimStatus.VERIFIED)


def reject_good_conduct(claim: GoodConductClaim, *, actor, decision: str) -> GoodConductClaim:
    """Not verified: no record; the company may declare again with better evidence."""
    return _decide(claim, actor=actor, decision=decision, to=ClaimStatus.REJECTED)


def record_training(
    *,
    actor,
    company: Company,
    held_on: datetime.date,
    topic: str,
    hours,
    staff_count: int,
    estate: Estate | None = None,
) -> TrainingSession:
    _acting_for(actor, company)
    _estate_of(company, estate)
    if held_on > timezone.localdate():
        raise GoodConductError(
            _("A training session is recorded once it has been held."), "held_on"
        )
    if not (topic or "").strip():
        raise GoodConductError(_("Give the training's topic."), "topic")
    with transaction.atomic():
        session = TrainingSession.objects.create(
            company=company,
            estate=estate,
            held_on=held_on,
            topic=topic.strip(),
            hours=hours,
            staff_count=staff_count,
            recorded_by=actor,
        )
        audit.record(session, "enterprises.training.recorded", actor=actor)
    return session
