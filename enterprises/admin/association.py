"""The industry association's screens: peer reviews and honours, recorded by the
association for any company, read by the regulator of the company's district and by the
company itself (``enterprises.permissions.visible_peer_reviews``/``visible_honours``)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from enterprises import association, permissions
from enterprises.admin import views
from enterprises.admin.viewsets import SUBMITTED, RegisterViewSet
from enterprises.models import Company, CompanyStatus, Honour, PeerReview


class _ForAnyCompany(WagtailAdminModelForm):
    domain_errors = (association.AssociationError,)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.exclude(status=CompanyStatus.DEREGISTERED)


class PeerReviewForm(_ForAnyCompany):
    class Meta:
        model = PeerReview
        fields = ["company", "period", "score", "report"]
        help_texts = {"period": _("A year (2026), half (2026-H1) or quarter (2026-Q3).")}

    def submit(self, actor) -> PeerReview:
        return association.record_peer_review(actor=actor, **self.cleaned_data)


class HonourForm(_ForAnyCompany):
    class Meta:
        model = Honour
        fields = ["company", "title", "awarded_on", "awarded_by"]
        widgets = {"awarded_on": AdminDateInput}

    def submit(self, actor) -> Honour:
        return association.record_honour(actor=actor, **self.cleaned_data)


class PeerReviewViewSet(RegisterViewSet):
    model = PeerReview
    name = "register_peer_reviews"
    menu_label = _("Peer reviews")
    icon = "group"
    scope = staticmethod(permissions.visible_peer_reviews)
    list_select_related = ("company",)
    actions = SUBMITTED
    can_add = staticmethod(permissions.is_association)
    add_view_class = views.SubmitCreateView
    add_form_class = PeerReviewForm
    list_display = ["company", "period", "score", "recorded_at"]
    list_export = list_display
    list_filter = ["period", "company__district"]
    search_fields = ["company__name", "period"]
    inspect_view_fields = ["company", "period", "score", "report", "recorded_at"]


class HonourViewSet(RegisterViewSet):
    model = Honour
    name = "register_honours"
    menu_label = _("Honours")
    icon = "pick"
    scope = staticmethod(permissions.visible_honours)
    list_select_related = ("company",)
    actions = SUBMITTED
    can_add = staticmethod(permissions.is_association)
    add_view_class = views.SubmitCreateView
    add_form_class = HonourForm
    list_display = ["title", "company", "awarded_on", "awarded_by"]
    list_export = list_display
    list_filter = ["company__district"]
    search_fields = ["company__name", "title", "awarded_by"]
    inspect_view_fields = ["company", "title", "awarded_on", "awarded_by", "recorded_at"]
