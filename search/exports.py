"""Export of the staff search's results (投诉检索结果导出) as CSV or an Excel workbook.

Every hit of the same request the screen shows, not just one page: the search service is
asked again with its cursor (``next_after``) 500 hits at a time, so an export goes past
Elasticsearch's 10,000-hit window and never holds more than one page of hits. The search
service applies the user's scope and masks the description for users without the
personal-data permission; the complainant's name, phone and ID number are added only for users
with it (decrypted from their columns),
fetched per page by id through ``visible_complaints``. Each export is written to the audit
log with the rows counted, and an export with contact details also as a view of personal data.
"""

from collections.abc import Iterator
from dataclasses import replace

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.views import View

from cases.permissions import can_search, can_see_personal_data, visible_complaints
from foundation import spreadsheets
from foundation.audit import EXPORT_COMPLAINTS, PERSONAL_DATA_EXPORTED, as_filters, record_event
from search.facets import SearchRequest
from search.forms import ComplaintSearchForm
from search.queries import Hit, search_complaints

PAGE_SIZE = 500
DESCRIPTION_CHARS = 200
SCREEN = "complaint_search"
# Paging belongs to the screen; an export always starts at the first hit.
NOT_FILTERS = ("after", "page")


class ComplaintExportView(View):
    """GET ``.../export/csv/?<the search screen's parameters>`` (or ``xlsx``)."""

    http_method_names = ["get"]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_search(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404
        user = request.user
        search = ComplaintSearchForm(request.GET).search_request(per_page=PAGE_SIZE)
        search = replace(search, after=None)
        personal = can_see_personal_data(user)
        filters = as_filters(request.GET, drop=NOT_FILTERS)

        def on_finish(rows: int) -> None:
            audit = {"actor": user, "label": SCREEN, "filters": filters, "row_count": rows}
            record_event(action=EXPORT_COMPLAINTS, format=fmt, request=request, **audit)
            if personal:
                record_event(action=PERSONAL_DATA_EXPORTED, format=fmt, request=request, **audit)

        rows = complaint_rows(user, search, personal=personal)
        filename = f"complaints-{timezone.localtime():%Y%m%d-%H%M}"
        if fmt == "csv":
            return spreadsheets.csv_response(
                rows, headings=headings(personal), filename=filename, on_finish=on_finish
            )
        return spreadsheets.xlsx_response(
            rows,
            headings=headings(personal),
            filename=filename,
            sheet_title=gettext("Complaints"),
            on_finish=on_finish,
        )


def headings(personal: bool) -> list[str]:
    columns = [
        gettext("Tracking number"),
        gettext("Status"),
        gettext("Category"),
        gettext("Tier"),
        gettext("District"),
        gettext("Estate"),
        gettext("Submitted"),
        gettext("Resolve by"),
        gettext("Description"),
    ]
    if personal:
        columns += [gettext("Complainant"), gettext("Phone"), gettext("Resident ID number")]
    return columns


def complaint_rows(user, search: SearchRequest, *, personal: bool) -> Iterator[list]:
    """One row per hit, page after page; contact details in one query per page."""
    while True:
        results = search_complaints(user, search)
        contacts = _contacts(user, results.hits) if personal else {}
        for hit in results.hits:
            row = _row(hit)
            if personal:
                row += contacts.get(hit.complaint_id, ("", "", ""))
            yield row
        if not results.has_next:
            return
        search = replace(search, after=results.next_after)


def _row(hit: Hit) -> list:
    return [
        hit.tracking_number,
        hit.status_label,
        hit.category_label,
        hit.tier_label,
        hit.district,
        hit.estate_name,
        hit.created_at,
        hit.resolve_due_at,
        Truncator(" ".join(hit.description.split())).chars(DESCRIPTION_CHARS),
    ]


def _contacts(user, hits: list[Hit]) -> dict[int, tuple[str, str, str]]:
    # The scope again: contact details only of complaints the user may open.
    rows = (
        visible_complaints(user)
        .filter(pk__in=[hit.complaint_id for hit in hits])
        .values_list("pk", "contact_name", "contact_phone", "contact_id_number")
    )
    return {pk: tuple(contact) for pk, *contact in rows}
