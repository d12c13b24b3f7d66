"""URLs of the open data page, included under ``open-data/`` inside the language prefixes."""

from django.urls import path

from portal.site import opendata_views

urlpatterns = [
    path("", opendata_views.open_data_page, name="open_data"),
    path("<str:name>", opendata_views.open_data_file, name="open_data_file"),
]
