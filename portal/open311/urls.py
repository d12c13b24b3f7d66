"""Mounted at ``api/open311/v2/`` outside the language prefixes: the language is the caller's
Accept-Language, not a part of the path."""

from django.urls import path, re_path

from portal.open311 import views

app_name = "open311"

urlpatterns = [
    path("services.json", views.services, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+)\.json$",
        views.service_definition,
        name="service-definition",
    ),
    path("requests.json", views.requests_collection, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+)\.json$", views.request_detail, name="request"
    ),
    path("openapi.json", views.openapi, name="openapi"),
    re_path(r"^.+\.xml$", views.xml_not_supported),
    # Anything else under the prefix answers in the API's own error format.
    re_path(r"", views.not_found),
]
