from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # The dashboard registers its admin URL and menu item through Wagtail hooks; the
        # receivers connect to the case domain's signals when imported.
        from search import dashboard, signal_receivers  # noqa: F401
