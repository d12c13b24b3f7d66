"""Staff complaint search: one entry point, Elasticsearch or the database fallback.

The permission scope from ``cases.permissions`` is applied inside the query on both paths,
so a user never receives a hit, a facet count or a similar complaint they may not see.
When Elasticsearch does not answer, the database answers the same request (slower), and the
results say so: staff can always find a complaint.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from elastic_transport import ConnectionError as ESConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError

from cases.masking import scrub_text
from cases.models import CaseStatus, Category, Tier
from cases.permissions import ComplaintScope, can_see_personal_data, scope_for
from search import engine
from search.analysis import index_segments_words
from search.facets import FACETS, FacetResult, SearchRequest, day_bounds, facet_results
from search.syntax import ParsedQuery, Term, parse

logger = logging.getLogger(__name__)
SNIPPET_CHARS = 120
TEXT_FIELDS = ["description", "estate_name"]
# Per-character copies of TEXT_FIELDS, present where the index segments words.
CHAR_FIELDS = ["description.chars", "estate_name.chars"]
# Elasticsearch down, overloaded or without the index yet; a 400 (a bug of ours) is not here.
CONNECTION_ERRORS = (ESConnectionError, ConnectionTimeout)
SOURCE = [
    "tracking_number",
    "status",
    "category",
    "tier",
    "district",
    "estate_name",
    "created_at",
    "resolve_due_at",
    "description",
]


@dataclass(frozen=True)
class Hit:
    complaint_id: int
    tracking_number: str
    status: str
    category: str
    tier: str
    district: str
    estate_name: str
    created_at: datetime
    resolve_due_at: datetime | None
    snippet: SafeString
    sort: tuple = ()
    description: str = ""

    @property
    def status_label(self) -> str:
        return CaseStatus(self.status).label

    @property
    def category_label(self) -> str:
        return Category(self.category).label

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label if self.tier in Tier.values else self.tier


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    hits: list[Hit]
    total: int
    backend: str  # "elasticsearch" or "database"
    facets: list[FacetResult]
    next_after: tuple | None = None
    degraded: bool = False  # Elasticsearch is configured but did not answer

    @property
    def query(self) -> str:
        return self.request.query

    @property
    def has_next(self) -> bool:
        return self.next_after is not None


def search_complaints(user, query: str | SearchRequest = "", *, per_page: int = 20):
    """The hits, total and facets ``user`` may see for ``query`` (words or a request)."""
    results = _search(user, query, per_page)
    if results.hits and not can_see_personal_data(user):
        words = parse(results.request.query).words
        results = replace(results, hits=[masked(hit, words) for hit in results.hits])
    return results


def masked(hit: Hit, words: list[str]) -> Hit:
    """The hit as staff without the personal-data permission see it: a phone number, ID
    number or e-mail the citizen typed into the text is scrubbed, as on the case page."""
    from search.fallback import highlight

    text = scrub_text(hit.description)
    return replace(
        hit,
        description=text,
        estate_name=scrub_text(hit.estate_name),
        snippet=highlight(text, words),
    )


def _search(user, query, per_page: int) -> SearchResults:
    request = query if isinstance(query, SearchRequest) else SearchRequest(query, per_page=per_page)
    scope = scope_for(user)
    if scope.nothing:
        backend = "elasticsearch" if engine.search_enabled() else "database"
        return SearchResults(request, [], 0, backend, facet_results(request, {}))
    if engine.search_enabled():
        try:
            return _search_elasticsearch(scope, request)
        except (*CONNECTION_ERRORS, ApiError) as exc:
            if not unavailable(exc):
                raise
            logger.warning("search: Elasticsearch unavailable, database answers: %s", exc)
            from search.fallback import search_database

            return search_database(user, request, degraded=True)
    from search.fallback import search_database

    return search_database(user, request)


def unavailable(exc: Exception) -> bool:
    """True when the error means "Elasticsearch cannot answer now", not "we asked wrongly"."""
    if isinstance(exc, CONNECTION_ERRORS):
        return True
    status = getattr(getattr(exc, "meta", None), "status", None)
    return isinstance(exc, ApiError) and (status == 404 or (status or 0) >= 500 or status == 429)


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


def _term_query(term: Term, words: bool) -> dict:
    if words and (term.phrase or term.prefix):
        return _words_query(term)
    if term.prefix:
        kind = {"type": "phrase_prefix"}
    elif term.phrase:
        kind = {"type": "phrase"}
    else:
        kind = {"operator": "and"}
    return {"multi_match": {"query": term.text, "fields": TEXT_FIELDS, **kind}}


def _words_query(term: Term) -> dict:
    """A phrase, a prefix or Chinese on a word-segmented index. The characters side by side
    (the ``chars`` subfields) always match, as on a per-character index: segmentation
    depends on the context, so a word of the query may be cut differently in the text.
    Unquoted Chinese also matches when all its words occur in any order (楼上漏水 finds
    楼上的住户家漏水); the words side by side add to the score, so exact wording ranks first."""
    if term.prefix:  # on the unstemmed characters: the word analyzer stems Latin words
        return _multi(term.text, CHAR_FIELDS, type="phrase_prefix")
    should = [_multi(term.text, CHAR_FIELDS, type="phrase")]
    if not term.quoted:
        should += [
            _multi(term.text, TEXT_FIELDS, operator="and"),
            _multi(term.text, TEXT_FIELDS, type="phrase"),
        ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _multi(text: str, fields: list[str], **kind) -> dict:
    return {"multi_match": {"query": text, "fields": fields, **kind}}


def text_query(parsed: ParsedQuery, words: bool) -> dict:
    """The query for the words; ``words``: the index segments Chinese words."""
    if parsed.tracking_number:
        return {"term": {"tracking_number": parsed.tracking_number}}
    must, must_not = [], []
    for clause in parsed.clauses:
        queries = [_term_query(term, words) for term in clause.alternatives]
        query = queries[0] if len(queries) == 1 else {"bool": {"should": queries}}
        (must_not if clause.negated else must).append(query)
    if not must_not:
        return {"bool": {"must": must}} if must else {"match_all": {}}
    return {"bool": {"must": must or [{"match_all": {}}], "must_not": must_not}}


def _selection_filters(request: SearchRequest) -> dict[str, dict]:
    filters = {}
    for facet in FACETS:
        values = request.selected(facet.name)
        if values:
            filters[facet.name] = {"terms": {facet.field: sorted(values)}}
    return filters


def _sort(request: SearchRequest, parsed: ParsedQuery) -> list:
    if request.sort == "oldest":
        return [{"created_at": "asc"}, {"complaint_id": "asc"}]
    if request.sort == "due":
        return [
            {"resolve_due_at": {"order": "asc", "missing": "_last"}},
            {"complaint_id": "asc"},
        ]
    newest = [{"created_at": "desc"}, {"complaint_id": "desc"}]
    if request.sort == "relevance" and not parsed.empty:
        return ["_score", *newest]
    return newest


def build_search_body(scope: ComplaintScope, request: SearchRequest) -> dict:
    """The one request this screen sends: hits, total, highlights and every facet."""
    parsed = parse(request.query)
    words = index_segments_words()
    filters = [f for f in [scope_filter(scope)] if f]
    start, end = day_bounds(request)
    if start or end:
        bounds = {"gte": start.isoformat()} if start else {}
        filters.append(
            {"range": {"created_at": {**bounds, **({"lt": end.isoformat()} if end else {})}}}
        )
    selections = _selection_filters(request)
    aggs = {}
    for facet in FACETS:
        terms = {"field": facet.field, "size": facet.size}
        if facet.by_key:
            terms["order"] = {"_key": "desc"}
        others = [f for name, f in selections.items() if name != facet.name]
        values = {"terms": terms}
        aggs[facet.name] = (
            {"filter": {"bool": {"filter": others}}, "aggs": {"values": values}}
            if others
            else values
        )
    body = {
        "query": {"bool": {"must": [text_query(parsed, words)], "filter": filters}},
        "aggs": aggs,
        "sort": _sort(request, parsed),
        "size": request.per_page,
        "track_total_hits": True,
        "highlight": {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {
                field: {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1}
                for field in ["description", *(["description.chars"] if words else [])]
            },
        },
        "_source": SOURCE,
    }
    if selections:
        body["post_filter"] = {"bool": {"filter": list(selections.values())}}
    if request.after:
        body["search_after"] = list(request.after)
    return body


def _buckets(aggregation: dict) -> list[tuple[str, int]]:
    inner = aggregation.get("values", aggregation)
    return [(str(b["key"]), b["doc_count"]) for b in inner["buckets"]]


def hit_from_elasticsearch(raw: dict) -> Hit:
    source = raw["_source"]
    marked = raw.get("highlight", {})
    fragments = marked.get("description") or marked.get("description.chars")
    snippet = (
        mark_safe(fragments[0]) if fragments else escape(source["description"][:SNIPPET_CHARS])
    )
    due = source.get("resolve_due_at")
    return Hit(
        complaint_id=int(raw["_id"]),
        tracking_number=source["tracking_number"],
        status=source["status"],
        category=source["category"],
        tier=source.get("tier") or "",
        district=source.get("district") or "",
        estate_name=source["estate_name"],
        created_at=parse_datetime(source["created_at"]),
        resolve_due_at=parse_datetime(due) if due else None,
        snippet=snippet,
        sort=tuple(raw.get("sort", ())),
        description=source["description"],
    )


def _search_elasticsearch(scope: ComplaintScope, request: SearchRequest) -> SearchResults:
    response = engine.get_client().search(
        index=engine.complaint_alias(), **build_search_body(scope, request)
    )
    hits = [hit_from_elasticsearch(raw) for raw in response["hits"]["hits"]]
    total = response["hits"]["total"]["value"]
    counts = {name: _buckets(agg) for name, agg in response["aggregations"].items()}
    full_page = len(hits) == request.per_page and hits
    return SearchResults(
        request=request,
        hits=hits,
        total=total,
        backend="elasticsearch",
        facets=facet_results(request, counts),
        next_after=hits[-1].sort if full_page else None,
    )
