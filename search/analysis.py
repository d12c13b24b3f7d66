"""Which analyzer the complaint index's text uses, and so how Chinese queries are matched.

``ELASTICSEARCH_TEXT_ANALYZER`` names an analyzer type. ``standard`` works on every node and
indexes Chinese one character at a time, so a Chinese word must be matched as a phrase (the
characters side by side). A word segmenter (``portal_smartcn`` from scripts/es-plugin-smartcn,
the official ``smartcn``, IK's ``ik_max_word``) indexes words, so a Chinese query matches when
all its words occur, in any order, and the words side by side rank first. ``auto`` (the
default) asks the node once per process which plugin it has and falls back to ``standard``.
"""

import logging
import time

from django.conf import settings
from elastic_transport import ConnectionError as ESConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, NotFoundError

logger = logging.getLogger(__name__)
STANDARD = "standard"
AUTO = "auto"
# Plugin name on the node -> the analyzer type it registers, in order of preference.
PLUGIN_ANALYZERS = (("portal-analysis-smartcn", "portal_smartcn"), ("analysis-smartcn", "smartcn"))
# The analyzer the text fields name; defined in the index settings as {"type": <analyzer>}.
TEXT_ANALYZER = "complaint_text"
_detected: dict[str, str] = {}
INDEX_MODE_SECONDS = 60
_index_modes: dict[str, tuple[float, bool]] = {}  # alias -> (valid until, word-segmented)


def text_analyzer() -> str:
    """The analyzer type for the complaint index on the configured node."""
    configured = settings.ELASTICSEARCH_TEXT_ANALYZER
    if configured != AUTO:
        return configured
    url = settings.ELASTICSEARCH_URL
    if not url:
        return STANDARD
    if url not in _detected:
        found = _installed_plugins()
        if found is None:  # the node did not answer: standard for now, ask again next time
            return STANDARD
        _detected[url] = next((a for p, a in PLUGIN_ANALYZERS if p in found), STANDARD)
        logger.info("search: text analyzer %s (auto)", _detected[url])
    return _detected[url]


def segments_words(analyzer: str | None = None) -> bool:
    """True when the analyzer indexes Chinese words rather than single characters."""
    return (analyzer or text_analyzer()) != STANDARD


def index_segments_words() -> bool:
    """True when the live complaint index is word-segmented (it has the per-character
    subfields the word query needs). Read from its mapping, once a minute per process, so the
    queries fit the index searched now, also when the node's plugins have changed since it was
    built (until ``search_reindex`` rebuilds it). Raises when the node does not answer."""
    from search import engine

    alias = engine.complaint_alias()
    now = time.monotonic()
    cached = _index_modes.get(alias)
    if cached and cached[0] > now:
        return cached[1]
    try:
        mappings = engine.get_client().indices.get_mapping(index=alias)
    except NotFoundError:  # no index yet: the first search creates it
        return segments_words()
    words = any(
        "chars" in m["mappings"].get("properties", {}).get("description", {}).get("fields", {})
        for m in mappings.values()
    )
    _index_modes[alias] = (now + INDEX_MODE_SECONDS, words)
    return words


def _installed_plugins() -> set[str] | None:
    from search import engine

    try:
        nodes = engine.get_client().nodes.info(metric="plugins")["nodes"]
    except (ESConnectionError, ConnectionTimeout) as exc:
        logger.warning("search: cannot ask the node for its analysis plugins: %s", exc)
        return None
    except ApiError as exc:  # e.g. a user without the monitor privilege: name it in settings
        logger.warning("search: no plugin list (%s); set ELASTICSEARCH_TEXT_ANALYZER", exc)
        return set()
    names = [{p["name"] for p in node.get("plugins", [])} for node in nodes.values()]
    return set.intersection(*names) if names else set()
