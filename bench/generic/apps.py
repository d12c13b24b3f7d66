"""Installed only by ``bench.settings``: never part of the portal."""

from django.apps import AppConfig


class GenericBenchConfig(AppConfig):
    name = "bench.generic"
    label = "bench_generic"
    default_auto_field = "django.db.models.BigAutoField"
