"""The load test's URLs (the portal and the trivial view) plus the bare views."""

from django.urls import path

from bench.generic import views
from bench.load.urls import urlpatterns as load_urlpatterns

urlpatterns = [
    path("bench/bare/file/", views.file),
    path("bench/bare/track/", views.track),
    *load_urlpatterns,
]
