"""The open data page (开放数据) and its downloads: plain Django views, not Wagtail pages,
because they show files from storage rather than edited content.

Only the three stable names are ever served (an allow-list, so no path from the URL reaches
the storage). Anonymous downloads are counted per client address (django-ratelimit) so one
script cannot saturate the server with multi-megabyte files; the files change once a day, so
a short public cache lifetime is enough.
"""

import datetime as dt

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from cases import deidentify, opendata

RATE_GROUP = "portal.opendata.download"
CACHE_SECONDS = 300
FORMATS = {opendata.JSON_NAME: "JSON", opendata.CSV_NAME: "CSV", opendata.METADATA_NAME: "JSON"}


def _in_language(texts: dict | str) -> str:
    """A text of metadata.json in the visitor's language, else the site's."""
    if isinstance(texts, str):
        return texts
    return texts.get(get_language()) or texts.get(settings.LANGUAGE_CODE) or ""


def _describe(metadata: dict | None) -> dict:
    """Fields and rules from the published metadata; before the first build, from the code."""
    if metadata is None:
        return {
            "fields": [(name, str(text)) for name, text in opendata.FIELDS],
            "rules": [str(rule) for rule in deidentify.RULES],
            "limits": [str(limit) for limit in deidentify.LIMITS],
            "licence": str(opendata.LICENCE),
        }
    rules = metadata.get("deidentification", {})
    return {
        "fields": [(f["name"], _in_language(f["description"])) for f in metadata["fields"]],
        "rules": [_in_language(rule) for rule in rules.get("rules", [])],
        "limits": [_in_language(limit) for limit in rules.get("limits", [])],
        "licence": _in_language(metadata.get("licence", "")),
    }


def open_data_page(request: HttpRequest) -> HttpResponse:
    """What is published, when it was last updated, what each field means and how personal
    data was removed."""
    metadata = opendata.current_metadata()
    files = [
        {
            **found,
            "format": FORMATS[found["name"]],
            "url": reverse("open_data_file", args=[found["name"]]),
        }
        for found in opendata.published_files()
    ]
    context = {
        "metadata": metadata,
        "generated_at": parse_datetime(metadata["generated_at"]) if metadata else None,
        "first_day": dt.date.fromisoformat(metadata["period"]["first_day"]) if metadata else None,
        "last_day": dt.date.fromisoformat(metadata["period"]["last_day"]) if metadata else None,
        "files": files if metadata else [],
        "next_build_at": opendata.next_build_at(),
        **_describe(metadata),
    }
    return TemplateResponse(request, "portal/open_data.html", context)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        _(
            "Too many downloads from your address. Please wait a minute and try again: the "
            "files change only once a day."
        ),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    add_never_cache_headers(response)
    return response


def open_data_file(request: HttpRequest, name: str) -> HttpResponse:
    """One of the stable files, as an attachment with its modification time."""
    if name not in opendata.STABLE_NAMES:
        raise Http404
    if not request.user.is_authenticated and is_ratelimited(
        request,
        group=RATE_GROUP,
        key="ip",
        rate=getattr(settings, "OPEN_DATA_RATE_LIMIT", "60/m"),
        increment=True,
    ):
        return _too_many(request)
    path = opendata.stable_path(name)
    try:
        modified = default_storage.get_modified_time(path).timestamp()
        content = default_storage.open(path, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    unchanged = get_conditional_response(request, last_modified=int(modified))
    if unchanged is not None:
        content.close()
        response = unchanged
    else:
        response = FileResponse(
            content, as_attachment=True, filename=name, content_type=opendata.CONTENT_TYPES[name]
        )
    response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
