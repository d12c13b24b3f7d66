"""The committee screens' forms: the estates offered are those the actor may file for
(``permissions.estates_decided_by``); ``enterprises.committees`` still decides, and its
refusals land on the field (or the member's field) they name."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from enterprises import permissions
from enterprises.models import CommitteePosition, Estate

MEMBER_ROWS = 7


class FilingForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    term_starts_on = forms.DateField(label=_("Term starts on"), widget=AdminDateInput)
    term_ends_on = forms.DateField(
        label=_("Term ends on"),
        widget=AdminDateInput,
        help_text=_("The last day of the term: the members' access ends after it."),
    )
    filing_number = forms.CharField(label=_("Filing number"), max_length=64, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = permissions.estates_decided_by(actor).order_by("name")


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
    )
    position = forms.ChoiceField(
        label=_("Position"), choices=CommitteePosition.choices, initial=CommitteePosition.MEMBER
    )


# Empty rows are skipped; the service refuses a filing without members or chair.
MemberFormSet = forms.formset_factory(MemberForm, extra=MEMBER_ROWS, max_num=50)


class MemberChoiceForm(forms.Form):
    """The member a button on the committee's page acts on (remove, make chair, resend)."""

    member = forms.IntegerField(widget=forms.HiddenInput)


class RenewForm(forms.Form):
    term_ends_on = forms.DateField(label=_("New end of the term"), widget=AdminDateInput)
