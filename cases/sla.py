"""Service-level rules: which time limits apply to a case, its due dates and its colour.

An administrator edits `SlaRule` rows per tier, optionally narrowed to one category. The rule
for the case's own category beats the tier's catch-all rule; with no row, `DEFAULT_RULES`
applies. Limits to accept and to respond are in working hours, the limit to resolve in working
days, all counted on the Chinese working calendar of `cases.calendar`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

from django.utils import timezone

from cases import calendar
from cases.models import CaseStatus, Complaint, SlaRule, Tier
from foundation.table_memo import TableMemo


class DueDates(NamedTuple):
    accept_by: dt.datetime
    respond_by: dt.datetime
    resolve_by: dt.datetime


# The regulator's standing time limits, used when no SlaRule row matches:
#   tier           accept   first response   resolve
#   urgent          2 h         4 h           3 working days  (lifts stuck, water/power cut)
#   serious         4 h         8 h           7 working days
#   general         8 h        16 h          15 working days
#   consultation    8 h        16 h           5 working days  (a question, answered quickly)
# Hours are working hours (7 a day), so "8 h" means one working day.
DEFAULT_RULES: dict[str, tuple[int, int, int]] = {
    Tier.URGENT: (2, 4, 3),
    Tier.SERIOUS: (4, 8, 7),
    Tier.GENERAL: (8, 16, 15),
    Tier.CONSULTATION: (8, 16, 5),
}

# The case is "amber" once less than this share of its time to resolve is left.
AMBER_SHARE = 0.25

# States in which the case no longer runs against its resolution deadline.
FINISHED = frozenset(
    {
        CaseStatus.REJECTED,
        CaseStatus.RESOLVED,
        CaseStatus.FOLLOWED_UP,
        CaseStatus.CLOSED,
        CaseStatus.MERGED,
        CaseStatus.TRANSFERRED,
    }
)

SlaState = Literal["green", "amber", "red"]

# The first response (首次响应) is the first public timeline event of one of these kinds after
# acceptance: a reply or a contact with the complainant by the people handling the case, not
# an automatic notice (accepted, dispatched, started). The transfer kinds are written by
# ``cases.transfers``: telling the citizen where the case went is an answer too.
FIRST_RESPONSE_ACTIONS = frozenset(
    {
        "cases.complaint.info_requested",
        "cases.complaint.contacted",
        "cases.complaint.resolved",
        "cases.complaint.transferred",
        "cases.transferred",
    }
)


# Every rule by (tier, category), "" the catch-all: a few dozen rows, read once per process
# until an administrator edits one.
_rules = TableMemo(SlaRule, lambda: {(r.tier, r.category): r for r in SlaRule.objects.all()})


def rule_for(tier: str, category: str) -> SlaRule:
    """The rule for this tier and category: exact category, else catch-all, else default.

    A default comes back as an unsaved `SlaRule` (its ``pk`` is None).
    """
    rules = _rules.rows()
    rule = rules.get((tier, category)) or rules.get((tier, ""))
    if rule is not None:
        return rule
    try:
        accept, respond, resolve = DEFAULT_RULES[tier]
    except KeyError:
        raise ValueError(f"Unknown severity tier {tier!r}.") from None
    return SlaRule(
        tier=tier,
        category="",
        accept_within_hours=accept,
        respond_within_hours=respond,
        resolve_within_days=resolve,
    )


def due_dates(submitted_at: dt.datetime, tier: str, category: str) -> DueDates:
    """All three due dates of a case submitted at `submitted_at` (aware datetime)."""
    rule = rule_for(tier, category)
    overrides = calendar.load_overrides(submitted_at.astimezone(calendar.TIMEZONE).date())
    return DueDates(
        accept_by=calendar.add_working_hours(
            submitted_at, rule.accept_within_hours, overrides=overrides
        ),
        respond_by=calendar.add_working_hours(
            submitted_at, rule.respond_within_hours, overrides=overrides
        ),
        resolve_by=calendar.add_working_days(
            submitted_at, rule.resolve_within_days, overrides=overrides
        ),
    )


def record_first_response(complaint: Complaint, event) -> bool:
    """Note ``event`` as the case's first response when it is one and none was noted yet.

    Called by ``cases.workflow`` for every public event, inside its transaction; a single
    conditional UPDATE, so a repeat or a concurrent writer never moves the first moment.
    The in-memory ``complaint`` gets the value too, so a later full save keeps it.
    """
    if not event.is_public or event.action not in FIRST_RESPONSE_ACTIONS:
        return False
    if complaint.status == CaseStatus.SUBMITTED:
        return False  # before acceptance nothing counts
    noted = Complaint.objects.filter(pk=complaint.pk, first_responded_at__isnull=True).update(
        first_responded_at=event.timestamp
    )
    if noted:
        complaint.first_responded_at = event.timestamp
    return bool(noted)


def clock_reading(complaint: Complaint, now: dt.datetime | None = None) -> dt.datetime:
    """The moment the case's clock shows: stopped while it waits on the complainant."""
    now = now or timezone.now()
    paused_at = complaint.awaiting_complainant_since
    return min(now, paused_at) if paused_at is not None else now


def time_left_share(
    complaint: Complaint,
    now: dt.datetime | None = None,
    *,
    overrides: calendar.Overrides | None = None,
    due: dt.datetime | None = None,
) -> float | None:
    """The share of the working time to resolve (or, given ``due``, to that deadline, e.g.
    the first response's) still left (negative once overdue).

    None when the case has no due date or no working time between submission and due date.
    The clock is read through `clock_reading`, so a paused case keeps its share. The sweep
    passes ``overrides`` loaded once for many cases.
    """
    due = due or complaint.resolve_due_at
    if due is None:
        return None
    moment = clock_reading(complaint, now)
    if overrides is None:
        overrides = calendar.load_overrides(
            min(complaint.created_at, moment).astimezone(calendar.TIMEZONE).date()
        )
    total = calendar.working_hours_between(complaint.created_at, due, overrides=overrides)
    if total <= 0:
        return None
    return calendar.working_hours_between(moment, due, overrides=overrides) / total


def sla_state(complaint: Complaint, now: dt.datetime | None = None) -> SlaState:
    """Green, amber (under 25% of the working time to resolve left) or red (overdue).

    The time to resolve runs in working hours from submission to ``resolve_due_at``; while the
    case waits on the complainant the clock stands still at ``awaiting_complainant_since``. A
    case without a due date, or already resolved, rejected, closed, merged or
    transferred, is green.
    """
    due = complaint.resolve_due_at
    if due is None or complaint.status in FINISHED:
        return "green"
    if clock_reading(complaint, now) > due:
        return "red"
    share = time_left_share(complaint, now)
    if share is not None and share < AMBER_SHARE:
        return "amber"
    return "green"
