"""What the regulator learns from a company's own quality loop: per estate (and the company
running it) and period, the company's own patrol score beside the regulator's inspection score
and the owners' score, the gap between them, patrols done against plan and internal findings
closed on time.

- self: the mean score of the company's patrols of the estate completed in the period;
- inspection: the mean score of the regulator's inspections of the estate and company
  completed in the period;
- owners: ``owners_score`` (the one reading of what owners think): the mean of the owners'
  committee's evaluations whose period begins in the period (each the mean of its six
  dimensions) and the owners' satisfaction surveys closed in the period that count (response
  rate at or above the minimum; each its score of 100, ``enterprises.survey_results``);
- gap = self − mean(the others available), to one decimal; None when self or both others are
  missing. A company rating itself far above what inspectors and owners find is a risk signal
  (``cases.draws.risk_weight`` weighs it in the random draw).
- patrols done against plan: patrols completed in the period against the patrols planned in
  the plans whose period begins in it; findings closed on time: tasks raised in the period
  closed by their re-check on or before their deadline.
All figures of a list are read with a fixed number of queries, however many estates.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from cases.models import (
    Inspection,
    InspectionStatus,
    Patrol,
    PatrolPlan,
    PatrolStatus,
    QualityTask,
    TaskStatus,
)
from enterprises.evaluations import PERIOD_PATTERN, check_period, period_start
from enterprises.models import Estate, Evaluation, Survey, SurveyKind, SurveyStatus
from enterprises.models.evaluations import DIMENSIONS, EvaluatorKind

ONE_DECIMAL = Decimal("0.1")
_PART_MONTHS = {None: 12, "H1": 6, "H2": 6, "Q1": 3, "Q2": 3, "Q3": 3, "Q4": 3}


def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """The first day of ``period`` (2026, 2026-H1, 2026-Q3) and the day after its last;
    raises ValidationError for something that is not a period."""
    period = check_period(period)
    start = period_start(period)
    months = start.month - 1 + _PART_MONTHS[PERIOD_PATTERN.match(period)["part"]]
    return start, datetime.date(start.year + months // 12, months % 12 + 1, 1)


def current_quarter(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def gap(self_score: Decimal | None, others: list[Decimal | None]) -> Decimal | None:
    """self − mean of the other scores available; None without self or any other."""
    available = [Decimal(score) for score in others if score is not None]
    if self_score is None or not available:
        return None
    return _one_decimal(Decimal(self_score) - sum(available) / len(available))


def owners_scores(estate_ids, start: datetime.date, end: datetime.date) -> dict[int, Decimal]:
    """Per estate, what its owners score the service in [start, end): the mean of the owners'
    committee's evaluations of periods beginning then and of the satisfaction surveys that
    closed then and count. The one place the owners' reading is taken."""
    estate_ids = list(estate_ids)
    sums: dict[int, list] = defaultdict(lambda: [Decimal(0), 0])
    rows = Evaluation.objects.filter(
        estate_id__in=estate_ids, evaluator_kind=EvaluatorKind.OWNERS_COMMITTEE
    ).values_list("estate_id", "period", *DIMENSIONS)
    for estate_id, period, *scores in rows:
        if PERIOD_PATTERN.match(period) and start <= period_start(period) < end:
            sums[estate_id][0] += Decimal(sum(scores)) / len(DIMENSIONS)
            sums[estate_id][1] += 1
    surveys = Survey.objects.filter(
        estate_id__in=estate_ids,
        kind=SurveyKind.SATISFACTION,
        status=SurveyStatus.CLOSED,
        counts=True,
        closes_on__gte=start,
        closes_on__lt=end,
    ).values_list("estate_id", "results")
    for estate_id, results in surveys:
        if (results or {}).get("score") is not None:
            sums[estate_id][0] += Decimal(results["score"])
            sums[estate_id][1] += 1
    return {pk: _one_decimal(total / count) for pk, (total, count) in sums.items()}


def owners_score(estate: Estate, start: datetime.date, end: datetime.date) -> Decimal | None:
    return owners_scores([estate.pk], start, end).get(estate.pk)


@dataclass(frozen=True)
class QualityGap:
    estate: Estate
    self_score: Decimal | None
    inspection_score: Decimal | None
    owners_score: Decimal | None
    gap: Decimal | None
    patrols_done: int
    patrols_planned: int
    findings: int
    findings_closed_on_time: int

    @property
    def company(self):
        return self.estate.managing_company


