"""The publicity of a penalty decision (行政处罚信息公示) and its withdrawal.

A published result stays on the public site for the publicity period the administrator set for
its kind (``PenaltyRule.publicity_days``, counted from the day of the decision); the periodic
``end_publicity`` then takes it off the public enforcement results. The row stays in the
register (``EnforcementResult.removed_at`` says when and why), so staff and the history keep
it. When a reconsideration (行政复议) or a court (行政诉讼) — or the authority itself — changes,
revokes or annuls the decision, ``withdraw_penalty`` records the outcome, takes the result
off the public site at once and withdraws the company's credit record of that penalty (its
score is recomputed). A changed decision that still imposes something is entered as a new
penalty: the withdrawn one no longer counts.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import EnforcementResult, Penalty, PenaltyStatus, ReviewBody, ReviewOutcome
from cases.penalties import PENALTY_MACHINE, PenaltyError, _require_handler
from enterprises.credit import withdraw_source_record
from foundation import audit

WITHDRAWABLE = frozenset({PenaltyStatus.SERVED, PenaltyStatus.EXECUTED, PenaltyStatus.PUBLISHED})


def withdraw_penalty(penalty: Penalty, *, actor, outcome: str, body: str, reason: str) -> Penalty:
    """Record the review's outcome and withdraw the decision's publication and credit record."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = PENALTY_MACHINE.lock(penalty)
        _require_handler(locked, actor)
        if locked.status == PenaltyStatus.WITHDRAWN:
            return locked
        PENALTY_MACHINE.check(locked, PenaltyStatus.WITHDRAWN, sources=WITHDRAWABLE)
        if outcome not in ReviewOutcome.values:
            raise PenaltyError(_("Say whether the decision was changed, revoked or annulled."))
        if body not in ReviewBody.values:
            raise PenaltyError(_("Say who changed, revoked or annulled the decision."))
        if not reason:
            raise PenaltyError(_("Give the reason, citing the review decision or judgment."))
        now = timezone.now()
        if locked.enforcement_result_id:
            _remove(locked.enforcement_result_id, now, reason)
        PENALTY_MACHINE.move(
            locked,
            PenaltyStatus.WITHDRAWN,
            actor=actor,
            action="cases.penalty.withdrawn",
            data={"outcome": outcome, "body": body, "reason": reason},
            review_outcome=outcome,
            review_body=body,
            review_reason=reason,
            withdrawn_at=now,
            withdrawn_by=actor,
        )
        withdraw_source_record(
            locked.company, source_key=f"penalty:{locked.pk}", reason=reason, actor=actor
        )
    penalty.refresh_from_db()
    return locked


def end_publicity(now: datetime.datetime | None = None) -> int:
    """Take every result whose publicity period is over off the public site (a periodic task).
    Each row is re-read under its lock: a second run, or a task delivered twice, removes
    nothing more. Returns how many were removed now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = EnforcementResult.objects.filter(removed_at__isnull=True, public_until__lt=today)
    removed = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            result = due.select_for_update().filter(pk=pk).first()
            if result is None:
                continue
            reason = _("The publicity period ended on %(date)s.") % {
                "date": result.public_until.isoformat()
            }
            _remove(result.pk, now, reason)
            penalty = Penalty.objects.filter(enforcement_result_id=result.pk).first()
            if penalty is not None:
                audit.record(
                    penalty,
                    "cases.penalty.publicity_ended",
                    actor=None,
                    public_until=result.public_until.isoformat(),
                )
        removed += 1
    return removed


def _remove(result_pk: int, now: datetime.datetime, reason: str) -> None:
    # Saved through the model, not ``update()``: the public pages' cache listens to post_save.
    result = EnforcementResult.objects.select_for_update().get(pk=result_pk)
    if result.removed_at is not None:
        return
    result.removed_at, result.removal_reason = now, reason
    result.save(update_fields=["removed_at", "removal_reason"])
