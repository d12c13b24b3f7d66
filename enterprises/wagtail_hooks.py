from wagtail import hooks
from wagtail.admin.ui.components import Component

from enterprises.admin.committees import CommitteesViewSet
from enterprises.admin.evaluators import EvaluationOrganisationsViewSet, engagements_panel
from enterprises.admin.people import PeopleViewSet
from enterprises.admin.register_menu import RegisterViewSetGroup
from enterprises.admin.surveys import SurveysViewSet
from enterprises.admin.units import UnitsViewSet
from enterprises.admin.votes import HandoversMenuItem, VotesViewSet
from enterprises.admin.work_reports import WorkReportsViewSet
from enterprises.log_actions import ACTIONS
from enterprises.permissions import has_scope
from foundation import audit


@hooks.register("register_log_actions")
def register_register_actions(actions) -> None:
    audit.register_actions(actions, ACTIONS)


@hooks.register("register_admin_viewset")
def register_viewsets() -> RegisterViewSetGroup:
    return RegisterViewSetGroup()


class NoScopePanel(Component):
    """Tells staff without a scope why they see nothing, and whom to ask."""

    template_name = "enterprises/admin/no_scope_panel.html"
    order = 1


@hooks.register("construct_homepage_panels")
def tell_staff_without_a_scope(request, panels: list) -> None:
    if not has_scope(request.user):
        panels.insert(0, NoScopePanel())


@hooks.register("register_admin_viewset")
def register_people() -> PeopleViewSet:
    return PeopleViewSet()


@hooks.register("register_admin_viewset")
def register_evaluation_organisations() -> EvaluationOrganisationsViewSet:
    return EvaluationOrganisationsViewSet()


@hooks.register("person_page_panels")
def show_an_evaluators_engagements(request, person):
    return engagements_panel(request, person)


@hooks.register("register_admin_viewset")
def register_committees() -> CommitteesViewSet:
    return CommitteesViewSet()


@hooks.register("register_admin_viewset")
def register_units() -> UnitsViewSet:
    return UnitsViewSet()


@hooks.register("register_admin_viewset")
def register_work_reports() -> WorkReportsViewSet:
    return WorkReportsViewSet()


@hooks.register("register_admin_viewset")
def register_surveys() -> SurveysViewSet:
    return SurveysViewSet()


@hooks.register("register_admin_viewset")
def register_votes() -> VotesViewSet:
    return VotesViewSet()


@hooks.register("register_admin_menu_item")
def register_handovers_menu_item() -> HandoversMenuItem:
    return HandoversMenuItem()
