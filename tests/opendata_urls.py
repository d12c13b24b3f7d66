"""The project's URLs with the open data page mounted as portal/config/urls.py will mount it: inside
the language prefixes, before the Wagtail catch-all."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from portal.config.urls import urlpatterns as base

urlpatterns = [
    *i18n_patterns(
        path("open-data/", include("portal.site.opendata_urls")), prefix_default_language=False
    ),
    *base,
]
