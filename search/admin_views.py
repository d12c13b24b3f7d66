"""The staff search screen in the Wagtail admin: parse the request, ask the query service."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cases.permissions import can_search
from search.queries import search_complaints


class ComplaintSearchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "search/complaint_search.html"
    page_title = _("Search complaints")
    header_icon = "search"
    per_page = 20

    def dispatch(self, request, *args, **kwargs):
        if not can_search(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        try:
            page = int(self.request.GET.get("page", "1"))
        except ValueError:
            page = 1
        context["results"] = search_complaints(
            self.request.user, query, page=min(page, 500), per_page=self.per_page
        )
        return context
