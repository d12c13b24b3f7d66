"""The officials' breakdowns of complaints (统计): over time and by category, tier, district,
company, estate and channel; status counts, open cases overdue now, satisfaction answers and estates
with repeat complaints.

Counted from Elasticsearch when it is configured and from the database otherwise, with the
same definitions, so both give the same numbers (tested): complaints *submitted* in the period
and visible to the asker, duplicates merged into another case left out (as in
``cases.metrics``, whose rates complete these counts and are computed from the database alone,
since they follow each case's timeline).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from elasticsearch import ApiError

from cases.models import CaseStatus, Complaint
from cases.permissions import scope_for, visible_complaints
from search import engine
from search.queries import CONNECTION_ERRORS, scope_filter, unavailable

logger = logging.getLogger(__name__)

INTERVALS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
BREAKDOWNS = {  # name: (index field, database field, buckets shown)
    "category": ("category", "category", 20),
    "tier": ("tier", "tier", 10),
    "status": ("status", "status", 20),
    "district": ("district_id", "district_id", 50),
    "company": ("company_id", "company_id", 10),
    "estate": ("estate_id", "estate_id", 10),
    "satisfaction": ("satisfaction", "satisfaction", 5),
    "channel": ("channel", "channel", 15),  # how complaints came in (受理渠道)
}


@dataclass(frozen=True)
class StatisticsRequest:
    start: dt.datetime  # inclusive
    end: dt.datetime  # exclusive
    interval: str = "month"
    district_id: int | None = None


@dataclass
class Statistics:
    backend: str
    total: int = 0
    over_time: list[tuple[str, int]] = field(default_factory=list)
    breakdowns: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    overdue_now: int = 0
    repeat_estates: list[tuple[str, int]] = field(default_factory=list)


def complaint_statistics(user, request: StatisticsRequest, *, now=None) -> Statistics:
    """The breakdowns ``user`` may see; ``user`` None is the system (the monthly report),
    which counts the whole city."""
    now = now or timezone.now()
    if user is not None and scope_for(user).nothing:
        return Statistics(backend="none")
    if engine.search_enabled():
        try:
            return _from_elasticsearch(user, request, now)
        except (*CONNECTION_ERRORS, ApiError) as exc:
            # The node down or the index not built yet: the database counts the same things
            # (the public statistics page and the monthly report must not fail for it).
            if not unavailable(exc):
                raise
            logger.warning("statistics: Elasticsearch unavailable, database answers: %s", exc)
    return _from_database(user, request, now)


# Elasticsearch ----------------------------------------------------------------------------


def _filters(user, request: StatisticsRequest) -> list[dict]:
    filters = [
        {"range": {"created_at": {"gte": request.start.isoformat(), "lt": request.end.isoformat()}}}
    ]
    scope = scope_filter(scope_for(user)) if user is not None else None
    if scope:
        filters.append(scope)
    if request.district_id:
        filters.append({"term": {"district_id": str(request.district_id)}})
    return filters


def _from_elasticsearch(user, request: StatisticsRequest, now) -> Statistics:
    aggs = {
        "over_time": {
            "date_histogram": {
                "field": "created_at",
                "calendar_interval": request.interval,
                "time_zone": timezone.get_default_timezone_name(),
                "format": "yyyy-MM-dd",
                "min_doc_count": 1,  # as the database groups: only periods with complaints
            }
        },
        "overdue_now": {
            "filter": {
                "bool": {
                    "filter": [
                        {"terms": {"status": sorted(CaseStatus.OPEN_STATES)}},
                        {"range": {"resolve_due_at": {"lt": now.isoformat()}}},
                    ]
                }
            }
        },
        "repeat": {"terms": {"field": "estate_id", "min_doc_count": 2, "size": 20}},
    }
    for name, (index_field, _db, size) in BREAKDOWNS.items():
        aggs[name] = {"terms": {"field": index_field, "size": size}}
    body = {
        "size": 0,
        "track_total_hits": True,
        "query": {
            "bool": {
                "filter": _filters(user, request),
                "must_not": [{"term": {"status": CaseStatus.MERGED}}],
            }
        },
        "aggs": aggs,
    }
    response = engine.get_client().search(index=engine.complaint_alias(), **body)
    result = response["aggregations"]
    buckets = lambda agg: [(str(b["key"]), b["doc_count"]) for b in agg["buckets"]]  # noqa: E731
    return Statistics(
        backend="elasticsearch",
        total=response["hits"]["total"]["value"],
        over_time=[(b["key_as_string"], b["doc_count"]) for b in result["over_time"]["buckets"]],
        breakdowns={name: buckets(result[name]) for name in BREAKDOWNS},
        overdue_now=result["overdue_now"]["doc_count"],
        repeat_estates=buckets(result["repeat"]),
    )


# Database ---------------------------------------------------------------------------------


def _from_database(user, request: StatisticsRequest, now) -> Statistics:
    everyone = Complaint.objects.all() if user is None else visible_complaints(user)
    complaints = everyone.filter(created_at__gte=request.start, created_at__lt=request.end)
    complaints = complaints.exclude(status=CaseStatus.MERGED)
    if request.district_id:
        complaints = complaints.filter(district_id=request.district_id)
    trunc = INTERVALS[request.interval]("created_at", tzinfo=timezone.get_default_timezone())
    over_time = [
        (f"{row['bucket']:%Y-%m-%d}", row["n"])
        for row in complaints.annotate(bucket=trunc)
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket")
    ]
    breakdowns = {}
    for name, (_index, column, size) in BREAKDOWNS.items():
        empty = Q(**{f"{column}__isnull": True})
        if not column.endswith("_id"):
            empty |= Q(**{column: ""})  # a choice not given yet (no satisfaction answer)
        rows = (
            complaints.exclude(empty)
            .values(column)
            .annotate(n=Count("pk"))
            .order_by("-n", column)[:size]
        )
        breakdowns[name] = [(str(row[column]), row["n"]) for row in rows]
    repeat = (
        complaints.exclude(estate_id__isnull=True)
        .values("estate_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "estate_id")[:20]
    )
    return Statistics(
        backend="database",
        total=complaints.count(),
        over_time=over_time,
        breakdowns=breakdowns,
        overdue_now=complaints.filter(
            status__in=CaseStatus.OPEN_STATES, resolve_due_at__lt=now
        ).count(),
        repeat_estates=[(str(row["estate_id"]), row["n"]) for row in repeat],
    )
