from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from cases.admin.case_views import CASE_PAGE_PANELS
from cases.models import CaseStatus, Complaint
from cases.permissions import can_search, is_regulator
from search.admin_views import ComplaintSearchView
from search.exports import ComplaintExportView
from search.similar import similar_complaints


@hooks.register("register_admin_urls")
def register_search_urls():
    return [
        path("complaints/search/", ComplaintSearchView.as_view(), name="complaint_search"),
        path(
            "complaints/search/export/<str:fmt>/",
            ComplaintExportView.as_view(),
            name="complaint_search_export",
        ),
    ]


class SearchMenuItem(MenuItem):
    def is_shown(self, request):
        return can_search(request.user)


@hooks.register("register_admin_menu_item")
def register_search_menu_item():
    return SearchMenuItem(
        _("Search complaints"), reverse("complaint_search"), icon_name="search", order=200
    )


class SimilarComplaintsPanel(Component):
    """Likely duplicates on the staff case page, for the regulator to merge; scoped and
    masked by ``search.similar``, looked up only when the page renders the panel."""

    template_name = "search/admin/similar_complaints_panel.html"
    order = 100

    def __init__(self, user, complaint: Complaint):
        self.user = user
        self.complaint = complaint

    def get_context_data(self, parent_context=None) -> dict:
        return {"similar_complaints": similar_complaints(self.user, self.complaint)}


@hooks.register(CASE_PAGE_PANELS)
def add_similar_complaints_panel(request, complaint: Complaint, panels: list) -> None:
    # A merged case is someone's duplicate already; only the regulator merges.
    if is_regulator(request.user) and complaint.status != CaseStatus.MERGED:
        panels.append(SimilarComplaintsPanel(request.user, complaint))
