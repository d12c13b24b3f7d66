"""The people screens' forms: what an inviter may choose is narrowed to what they may give
(``enterprises.permissions``); the service still decides and refusals land on their field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises import permissions
from enterprises.models import Company, Estate, EvaluationOrganisation
from foundation.models import District
from foundation.roles import ROLE_LABELS, Role, has_role


def _districts_for(actor):
    districts = District.objects.order_by("code")
    if has_role(actor, Role.ADMINISTRATOR) or permissions.is_city_wide(actor):
        return districts
    profile = getattr(actor, "staff_profile", None)
    return districts.filter(pk=profile.district_id if profile else None)


class ScopeForm(forms.Form):
    """Where a person works: a district (or city-wide), a company or an estate."""

    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    city_wide = forms.BooleanField(
        label=_("City-wide"),
        required=False,
        help_text=_("Heads of department only: sees and supervises every district."),
    )
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False
    )
    estate = forms.ModelChoiceField(
        label=_("Estate"), queryset=Estate.objects.none(), required=False
    )
    evaluation_organisation = forms.ModelChoiceField(
        label=_("Evaluation organisation"),
        queryset=EvaluationOrganisation.objects.none(),
        required=False,
        help_text=_("Evaluators only: their estates are engagements made on its page."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _districts_for(actor)
        if has_role(actor, Role.ADMINISTRATOR):
            self.fields["company"].queryset = permissions.visible_companies(actor).order_by("name")
            self.fields["estate"].queryset = permissions.visible_estates(actor).order_by("name")
            self.fields["evaluation_organisation"].queryset = EvaluationOrganisation.objects.all()
        elif has_role(actor, Role.OFFICIAL):
            for name in ("city_wide", "company", "estate", "evaluation_organisation"):
                del self.fields[name]
        else:  # a company's administrator: their own company, nothing else
            self.fields["company"].queryset = permissions.administered_companies(actor)
            for name in ("district", "city_wide", "estate", "evaluation_organisation"):
                del self.fields[name]

    def scope(self) -> dict:
        data = self.cleaned_data
        return {
            "district": data.get("district"),
            "city_wide": bool(data.get("city_wide")),
            "company": data.get("company"),
            "estate": data.get("estate"),
            "evaluation_organisation": data.get("evaluation_organisation"),
        }


class InviteForm(ScopeForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
        help_text=_("Optional: the link is also sent by SMS."),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_("Optional: the e-mail address when left empty."),
    )
    role = forms.ChoiceField(label=_("Role"))

    field_order = ["name", "email", "phone", "username", "role"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        if has_role(actor, Role.ADMINISTRATOR):
            roles = permissions.PEOPLE_ROLES
        elif has_role(actor, Role.OFFICIAL):
            roles = (Role.INSPECTOR,)
        else:
            roles = (Role.COMPANY_STAFF,)
        self.fields["role"].choices = [(role.value, ROLE_LABELS[role]) for role in roles]
