from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # The dashboard registers its admin URL and menu item through Wagtail hooks.
        from search import dashboard  # noqa: F401
