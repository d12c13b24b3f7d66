"""Chinese word segmentation on the real node (the portal_smartcn plugin that
scripts/services.sh builds and installs), against the per-character fallback.

A slice of the judged set in bench/relevance/ is indexed twice, as the portal would index it
under each setting, and queried as the search screen queries: word segmentation must find
what per-character phrase matching misses, and never miss what it finds.
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from elasticsearch import helpers

from search import analysis, engine
from search.documents import complaint_index_body
from search.queries import text_query
from search.syntax import parse

SET = Path(__file__).resolve().parents[2] / "bench" / "relevance"
QUERIES = ["楼上漏水", "维修基金使用", "噪音扰民", "停车", "路灯", "水管", "天台", "电梯困人"]


def _judged():
    complaints = json.loads((SET / "complaints.json").read_text())
    queries = {
        q["query"]: set(q["relevant"]) for q in json.loads((SET / "queries.json").read_text())
    }
    wanted = {i for q in QUERIES for i in queries[q]}
    # The relevant complaints, plus texts where a query's characters cross a word boundary.
    traps = {c["id"] for c in complaints if c["topic"].startswith("other_")}
    return [c for c in complaints if c["id"] in wanted | traps], queries


@pytest.fixture(scope="module")
def indices():
    """{"chars": index, "words": index} holding the same slice of the judged set."""
    if not settings.ELASTICSEARCH_URL:
        pytest.fail("ELASTICSEARCH_URL is not set: run `make test`.")
    analysis._detected.clear()
    word_analyzer = analysis.text_analyzer()
    if word_analyzer == analysis.STANDARD:
        if os.environ.get("PORTAL_MANAGED_ELASTICSEARCH") == "1":
            pytest.fail("the node of scripts/services.sh has no portal-analysis-smartcn plugin")
        pytest.skip("this Elasticsearch has no Chinese word analyzer plugin")
    client = engine.get_client()
    complaints, _ = _judged()
    names = {}
    for setting, analyzer in (("chars", analysis.STANDARD), ("words", word_analyzer)):
        name = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-wordtest-{setting}"
        client.indices.delete(index=name, ignore_unavailable=True)
        client.indices.create(index=name, **complaint_index_body(analyzer))
        helpers.bulk(client, (_action(name, c) for c in complaints), refresh="wait_for")
        names[setting] = name
    yield names
    for name in names.values():
        client.indices.delete(index=name, ignore_unavailable=True)


def _action(index: str, complaint: dict) -> dict:
    source = {"description": complaint["text"], "estate_name": "阳光花园"}
    return {"_index": index, "_id": str(complaint["id"]), "_source": source}


def _ids(index: str, query: str, words: bool) -> list[int]:
    response = engine.get_client().search(
        index=index, query=text_query(parse(query), words=words), size=100
    )
    return [int(hit["_id"]) for hit in response["hits"]["hits"]]


def _found(indices, query):
    return _ids(indices["chars"], query, False), _ids(indices["words"], query, True)


def test_the_index_body_names_the_plugins_analyzer(settings):
    body = complaint_index_body("portal_smartcn")
    description = body["mappings"]["properties"]["description"]

    assert body["settings"]["analysis"]["analyzer"]["complaint_text"] == {"type": "portal_smartcn"}
    assert description["analyzer"] == "complaint_text"
    assert description["fields"]["chars"]["analyzer"] == "standard"
    assert "analysis" not in complaint_index_body("standard")["settings"]


def test_words_in_any_order_are_found_where_characters_side_by_side_are_not(indices):
    _, judged = _judged()
    for query, only_words in [("楼上漏水", {8}), ("维修基金使用", {65, 67}), ("噪音扰民", {29})]:
        chars, words = _found(indices, query)
        assert only_words <= set(words) - set(chars), query
        assert set(words) <= judged[query], query  # nothing wrong came with them


def test_word_segmentation_misses_nothing_per_character_matching_finds(indices):
    # 停车位 is one word (停车 is not in it), 道路灯光 cuts 路灯, 水管 sits in 排水管 and
    # 下水管道: the per-character subfields still find them.
    for query in QUERIES:
        chars, words = _found(indices, query)
        assert set(chars) <= set(words), query


def test_the_exact_wording_ranks_first(indices):
    _, words = _found(indices, "楼上漏水")

    assert words[0] == 9  # "楼上漏水严重…" before "楼上住户家卫生间漏水…"


def test_a_quoted_phrase_stays_a_phrase(indices):
    _, words = _found(indices, '"楼上漏水"')

    assert words == [9]


def test_auto_takes_the_plugin_the_node_has_and_falls_back_to_characters(settings, monkeypatch):
    settings.ELASTICSEARCH_TEXT_ANALYZER = "auto"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # a node of its own in the cache
    answers = iter([None, {"analysis-smartcn"}])
    monkeypatch.setattr(analysis, "_installed_plugins", lambda: next(answers))
    monkeypatch.setattr(analysis, "_detected", {})

    assert analysis.text_analyzer() == "standard"  # no answer: characters, and ask again
    assert analysis.text_analyzer() == "smartcn"
    assert analysis.text_analyzer() == "smartcn"  # asked once, then remembered
    assert analysis.segments_words()
    settings.ELASTICSEARCH_TEXT_ANALYZER = "standard"
    assert not analysis.segments_words()


def test_a_node_without_a_plugin_gets_the_per_character_index(settings, monkeypatch):
    settings.ELASTICSEARCH_TEXT_ANALYZER = "auto"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    monkeypatch.setattr(analysis, "_installed_plugins", lambda: {"repository-s3"})
    monkeypatch.setattr(analysis, "_detected", {})

    body = complaint_index_body()

    assert body["mappings"]["properties"]["description"] == {"type": "text", "analyzer": "standard"}
    assert not analysis.segments_words()
    assert text_query(parse("电梯"), False)["bool"]["must"][0]["multi_match"]["type"] == "phrase"


def test_queries_follow_the_index_searched_not_the_nodes_plugins(indices, settings, monkeypatch):
    # An index built before the plugin came: the word query's per-character subfields are
    # not there, so Chinese is matched as phrases until a reindex.
    client = engine.get_client()
    for setting, words in (("chars", False), ("words", True)):
        settings.ELASTICSEARCH_INDEX_PREFIX = f"{indices[setting]}-mode"
        client.indices.put_alias(index=indices[setting], name=engine.complaint_alias())
        monkeypatch.setattr(analysis, "_index_modes", {})

        assert analysis.index_segments_words() is words
