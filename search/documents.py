"""What a complaint looks like in Elasticsearch.

Personal data (the complainant's name, phone, e-mail, building and room) is never indexed:
only what every staff member who may find the complaint may also read. Every facet is a
keyword field; ``complaint_id`` is the tie-breaker that makes ``search_after`` paging stable.

Text fields use the analyzer ``search.analysis`` picks: ``standard`` on every node (it splits
Chinese into single characters, so Chinese words are matched as phrases), or a Chinese word
segmenter (our ``portal_smartcn`` plugin, ``smartcn``, ``ik_max_word``) where the node has one.
"""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from cases.models import Complaint
from search.analysis import STANDARD, TEXT_ANALYZER, text_analyzer


def complaint_index_body(analyzer: str | None = None) -> dict:
    """The index's settings and mapping; ``analyzer`` (a type) defaults to the node's pick."""
    analyzer = analyzer or text_analyzer()
    index_settings = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}
    if analyzer == STANDARD:
        text = {"type": "text", "analyzer": STANDARD}
    else:
        # Segmentation depends on the context (水泵房 alone is 水泵|房, in 水泵房漏水 it is
        # 水|泵房), so the characters are kept too: a query also matches them side by side.
        chars = {"type": "text", "analyzer": STANDARD}
        text = {"type": "text", "analyzer": TEXT_ANALYZER, "fields": {"chars": chars}}
        index_settings["analysis"] = {"analyzer": {TEXT_ANALYZER: {"type": analyzer}}}
    keyword = {"type": "keyword"}
    return {
        "settings": index_settings,
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "complaint_id": {"type": "long"},
                "tracking_number": keyword,
                "status": keyword,
                "satisfaction": keyword,
                "category": keyword,
                "tier": keyword,
                # How it came in (受理渠道); added later, so an older index gains it by
                # ``engine.add_missing_fields`` and its documents by a rebuild.
                "channel": keyword,
                "district_id": keyword,
                "district": keyword,
                "company_id": keyword,
                "company": keyword,
                "dispatched_company_id": keyword,
                "assigned_inspector_id": keyword,
                "estate_id": keyword,
                "estate_name": {**text, "fields": {**text.get("fields", {}), "raw": keyword}},
                "description": text,
                "created_at": {"type": "date"},
                # Month of submission in the city's time zone ("2026-11"): the month facet.
                "month": keyword,
                "resolve_due_at": {"type": "date"},
                "updated_at": {"type": "date"},
                # When this document was written: the index's freshness on the search screen.
                "indexed_at": {"type": "date"},
                # The row's updated_at in microseconds: a drift check compares it with the DB.
                "version": {"type": "long"},
            },
        },
    }


# Columns read for indexing: plain values, not model instances, since building 500 models
# (with their district and company) per batch cost more than the bulk request itself.
ROW_FIELDS = (
    "id",
    "tracking_number",
    "status",
    "satisfaction",
    "category",
    "tier",
    "channel",
    "district_id",
    "district__name",
    "company_id",
    "company__name",
    "dispatched_company_id",
    "assigned_inspector_id",
    "estate_id",
    "estate_name",
    "description",
    "created_at",
    "resolve_due_at",
    "updated_at",
)


def complaint_rows(ids):
    """The rows to index for these ids, as dicts keyed by ``ROW_FIELDS``."""
    return Complaint.objects.filter(pk__in=ids).values(*ROW_FIELDS)


def complaint_document(row: dict, indexed_at: str | None = None) -> dict:
    """The document for one row of ``complaint_rows``; ``indexed_at`` (ISO time) defaults to
    now, and is passed in by bulk writers so a batch shares one clock reading."""
    due = row["resolve_due_at"]
    return {
        "complaint_id": row["id"],
        "tracking_number": row["tracking_number"],
        "status": row["status"],
        "satisfaction": row["satisfaction"] or None,
        "category": row["category"],
        "tier": row["tier"],
        "channel": row["channel"],
        "district_id": _id(row["district_id"]),
        "district": row["district__name"],
        "company_id": _id(row["company_id"]),
        "company": row["company__name"],
        "dispatched_company_id": _id(row["dispatched_company_id"]),
        "assigned_inspector_id": _id(row["assigned_inspector_id"]),
        "estate_id": _id(row["estate_id"]),
        "estate_name": row["estate_name"],
        "description": row["description"],
        "created_at": row["created_at"].isoformat(),
        "month": month_of(row["created_at"]),
        "resolve_due_at": due.isoformat() if due else None,
        "updated_at": row["updated_at"].isoformat(),
        "indexed_at": indexed_at or timezone.now().isoformat(),
        "version": document_version(row["updated_at"]),
    }


def month_of(moment: datetime) -> str:
    """The month facet's value: the calendar month in the city's time zone, as "2026-11".
    The zone is looked up once: ``timezone.localtime`` per row was half of the time spent
    building a million documents."""
    return f"{moment.astimezone(_city_zone()):%Y-%m}"


@cache
def _city_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def document_version(updated_at) -> int:
    """The row's ``updated_at`` in microseconds: a drift check compares it with the index."""
    return int(updated_at.timestamp() * 1_000_000)


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)
