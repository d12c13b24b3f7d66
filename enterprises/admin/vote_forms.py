"""Forms of the owners' vote screens (``enterprises.admin.votes``): they parse; the services
in ``enterprises.votes`` and ``enterprises.handovers`` decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import (
    BallotChoice,
    Company,
    ContractStatus,
    Estate,
    HandoverParty,
    Matter,
    ServiceContract,
)


class CallForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    matter = forms.ChoiceField(label=_("Matter (Civil Code art. 278)"), choices=Matter.choices)
    question = forms.CharField(label=_("Question put to the owners"), max_length=300)
    company = forms.ModelChoiceField(
        label=_("Company hired or dismissed"), queryset=Company.objects.all(), required=False
    )
    dismissal = forms.BooleanField(label=_("Dismisses the company"), required=False)
    opens_at = forms.DateTimeField(
        label=_("Voting opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


class ActForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("open", "open"), ("close", "close"), ("tally", "tally"), ("file", "file")]
    )


class PaperBallotForm(forms.Form):
    code = forms.CharField(label=_("Code on the paper ballot"), max_length=20)
    choice = forms.ChoiceField(label=_("Vote"), choices=BallotChoice.choices)


class BallotDecisionForm(forms.Form):
    ballot = forms.IntegerField()
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("discard", "discard")])


class StartHandoverForm(forms.Form):
    incoming_contract = forms.ModelChoiceField(
        label=_("New company's contract (submitted for filing)"),
        queryset=ServiceContract.objects.none(),
    )
    terminates_on = forms.DateField(
        label=_("Outgoing contract terminated on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_on = forms.DateField(
        label=_("Handover due on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        submitted = ServiceContract.objects.filter(estate=estate, status=ContractStatus.SUBMITTED)
        self.fields["incoming_contract"].queryset = submitted.select_related("company")


class ConfirmHandoverForm(forms.Form):
    party = forms.ChoiceField(choices=HandoverParty.choices)
