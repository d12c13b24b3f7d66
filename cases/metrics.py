"""The figures officials are judged by, defined once here (dashboards, reports and the API use
these functions, never their own arithmetic).

Over the complaints *submitted* in a period (and visible to the asker), leaving out the
complaints merged into another case: a duplicate is counted once, through its primary, in
every figure below.

- handled: accepted for handling, i.e. not still waiting for intake, not rejected and not
  transferred to another agency (转办: out of remit, counted apart as ``transferred``);
- resolution rate (办结率) = resolved ÷ handled, where resolved means the case reached
  "resolved" at least once (later follow-up, closure or a reopening keep it counted);
- on-time rate (按时办结率) = resolved by the due date ÷ (resolved + open cases already past
  their due date): an open case that is overdue counts as late already, an open case still
  within its time is not judged yet;
- on-time intake rate (按时受理率) = accepted or rejected by the intake due date ÷ (decided +
  complaints still waiting for intake past that date);
- first-response on-time rate (按时响应率) = first responses (``cases.sla.FIRST_RESPONSE_ACTIONS``)
  by the first-response due date ÷ (first responses + handled cases still without one past
  that date);
- satisfaction rate (满意率) = (satisfied + basically satisfied) ÷ answered follow-ups;
- reopen rate (重办率) = resolved cases reopened at least once ÷ resolved cases;
- repeat complaints: estates with two or more complaints in the period;
- returns per unit (退单): the returns of those complaints by each receiving unit, and how
  many an official upheld, overruled or has still to rule on.
- transferred: sent to another agency as outside the regulator's remit (转办), in no rate.

A rate with nothing to divide by is None (shown as "—"), never 0 %.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import CaseEvent, CaseStatus, Complaint, ReturnRuling, RulingStatus, Satisfaction
from foundation.names import display_name

RESOLVED = "cases.complaint.resolved"
# A transfer straight from intake decides the intake too.
INTAKE_DECIDED = (
    "cases.complaint.accepted",
    "cases.complaint.rejected",
    "cases.complaint.transferred",
)
REOPENED = "cases.complaint.reopened"
NOT_HANDLED = (CaseStatus.SUBMITTED, CaseStatus.REJECTED, CaseStatus.TRANSFERRED)


@dataclass(frozen=True)
class Figures:
    submitted: int
    handled: int
    resolved: int
    resolved_on_time: int
    open_overdue: int
    answered: int
    satisfied: int
    reopened: int
    intake_decided: int = 0
    intake_on_time: int = 0
    intake_overdue: int = 0
    responded: int = 0
    responded_on_time: int = 0
    response_overdue: int = 0
    transferred: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved, self.handled)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.resolved_on_time, self.resolved + self.open_overdue)

    @property
    def intake_on_time_rate(self) -> float | None:
        return self._rate(self.intake_on_time, self.intake_decided + self.intake_overdue)

    @property
    def first_response_on_time_rate(self) -> float | None:
        return self._rate(self.responded_on_time, self.responded + self.response_overdue)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.answered)

    @property
    def reopen_rate(self) -> float | None:
        return self._rate(self.reopened, self.resolved)


def in_period(complaints: QuerySet[Complaint], start: dt.datetime, end: dt.datetime):
    """Complaints submitted in [start, end)."""
    return complaints.filter(created_at__gte=start, created_at__lt=end)


def counted(complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The complaints the figures count: not the duplicates merged into a primary case."""
    return complaints.exclude(status=CaseStatus.MERGED)


