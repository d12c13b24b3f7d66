"""Forms of the self-inspection screens (企业自查): they check input and hand it to
``cases.self_inspection``; none saves a model itself. Inputs are large for a phone."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from cases import self_inspection
from cases.admin.supervision_forms import MultipleFileField
from cases.models import ChecklistTemplate, Patrol, PatrolPlan, ScoringRule
from enterprises.models import CompanyUserObjectPermission, Estate
from enterprises.permissions import ACT_FOR_COMPANY, companies_acted_for
from foundation.names import display_name

DOMAIN_ERRORS = (self_inspection.SelfInspectionError, ValidationError)
DATE = forms.DateInput(attrs={"type": "date"})


def _own_estates(user):
    return Estate.objects.filter(managing_company__in=companies_acted_for(user).values("pk"))


def company_staff(user):
    """Those holding the grant of a company ``user`` acts for (quality staff, task owners)."""
    grants = CompanyUserObjectPermission.objects.filter(
        permission__codename=ACT_FOR_COMPANY.split(".")[1],
        content_object__in=companies_acted_for(user).values("pk"),
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=grants.values("user_id"))
        .order_by("last_name", "first_name", "pk")
    )


class PatrolPlanForm(WagtailAdminModelForm):
    domain_errors = DOMAIN_ERRORS

    class Meta:
        model = PatrolPlan
        fields = ["estate", "period", "kind", "planned_count"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = _own_estates(self.for_user)

    def submit(self, actor) -> PatrolPlan:
        return self_inspection.plan_patrols(actor=actor, **self.cleaned_data)


class PatrolForm(WagtailAdminModelForm):
    domain_errors = DOMAIN_ERRORS

    class Meta:
        model = Patrol
        fields = ["estate", "kind", "checklist", "quality_staff", "planned_on", "plan"]
        widgets = {"planned_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        estates = _own_estates(self.for_user)
        self.fields["estate"].queryset = estates
        self.fields["checklist"].queryset = ChecklistTemplate.objects.filter(
            items__isnull=False
        ).distinct()
        self.fields["quality_staff"].queryset = company_staff(self.for_user)
        self.fields["quality_staff"].label_from_instance = display_name
        self.fields["plan"].queryset = PatrolPlan.objects.filter(estate__in=estates)

    def submit(self, actor) -> Patrol:
        return self_inspection.schedule_patrol(actor=actor, **self.cleaned_data)


class PatrolScoreForm(forms.Form):
    """One block per checklist item, for a phone: the result, the finding, and for a failed
    item the task's owner and deadline."""

    def __init__(self, *args, items, scores, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            score = scores.get(item.pk)
            if item.scoring_rule == ScoringRule.SCALE:
                self.fields[f"points_{item.pk}"] = forms.DecimalField(
                    label=_("Points (0–%(weight)d)") % {"weight": item.weight},
                    min_value=0, max_value=item.weight, decimal_places=1, required=False,
                    initial=score.points if score else None,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
                )  # fmt: skip
            else:
                self.fields[f"passed_{item.pk}"] = forms.TypedChoiceField(
                    label=_("Result"), widget=forms.RadioSelect,
                    choices=[("1", _("Passed")), ("0", _("Failed"))],
                    coerce=lambda v: v == "1", empty_value=None, required=False,
                    initial=("1" if score.passed else "0") if score else None,
                )  # fmt: skip
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Finding (required when failed)"), required=False, max_length=500,
                initial=score.note if score else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip
            if score is None or not hasattr(score, "task"):
                self.fields[f"owner_{item.pk}"] = forms.ModelChoiceField(
                    label=_("Rectified by"), queryset=owners, required=False
                )
                self.fields[f"owner_{item.pk}"].label_from_instance = display_name
                self.fields[f"deadline_{item.pk}"] = forms.DateField(
                    label=_("Rectify by"), required=False, widget=DATE
                )

    def rows(self):
        for item in self.items:
            value = "points" if item.scoring_rule == ScoringRule.SCALE else "passed"
            yield {
                "item": item,
                "value": self[f"{value}_{item.pk}"],
                "note": self[f"note_{item.pk}"],
                "owner": self[f"owner_{item.pk}"] if f"owner_{item.pk}" in self.fields else None,
                "deadline": self[f"deadline_{item.pk}"]
                if f"deadline_{item.pk}" in self.fields
                else None,
            }


class PatrolPhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RectifyTaskForm(forms.Form):
    rectification = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(
        label=_("Evidence: photos or PDF documents"),
        help_text=_("Photos and PDF documents, each up to the document size limit."),
    )


class RecheckNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Re-check note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("Why the rectification does not hold"), widget=forms.Textarea(attrs={"rows": 2})
    )
