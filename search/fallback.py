"""The database answering the staff search (no Elasticsearch configured, or it is down).

Same request, same permission scope (``visible_complaints``), same facet rule, same cursor
paging; slower, and substring matching instead of an analyzer: enough for the demo and for
staff to keep working during an outage. Relevance is not computed here: "relevance" sorts
newest first.
"""

import re

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import Complaint
from cases.permissions import visible_complaints
from search.facets import FACETS, SearchRequest, day_bounds, facet_results, month_bounds
from search.queries import SNIPPET_CHARS, Hit, SearchResults
from search.syntax import ParsedQuery, parse


def _text_q(parsed: ParsedQuery) -> Q:
    if parsed.tracking_number:
        return Q(tracking_number=parsed.tracking_number)
    condition = Q()
    for clause in parsed.clauses:
        either = Q(pk__in=[])
        for term in clause.alternatives:
            either |= Q(description__icontains=term.text) | Q(estate_name__icontains=term.text)
        condition &= ~either if clause.negated else either
    return condition


def _selection_q(name: str, values: tuple[str, ...]) -> Q:
    if name == "month":
        condition = Q(pk__in=[])
        for month in values:
            bounds = month_bounds(month)
            if bounds:
                condition |= Q(created_at__gte=bounds[0], created_at__lt=bounds[1])
        return condition
    field = next(f.field for f in FACETS if f.name == name)
    if field.endswith("_id"):
        values = tuple(v for v in values if v.isdigit())
    return Q(**{f"{field}__in": values})


def _month_counts(complaints: QuerySet, size: int) -> list[tuple[str, int]]:
    """Months in the city's time zone, newest first, like the index's ``month`` field."""
    rows = (
        complaints.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-month")[:size]
    )
    return [(f"{row['month']:%Y-%m}", row["n"]) for row in rows]


def _facet_counts(base: QuerySet, selections: dict[str, Q]) -> dict:
    counts = {}
    for facet in FACETS:
        others = [q for name, q in selections.items() if name != facet.name]
        complaints = base.filter(*others)
        if facet.name == "month":
            counts[facet.name] = _month_counts(complaints, facet.size)
            continue
        rows = (
            complaints.exclude(**{f"{facet.field}__isnull": True})
            .values(facet.field)
            .annotate(n=Count("pk"))
            .order_by("-n", facet.field)[: facet.size]
        )
        counts[facet.name] = [(str(row[facet.field]), row["n"]) for row in rows]
    return counts


ORDERS = {
    "oldest": ("created_at", "id"),
    "due": ("resolve_due_at", "id"),
}
NEWEST = ("-created_at", "-id")


def _after_q(sort: str, after: tuple) -> Q:
    """Rows after the cursor (the last hit's sort values) in this sort order."""
    moment = parse_datetime(str(after[0])) if after[0] not in (None, "") else None
    last_id = int(after[1])
    if sort == "oldest":
        return Q(created_at__gt=moment) | Q(created_at=moment, id__gt=last_id)
    if sort == "due":  # no due date sorts last
        if moment is None:
            return Q(resolve_due_at__isnull=True, id__gt=last_id)
        return (
            Q(resolve_due_at__gt=moment)
            | Q(resolve_due_at=moment, id__gt=last_id)
            | Q(resolve_due_at__isnull=True)
        )
    return Q(created_at__lt=moment) | Q(created_at=moment, id__lt=last_id)


def _ordered(complaints: QuerySet, sort: str) -> QuerySet:
    if sort == "due":
        return complaints.order_by(F("resolve_due_at").asc(nulls_last=True), "id")
    return complaints.order_by(*ORDERS.get(sort, NEWEST))


def _cursor(complaint: Complaint, sort: str) -> tuple:
    moment = complaint.resolve_due_at if sort == "due" else complaint.created_at
    return (moment.isoformat() if moment else None, complaint.pk)


def search_database(user, request: SearchRequest, *, degraded: bool = False) -> SearchResults:
    parsed = parse(request.query)
    base = visible_complaints(user).filter(_text_q(parsed))
    start, end = day_bounds(request)
    if start:
        base = base.filter(created_at__gte=start)
    if end:
        base = base.filter(created_at__lt=end)
    selections = {
        name: _selection_q(name, values)
        for name in (f.name for f in FACETS)
        if (values := request.selected(name))
    }
    matching = base.filter(*selections.values())
    page = _ordered(matching, request.sort).select_related("district")
    if request.after:
        page = page.filter(_after_q(request.sort, request.after))
    rows = list(page[: request.per_page])
    words = parsed.words
    hits = [hit_from_row(complaint, words, _cursor(complaint, request.sort)) for complaint in rows]
    return SearchResults(
        request=request,
        hits=hits,
        total=matching.count(),
        backend="database",
        facets=facet_results(request, _facet_counts(base, selections)),
        next_after=hits[-1].sort if len(hits) == request.per_page and hits else None,
        degraded=degraded,
    )


def hit_from_row(complaint: Complaint, words: list[str], cursor: tuple) -> Hit:
    return Hit(
        complaint_id=complaint.pk,
        tracking_number=complaint.tracking_number,
        status=complaint.status,
        category=complaint.category,
        tier=complaint.tier,
        district=complaint.district.name if complaint.district_id else "",
        estate_name=complaint.estate_name,
        created_at=complaint.created_at,
        resolve_due_at=complaint.resolve_due_at,
        snippet=highlight(complaint.description, words),
        sort=cursor,
        description=complaint.description,
    )


def highlight(text: str, words: list[str]) -> SafeString:
    """A snippet around the first word found, every word marked, the rest escaped."""
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
