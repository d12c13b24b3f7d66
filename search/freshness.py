"""How current the index is, for the search screen: when it was last written and how many
changes are still waiting in the outbox."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils.dateparse import parse_datetime
from elasticsearch import ApiError

from search import engine
from search.models import IndexOutbox
from search.queries import CONNECTION_ERRORS


@dataclass(frozen=True)
class Freshness:
    backend: str
    behind: int  # changes committed but not yet indexed
    oldest_pending: dt.datetime | None
    last_indexed: dt.datetime | None = None
    reachable: bool = True


def index_freshness() -> Freshness:
    if not engine.search_enabled():
        return Freshness("database", 0, None)
    pending = IndexOutbox.objects.aggregate(oldest=Min("changed_at"))["oldest"]
    behind = IndexOutbox.objects.count() if pending else 0
    try:
        response = engine.get_client().search(
            index=engine.complaint_alias(),
            size=0,
            aggs={"last": {"max": {"field": "indexed_at"}}},
        )
    except (*CONNECTION_ERRORS, ApiError):  # the screen says it cannot tell
        return Freshness("elasticsearch", behind, pending, reachable=False)
    last = response["aggregations"]["last"].get("value_as_string")
    return Freshness("elasticsearch", behind, pending, parse_datetime(last) if last else None)
