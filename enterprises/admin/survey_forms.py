"""The survey screens' forms: the estates offered are those the actor may run a survey of
(``permissions.survey_estates``); ``enterprises.surveys`` still decides, and its refusals land
on the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from enterprises import permissions
from enterprises.models import Estate, QuestionKind, SurveyKind


class SurveyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices)
    estates = forms.ModelMultipleChoiceField(
        label=_("Estates"),
        queryset=Estate.objects.none(),
        help_text=_("Several estates make a city-wide campaign: one survey per estate."),
    )
    title = forms.CharField(label=_("Title"), max_length=128)
    campaign = forms.CharField(
        label=_("Campaign"),
        max_length=64,
        required=False,
        help_text=_("The campaign's name, when several estates are surveyed."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=AdminDateInput)
    closes_on = forms.DateField(
        label=_("Closes on"),
        widget=AdminDateInput,
        help_text=_("The last day owners may answer."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estates"].queryset = permissions.survey_estates(actor).order_by("name")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=255)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a single-choice question: one choice per line."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class RemoveQuestionForm(forms.Form):
    question = forms.IntegerField(widget=forms.HiddenInput)
