"""Wagtail's site history report, for administrators only.

Wagtail shows a user every audit entry (``ModelLogEntry``) of a model the user holds any
permission on, whatever the record: company A's staff would read company B's penalties and
licences there, an inspector another district's. Our audit entries are scoped through each
record's own history screen instead; the city-wide report stays with the administrator.
The paths are routed before ``wagtail.admin.urls`` so they answer in place of Wagtail's, and
the reports menu offers the report to administrators only (the hook is registered when
``portal.config.urls`` imports this module, before any menu is drawn).
"""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import require_admin_access
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.log_actions import registry as log_action_registry

from foundation.roles import Role, has_role


def _remember_allowed_content_types(user) -> None:
    """Wagtail caches the content types a user may read entries of on the user, but works
    them out from the first log model asked (the registry's models are a set, so the order
    is random per process): asked first, page entries would hide every penalty's. Work them
    out for every log model and cache the union, which is right for each of them."""
    allowed: set[int] = set()
    for log_model in log_action_registry.get_log_entry_models():
        if hasattr(user, "_allowed_content_type_ids"):
            del user._allowed_content_type_ids
        log_model.objects.viewable_by_user(user)
        allowed |= getattr(user, "_allowed_content_type_ids", set())
    user._allowed_content_type_ids = allowed


class AdministratorsLogEntriesView(LogEntriesView):
    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, Role.ADMINISTRATOR):
            raise PermissionDenied
        _remember_allowed_content_types(request.user)
        return super().dispatch(request, *args, **kwargs)


@hooks.register("construct_reports_menu")
def site_history_for_administrators(request, menu_items: list) -> None:
    """Hidden from everyone else; offered to administrators even without page permissions
    (Wagtail shows it only to page editors)."""
    if not has_role(request.user, Role.ADMINISTRATOR):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]
    elif not any(item.name == "site-history" for item in menu_items):
        url = reverse("site_history_administrators")
        item = MenuItem(_("Site history"), url, name="site-history", icon_name="history")
        menu_items.append(item)


urlpatterns = [
    path(
        "admin/reports/site-history/",
        require_admin_access(AdministratorsLogEntriesView.as_view()),
        name="site_history_administrators",
    ),
    path(
        "admin/reports/site-history/results/",
        require_admin_access(AdministratorsLogEntriesView.as_view(results_only=True)),
        name="site_history_administrators_results",
    ),
]
