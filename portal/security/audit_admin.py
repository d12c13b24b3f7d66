"""The audit log in the Wagtail admin (Settings → Audit log): a list and a detail, nothing else.

Its permission policy knows one action, "view", for everybody including superusers (who
otherwise hold every permission, even ones that do not exist): the add, edit, delete and copy
URLs a model viewset always routes answer 403, and no button offers them.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from foundation.models import AuditEvent


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(["view"] if "view" in actions else [])

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)


class AuditEventViewSet(ModelViewSet):
    model = AuditEvent
    icon = "history"
    menu_label = _("Audit log")
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    # Not in the reference index: it would add queries to every event written.
    add_to_reference_index = False
    # The edit and add views exist in every model viewset; the policy refuses them (403).
    form_fields = ["label"]
    list_display = ["created_at", "actor", "action", "label", "row_count", "format", "ip_address"]
    list_filter = ["action"]
    inspect_view_fields = [
        "created_at", "actor", "action", "label", "filters", "row_count", "format", "ip_address",
    ]  # fmt: skip
    permission_policy = ViewOnlyPermissionPolicy(AuditEvent)

    def get_queryset(self, request):
        return AuditEvent.objects.select_related("actor")


def register_hooks() -> None:
    """Called from PortalConfig.ready."""
    from wagtail import hooks

    hooks.register("register_admin_viewset", lambda: AuditEventViewSet("audit_log"))
