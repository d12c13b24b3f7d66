"""Bulk indexing rate: our indexing path against a raw Elasticsearch bulk of the same documents.

Usage (with the services of `make test` running and their URLs exported):

    eval "$(scripts/services.sh start)"
    .venv/bin/python bench/index_rate.py --complaints 20000

It fills the database with synthetic complaints (bulk inserts, not the intake service: this
measures indexing, not intake), then times
  raw  – `helpers.bulk` of pre-built documents into a fresh index, and
  ours – `search.indexing.index_complaints` in batches (reads rows, builds documents, bulks,
         clears the outbox),
and prints both rates and their ratio (budget: ours ≥ 70% of raw).
"""

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.config.settings")
os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", "portal-bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from elasticsearch import helpers  # noqa: E402

from cases.access_codes import new_tracking_number  # noqa: E402
from cases.models import Category, Complaint  # noqa: E402
from enterprises.models import Company, Estate  # noqa: E402
from foundation.models import District  # noqa: E402
from search import engine, indexing  # noqa: E402
from search.documents import complaint_document, complaint_index_body, complaint_rows  # noqa: E402

PHRASES = [
    "电梯停运",
    "垃圾清运不及时",
    "物业费上涨",
    "绿化带无人养护",
    "地下车库积水",
    "门禁损坏",
    "夜间施工噪音",
    "消防通道被占用",
    "water leak in the basement",
]


def fill(count: int) -> list[int]:
    district, _ = District.objects.get_or_create(code="bench", defaults={"name": "基准区"})
    company, _ = Company.objects.get_or_create(
        credit_code="91330100MABENCH001", defaults={"name": "基准物业", "district": district}
    )
    estate, _ = Estate.objects.get_or_create(
        name="基准小区",
        district=district,
        defaults={"address": "基准路1号", "managing_company": company},
    )
    rng = random.Random(7)
    existing = Complaint.objects.filter(estate=estate).count()
    missing = max(count - existing, 0)
    numbers: set[str] = set(Complaint.objects.values_list("tracking_number", flat=True))
    fresh: list[str] = []
    while len(fresh) < missing:  # random numbers collide at this volume: draw until unique
        number = new_tracking_number()
        if number not in numbers:
            numbers.add(number)
            fresh.append(number)
    rows = [
        Complaint(
            tracking_number=number,
            access_code_digest="x" * 64,
            category=rng.choice(Category.values),
            estate=estate,
            estate_name=estate.name,
            district=district,
            company=company,
            contact_phone="13800000000",
            description="，".join(rng.sample(PHRASES, 3)) + f"（第{i}号）",
        )
        for i, number in enumerate(fresh)
    ]
    Complaint.objects.bulk_create(rows, batch_size=2000)
    return list(Complaint.objects.filter(estate=estate).values_list("pk", flat=True)[:count])


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=indexing.BATCH_SIZE)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not engine.search_enabled() or connection.vendor != "postgresql":
        sys.exit('Needs PostgreSQL and Elasticsearch: eval "$(scripts/services.sh start)"')
    call_command("migrate", verbosity=0)
    ids = fill(args.complaints)
    client = engine.get_client()
    client.indices.delete(index=f"{engine.complaint_alias()}*", ignore_unavailable=True)

    rows = {row["id"]: row for row in complaint_rows(ids)}
    docs = [complaint_document(rows[pk]) for pk in ids]
    raw_index = f"{engine.complaint_alias()}-raw"

    def raw_bulk():
        client.indices.delete(index=raw_index, ignore_unavailable=True)
        client.indices.create(index=raw_index, **complaint_index_body())
        actions = (
            {"_index": raw_index, "_id": str(pk), "_source": doc}
            for pk, doc in zip(ids, docs, strict=True)
        )
        helpers.bulk(client, actions, chunk_size=args.batch)

    def our_indexing():
        client.indices.delete(index=f"{engine.complaint_alias()}-2*", ignore_unavailable=True)
        engine.ensure_complaint_index(client)
        for i in range(0, len(ids), args.batch):
            indexing.index_complaints(ids[i : i + args.batch])

    raw_bulk()  # warm-up of the node (JIT, caches): discarded
    raw = ours = float("inf")
    for _round in range(args.rounds):  # alternate the two, keep the best of each
        raw = min(raw, timed(raw_bulk))
        ours = min(ours, timed(our_indexing))
    client.indices.refresh(index=engine.complaint_alias())
    counted = client.count(index=engine.complaint_alias())["count"]
    assert counted == len(ids), (counted, len(ids))

    raw_rate, our_rate = len(ids) / raw, len(ids) / ours
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"documents: {len(ids)}  batch: {args.batch}  best of {args.rounds} rounds")
    print(f"raw bulk:       {raw_rate:10.0f} docs/s  ({raw:.2f} s, documents pre-built)")
    print(f"our indexing:   {our_rate:10.0f} docs/s  ({ours:.2f} s, rows read + built + outbox)")
    print(f"ratio ours/raw: {our_rate / raw_rate:10.2f}   (budget ≥ 0.70)")
    client.indices.delete(index=f"{engine.complaint_alias()}*", ignore_unavailable=True)


if __name__ == "__main__":
    main()
