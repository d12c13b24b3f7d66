"""The evaluation organisations' forms: what a registrar may choose is narrowed to what they
may decide (their district's estates, the organisation's own staff); the service
(``enterprises.evaluators``) still decides and its refusals land on their field."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from enterprises import permissions
from enterprises.evaluators import ORGANISATION_FIELDS
from enterprises.models import Estate, EvaluationOrganisation
from foundation.names import display_name
from foundation.roles import Role


class OrganisationForm(forms.Form):
    """Name, credit code, qualification and its period, contact: the model's own fields
    and validators, without the model's checks (the service words those per field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                EvaluationOrganisation,
                fields=ORGANISATION_FIELDS,
                widgets={"qualified_from": AdminDateInput, "qualified_until": AdminDateInput},
            )
        )


def _label(user) -> str:
    name = display_name(user)
    return f"{name} ({user.get_username()})" if name != user.get_username() else name


class EngageForm(forms.Form):
    evaluator = forms.ModelChoiceField(
        label=_("Evaluator"), queryset=get_user_model().objects.none()
    )
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=AdminDateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=AdminDateInput)

    def __init__(self, *args, actor, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = (
            get_user_model()
            .objects.filter(
                staff_profile__evaluation_organisation=organisation,
                groups__name=Role.EVALUATOR.value,
            )
            .order_by("username")
        )
        self.fields["evaluator"].label_from_instance = _label
        # The estates the actor may decide for: their district's (an official), the city's.
        estates = Estate.objects.none()
        if permissions.keeps_register(actor):
            estates = permissions.visible_estates(actor)
        self.fields["estate"].queryset = estates.order_by("name")


class EndEngagementForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
