"""Staff complaint search: one entry point, Elasticsearch or the database fallback.

The permission scope from ``cases.permissions`` is applied inside the query on both paths,
so a user never receives a hit they may not see, and counts are theirs alone.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import CaseStatus, Category, Complaint
from cases.permissions import ComplaintScope, scope_for, visible_complaints
from search import engine

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TRACKING_NUMBER = re.compile(r"^WY\d{8}[0-9A-Z]{6}$")
SNIPPET_CHARS = 120


@dataclass(frozen=True)
class Hit:
    complaint_id: int
    tracking_number: str
    status: str
    category: str
    district: str
    estate_name: str
    created_at: datetime
    snippet: SafeString

    @property
    def status_label(self) -> str:
        return CaseStatus(self.status).label

    @property
    def category_label(self) -> str:
        return Category(self.category).label


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    backend: str

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def search_complaints(user, query: str, *, page: int = 1, per_page: int = 20) -> SearchResults:
    query = " ".join(query.split())[:200]
    page = max(page, 1)
    scope = scope_for(user)
    backend = "elasticsearch" if engine.search_enabled() else "database"
    if scope.nothing:
        return SearchResults(query, [], 0, page, per_page, backend)
    if backend == "elasticsearch":
        hits, total = _search_elasticsearch(scope, query, page, per_page)
    else:
        hits, total = _search_database(user, query, page, per_page)
    return SearchResults(query, hits, total, page, per_page, backend)


# Elasticsearch ----------------------------------------------------------------------------


def scope_filter(scope: ComplaintScope) -> dict | None:
    """The scope as an Elasticsearch filter; None when the user may see everything."""
    if scope.everything:
        return None
    should: list[dict] = []
    if scope.district_ids:
        should.append({"terms": {"district_id": sorted(map(str, scope.district_ids))}})
    if scope.company_ids:
        should.append({"terms": {"dispatched_company_id": sorted(map(str, scope.company_ids))}})
    if scope.estate_ids:
        should.append({"terms": {"estate_id": sorted(map(str, scope.estate_ids))}})
    if scope.complaint_ids:
        should.append({"ids": {"values": sorted(map(str, scope.complaint_ids))}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def text_query(query: str) -> dict:
    """Plain words, all required. Chinese words are matched as phrases because the node's
    standard analyzer indexes Chinese one character at a time."""
    words = query.split()
    if not words:
        return {"match_all": {}}
    if len(words) == 1 and TRACKING_NUMBER.match(words[0].upper()):
        return {"term": {"tracking_number": words[0].upper()}}
    fields = ["description", "estate_name"]
    clauses = []
    for word in words:
        if CJK.search(word):
            clauses.append({"multi_match": {"query": word, "fields": fields, "type": "phrase"}})
        else:
            clauses.append({"multi_match": {"query": word, "fields": fields, "operator": "and"}})
    return {"bool": {"must": clauses}}


def build_search_body(scope: ComplaintScope, query: str, page: int, per_page: int) -> dict:
    filters = [f for f in [scope_filter(scope)] if f]
    return {
        "query": {"bool": {"must": [text_query(query)], "filter": filters}},
        "sort": ["_score", {"created_at": "desc"}] if query else [{"created_at": "desc"}],
        "from": (page - 1) * per_page,
        "size": per_page,
        "track_total_hits": True,
        "highlight": {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {"description": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1}},
        },
        "_source": [
            "tracking_number",
            "status",
            "category",
            "district",
            "estate_name",
            "created_at",
            "description",
        ],
    }


def _search_elasticsearch(scope, query, page, per_page) -> tuple[list[Hit], int]:
    client = engine.get_client()
    response = client.search(
        index=engine.complaint_alias(), **build_search_body(scope, query, page, per_page)
    )
    hits = []
    for raw in response["hits"]["hits"]:
        source = raw["_source"]
        fragments = raw.get("highlight", {}).get("description")
        snippet = (
            mark_safe(fragments[0]) if fragments else escape(source["description"][:SNIPPET_CHARS])
        )
        hits.append(
            Hit(
                complaint_id=int(raw["_id"]),
                tracking_number=source["tracking_number"],
                status=source["status"],
                category=source["category"],
                district=source.get("district") or "",
                estate_name=source["estate_name"],
                created_at=parse_datetime(source["created_at"]),
                snippet=snippet,
            )
        )
    return hits, response["hits"]["total"]["value"]


# Database fallback --------------------------------------------------------------------------


def _search_database(user, query, page, per_page) -> tuple[list[Hit], int]:
    complaints = visible_complaints(user).select_related("district")
    words = query.split()
    if len(words) == 1 and TRACKING_NUMBER.match(words[0].upper()):
        complaints = complaints.filter(tracking_number=words[0].upper())
    else:
        for word in words:
            complaints = complaints.filter(
                Q(description__icontains=word) | Q(estate_name__icontains=word)
            )
    total = complaints.count()
    start = (page - 1) * per_page
    rows = complaints.order_by("-created_at", "-id")[start : start + per_page]
    return [_database_hit(c, words) for c in rows], total


def _database_hit(complaint: Complaint, words: list[str]) -> Hit:
    return Hit(
        complaint_id=complaint.pk,
        tracking_number=complaint.tracking_number,
        status=complaint.status,
        category=complaint.category,
        district=complaint.district.name if complaint.district_id else "",
        estate_name=complaint.estate_name,
        created_at=complaint.created_at,
        snippet=_highlight(complaint.description, words),
    )


def _highlight(text: str, words: list[str]) -> SafeString:
    lowered = text.lower()
    positions = [lowered.find(w.lower()) for w in words if w.lower() in lowered]
    start = max(min(positions) - 20, 0) if positions else 0
    fragment = escape(text[start : start + SNIPPET_CHARS])
    for word in words:
        fragment = re.sub(
            re.escape(escape(word)),
            lambda m: f"<mark>{m.group(0)}</mark>",
            fragment,
            flags=re.IGNORECASE,
        )
    return mark_safe(fragment)
