"""Which analyzer the complaint index's text uses, and so how Chinese queries are matched.

``ELASTICSEARCH_TEXT_ANALYZER`` names an analyzer type. ``standard`` works on every node and
indexes Chinese one character at a time, so a Chinese word must be matched as a phrase (the
characters side by side). A word segmenter (``portal_smartcn`` from scripts/es-plugin-smartcn,
the official ``smartcn``, IK's ``ik_max_word``) indexes words, so a Chinese query matches when
all its words occur, in any order, and the words side by side rank first. ``auto`` (the
default) asks the node once per process which plugin it has and falls back to ``standard``.
"""

import logging

from django.conf import settings
from elastic_transport import ConnectionError as ESConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError

logger = logging.getLogger(__name__)
STANDARD = "standard"
AUTO = "auto"
# Plugin name on the node -> the analyzer type it registers, in order of preference.
PLUGIN_ANALYZERS = (("portal-analysis-smartcn", "portal_smartcn"), ("analysis-smartcn", "smartcn"))
# The analyzer the text fields name; defined in the index settings as {"type": <analyzer>}.
TEXT_ANALYZER = "complaint_text"
_detected: dict[str, str] = {}


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
