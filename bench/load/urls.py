"""The portal's URLs plus the ceiling: a trivial view behind the very same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.config.urls import urlpatterns as portal_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# Spliced, not included: the portal's list ends with i18n_patterns, allowed only at the root.
urlpatterns = [path("bench/trivial/", trivial), *portal_urlpatterns]
