"""Mounted at ``api/open311/v2/`` outside the language prefixes: the language is the caller's
Accept-Language, not a part of the path.

Every resource in both of GeoReport's formats, by extension: the JSON path keeps its name
(and its row in the permission matrix); its XML twin is the same view.
"""

from django.urls import re_path

from portal.open311 import views

app_name = "open311"


def both_formats(pattern: str, view, name: str) -> list:
    """``pattern`` (without its extension) as ``.json``, named, and as ``.xml``."""
    return [
        re_path(rf"^{pattern}\.json$", view, name=name),
        re_path(rf"^{pattern}\.xml$", view),
    ]


urlpatterns = [
    *both_formats("services", views.services, "services"),
    *both_formats(
        r"services/(?P<service_code>[^/]+)", views.service_definition, "service-definition"
    ),
    *both_formats("requests", views.requests_collection, "requests"),
    *both_formats(r"requests/(?P<service_request_id>[^/]+)", views.request_detail, "request"),
    # Service discovery, at the API's root.
    re_path(r"^discovery\.(?:json|xml)$", views.discovery_document),
    re_path(r"^openapi\.json$", views.openapi, name="openapi"),
    # Anything else under the prefix answers in the API's own error format.
    re_path(r"", views.not_found),
]
