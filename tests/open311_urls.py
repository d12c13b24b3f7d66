"""The project's URLs with the Open311 API mounted where portal/config/urls.py is to mount it, for
the API's tests until it is wired there."""

from django.urls import include, path

from portal.config.urls import urlpatterns as base

urlpatterns = [path("api/open311/v2/", include("portal.open311.urls")), *base]
