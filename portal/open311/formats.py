"""The two formats of GeoReport v2: JSON, and XML with the specification's element names.

One answer, two writings: a view builds plain data and ``answer`` writes it in the format the
path's extension asked for, so the XML can never say more or less than the JSON. The XML is
built with ElementTree, which escapes text; characters XML 1.0 cannot carry (control
characters, lone surrogates) are dropped, so no stored or echoed text can break the document.
Nothing here parses XML: partners send forms, never XML.
"""

import json
import re
from xml.etree import ElementTree as ET

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

JSON = "json"
XML = "xml"
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}
# The MIME types the discovery document lists, as the specification writes them.
MEDIA_TYPES = ["text/xml", "application/json"]
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# A list's element and the element of each of its items.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def format_of(path: str) -> str:
    """The format a path asks for by its extension; JSON for anything else."""
    return XML if path.lower().endswith(".xml") else JSON


def answer(data, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """``data`` written as JSON, or as XML under the element ``root``."""
    if fmt == XML:
        body = _DECLARATION + ET.tostring(_element(root, data), encoding="utf-8")
    else:
        body = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(status: int, descriptions, fmt: str) -> HttpResponse:
    """GeoReport's error list with the HTTP status; never cached (a 429 or 404 must not
    stick in a cache)."""
    body = [{"code": status, "description": str(d)} for d in descriptions]
    response = answer(body, fmt, "errors", status)
    patch_cache_control(response, no_store=True)
    return response


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        for item in value:
            element.append(_element(ITEMS.get(name, "item"), item))
    elif value is not None:
        element.text = _text(value)
    return element


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))
