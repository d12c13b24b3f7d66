"""The register menu (企业监管) and one viewset per kind of record.

Every screen lists, shows and changes only what ``enterprises.permissions`` lets the user
see; records with a life cycle are created through their module's function and moved by the
transition buttons of ``enterprises.admin.transitions``, never saved from a plain model form.
"""

from django.forms.models import modelform_factory
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from enterprises import permissions
from enterprises.admin import contract_versions, files, forms, import_export, transitions, views
from enterprises.admin.policy import (
    ScopedPermissionPolicy,
    acts_for_a_company,
    evaluates_an_estate,
    is_registrar,
)
from enterprises.models import (
    Company,
    CreditAppeal,
    CreditRecord,
    Disclosure,
    Estate,
    Evaluation,
    Licence,
    ServiceContract,
)
from enterprises.models.evaluations import DIMENSIONS
from foundation.audit import EXPORT_REGISTER

VIEW_ONLY = frozenset({"view"})
SUBMITTED = frozenset({"view", "add"})
# Nothing in the register is deleted: a company is deregistered, a record is closed.
KEPT_BY_REGISTRARS = frozenset({"view", "add", "change"})


def _is_draft(user, disclosure: Disclosure) -> bool:
    return not disclosure.published


class RegisterViewSet(ModelViewSet):
    """Scoped screens of one kind of record: list, inspect and history for everyone with a
    record in scope; no copies, no deletions; add and change only where ``actions`` offers
    them."""

    scope = None  # staticmethod(visible_...) of enterprises.permissions
    list_select_related: tuple[str, ...] = ()
    actions = VIEW_ONLY
    can_add = None
    can_change = None
    can_change_row = None
    add_form_class = None
    edit_form_class = None

    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = views.ScopedIndexView
    inspect_view_class = views.ScopedInspectView
    edit_view_class = views.ScopedEditView
    delete_view_class = views.ScopedDeleteView
    history_view_class = views.ScopedHistoryView
    usage_view_class = views.ScopedUsageView
    inspect_template_name = "enterprises/admin/inspect.html"
    # ``list_export`` turns on the listing's CSV/XLSX download, recorded under this action.
    export_action = EXPORT_REGISTER

    @cached_property
    def url_prefix(self) -> str:
        return f"register/{self.name.removeprefix('register_')}"

    @cached_property
    def export_filename(self) -> str:
        return self.name.replace("_", "-")

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            export_action=self.export_action, export_label=self.name, **kwargs
        )

    @cached_property
    def permission_policy(self) -> ScopedPermissionPolicy:
        return ScopedPermissionPolicy(
            self.model,
            scope=self.scope,
            actions=self.actions,
            can_add=self.can_add,
            can_change=self.can_change,
            can_change_row=self.can_change_row,
        )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            scope=self.scope,
            list_select_related=self.list_select_related,
            url_namespace=self.url_namespace,
            **kwargs,
        )

    def get_form_class(self, for_update=False):
        form_class = self.edit_form_class if for_update else self.add_form_class
        # Screens without the action still build the view; the policy refuses it.
        return form_class or modelform_factory(self.model, fields=())

    def get_urlpatterns(self):
        buttons = [
            path(
                f"{transition.name}/<int:pk>/",
                transitions.TransitionView.as_view(
                    transition=transition,
                    scope=self.scope,
                    inspect_url_name=self.get_url_name("inspect"),
                ),
                name=transition.name,
            )
            for transition in transitions.transitions_for(self.model)
        ]
        return super().get_urlpatterns() + buttons + self.file_urlpatterns()

    def file_urlpatterns(self):
        if not (files.file_fields(self.model) or files.related_files(self.model)):
            return []
        view = files.ScopedFileView.as_view(scope=self.scope, model=self.model)
        return [
            path("<int:pk>/file/<str:field>/", view, name="file"),
            path("<int:pk>/file/<str:field>/<int:file_pk>/", view, name="file"),
        ]


