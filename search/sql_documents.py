"""The rebuild's bulk lines written by PostgreSQL itself (issue 23).

Reading a million rows into Python dicts and building documents from them cost about 26 s of
the node's two cores; PostgreSQL builds the same JSON in C while it reads the rows, and the
rebuild only joins the lines into a bulk body. Each row gives its action line and its document
(``search.documents.complaint_document``, field for field: the test
``tests/search/test_sql_documents.py`` compares the two on varied complaints), so any change
to the document is made in both places.

Timestamps are written as Python's ``isoformat`` writes them in UTC (no fraction when the
microseconds are zero), the month in the city's zone, and the version as
``int(updated_at.timestamp() * 1_000_000)`` computes it (in floating point, as Python does).
"""

from django.conf import settings
from django.db import connection

from cases.models import Complaint


def _iso(column: str) -> str:
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE"
        f" to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN ''"
        f" ELSE '.' || to_char({utc}, 'US') END"
        " || '+00:00' END"
    )


def _sql() -> str:
    complaint = Complaint._meta
    district = complaint.get_field("district").related_model._meta.db_table
    company = complaint.get_field("company").related_model._meta.db_table
    return f"""
        SELECT c.id,
          json_build_object('index', json_build_object(
              '_index', %(index)s, '_id', c.id::text,
              'version', v.version, 'version_type', 'external_gte'))::text
          || E'\\n' ||
          json_build_object(
            'complaint_id', c.id,
            'tracking_number', c.tracking_number,
            'status', c.status,
            'satisfaction', NULLIF(c.satisfaction, ''),
            'category', c.category,
            'tier', c.tier,
            'channel', c.channel,
            'district_id', c.district_id::text,
            'district', d.name,
            'company_id', c.company_id::text,
            'company', co.name,
            'dispatched_company_id', c.dispatched_company_id::text,
            'assigned_inspector_id', c.assigned_inspector_id::text,
            'estate_id', c.estate_id::text,
            'estate_name', c.estate_name,
            'description', c.description,
            'created_at', {_iso("c.created_at")},
            'month', to_char(c.created_at AT TIME ZONE %(zone)s, 'YYYY-MM'),
            'resolve_due_at', {_iso("c.resolve_due_at")},
            'updated_at', {_iso("c.updated_at")},
            'indexed_at', %(indexed_at)s,
            'version', v.version
          )::text
        FROM {complaint.db_table} c
        LEFT JOIN {district} d ON d.id = c.district_id
        LEFT JOIN {company} co ON co.id = c.company_id
        CROSS JOIN LATERAL (
          SELECT trunc(extract(epoch FROM c.updated_at)::float8 * 1000000)::bigint AS version
        ) v
        WHERE c.id > %(after)s
        ORDER BY c.id
        LIMIT %(limit)s
    """


def bulk_lines(index: str, after: int, limit: int, indexed_at: str) -> list[tuple[int, str]]:
    """(id, action line + newline + document) for up to ``limit`` complaints past ``after``,
    in primary-key order: a keyset page of the rebuild."""
    params = {
        "index": index,
        "after": after,
        "limit": limit,
        "indexed_at": indexed_at,
        "zone": settings.TIME_ZONE,
    }
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        return cursor.fetchall()


def available() -> bool:
    return connection.vendor == "postgresql"
