from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cases import log_actions
from cases.admin.penalty_process import PenaltyRuleViewSet
from cases.admin.person_work import held_work_panel
from cases.models import Agency, CalendarOverride, DutyAssignment, SlaRule, TierRule
from foundation import audit


@hooks.register("register_log_actions")
def register_case_actions(actions):
    audit.register_actions(actions, log_actions.ACTIONS)


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


class TierRuleViewSet(ModelViewSet):
    """What each tier sets in motion (alerts, pinning, sign-off); defaults in cases.tiers."""

    model = TierRule
    icon = "warning"
    menu_label = _("Tier rules")
    add_to_admin_menu = False
    form_fields = ["tier", "alert_on_duty_official", "alert_company", "pinned", "needs_sign_off"]
    list_display = ["tier", "alert_on_duty_official", "alert_company", "pinned", "needs_sign_off"]
    copy_view_enabled = False


class DutyAssignmentViewSet(ModelViewSet):
    """The duty roster (值班表): who receives a district's urgent alerts on which days."""

    model = DutyAssignment
    icon = "user"
    menu_label = _("Duty roster")
    add_to_admin_menu = False
    form_fields = ["district", "official", "starts_on", "ends_on", "phone"]
    list_display = ["district", "official", "starts_on", "ends_on"]
    list_filter = ["district"]
    copy_view_enabled = False


class SlaViewSetGroup(ViewSetGroup):
    menu_label = _("Time limits")
    menu_icon = "time"
    items = (
        SlaRuleViewSet("sla_rules"),
        CalendarOverrideViewSet("calendar_overrides"),
        PenaltyRuleViewSet("penalty_rules"),
        TierRuleViewSet("tier_rules"),
        DutyAssignmentViewSet("duty_roster"),
    )


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


@hooks.register("person_page_panels")
def show_the_work_a_person_holds(request, person):
    return held_work_panel(request, person)


@hooks.register("register_admin_viewset")
def register_reply_templates():
    from cases.admin.reply_templates import ReplyTemplateViewSet

    return ReplyTemplateViewSet("reply_templates")


@hooks.register("register_admin_viewset")
def register_improvement_requests():
    from cases.admin.committee_requests import ImprovementRequestsViewSet

    return ImprovementRequestsViewSet()


@hooks.register("register_admin_viewset")
def register_self_inspection_viewsets():
    from cases.admin.self_inspection import SelfInspectionViewSetGroup

    return SelfInspectionViewSetGroup()


@hooks.register("company_page_panels")
def show_the_company_s_quality_gap(request, company):
    from cases.admin.quality_panel import quality_gap_panel

    return quality_gap_panel(request, company)


class AgencyIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("district")  # one query, any length


class AgencyViewSet(ModelViewSet):
    """The agencies a case outside the regulator's remit is transferred to (转办); an
    administrator keeps them. No delete: an agency is deactivated and keeps its transfers."""

    model = Agency
    index_view_class = AgencyIndexView
    icon = "site"
    menu_label = _("Agencies for transfers")
    add_to_settings_menu = True
    form_fields = ["name", "district", "contact", "remit", "active"]
    list_display = ["name", "district", "contact", "active"]
    list_filter = ["active", "district"]
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_agency_viewset() -> AgencyViewSet:
    return AgencyViewSet("agencies")
