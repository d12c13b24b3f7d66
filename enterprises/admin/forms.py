"""Forms of the register screens and of their transition buttons.

Forms of records that have a life cycle never save themselves: ``submit(actor)`` hands the
cleaned data to the module that owns the record (``licensing``, ``contracts``,
``disclosures``, ``evaluations``), which checks the actor, sets the status and writes the
audit entry."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from enterprises import contracts, disclosures, evaluations, licensing
from enterprises.models import (
    Company,
    Disclosure,
    Estate,
    Evaluation,
    Licence,
    LicenceStatus,
    ServiceContract,
)
from enterprises.models.evaluations import DIMENSIONS
from enterprises.permissions import companies_acted_for, evaluated_estates, regulator_district_q
from foundation.models import District


def _districts_kept_by(user):
    """An official registers companies and estates of their own district only."""
    district_q = regulator_district_q(user, "pk")
    if district_q is None:
        return District.objects.none()
    return District.objects.filter(district_q)


class RegisterRecordForm(WagtailAdminModelForm):
    """Company and estate records, kept by officials and administrators."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _districts_kept_by(self.for_user)


class CompanyForm(RegisterRecordForm):
    class Meta:
        model = Company
        # Status and credit are written by their own functions, never typed in.
        fields = [
            "name",
            "credit_code",
            "legal_representative",
            "district",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]


class EstateForm(RegisterRecordForm):
    class Meta:
        model = Estate
        # The managing company follows the filed service contract (enterprises.contracts).
        fields = [
            "name",
            "address",
            "district",
            "households",
            "floor_area",
            "latitude",
            "longitude",
        ]


class ActingForCompanyForm(WagtailAdminModelForm):
    """A record a company's staff create for their own company."""

    domain_errors: tuple[type[Exception], ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.companies = companies_acted_for(self.for_user)
        self.fields["company"].queryset = self.companies


class LicenceApplicationForm(ActingForCompanyForm):
    domain_errors = (licensing.LicenceError,)

    class Meta:
        model = Licence
        fields = ["company", "scope", "renewal_of"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["renewal_of"].queryset = Licence.objects.filter(
            company__in=self.companies.values("pk"), status=LicenceStatus.APPROVED
        ).select_related("company")

    def submit(self, actor) -> Licence:
        data = self.cleaned_data
        return licensing.apply_for_licence(
            data["company"], actor=actor, scope=data["scope"], renewal_of=data["renewal_of"]
        )


class ContractSubmissionForm(ActingForCompanyForm):
    domain_errors = (contracts.ContractError,)

    class Meta:
        model = ServiceContract
        fields = [
            "company",
            "estate",
            "starts_on",
            "ends_on",
            "service_level",
            "fee_per_sqm_month",
            "fee_items",
            "document",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = Estate.objects.select_related("district")

    def submit(self, actor) -> ServiceContract:
        data = self.cleaned_data
        return contracts.submit_contract(
            actor=actor,
            company=data["company"],
            estate=data["estate"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            service_level=data["service_level"],
            fee_per_sqm_month=data["fee_per_sqm_month"],
            fee_items=data["fee_items"],
            document=data["document"],
        )


class DisclosureDraftForm(ActingForCompanyForm):
    """A new draft; a draft that exists for the period is reworked from its own edit screen."""

    domain_errors = (disclosures.DisclosureError,)

    class Meta:
        model = Disclosure
        fields = ["company", "estate", "kind", "period", "body", "attachment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = Estate.objects.filter(
            managing_company__in=self.companies.values("pk")
        )

    def submit(self, actor) -> Disclosure:
        data = self.cleaned_data
        return disclosures.save_disclosure(
            actor=actor,
            company=data["company"],
            estate=data["estate"],
            kind=data["kind"],
            period=data["period"],
            body=data["body"],
            attachment=data["attachment"] or None,
        )


class DisclosureReworkForm(WagtailAdminModelForm):
    """Rework of a draft: content, attachment and fee table; company, estate, kind and period
    stay. The fee table is typed one fee a line (item | standard | charged per | basis) and
    saved with the content in one transaction, or neither is."""

    domain_errors = (disclosures.DisclosureError,)
    fee_table = forms.CharField(
        label=_("Fee table"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One fee a line: item | standard | charged per | basis. Empty: no table."),
    )

    class Meta:
        model = Disclosure
        fields = ["body", "attachment"]
        widgets = {"attachment": forms.FileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["fee_table"] = "\n".join(
                f"{fee.item} | {fee.standard} | {fee.unit} | {fee.basis}"
                for fee in self.instance.fees.all()
            )

    def clean_fee_table(self) -> list[dict]:
        rows = []
        lines = [line for line in self.cleaned_data["fee_table"].splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != len(disclosures.FEE_FIELDS):
                raise forms.ValidationError(
                    _(
                        "Line %(number)d: give the item, standard, charged per and basis, "
                        "separated by “|”."
                    )
                    % {"number": number}
                )
            rows.append(dict(zip(disclosures.FEE_FIELDS, parts, strict=True)))
        return rows

    def submit(self, actor) -> Disclosure:
        draft = self.instance
        attachment = self.cleaned_data.get("attachment")
        with transaction.atomic():
            saved = disclosures.save_disclosure(
                actor=actor,
                company=draft.company,
                estate=draft.estate,
                kind=draft.kind,
                period=draft.period,
                body=self.cleaned_data["body"],
                attachment=attachment if isinstance(attachment, UploadedFile) else None,
            )
            if "fee_table" in self.changed_data:
                disclosures.set_fee_table(saved, actor=actor, rows=self.cleaned_data["fee_table"])
        return saved


class EvaluationForm(WagtailAdminModelForm):
    """Scores on the six dimensions by an engaged evaluator or the owners' committee."""

    domain_errors = (evaluations.EvaluationError,)

    class Meta:
        model = Evaluation
        fields = ["estate", "period", *DIMENSIONS, "report"]
        help_texts = {
            "period": _("A year (2026), half (2026-H1) or quarter (2026-Q3)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = evaluated_estates(self.for_user)

    def submit(self, actor) -> Evaluation:
        data = self.cleaned_data
        return evaluations.submit_evaluation(
            actor=actor,
            estate=data["estate"],
            period=data["period"],
            scores={name: data[name] for name in DIMENSIONS},
            report=data["report"] or None,
        )


# The questions a transition button asks (enterprises.admin.transitions) -------------------------


class NoQuestionsForm(forms.Form):
    """A button that asks nothing (file a contract, publish a disclosure)."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PenaltyForm(ReasonForm):
    penalty_reference = forms.CharField(label=_("Penalty decision"), max_length=64, required=False)


class ApprovalForm(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=AdminDateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=AdminDateInput)
    number = forms.CharField(
        label=_("Licence number"),
        max_length=32,
        required=False,
        help_text=_("Leave empty to draw the next free number."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    decision = forms.CharField(
        label=_("Decision and its reasons"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RenewalForm(forms.Form):
    scope = forms.CharField(label=_("Scope of service"), max_length=255)
