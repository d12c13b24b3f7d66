"""The staff search's facets, their labels, and the request both engines answer.

A facet's counts ignore its own selection (choosing one district still lists the others with
their counts) and honour every other one; both engines follow that rule. Values are strings:
ids for districts, companies and estates, codes for the choices, "2026-11" for months.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from cases.models import CaseStatus, Category, Channel, Satisfaction, Tier
from enterprises import register_names


@dataclass(frozen=True)
class Facet:
    name: str  # the request parameter
    field: str  # the index field (and, for the database, the model field)
    label: str
    size: int  # buckets shown
    by_key: bool = False  # months: newest first, not biggest first


FACETS = (
    Facet("status", "status", _("Status"), 12),
    Facet("category", "category", _("Category"), 12),
    Facet("tier", "tier", _("Tier"), 6),
    Facet("channel", "channel", _("Channel"), len(Channel.choices)),
    Facet("district", "district_id", _("District"), 20),
    Facet("company", "company_id", _("Company"), 15),
    Facet("estate", "estate_id", _("Estate"), 15),
    Facet("month", "month", _("Month"), 24, by_key=True),
)
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
SORTS = {
    "relevance": _("Relevance"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "due": _("Due soonest"),
}


@dataclass(frozen=True)
class SearchRequest:
    """What the staff member asked for; ``after`` is the cursor of the previous page's last
    hit (``search_after``), so paging stays correct however deep it goes."""

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    after: tuple | None = None
    per_page: int = 20

    def selected(self, name: str) -> tuple[str, ...]:
        return tuple(self.filters.get(name, ()))


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetResult:
    name: str
    label: str
    values: list[FacetValue]


CHOICE_LABELS = {
    "status": dict(CaseStatus.choices),
    "category": dict(Category.choices),
    "tier": dict(Tier.choices),
    "satisfaction": dict(Satisfaction.choices),
    "channel": dict(Channel.choices),
}


REGISTER_KINDS = ("district", "company", "estate")


def labels_for(kind: str, values) -> dict[str, str]:
    """People's names for facet or breakdown values: register names of district, company and
    estate ids (one query, none without ids), choice labels otherwise. Used by the search
    facets, the dashboard and the public statistics alike."""
    if kind not in REGISTER_KINDS:
        return {key: str(label) for key, label in CHOICE_LABELS.get(kind, {}).items()}
    ids = [int(value) for value in values if str(value).isdigit()]
    if not ids:
        return {}
    return {str(pk): name for pk, name in register_names.names_of(kind, ids).items()}


def facet_results(request: SearchRequest, counts: Mapping[str, list[tuple[str, int]]]) -> list:
    """Labelled facets from raw ``(value, count)`` buckets; the register facets' names come
    from memory (``enterprises.register_names``), so the cost does not grow with the hits."""
    all_buckets = {}
    for facet in FACETS:
        buckets = list(counts.get(facet.name, []))
        selected = set(request.selected(facet.name))
        # A selected value outside the top buckets is still shown, so it can be unticked.
        shown = {value for value, _count in buckets}
        all_buckets[facet.name] = (buckets + [(v, 0) for v in sorted(selected - shown)], selected)
    results = []
    for facet in FACETS:
        buckets, selected = all_buckets[facet.name]
        labels = labels_for(facet.name, [value for value, _count in buckets])
        values = [
            FacetValue(value, str(labels.get(value, value)), count, value in selected)
            for value, count in buckets
        ]
        results.append(FacetResult(facet.name, str(facet.label), values))
    return results


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime] | None:
    """The start and end (exclusive) of a "2026-11" month in the city's time zone."""
    from django.utils import timezone

    try:
        first = dt.datetime.strptime(month, "%Y-%m")
    except ValueError:
        return None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    zone = timezone.get_default_timezone()
    return first.replace(tzinfo=zone), following.replace(tzinfo=zone)


def day_bounds(request: SearchRequest) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The date range as aware datetimes: from the start of ``date_from`` to the end of
    ``date_to`` (exclusive: the next midnight), in the city's time zone."""
    from django.utils import timezone

    zone = timezone.get_default_timezone()
    start = end = None
    if request.date_from:
        start = dt.datetime.combine(request.date_from, dt.time(), tzinfo=zone)
    if request.date_to:
        end = dt.datetime.combine(request.date_to + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end
