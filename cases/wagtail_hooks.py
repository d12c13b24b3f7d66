from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cases.models import CalendarOverride, SlaRule

CASE_ACTIONS = {
    "cases.complaint.submitted": _("Complaint submitted"),
    "cases.complaint.accepted": _("Accepted"),
    "cases.complaint.rejected": _("Not accepted"),
    "cases.complaint.assigned": _("Dispatched"),
    "cases.complaint.started": _("Work started"),
    "cases.complaint.resolved": _("Resolved"),
    "cases.complaint.followed_up": _("Satisfaction recorded"),
    "cases.complaint.closed": _("Closed"),
    "cases.complaint.reopened": _("Reopened"),
}


@hooks.register("register_log_actions")
def register_case_actions(actions):
    for code, label in CASE_ACTIONS.items():
        actions.register_action(code, label, label)


class SlaRuleViewSet(ModelViewSet):
    """The time limits per tier and category; guarded by the model's own permissions."""

    model = SlaRule
    icon = "time"
    menu_label = _("SLA rules")
    add_to_admin_menu = False
    form_fields = [
        "tier",
        "category",
        "accept_within_hours",
        "respond_within_hours",
        "resolve_within_days",
    ]
    list_display = [
        "tier",
        "category",
        "accept_within_hours",
        "respond_within_hours",
        "resolve_within_days",
    ]
    list_filter = ["tier"]
    copy_view_enabled = False


class CalendarOverrideViewSet(ModelViewSet):
    """Corrections of the working calendar (a year the library lacks, a local day off)."""

    model = CalendarOverride
    icon = "date"
    menu_label = _("Working calendar")
    add_to_admin_menu = False
    form_fields = ["date", "is_workday", "note"]
    list_display = ["date", "is_workday", "note"]
    copy_view_enabled = False


class SlaViewSetGroup(ViewSetGroup):
    menu_label = _("Time limits")
    menu_icon = "time"
    items = (SlaRuleViewSet("sla_rules"), CalendarOverrideViewSet("calendar_overrides"))


@hooks.register("register_admin_viewset")
def register_sla_viewsets() -> SlaViewSetGroup:
    return SlaViewSetGroup()
