"""The staff search screen in the Wagtail admin: parse the request, ask the query service,
and build the links (facet toggles, next page) that make it work without JavaScript."""

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cases.permissions import can_search
from search.facets import SORTS, FacetResult, SearchRequest
from search.forms import ComplaintSearchForm, encode_cursor
from search.freshness import index_freshness
from search.queries import search_complaints


def _link(params: QueryDict, **changes) -> str:
    """These parameters with some changed (None removes one), as "?..."; always back to the
    first page, since a cursor belongs to the page it came from."""
    query = params.copy()
    for name in ("after", "page", *changes):
        query.pop(name, None)
    for name, value in changes.items():
        if value is not None:
            query.setlist(name, value if isinstance(value, list) else [value])
    return "?" + query.urlencode()


class ComplaintSearchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "search/complaint_search.html"
    page_title = _("Complaint search")
    header_icon = "search"
    per_page = 20

    def get_breadcrumbs_items(self):
        """Home, then this screen: the header shows the last item, so without it the screen
        was titled "Home"."""
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not can_search(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        form = ComplaintSearchForm(params)
        search = form.search_request(per_page=self.per_page)
        results = search_complaints(self.request.user, search)
        page = _page_number(params.get("page"))
        context.update(
            form=form,
            results=results,
            freshness=index_freshness(),
            sorts=SORTS,
            page_number=page,
            first_url=_link(params) if search.after else None,
            next_url=(
                _link(params) + f"&after={encode_cursor(results.next_after)}&page={page + 1}"
                if results.has_next
                else None
            ),
            facets=_facet_links(params, search, results.facets),
            clear_url=_link(QueryDict(mutable=True), q=params.get("q") or None),
            export_query=_link(params),  # every hit of this search, from the first
        )
        return context


def _page_number(raw: str | None) -> int:
    """Only shown to people ("page 3"); the cursor decides what the page holds."""
    try:
        return max(1, min(int(raw or 1), 1_000_000))
    except ValueError:
        return 1


def _facet_links(params: QueryDict, search: SearchRequest, facets: list[FacetResult]) -> list:
    """Each facet with, per value, the link that ticks or unticks it."""
    shown = []
    for facet in facets:
        chosen = list(search.selected(facet.name))
        values = []
        for value in facet.values:
            if value.selected:
                toggled = [v for v in chosen if v != value.value]
            else:
                toggled = [*chosen, value.value]
            values.append(
                {
                    "label": value.label,
                    "count": value.count,
                    "selected": value.selected,
                    "url": _link(params, **{facet.name: toggled or None}),
                }
            )
        if values:
            shown.append({"name": facet.name, "label": facet.label, "values": values})
    return shown
