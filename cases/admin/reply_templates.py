"""The officials' screen of reply templates (常用回复): list, add and edit. A template is
retired by unticking "active" rather than deleted, so a text once offered stays on record
(Wagtail's history of each template shows who changed what)."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from cases.models import ReplyTemplate
from cases.permissions import can_edit_reply_templates
from foundation.roles import Role


class OfficialsEdit(ModelPermissionPolicy):
    """Officials and administrators view, add and change the templates; nobody deletes one.
    Decided by role (``cases.permissions``), so the roles' permission tables stay as they are."""

    def user_has_permission(self, user, action: str) -> bool:
        return action in ("view", "add", "change") and can_edit_reply_templates(user)

    def users_with_any_permission(self, actions):
        if not {"view", "add", "change"} & set(actions):
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True) | Q(groups__name__in=[Role.OFFICIAL, Role.ADMINISTRATOR]),
                is_active=True,
            )
            .distinct()
        )


class ReplyTemplateViewSet(ModelViewSet):
    model = ReplyTemplate

    @cached_property
    def permission_policy(self) -> OfficialsEdit:
        return OfficialsEdit(self.model)

    icon = "doc-full"
    menu_label = _("Reply templates")
    menu_order = 195
    add_to_admin_menu = True
    form_fields = ["action", "category", "title", "text_zh", "text_en", "active"]
    list_display = ["title", "action", "category", "active"]
    list_filter = ["action", "category", "active"]
    search_fields = ["title", "text_zh", "text_en"]
    copy_view_enabled = False
