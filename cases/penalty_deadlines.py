"""Supervision of the decision's time limit (art. 60: decide within 90 days of opening the case),
run by Celery beat like the case sweep (``cases.supervision``).

For each penalty not yet decided, each at most once:
  1. warning (预警): ``WARN_DAYS_BEFORE`` days or fewer left — the district's officials and the
     proposer are told;
  2. overdue (超期): the due day passed — flagged and escalated to the heads of department.
An extension (``penalty_process.extend_decision_limit``) clears both flags so the ladder starts
again from the new date. The flags make the sweep idempotent: each penalty is re-read under
its row lock, and messages carry the penalty's id and the step in their dedup key.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Penalty, PenaltyStatus
from cases.workflow import district_officials, tell_staff
from foundation import audit

WARN_DAYS_BEFORE = 15
WARN, OVERDUE = "limit_warning", "limit_overdue"


@dataclass
class LimitReport:
    warned: int = 0
    overdue: int = 0


def sweep_decision_limits(now: datetime.datetime | None = None) -> LimitReport:
    """Warn and escalate the penalties whose time limit to decide ends soon or has passed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = LimitReport()
    undecided = Penalty.objects.filter(
        status__in=PenaltyStatus.UNDECIDED_STATES, decision_due_on__isnull=False
    )
    warn_from = today + datetime.timedelta(days=WARN_DAYS_BEFORE)
    due = undecided.filter(limit_warned_at__isnull=True, decision_due_on__lte=warn_from)
    late = undecided.filter(limit_overdue_at__isnull=True, decision_due_on__lt=today)
    for step, rows in ((WARN, due), (OVERDUE, late)):
        for pk in rows.values_list("pk", flat=True):
            if not _supervise(rows, pk, step, now):
                continue
            if step == WARN:
                report.warned += 1
            else:
                report.overdue += 1
    return report


def _supervise(rows, pk: int, step: str, now: datetime.datetime) -> bool:
    with transaction.atomic():
        locked = (
            rows.select_for_update(of=("self",))
            .select_related("proposed_by", "company")
            .filter(pk=pk)
        )
        penalty = locked.first()
        if penalty is None:  # decided, extended or flagged meanwhile
            return False
        field = "limit_warned_at" if step == WARN else "limit_overdue_at"
        setattr(penalty, field, now)
        penalty.save(update_fields=[field])
        due = penalty.decision_due_on.isoformat()
        audit.record(penalty, f"cases.penalty.{step}", actor=None, due=due)
        people = list(district_officials(penalty.district_id))
        if step == WARN:
            people.append(penalty.proposed_by)
        else:
            people += list(district_officials(None))  # the heads of department
        texts = {"penalty": str(penalty), "company": penalty.company.name, "due": due}
        with translation.override(settings.LANGUAGE_CODE):
            if step == WARN:
                subject = _("Penalty %(penalty)s: the time limit to decide ends soon") % texts
                body = (
                    _(
                        "The penalty %(penalty)s against %(company)s must be decided by %(due)s "
                        "(90 days from opening the case)."
                    )
                    % texts
                )
            else:
                subject = _("Penalty %(penalty)s: the time limit to decide has passed") % texts
                body = (
                    _(
                        "The penalty %(penalty)s against %(company)s was due to be decided by "
                        "%(due)s and is not decided. It is escalated for supervision."
                    )
                    % texts
                )
        unique = {person.pk: person for person in people if person.email}
        tell_staff(unique.values(), key=f"penalty:{penalty.pk}:{step}:{due}", subject=subject,
                   body=body)  # fmt: skip
    return True
