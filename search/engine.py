"""The Elasticsearch connection and the complaint index's names.

Searches and writes go through the alias; a rebuild creates a new versioned index and swaps
the alias over to it, so readers never see a half-built index.
"""

from functools import cache
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch

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


def new_complaint_index_name() -> str:
    return f"{complaint_alias()}-{timezone.now():%Y%m%d%H%M%S%f}"


def ensure_complaint_index(client: Elasticsearch | None = None) -> str:
    """Create the first versioned index behind the alias if there is none yet."""
    client = client or get_client()
    alias = complaint_alias()
    if client.indices.exists_alias(name=alias):
        return alias
    name = new_complaint_index_name()
    client.indices.create(
        index=name, aliases={alias: {"is_write_index": True}}, **complaint_index_body()
    )
    return alias
