"""The Elasticsearch connection and the complaint index's names.

Searches and writes go through the alias; a rebuild creates a new versioned index and swaps
the alias over to it, so readers never see a half-built index. While a rebuild loads, its
index sits behind a second alias (``rebuild_alias``) that writers also write to, so a change
made during the rebuild reaches both the index searched now and the one searched next.
"""

from functools import cache
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError

from search.documents import complaint_index_body


def search_enabled() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


@cache
def _client_for(url: str, timeout: float) -> Elasticsearch:
    parts = urlsplit(url)
    auth = (parts.username, parts.password or "") if parts.username else None
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    host = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return Elasticsearch(host, basic_auth=auth, request_timeout=timeout, max_retries=1)


def get_client() -> Elasticsearch:
    return _client_for(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT)


def complaint_alias() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-complaints"


def rebuild_alias() -> str:
    """The alias of the index a running rebuild is loading (absent when none runs)."""
    return f"{complaint_alias()}-rebuilding"


def new_complaint_index_name() -> str:
    return f"{complaint_alias()}-{timezone.now():%Y%m%d%H%M%S%f}"


def ensure_complaint_index(client: Elasticsearch | None = None) -> str:
    """Create the first versioned index behind the alias if there is none yet."""
    client = client or get_client()
    alias = complaint_alias()
    if client.indices.exists_alias(name=alias):
        add_missing_fields(client, alias)
        return alias
    name = new_complaint_index_name()
    client.indices.create(
        index=name, aliases={alias: {"is_write_index": True}}, **complaint_index_body()
    )
    return alias


_COMPLETE: set[tuple[int, str]] = set()  # (client, alias) pairs known to be complete


def add_missing_fields(client: Elasticsearch, alias: str) -> None:
    """Give an index created before a field was added (``channel``) that field, so strict
    documents with it are accepted: additive only, existing fields are never redefined (that
    needs a rebuild). Checked once per process and alias (an index created later by a rebuild
    has every field already)."""
    if (id(client), alias) in _COMPLETE:
        return
    wanted = complaint_index_body()["mappings"]["properties"]
    for name, mapping in client.indices.get_mapping(index=alias).body.items():
        present = mapping["mappings"].get("properties", {})
        missing = {field: spec for field, spec in wanted.items() if field not in present}
        if missing:
            client.indices.put_mapping(index=name, properties=missing)
    _COMPLETE.add((id(client), alias))


def indices_behind(client: Elasticsearch, alias: str) -> list[str]:
    """The concrete indices an alias points to, sorted; empty when the alias does not exist."""
    try:
        return sorted(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []


def write_targets(client: Elasticsearch) -> list[str]:
    """The aliases a change must be written to: the live one, and the rebuild's while one runs.

    Aliases, not index names: written with ``require_alias``, a write that arrives after the
    rebuild has swapped (or failed) is refused instead of auto-creating a stray index.
    """
    targets = [ensure_complaint_index(client)]
    if client.indices.exists_alias(name=rebuild_alias()):
        targets.append(rebuild_alias())
    return targets
