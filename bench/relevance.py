"""Chinese search relevance: word segmentation against per-character phrase matching.

Usage (a node with the smartcn plugin, e.g. the one `scripts/services.sh start` runs):

    eval "$(scripts/services.sh start)"
    .venv/bin/python bench/relevance.py [--copies 200]

The judged set lives in bench/relevance/: ``complaints.json`` (104 complaint texts written
like citizens write them, on 30-odd topics, with a few texts where a query's characters occur
side by side across a word boundary: 部门口头 holds 门口, 确保安全 holds 保安) and
``queries.json`` (52 staff queries, each with the ids of the complaints it should find,
judged by reading the texts, not by running any analyzer).

For each setting it builds the index the portal would build (``complaint_index_body``),
runs each query as the search screen does (``text_query``), sorted by score, and prints:
  P@10    relevant hits among the first 10, divided by 10, averaged over the queries
          (the best possible on this set is printed too: most queries have < 10 relevant);
  prec    relevant hits among the first min(10, hits) / min(10, hits), averaged over the
          queries with hits (how many of what staff see first is right: the wrong hits of
          a setting show here, while P@10 is capped by the few relevant complaints);
  recall  relevant hits among all hits / relevant complaints, averaged;
and, on ``--copies`` copies of the set bulk-loaded into a fresh index of each setting, the
indexing rate and the index size after a force-merge to one segment.
Settings: ``chars`` (standard analyzer, Chinese as phrases: today's fallback), ``words``
(the word analyzer with the per-character subfields, as shipped), and ``words-only`` (the
word analyzer's own fields only: shows what the per-character subfields add).
Budget: ``words`` at least as high as ``chars`` on both P@10 and recall.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.config.settings")
os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", "portal-bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from elasticsearch import helpers  # noqa: E402

from search import engine  # noqa: E402
from search.analysis import PLUGIN_ANALYZERS, STANDARD, text_analyzer  # noqa: E402
from search.documents import complaint_index_body  # noqa: E402
from search.queries import TEXT_FIELDS, text_query  # noqa: E402
from search.syntax import parse  # noqa: E402

HERE = Path(__file__).resolve().parent / "relevance"
ESTATE = "阳光花园"


def load_set() -> tuple[list[dict], list[dict]]:
    complaints = json.loads((HERE / "complaints.json").read_text())
    queries = json.loads((HERE / "queries.json").read_text())
    return complaints, queries


def document(complaint_id: int, text: str) -> dict:
    return {"complaint_id": complaint_id, "description": text, "estate_name": ESTATE}


def words_only_query(query: str) -> dict:
    """The ``words`` query without its per-character alternative (for comparison only)."""
    must = []
    for clause in parse(query).clauses:
        text = clause.alternatives[0].text
        match = {"multi_match": {"query": text, "fields": TEXT_FIELDS, "operator": "and"}}
        phrase = {"multi_match": {"query": text, "fields": TEXT_FIELDS, "type": "phrase"}}
        must.append({"bool": {"must": [match], "should": [phrase]}})
    return {"bool": {"must": must}}


def query_for(setting: str, query: str) -> dict:
    if setting == "words-only":
        return words_only_query(query)
    return text_query(parse(query), words=setting == "words")


def create(client, name: str, analyzer: str) -> None:
    client.indices.delete(index=name, ignore_unavailable=True)
    client.indices.create(index=name, **complaint_index_body(analyzer))


def judge(client, index: str, setting: str, queries: list[dict]) -> tuple:
    """(mean P@10, mean recall, rows per query, mean precision of the top hits, no-hit count)"""
    precisions, recalls, rows, tops = [], [], [], []
    for q in queries:
        response = client.search(
            index=index, query=query_for(setting, q["query"]), size=1000, _source=False
        )
        ids = [int(h["_id"]) for h in response["hits"]["hits"]]
        relevant = set(q["relevant"])
        p10 = len(relevant & set(ids[:10])) / 10
        recall = len(relevant & set(ids)) / len(relevant)
        precisions.append(p10)
        recalls.append(recall)
        rows.append((q["query"], p10, recall, len(ids)))
        if ids:
            tops.append(len(relevant & set(ids[:10])) / min(10, len(ids)))
    n = len(queries)
    top = sum(tops) / len(tops) if tops else 0.0
    return sum(precisions) / n, sum(recalls) / n, rows, top, n - len(tops)


def load_rate(client, index: str, analyzer: str, complaints: list[dict], copies: int):
    create(client, index, analyzer)
    client.indices.put_settings(index=index, settings={"refresh_interval": "-1"})
    actions = (
        {"_index": index, "_id": str(n), "_source": document(n, c["text"])}
        for n, c in enumerate((c for _ in range(copies) for c in complaints), start=1)
    )
    started = time.perf_counter()
    count, _ = helpers.bulk(client, actions, chunk_size=1000, refresh=False)
    client.indices.refresh(index=index)
    elapsed = time.perf_counter() - started
    client.indices.forcemerge(index=index, max_num_segments=1)
    stats = client.indices.stats(index=index, metric="store")
    size = stats["indices"][index]["primaries"]["store"]["size_in_bytes"]
    client.indices.delete(index=index)
    return count / elapsed, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200, help="copies of the set for rate/size")
    parser.add_argument("--verbose", action="store_true", help="one line per query")
    args = parser.parse_args()
    if not settings.ELASTICSEARCH_URL:
        sys.exit("ELASTICSEARCH_URL is not set")
    client = engine.get_client()
    settings.ELASTICSEARCH_TEXT_ANALYZER = "auto"
    word_analyzer = text_analyzer()
    if word_analyzer == STANDARD:
        plugins = ", ".join(p for p, _ in PLUGIN_ANALYZERS)
        sys.exit(f"the node has no word analyzer plugin ({plugins}): nothing to compare")
    complaints, queries = load_set()
    best = sum(min(len(q["relevant"]), 10) / 10 for q in queries) / len(queries)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"relevance on {platform.node()} ({os.cpu_count()} cores), {when}")
    print(f"{len(complaints)} complaints, {len(queries)} queries; word analyzer {word_analyzer}")
    print(f"best possible P@10 on this set: {best:.3f}")
    prefix = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-relevance"
    setups = [("chars", STANDARD), ("words", word_analyzer), ("words-only", word_analyzer)]
    results = {}
    for setting, analyzer in setups:
        index = f"{prefix}-{setting}"
        create(client, index, analyzer)
        helpers.bulk(
            client,
            (
                {"_index": index, "_id": str(c["id"]), "_source": document(c["id"], c["text"])}
                for c in complaints
            ),
            refresh="wait_for",
        )
        results[setting] = judge(client, index, setting, queries)
        client.indices.delete(index=index)
    rates = {}
    for setting, analyzer in setups[:2]:
        rates[setting] = load_rate(client, f"{prefix}-load", analyzer, complaints, args.copies)
    if args.verbose:
        for i, q in enumerate(queries):
            cells = "  ".join(
                f"{s} P@10 {results[s][2][i][1]:.1f} R {results[s][2][i][2]:.2f} "
                f"({results[s][2][i][3]} hits)"
                for s, _ in setups
            )
            print(f"  {q['query']:<8} {cells}")
    heads = (("P@10", 6), ("prec", 6), ("recall", 7), ("no hit", 6), ("docs/s", 8), ("size MB", 8))
    print(f"{'setting':<11} " + " ".join(f"{h:>{w}}" for h, w in heads))
    for setting, _ in setups:
        p10, recall, _rows, top, empty = results[setting]
        rate, size = rates.get(setting, (None, None))
        rate_s = f"{rate:8.0f}" if rate else f"{'-':>8}"
        size_s = f"{size / 1e6:8.2f}" if size else f"{'-':>8}"
        print(f"{setting:<11} {p10:6.3f} {top:6.3f} {recall:7.3f} {empty:6d} {rate_s} {size_s}")
    print(f"(rate and size: {args.copies} copies = {args.copies * len(complaints)} documents)")
    chars, words = results["chars"], results["words"]
    ok = words[0] >= chars[0] and words[1] >= chars[1]
    print(f"budget words >= chars on P@10 and recall: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