def figures(complaints: QuerySet[Complaint], now: dt.datetime | None = None) -> Figures:
    """All the figures over ``complaints`` in one query."""
    now = now or timezone.now()
    annotated = counted(complaints).annotate(
        first_resolved_at=Min("events__timestamp", filter=Q(events__action=RESOLVED)),
        first_decided_at=Min("events__timestamp", filter=Q(events__action__in=INTAKE_DECIDED)),
        was_reopened=Exists(CaseEvent.objects.filter(complaint=OuterRef("pk"), action=REOPENED)),
    )
    # A reopened case transferred out of remit counts as transferred, not as resolved.
    resolved = Q(first_resolved_at__isnull=False) & ~Q(status=CaseStatus.TRANSFERRED)
    totals = annotated.aggregate(
        submitted=Count("pk"),
        handled=Count("pk", filter=~Q(status__in=NOT_HANDLED)),
        resolved=Count("pk", filter=resolved),
        resolved_on_time=Count(
            "pk", filter=resolved & Q(first_resolved_at__lte=F("resolve_due_at"))
        ),
        open_overdue=Count(
            "pk",
            filter=~Q(status__in=NOT_HANDLED)
            & Q(first_resolved_at__isnull=True)
            & Q(resolve_due_at__lt=now),
        ),
        answered=Count("pk", filter=~Q(satisfaction="")),
        satisfied=Count(
            "pk", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])
        ),
        reopened=Count("pk", filter=resolved & Q(was_reopened=True)),
        intake_decided=Count("pk", filter=Q(first_decided_at__isnull=False)),
        intake_on_time=Count(
            "pk",
            filter=Q(first_decided_at__isnull=False) & Q(first_decided_at__lte=F("accept_due_at")),
        ),
        intake_overdue=Count(
            "pk", filter=Q(status=CaseStatus.SUBMITTED) & Q(accept_due_at__lt=now)
        ),
        responded=Count("pk", filter=Q(first_responded_at__isnull=False)),
        responded_on_time=Count(
            "pk",
            filter=Q(first_responded_at__isnull=False)
            & Q(first_responded_at__lte=F("respond_due_at")),
        ),
        response_overdue=Count(
            "pk",
            filter=~Q(status__in=NOT_HANDLED)
            & Q(first_responded_at__isnull=True)
            & Q(respond_due_at__lt=now),
        ),
        transferred=Count("pk", filter=Q(status=CaseStatus.TRANSFERRED)),
    )
    return Figures(**totals)


def repeat_complaints_by_estate(complaints: QuerySet[Complaint], minimum: int = 2):
    """Estates with at least ``minimum`` complaints, most first: (estate id, name, count)."""
    return list(
        counted(complaints)
        .filter(estate__isnull=False)
        .values("estate_id", "estate__name")
        .annotate(complaints=Count("pk"))
        .filter(complaints__gte=minimum)
        .order_by("-complaints", "estate__name")
        .values_list("estate_id", "estate__name", "complaints")
    )


@dataclass(frozen=True)
class UnitReturns:
    """Returns (退单) by one receiving unit and how officials ruled on them."""

    unit: str
    returns: int
    upheld: int
    overruled: int
    pending: int
    lapsed: int = 0  # the case ended (merged, transferred...) before anyone ruled

    @property
    def overruled_rate(self) -> float | None:
        """Overruled ÷ ruled: how often the unit returned a case that was its own."""
        ruled = self.upheld + self.overruled
        return self.overruled / ruled if ruled else None


def returns_by_unit(complaints: QuerySet[Complaint], limit: int = 20) -> list[UnitReturns]:
    """Returns and rulings per unit (company, or inspector by name) over the returns of
    ``complaints`` (counted ones), most returns first, in one query."""
    rows = (
        ReturnRuling.objects.filter(complaint__in=counted(complaints))
        .values(
            "dispatch__company__name",
            "dispatch__inspector__username",
            "dispatch__inspector__first_name",
            "dispatch__inspector__last_name",
        )
        .annotate(
            returns=Count("pk"),
            upheld=Count("pk", filter=Q(status=RulingStatus.UPHELD)),
            overruled=Count("pk", filter=Q(status=RulingStatus.OVERRULED)),
            pending=Count("pk", filter=Q(status=RulingStatus.PENDING)),
            lapsed=Count("pk", filter=Q(status=RulingStatus.LAPSED)),
        )
        .order_by("-returns", "dispatch__company__name", "dispatch__inspector__username")[:limit]
    )
    return [
        UnitReturns(
            unit=row["dispatch__company__name"] or _inspector_name(row),
            returns=row["returns"],
            upheld=row["upheld"],
            overruled=row["overruled"],
            pending=row["pending"],
            lapsed=row["lapsed"],
        )
        for row in rows
    ]


def _inspector_name(row: dict) -> str:
    inspector = get_user_model()(
        username=row["dispatch__inspector__username"] or "",
        first_name=row["dispatch__inspector__first_name"] or "",
        last_name=row["dispatch__inspector__last_name"] or "",
    )
    return display_name(inspector)
