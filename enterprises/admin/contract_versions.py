"""The correction (备案补正) and amendment (变更备案) screens of a service contract filing.

The buttons are transition buttons of the contracts screen (``transitions.register_transitions``):
the company corrects a returned filing or amends a filed one from the contract's page, the
official accepts or returns the amendment there. The page lists the filing's versions, and
their files are served by ``ContractFileView``: the versions ``visible_contract_versions``
allows (all of them to the regulator and the company, the current one to a committee member).
"""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from enterprises import contract_versions, contracts, permissions
from enterprises.admin import files, transitions, views
from enterprises.admin.forms import NoQuestionsForm, ReasonForm
from enterprises.models import ContractStatus, ServiceContract, ServiceLevel, VersionKind
from foundation.files import serve

# The forms of the buttons -----------------------------------------------------------------------


class TermsForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=AdminDateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=AdminDateInput)
    service_level = forms.ChoiceField(label=_("Service level"), choices=ServiceLevel.choices)
    fee_per_sqm_month = forms.DecimalField(
        label=_("Fee per m² per month (CNY)"), max_digits=8, decimal_places=2, min_value=0
    )
    fee_items = forms.CharField(
        label=_("Fee items"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectionForm(TermsForm):
    document = forms.FileField(
        label=_("Corrected contract document (PDF)"),
        required=False,
        help_text=_("Leave empty to keep the document of the returned version."),
    )
    note = forms.CharField(
        label=_("What was corrected"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendmentForm(TermsForm):
    document = forms.FileField(label=_("Signed change of the contract (PDF)"))
    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _current_terms(contract: ServiceContract) -> dict:
    return {
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "service_level": contract.service_level,
        "fee_per_sqm_month": contract.fee_per_sqm_month,
        "fee_items": contract.fee_items,
    }


def _terms(data: dict) -> dict:
    return {name: data[name] for name in TermsForm.base_fields}


# Who sees which button ----------------------------------------------------------------------


def _acts_for_contract(user, contract: ServiceContract) -> bool:
    return permissions.can_act_for_company(user, contract.company)


def _decides_for_contract(user, contract: ServiceContract) -> bool:
    return permissions.can_decide_for_estate(user, contract.estate)


def _amendment_state(contract: ServiceContract) -> str:
    """ "amendable" (filed, nothing under review), "amendment" (one under review), or the
    contract's status."""
    if contract.status != ContractStatus.FILED:
        return contract.status
    under_review = contract_versions.pending(contract)
    if under_review is None:
        return "amendable"
    return "amendment" if under_review.kind == VersionKind.AMENDMENT else contract.status


ERRORS = (contracts.ContractError,)

transitions.register_transitions(
    transitions.Transition(
        "correct",
        _("Correct and resubmit"),
        ServiceContract,
        frozenset({ContractStatus.RETURNED}),
        _acts_for_contract,
        lambda contract, actor, data: contracts.correct_contract(
            contract,
            actor=actor,
            **_terms(data),
            document=data["document"] or None,
            note=data["note"],
        ),
        ERRORS,
        _("Contract “%(object)s” corrected and resubmitted."),
        CorrectionForm,
        initial=_current_terms,
    ),
    transitions.Transition(
        "amend",
        _("Submit an amendment"),
        ServiceContract,
        frozenset({"amendable"}),
        _acts_for_contract,
        lambda contract, actor, data: contracts.amend_contract(
            contract,
            actor=actor,
            **_terms(data),
            document=data["document"],
            reason=data["reason"],
        ),
        ERRORS,
        _("Amendment of contract “%(object)s” submitted."),
        AmendmentForm,
        initial=_current_terms,
        state=_amendment_state,
    ),
    transitions.Transition(
        "accept_amendment",
        _("Accept the amendment"),
        ServiceContract,
        frozenset({"amendment"}),
        _decides_for_contract,
        lambda contract, actor, data: contracts.accept_amendment(contract, actor=actor),
        ERRORS,
        _("Amendment of contract “%(object)s” accepted."),
        NoQuestionsForm,
        state=_amendment_state,
    ),
    transitions.Transition(
        "return_amendment",
        _("Return the amendment"),
        ServiceContract,
        frozenset({"amendment"}),
        _decides_for_contract,
        lambda contract, actor, data: contracts.return_amendment(
            contract, actor=actor, reason=data["reason"]
        ),
        ERRORS,
        _("Amendment of contract “%(object)s” returned."),
        ReasonForm,
        destructive=True,
        state=_amendment_state,
    ),
)


# The contract's page and its files ----------------------------------------------------------


class ContractInspectView(views.ScopedInspectView):
    """The contract's current terms, then the versions the user may see (the whole history
    for the regulator and the company, the current version for the committee)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(
            permissions.visible_contract_versions(self.request.user, self.object)
            .select_related("submitted_by", "decided_by")
            .order_by("-number")
        )
        for version in versions:
            version.file_url = files.file_url(self.url_namespace, self.object, "versions", version)
        context["versions"] = versions
        context["whole_history"] = permissions.sees_contract_history(self.request.user, self.object)
        return context


class ContractFileView(files.ScopedFileView):
    """The contract's document, and a version's document only if that version is visible."""

    def get(self, request, pk: int, field: str, file_pk: int | None = None):
        if file_pk is None:
            return super().get(request, pk, field)
        if field != "versions":
            raise Http404
        contract = get_object_or_404(self.scope(request.user), pk=pk)
        version = get_object_or_404(
            permissions.visible_contract_versions(request.user, contract), pk=file_pk
        )
        return serve(version.document)
