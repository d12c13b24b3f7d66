"""Similar complaints (相似投诉) on a case: likely duplicates to merge.

Elasticsearch's ``more_like_this`` over the description, limited to the same estate (or the
same typed estate name) and the months around the complaint, inside the viewer's scope. The
database fallback ranks the same candidates by shared two-character pieces of text.
"""

import datetime as dt

from django.db.models import Q
from elasticsearch import ApiError

from cases.models import CaseStatus, Complaint
from cases.permissions import can_see_personal_data, scope_for, visible_complaints
from search import engine
from search.queries import (
    CONNECTION_ERRORS,
    Hit,
    hit_from_elasticsearch,
    masked,
    scope_filter,
    unavailable,
)

WINDOW = dt.timedelta(days=90)
CANDIDATES = 200


def similar_complaints(user, complaint: Complaint, *, limit: int = 5) -> list[Hit]:
    """Up to ``limit`` complaints like this one that ``user`` may see, best first, masked as
    search results are for staff without the personal-data permission."""
    if scope_for(user).nothing:
        return []
    hits = _similar(user, complaint, limit)
    if can_see_personal_data(user):
        return hits
    return [masked(hit, []) for hit in hits]


def _similar(user, complaint: Complaint, limit: int) -> list[Hit]:
    if engine.search_enabled():
        try:
            return _similar_elasticsearch(user, complaint, limit)
        except (*CONNECTION_ERRORS, ApiError) as exc:
            if not unavailable(exc):
                raise  # the database answers: the case page must not fail with the index
    return _similar_database(user, complaint, limit)


def _window(complaint: Complaint) -> tuple[dt.datetime, dt.datetime]:
    return complaint.created_at - WINDOW, complaint.created_at + WINDOW


def _similar_elasticsearch(user, complaint: Complaint, limit: int) -> list[Hit]:
    start, end = _window(complaint)
    same_place = (
        {"term": {"estate_id": str(complaint.estate_id)}}
        if complaint.estate_id
        else {"term": {"estate_name.raw": complaint.estate_name}}
    )
    filters = [
        same_place,
        {"range": {"created_at": {"gte": start.isoformat(), "lte": end.isoformat()}}},
    ]
    scope = scope_filter(scope_for(user))
    if scope:
        filters.append(scope)
    body = {
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["description"],
                            "like": complaint.description,
                            "min_term_freq": 1,
                            "min_doc_freq": 1,
                            "max_query_terms": 40,
                            "minimum_should_match": "30%",
                        }
                    }
                ],
                "filter": filters,
                "must_not": [
                    {"ids": {"values": [str(complaint.pk)]}},
                    {"term": {"status": CaseStatus.MERGED}},
                ],
            }
        },
        "size": limit,
        "_source": [
            "tracking_number",
            "status",
            "category",
            "tier",
            "district",
            "estate_name",
            "created_at",
            "resolve_due_at",
            "description",
        ],
    }
    response = engine.get_client().search(index=engine.complaint_alias(), **body)
    return [hit_from_elasticsearch(raw) for raw in response["hits"]["hits"]]


def pieces(text: str) -> set[str]:
    """Two-character pieces of the text without spaces: a rough, language-blind likeness."""
    squeezed = "".join(text.lower().split())
    return {squeezed[i : i + 2] for i in range(len(squeezed) - 1)}


def _similar_database(user, complaint: Complaint, limit: int) -> list[Hit]:
    from search.fallback import hit_from_row

    start, end = _window(complaint)
    same_place = (
        Q(estate_id=complaint.estate_id)
        if complaint.estate_id
        else Q(estate_name=complaint.estate_name)
    )
    candidates = (
        visible_complaints(user)
        .filter(same_place, created_at__gte=start, created_at__lte=end)
        .exclude(pk=complaint.pk)
        .exclude(status=CaseStatus.MERGED)
        .select_related("district")
        .order_by("-created_at")[:CANDIDATES]
    )
    mine = pieces(complaint.description)
    scored = []
    for other in candidates:
        theirs = pieces(other.description)
        shared = len(mine & theirs) / max(len(mine | theirs), 1)
        if shared >= 0.15:
            scored.append((shared, other))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [hit_from_row(other, [], ()) for _score, other in scored[:limit]]
