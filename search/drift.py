"""Does the index still say what the database says? A bounded check (偏差检查).

Counts are compared whole; documents are compared on a random sample from each side, so the
check costs the same on a thousand complaints as on a million:

* missing: sampled rows with no document;
* stale: sampled rows whose document has another version (the row's ``updated_at``);
* extra: sampled documents whose row is gone.

The outbox backlog is reported beside them: changes known to be on their way.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, Min
from elasticsearch import Elasticsearch

from cases.models import Complaint
from search import engine
from search.documents import document_version
from search.indexing import COMPLAINT
from search.models import IndexOutbox

# Rounds of random ids drawn between the smallest and largest primary key: ids are dense
# enough in practice that the first round fills the sample; the bound keeps a sparse table cheap.
SAMPLE_ROUNDS = 5
MAX_RESULT_WINDOW = 10_000


@dataclass(frozen=True)
class DriftReport:
    database_count: int
    index_count: int
    outbox_backlog: int
    oldest_pending: datetime | None
    sampled: int
    index_sampled: int
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.database_count == self.index_count and not (
            self.missing or self.stale or self.extra
        )


def check_index(sample_size: int = 1000, seed: int | None = None) -> DriftReport:
    """Compare the index with the database on ``sample_size`` ids from each side."""
    rng = random.Random(seed)
    client = engine.get_client()
    alias = engine.complaint_alias()
    exists = client.indices.exists_alias(name=alias)
    if exists:
        # Writes of the last second count too: a check must not report them as missing.
        client.indices.refresh(index=alias)
    database_count = Complaint.objects.count()
    index_count = client.count(index=alias)["count"] if exists else 0
    versions = _sample_rows(rng, database_count, sample_size)
    indexed = _indexed_versions(client, alias, list(versions)) if exists else {}
    index_ids = _sample_index_ids(client, alias, sample_size, seed) if exists else []
    existing = set(Complaint.objects.filter(pk__in=index_ids).values_list("pk", flat=True))
    backlog = IndexOutbox.objects.filter(doc_type=COMPLAINT)
    return DriftReport(
        database_count=database_count,
        index_count=index_count,
        outbox_backlog=backlog.count(),
        oldest_pending=backlog.aggregate(oldest=Min("changed_at"))["oldest"],
        sampled=len(versions),
        index_sampled=len(index_ids),
        missing=sorted(pk for pk in versions if pk not in indexed),
        stale=sorted(pk for pk, v in versions.items() if pk in indexed and indexed[pk] != v),
        extra=sorted(set(index_ids) - existing),
    )


def _sample_rows(rng: random.Random, count: int, sample_size: int) -> dict[int, int]:
    """Up to ``sample_size`` random rows as {id: version}, without ORDER BY random()."""
    rows = Complaint.objects.order_by().values_list("pk", "updated_at")
    if count <= sample_size:
        return {pk: document_version(updated_at) for pk, updated_at in rows}
    bounds = Complaint.objects.aggregate(low=Min("pk"), high=Max("pk"))
    span = range(bounds["low"], bounds["high"] + 1)
    picked: dict[int, int] = {}
    for _round in range(SAMPLE_ROUNDS):
        wanted = sample_size - len(picked)
        if wanted <= 0:
            break
        candidates = rng.sample(span, min(len(span), wanted * 2))
        found = dict(rows.filter(pk__in=candidates))
        for pk in candidates:
            if pk in found and pk not in picked and len(picked) < sample_size:
                picked[pk] = document_version(found[pk])
    return picked


def _indexed_versions(client: Elasticsearch, alias: str, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    response = client.mget(index=alias, ids=[str(pk) for pk in ids], source_includes=["version"])
    return {int(doc["_id"]): doc["_source"]["version"] for doc in response["docs"] if doc["found"]}


def _sample_index_ids(
    client: Elasticsearch, alias: str, sample_size: int, seed: int | None
) -> list[int]:
    """Random document ids (all of them when the index holds no more than the sample)."""
    random_score = {"seed": seed, "field": "_seq_no"} if seed is not None else {}
    response = client.search(
        index=alias,
        size=min(sample_size, MAX_RESULT_WINDOW),
        source=False,
        query={
            "function_score": {
                "query": {"match_all": {}},
                "random_score": random_score,
                "boost_mode": "replace",
            }
        },
    )
    return [int(hit["_id"]) for hit in response["hits"]["hits"]]