class CompanyViewSet(RegisterViewSet):
    model = Company
    name = "register_companies"
    menu_label = _("Companies")
    icon = "site"
    scope = staticmethod(permissions.visible_companies)
    list_select_related = ("district",)
    actions = KEPT_BY_REGISTRARS
    can_add = staticmethod(is_registrar)
    can_change = staticmethod(is_registrar)
    add_form_class = edit_form_class = forms.CompanyForm
    inspect_view_class = views.CompanyInspectView
    index_view_class = import_export.CompanyIndexView
    list_display = ["name", "credit_code", "district", "status", "credit_grade", "credit_score"]
    list_filter = ["status", "district", "credit_grade"]
    search_fields = ["name", "credit_code", "legal_representative", "contact_name"]
    inspect_view_fields = [
        *forms.CompanyForm.Meta.fields,
        "status",
        "credit_score",
        "credit_grade",
        "credit_list",
        "credit_computed_at",
    ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            import_url_name=self.get_url_name("import"),
            export_url_name=self.get_url_name("export"),
            **kwargs,
        )

    def get_urlpatterns(self):
        index_url_name = self.get_url_name("index")
        return super().get_urlpatterns() + [
            path(
                "import/",
                import_export.ImportCompaniesView.as_view(index_url_name=index_url_name),
                name="import",
            ),
            path("export/", import_export.ExportCompaniesView.as_view(), name="export"),
        ]


class EstateViewSet(RegisterViewSet):
    model = Estate
    name = "register_estates"
    menu_label = _("Estates")
    icon = "home"
    scope = staticmethod(permissions.visible_estates)
    list_select_related = ("district", "managing_company")
    actions = KEPT_BY_REGISTRARS
    can_add = staticmethod(is_registrar)
    can_change = staticmethod(is_registrar)
    add_form_class = edit_form_class = forms.EstateForm
    list_display = ["name", "district", "managing_company", "households", "address"]
    list_export = list_display
    list_filter = ["district"]
    search_fields = ["name", "address", "managing_company__name"]
    inspect_view_fields = [
        "name",
        "address",
        "district",
        "households",
        "floor_area",
        "latitude",
        "longitude",
        "managing_company",
    ]


class LicenceViewSet(RegisterViewSet):
    model = Licence
    name = "register_licences"
    menu_label = _("Licences")
    icon = "doc-full"
    scope = staticmethod(permissions.visible_licences)
    list_select_related = ("company",)
    actions = SUBMITTED
    can_add = staticmethod(acts_for_a_company)
    add_view_class = views.SubmitCreateView
    add_form_class = forms.LicenceApplicationForm
    list_display = ["__str__", "company", "status", "scope", "valid_until", "applied_at"]
    list_export = list_display
    list_filter = ["status", "company__district"]
    search_fields = ["number", "company__name", "scope"]
    inspect_view_fields = [
        "company",
        "number",
        "scope",
        "status",
        "renewal_of",
        "valid_from",
        "valid_until",
        "decision_reason",
        "penalty_reference",
        "applied_by",
        "applied_at",
        "decided_by",
        "decided_at",
    ]


class ServiceContractViewSet(RegisterViewSet):
    model = ServiceContract
    name = "register_contracts"
    menu_label = _("Service contracts")
    icon = "form"
    scope = staticmethod(permissions.visible_contracts)
    list_select_related = ("company", "estate")
    actions = SUBMITTED
    can_add = staticmethod(acts_for_a_company)
    add_view_class = views.SubmitCreateView
    add_form_class = forms.ContractSubmissionForm
    inspect_view_class = contract_versions.ContractInspectView
    inspect_template_name = "enterprises/admin/contract_inspect.html"
    list_display = ["__str__", "status", "service_level", "starts_on", "ends_on", "submitted_at"]
    list_export = list_display
    list_filter = ["status", "estate__district", "service_level"]
    search_fields = ["estate__name", "company__name"]
    inspect_view_fields = [
        "company",
        "estate",
        "starts_on",
        "ends_on",
        "service_level",
        "fee_per_sqm_month",
        "fee_items",
        "document",
        "status",
        "version",
        "decision_reason",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
    ]

    def file_urlpatterns(self):
        # A version's document only where that version is visible (its current one only,
        # for a committee member).
        view = contract_versions.ContractFileView.as_view(scope=self.scope, model=self.model)
        return [
            path("<int:pk>/file/<str:field>/", view, name="file"),
            path("<int:pk>/file/<str:field>/<int:file_pk>/", view, name="file"),
        ]