def _in_period(field: str, start: datetime.date, end: datetime.date) -> Q:
    zone = timezone.get_current_timezone()
    return Q(
        **{
            f"{field}__gte": datetime.datetime.combine(start, datetime.time(), tzinfo=zone),
            f"{field}__lt": datetime.datetime.combine(end, datetime.time(), tzinfo=zone),
        }
    )


def _by_estate(queryset: QuerySet, **aggregates) -> dict[int, dict]:
    rows = queryset.values("estate_id").annotate(**aggregates).order_by()
    return {row.pop("estate_id"): row for row in rows}


def quality_gaps(
    estates: QuerySet[Estate], start: datetime.date, end: datetime.date
) -> list[QualityGap]:
    """One row per estate of ``estates`` (for the company now running it), in six queries."""
    estates = list(estates.select_related("managing_company").order_by("name", "pk"))
    ids = [estate.pk for estate in estates]
    # Each figure is about the estate and the company running it now.
    current = Q(estate_id__in=ids, company_id=F("estate__managing_company_id"))
    patrols = _by_estate(
        Patrol.objects.filter(current, _in_period("completed_at", start, end)).filter(
            status=PatrolStatus.COMPLETED
        ),
        mean=Avg("score"),
        done=Count("pk"),
    )
    inspections = _by_estate(
        Inspection.objects.filter(current, _in_period("completed_at", start, end)).filter(
            status=InspectionStatus.COMPLETED, score__isnull=False
        ),
        mean=Avg("score"),
    )
    planned = defaultdict(int)
    for estate_id, period, count in PatrolPlan.objects.filter(current).values_list(
        "estate_id", "period", "planned_count"
    ):
        if start <= period_start(period) < end:
            planned[estate_id] += count
    closed_on_time = Q(status=TaskStatus.CLOSED, closed_at__date__lte=F("deadline"))
    tasks = _by_estate(
        QualityTask.objects.filter(current, _in_period("raised_at", start, end)),
        total=Count("pk"),
        on_time=Count("pk", filter=closed_on_time),
    )
    owners = owners_scores(ids, start, end)
    rows = []
    for estate in estates:
        self_score = _one_decimal(patrols.get(estate.pk, {}).get("mean"))
        inspection_score = _one_decimal(inspections.get(estate.pk, {}).get("mean"))
        owners_reading = owners.get(estate.pk)
        rows.append(
            QualityGap(
                estate=estate,
                self_score=self_score,
                inspection_score=inspection_score,
                owners_score=owners_reading,
                gap=gap(self_score, [inspection_score, owners_reading]),
                patrols_done=patrols.get(estate.pk, {}).get("done", 0),
                patrols_planned=planned.get(estate.pk, 0),
                findings=tasks.get(estate.pk, {}).get("total", 0),
                findings_closed_on_time=tasks.get(estate.pk, {}).get("on_time", 0),
            )
        )
    return rows


def with_self_inspection(estates: QuerySet[Estate], start, end) -> QuerySet[Estate]:
    """The estates of ``estates`` with a patrol or a plan in the period (the dashboard's)."""
    patrolled = Patrol.objects.filter(_in_period("completed_at", start, end)).values("estate_id")
    return estates.filter(
        Q(pk__in=patrolled) | Q(pk__in=PatrolPlan.objects.values("estate_id"))
    ).distinct()


def gap_by_target(target_kind: str, ids: list[int], start, end) -> dict[int, Decimal]:
    """The gaps the random draw weighs: per estate, or per company the mean of its estates'
    gaps (those with one)."""
    if target_kind == "estate":
        rows = quality_gaps(Estate.objects.filter(pk__in=ids), start, end)
        return {row.estate.pk: row.gap for row in rows if row.gap is not None}
    rows = quality_gaps(Estate.objects.filter(managing_company_id__in=ids), start, end)
    per_company: dict[int, list[Decimal]] = defaultdict(list)
    for row in rows:
        if row.gap is not None:
            per_company[row.estate.managing_company_id].append(row.gap)
    return {pk: _one_decimal(sum(gaps) / len(gaps)) for pk, gaps in per_company.items()}


def totals(rows: list[QualityGap]) -> dict[str, int]:
    return {
        "patrols_done": sum(row.patrols_done for row in rows),
        "patrols_planned": sum(row.patrols_planned for row in rows),
        "findings": sum(row.findings for row in rows),
        "findings_closed_on_time": sum(row.findings_closed_on_time for row in rows),
    }
