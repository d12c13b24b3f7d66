from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
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
    "cases.complaint.anonymised": _("Personal data removed (retention period ended)"),
    "cases.complaint.reopened": _("Reopened"),
    "cases.complaint.merged": _("Merged into another case"),
    "cases.complaint.duplicate_merged": _("A duplicate was merged into this case"),
    "cases.dispatch.signed": _("Signed for"),
    "cases.dispatch.returned": _("Returned by the receiving unit"),
    "cases.dispatch.sign_late": _("Not signed for in time"),
    "cases.complaint.answered": _("Company answered"),
    "cases.answer.accepted": _("Company answer accepted"),
    "cases.answer.sent_back": _("Company answer sent back"),
    "cases.complaint.unsatisfied_again": _("Unsatisfied again after reopening"),
    "cases.complaint.info_requested": _("More information requested"),
    "cases.complaint.info_provided": _("Information provided"),
    "cases.extension.requested": _("Extension requested"),
    "cases.extension.refused": _("Extension refused"),
    "cases.complaint.extended": _("Time limit extended"),
    "cases.complaint.sla_warning": _("Due soon"),
    "cases.complaint.overdue": _("Overdue"),
    "cases.complaint.escalated": _("Escalated for supervision"),
    "cases.complaint.note_added": _("Internal note"),
}


@hooks.register("register_log_actions")
def register_case_actions(actions):
    from cases.audit import ACTIONS as SUPERVISION_ACTIONS

    for code, label in {**CASE_ACTIONS, **SUPERVISION_ACTIONS}.items():
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


@hooks.register("register_admin_urls")
def register_case_urls():
    from cases.admin import urls

    return [path("cases/", include((urls.urlpatterns, urls.app_name), namespace=urls.app_name))]


class WorkbenchMenuItem(MenuItem):
    """Shown to those who work cases: regulator staff and the companies' staff."""

    def is_shown(self, request):
        from cases.admin.workbench import works_cases

        return works_cases(request.user)


@hooks.register("register_admin_menu_item")
def register_workbench_menu_item() -> WorkbenchMenuItem:
    return WorkbenchMenuItem(
        _("Case workbench"), reverse("cases_admin:workbench"), icon_name="tasks", order=190
    )


@hooks.register("register_admin_viewset")
def register_supervision_viewsets():
    from cases.admin.supervision import SupervisionViewSetGroup

    return SupervisionViewSetGroup()