class DisclosureViewSet(RegisterViewSet):
    model = Disclosure
    name = "register_disclosures"
    menu_label = _("Disclosures")
    icon = "doc-empty"
    scope = staticmethod(permissions.visible_disclosures)
    list_select_related = ("company", "estate")
    actions = frozenset({"view", "add", "change"})
    can_add = staticmethod(acts_for_a_company)
    can_change = staticmethod(acts_for_a_company)
    can_change_row = staticmethod(_is_draft)
    add_view_class = views.SubmitCreateView
    edit_view_class = views.SubmitEditView
    add_form_class = forms.DisclosureDraftForm
    edit_form_class = forms.DisclosureReworkForm
    list_display = ["__str__", "company", "kind", "period", "published", "updated_at"]
    list_export = list_display
    list_filter = ["kind", "published", "estate__district"]
    search_fields = ["estate__name", "company__name", "period", "body"]
    inspect_view_fields = [
        "company",
        "estate",
        "kind",
        "period",
        "body",
        "attachment",
        "published",
        "published_at",
        "created_at",
        "updated_at",
    ]


class EvaluationViewSet(RegisterViewSet):
    model = Evaluation
    name = "register_evaluations"
    menu_label = _("Evaluations")
    icon = "tasks"
    scope = staticmethod(permissions.visible_evaluations)
    list_select_related = ("estate", "company")
    actions = SUBMITTED
    can_add = staticmethod(evaluates_an_estate)
    add_view_class = views.SubmitCreateView
    add_form_class = forms.EvaluationForm
    list_display = ["__str__", "company", "evaluator_kind", "period", "submitted_at"]
    list_export = list_display
    list_filter = ["evaluator_kind", "estate__district"]
    search_fields = ["estate__name", "company__name", "period"]
    inspect_view_fields = [
        "estate",
        "company",
        "evaluator_kind",
        "period",
        *DIMENSIONS,
        "report",
        "submitted_at",
    ]


class CreditRecordViewSet(RegisterViewSet):
    model = CreditRecord
    name = "register_credit_records"
    menu_label = _("Credit records")
    icon = "list-ul"
    scope = staticmethod(permissions.visible_credit_records)
    list_select_related = ("company",)
    list_display = ["company", "kind", "points", "occurred_on", "valid_until", "withdrawn"]
    list_export = list_display
    list_filter = ["kind", "withdrawn", "company__district"]
    search_fields = ["company__name", "explanation", "source_label"]
    inspect_view_fields = [
        "company",
        "kind",
        "points",
        "explanation",
        "source_label",
        "occurred_on",
        "valid_until",
        "withdrawn",
    ]


class CreditAppealViewSet(RegisterViewSet):
    model = CreditAppeal
    name = "register_credit_appeals"
    menu_label = _("Credit appeals")
    icon = "warning"
    scope = staticmethod(permissions.visible_appeals)
    list_select_related = ("record", "record__company")
    list_display = ["__str__", "status", "submitted_at", "decided_at"]
    list_export = list_display
    list_filter = ["status", "record__company__district"]
    search_fields = ["record__company__name", "reason"]
    inspect_view_fields = ["record", "reason", "status", "decision", "submitted_at", "decided_at"]
