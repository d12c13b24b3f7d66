"""Staff search and reindex at scale: ours against raw Elasticsearch doing the same work.

Usage (PostgreSQL and Elasticsearch of `make test` running, ideally with a bigger heap and the
full JIT for the node):

    export PORTAL_ES_JAVA_OPTS="-Xms4g -Xmx4g"
    eval "$(scripts/services.sh start)"
    .venv/bin/python bench/search_scale.py --complaints 1000000

1. Fills the database with N realistic complaints (5 districts, 30 companies, 100 estates, two
   years, every status; COPY, so a million takes a minute) unless they are already there.
2. Reindex: ``search.rebuild.rebuild_complaint_index`` (reads the rows, builds documents, bulk
   loads a new index, swaps the alias) against a raw bulk load of the same documents, pre-built
   in memory, into a fresh index with the same mapping and the same request size.
3. Search: a fixed set of staff searches (words, phrases, exclusions, facets selected, date
   range, sort by due date, scoped users) run ``--rounds`` times each, interleaved: ours is
   ``search.queries.search_complaints`` (permission scope, body, response parsing, facet
   labels, masking), raw is ``client.search`` with the very same body. p50/p95 and the ratio.
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
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
from django.utils import timezone  # noqa: E402
from elasticsearch import helpers  # noqa: E402

from bench.copy_rows import columns_with_defaults  # noqa: E402
from cases.models import CaseStatus, Category, Complaint, Tier  # noqa: E402
from cases.permissions import scope_for  # noqa: E402
from enterprises.models import Company, Estate  # noqa: E402
from foundation.models import District  # noqa: E402
from foundation.roles import Role  # noqa: E402
from search import engine, rebuild  # noqa: E402
from search.documents import ROW_FIELDS, complaint_document, complaint_index_body  # noqa: E402
from search.facets import SearchRequest  # noqa: E402
from search.queries import build_search_body, search_complaints  # noqa: E402
from tests.factories import make_user, valid_credit_code  # noqa: E402

PROBLEMS = [
    "电梯停运",
    "电梯异响",
    "垃圾清运不及时",
    "物业费上涨",
    "绿化带无人养护",
    "地下车库积水",
    "门禁损坏",
    "夜间施工噪音",
    "消防通道被占用",
    "楼道灯不亮",
    "外墙渗水",
    "停车位被占",
    "供水中断",
    "保安不在岗",
    "water leak in the basement",
    "lift out of order",
    "rubbish not collected",
]
DETAILS = ["已经三天", "多次反映无人处理", "老人出行困难", "影响休息", "存在安全隐患", "请尽快处理"]
# Share of each status in the seeded rows (per hundred): most cases are closed.
STATUS_WEIGHTS = {
    CaseStatus.SUBMITTED: 6,
    CaseStatus.ACCEPTED: 4,
    CaseStatus.REJECTED: 3,
    CaseStatus.ASSIGNED: 5,
    CaseStatus.IN_PROGRESS: 6,
    CaseStatus.RESOLVED: 6,
    CaseStatus.FOLLOWED_UP: 5,
    CaseStatus.CLOSED: 59,
    CaseStatus.REOPENED: 3,
    CaseStatus.MERGED: 2,
    CaseStatus.TRANSFERRED: 1,
}
STATUSES = [(status.value, weight) for status, weight in STATUS_WEIGHTS.items()]
TIERS = [(Tier.URGENT, 10), (Tier.SERIOUS, 20), (Tier.GENERAL, 60), (Tier.CONSULTATION, 10)]
# Issue 23: the rebuild against the same documents sent by a raw one-at-a-time and two-thread bulk.
BUDGETS = {"streaming_bulk": 0.85, "parallel_bulk": 0.70}
DISTRICTS = ["东湖区", "西山区", "南浦区", "北塘区", "中河区"]


def register() -> tuple[list, list, list]:
    districts = [
        District.objects.get_or_create(code=f"bench{i}", defaults={"name": f"基准{name}"})[0]
        for i, name in enumerate(DISTRICTS)
    ]
    companies = []
    for i in range(30):
        code = valid_credit_code(f"91330100MABEN{i:04d}")
        companies.append(
            Company.objects.get_or_create(
                credit_code=code,
                defaults={"name": f"基准物业服务有限公司{i:02d}", "district": districts[i % 5]},
            )[0]
        )
    estates = []
    for i in range(100):
        company = companies[i % 30]
        estates.append(
            Estate.objects.get_or_create(
                name=f"基准小区{i:03d}",
                district=company.district,
                defaults={"address": f"基准路{i}号", "managing_company": company},
            )[0]
        )
    return districts, companies, estates


def fill(count: int, estates: list) -> int:
    """Add complaints until ``count`` bench complaints exist; COPY, in one transaction."""
    bench = Complaint.objects.filter(estate__in=estates)
    existing = bench.count()
    missing = count - existing
    if missing <= 0:
        return existing
    rng = random.Random(2026)
    statuses, status_weights = zip(*STATUSES, strict=True)
    tiers, tier_weights = zip(*TIERS, strict=True)
    now = timezone.now()
    columns = (
        "tracking_number, access_code_digest, status, category, tier, estate_id, estate_name,"
        " address, anonymous_to_company, consent_to_publish, district_id, company_id,"
        " description, contact_name, contact_phone, contact_email, dispatched_company_id,"
        " reopen_count, satisfaction, public_reply, created_at, updated_at, resolve_due_at,"
        " escalation_level"
    )
    columns, defaults = columns_with_defaults(Complaint, columns)
    # COPY bypasses the model: the phone is encrypted here, once (a token decrypts anywhere).
    phone_token = Complaint._meta.get_field("contact_phone").get_prep_value("13800000000")
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY cases_complaint ({columns}) FROM STDIN") as copy,
    ):
        for n in range(existing, count):
            estate = estates[rng.randrange(len(estates))]
            created = now - dt.timedelta(seconds=rng.randrange(730 * 86400))
            status = rng.choices(statuses, status_weights)[0]
            due = created + dt.timedelta(days=rng.choice([1, 3, 10, 15]))
            problem = rng.choice(PROBLEMS)
            details = "，".join(rng.sample(DETAILS, 2))
            text = f"{estate.name}{rng.randrange(1, 30)}号楼{problem}，{details}。"
            copy.write_row(
                (
                    f"WB{created:%Y%m%d}{_base36(n)}",
                    "x" * 64,
                    status,
                    rng.choice(Category.values),
                    rng.choices(tiers, tier_weights)[0],
                    estate.pk,
                    estate.name,
                    "",
                    False,
                    False,
                    estate.district_id,
                    estate.managing_company_id,
                    text,
                    None,  # personal data is encrypted at rest: blank is NULL
                    phone_token,
                    None,
                    estate.managing_company_id if status not in ("submitted", "accepted") else None,
                    0,
                    "",
                    "",
                    created,
                    created,
                    due,
                    0,
                    *defaults,
                )
            )
            if (n - existing) % 100_000 == 99_999:
                print(f"  {n + 1 - existing:,} rows written", flush=True)
    print(f"fill: {missing:,} complaints in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_complaint")
    return count


def _base36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(6):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def reindex(batch: int) -> tuple[float, dict[str, float], int]:
    """(our docs/s, {raw way: docs/s}, documents). Raw: the same pre-built documents sent by
    ``streaming_bulk`` (one request at a time) and by ``parallel_bulk`` (two at a time, as
    ours does), into a fresh index with the same mapping and request size."""
    client = engine.get_client().options(request_timeout=300)
    ours = rebuild.rebuild_complaint_index(batch_size=batch, force=True)
    print(f"ours: {ours.documents:,} documents in {ours.seconds:.1f} s")

    started = time.perf_counter()
    rows = Complaint.objects.order_by("pk").values(*ROW_FIELDS).iterator(chunk_size=5000)
    stamp = timezone.now().isoformat()
    prebuilt = [(row["id"], complaint_document(row, stamp)) for row in rows]
    print(
        f"raw: {len(prebuilt):,} documents read and built in {time.perf_counter() - started:.0f} s"
    )
    raw_index = f"{engine.complaint_alias()}-raw"
    body = complaint_index_body()
    body["settings"] = {**body["settings"], "refresh_interval": "-1"}
    senders = {
        "streaming_bulk": lambda actions: helpers.streaming_bulk(client, actions, chunk_size=batch),
        "parallel_bulk": lambda actions: helpers.parallel_bulk(
            client, actions, chunk_size=batch, thread_count=2, queue_size=2
        ),
    }
    rates = {}
    for way, send in senders.items():
        client.indices.delete(index=raw_index, ignore_unavailable=True)
        client.indices.create(index=raw_index, **body)
        started = time.perf_counter()
        actions = ({"_index": raw_index, "_id": str(pk), "_source": doc} for pk, doc in prebuilt)
        for ok, item in send(actions):
            assert ok, item
        client.indices.put_settings(index=raw_index, settings={"refresh_interval": "1s"})
        client.indices.refresh(index=raw_index)
        rates[way] = len(prebuilt) / (time.perf_counter() - started)
        client.indices.delete(index=raw_index)
    del prebuilt
    return ours.docs_per_second, rates, ours.documents


def staff(districts, companies) -> dict:
    return {
        "official (city)": make_user(
            "bench_official", Role.OFFICIAL, district=None, city_wide=True
        ),
        "inspector (district)": make_user("bench_inspector", Role.INSPECTOR, district=districts[0]),
        "company staff": make_user("bench_company", Role.COMPANY_STAFF, company=companies[0]),
    }


def searches(districts, companies) -> list[tuple[str, str, SearchRequest]]:
    october = f"{timezone.now().year - 1}-10"
    return [
        ("everything, facets", "official (city)", SearchRequest()),
        ("one word", "official (city)", SearchRequest("电梯")),
        ("two words", "official (city)", SearchRequest("电梯 异响")),
        ("word minus word", "official (city)", SearchRequest("漏水 OR 渗水 -地下")),
        ("english", "official (city)", SearchRequest("lift OR rubbish")),
        ("district+category", "official (city)", SearchRequest(
            "物业费", filters={"district": (str(districts[1].pk),), "category": ("fees",)})),
        ("month, by due date", "official (city)", SearchRequest(
            filters={"month": (october,)}, sort="due")),
        ("date range", "official (city)", SearchRequest(
            "噪音", date_from=dt.date.today() - dt.timedelta(days=90), date_to=dt.date.today())),
        ("inspector scope", "inspector (district)", SearchRequest("停车位")),
        ("company scope", "company staff", SearchRequest()),
    ]  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_searches(rounds: int, users: dict, plan: list) -> None:
    client = engine.get_client()
    alias = engine.complaint_alias()
    ours_all, raw_all = [], []
    print(
        f"{'search':<22}{'hits':>10}{'ours p50':>10}{'ours p95':>10}{'raw p50':>10}{'raw p95':>10}"
    )
    for name, who, request in plan:
        user = users[who]
        body = build_search_body(scope_for(user), request)
        ours, raw = [], []
        for _ in range(3):  # warm-up, discarded
            search_complaints(user, request)
            client.search(index=alias, **body)
        for _ in range(rounds):
            started = time.perf_counter()
            results = search_complaints(user, request)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.search(index=alias, **body)
            raw.append((time.perf_counter() - started) * 1000)
        ours_all += ours
        raw_all += raw
        print(
            f"{name:<22}{results.total:>10,}{statistics.median(ours):>10.1f}"
            f"{percentile(ours, 0.95):>10.1f}{statistics.median(raw):>10.1f}"
            f"{percentile(raw, 0.95):>10.1f}"
        )
    p95_ours, p95_raw = percentile(ours_all, 0.95), percentile(raw_all, 0.95)
    print(
        f"all searches: ours p50 {statistics.median(ours_all):.1f} ms, p95 {p95_ours:.1f} ms; "
        f"raw p50 {statistics.median(raw_all):.1f} ms, p95 {p95_raw:.1f} ms; "
        f"ratio p95 ours/raw {p95_ours / p95_raw:.2f} (budget ≤ 1.15)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--skip-reindex", action="store_true", help="search the index as it is")
    parser.add_argument("--skip-search", action="store_true", help="only the reindex")
    args = parser.parse_args()
    if not engine.search_enabled() or connection.vendor != "postgresql":
        sys.exit('Needs PostgreSQL and Elasticsearch: eval "$(scripts/services.sh start)"')
    call_command("migrate", verbosity=0)
    districts, companies, estates = register()
    total = fill(args.complaints, estates)
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" {time.strftime('%Y-%m-%d')}; complaints in the database: {Complaint.objects.count():,}"
        f" (bench: {total:,})"
    )
    if not args.skip_reindex:
        ours, raw, documents = reindex(args.batch)
        for way, rate in raw.items():
            print(
                f"reindex of {documents:,}: ours {ours:,.0f} docs/s, raw {way} {rate:,.0f} docs/s,"
                f" ratio {ours / rate:.2f} (budget ≥ {BUDGETS[way]})"
            )
    if not args.skip_search:
        run_searches(args.rounds, staff(districts, companies), searches(districts, companies))


if __name__ == "__main__":
    main()
