"""Forms of the work report and improvement request screens. The services decide; their
refusals land on the field they name (``transitions.show_on_form``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from enterprises import permissions
from enterprises.models import Estate, WorkReportStatus

BUDGET_ROWS = 5


class ReportForm(forms.Form):
    services_delivered = forms.CharField(
        label=_("Services delivered against the contract"), widget=forms.Textarea
    )
    next_plan = forms.CharField(label=_("Service plan for the next period"), widget=forms.Textarea)
    major_matters = forms.CharField(label=_("Major matters"), widget=forms.Textarea, required=False)


class NewReportForm(ReportForm):
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    period = forms.CharField(
        label=_("Period"),
        max_length=16,
        help_text=_("A year (2026) or a half year (2026-H1, 2026-H2)."),
    )
    field_order = ["estate", "period"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        companies = permissions.companies_acted_for(actor)
        self.fields["estate"].queryset = Estate.objects.filter(
            managing_company__in=companies.values("pk")
        ).order_by("name")


class BudgetLineForm(forms.Form):
    # Amounts are checked by the service, which names the line at fault.
    item = forms.CharField(label=_("Item"), max_length=128)
    planned = forms.CharField(label=_("Planned (yuan)"), max_length=20)
    actual = forms.CharField(label=_("Actual (yuan)"), max_length=20, required=False)


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=BUDGET_ROWS, max_num=100)


def budget_lines(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.is_valid()]


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in WorkReportStatus.OUTCOMES],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label=_("The committee's opinion"), widget=forms.Textarea)


class SendRequestForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    text = forms.CharField(label=_("What the company should improve"), widget=forms.Textarea)
    deadline = forms.DateField(label=_("Answer by"), widget=AdminDateInput)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = permissions.committee_estates(actor).order_by("name")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("The company's answer"), widget=forms.Textarea)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Required to escalate: say why the answer does not satisfy the committee."),
    )
