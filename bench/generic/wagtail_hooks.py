"""Wagtail's generic ``IndexView``/``InspectView`` over the complaints (bench only): the fair
anchor of the staff pages, the same rows, page size and user, with nothing of ours in it."""

from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from cases.admin.workbench import PER_PAGE
from cases.models import Complaint


class GenericIndexView(IndexView):
    # The rows' relations joined, as any list done right does (else one query per cell).
    queryset = Complaint.objects.select_related("estate", "district", "company")


class GenericComplaintViewSet(ModelViewSet):
    model = Complaint
    icon = "folder-open-inverse"
    add_to_admin_menu = False
    # The portal does not index complaints' references: neither does the anchor, or every
    # complaint written during the bench (ours and the bare view's) would pay for it.
    add_to_reference_index = False
    inspect_view_enabled = True
    list_per_page = PER_PAGE
    # The columns our case list shows: number, estate, district, status, due date.
    list_display = ["tracking_number", "estate", "district", "status", "resolve_due_at"]
    list_filter = []
    index_view_class = GenericIndexView
    # ``?q=`` searched by the database (icontains), as the generic view does without an index.
    search_fields = ["description", "tracking_number"]
    search_backend_name = None
    ordering = ["resolve_due_at", "pk"]
    inspect_view_fields = [
        "tracking_number",
        "status",
        "category",
        "tier",
        "estate",
        "estate_name",
        "district",
        "company",
        "description",
        "assigned_inspector",
        "created_at",
        "resolve_due_at",
    ]
    # Ours never selects personal data for a row; neither does the anchor.
    exclude_form_fields = []
    form_fields = ["status"]


@hooks.register("register_admin_viewset")
def register_generic_complaints() -> GenericComplaintViewSet:
    return GenericComplaintViewSet("generic_complaints")
