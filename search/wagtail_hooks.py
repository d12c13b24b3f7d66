from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cases.permissions import can_search
from search.admin_views import ComplaintSearchView
from search.exports import ComplaintExportView


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
