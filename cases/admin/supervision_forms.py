"""Forms of the supervision screens: they validate input and hand it to the owning module
(``cases.inspections``, ``cases.draws``, ``cases.rectification``, ``cases.penalties``); none
of them saves a model itself."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from cases import draws, inspections, penalties, permissions, rectification
from cases.checklists import ChecklistError, create_checklist
from cases.models import (
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    Dimension,
    Inspection,
    InspectionKind,
    Penalty,
    PenaltyKind,
    RandomDraw,
)
from enterprises.models import Company, Estate, Licence
from foundation.models import District
from foundation.roles import Role

INSPECTION_ERRORS = (inspections.InspectionError, ValidationError)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (evidence photos and PDFs)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


def _districts(user):
    scope = permissions.scope_for(user)
    districts = District.objects.all()
    return districts if scope.everything else districts.filter(pk__in=scope.district_ids)


def _inspectors(user):
    users = get_user_model().objects.filter(groups__name=Role.INSPECTOR, is_active=True)
    scope = permissions.scope_for(user)
    if not scope.everything:
        users = users.filter(staff_profile__district__in=scope.district_ids)
    return users.order_by("username").distinct()


class PlanInspectionForm(WagtailAdminModelForm):
    domain_errors = INSPECTION_ERRORS
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Inspectors (two or more)"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Inspection
        fields = ["estate", "kind", "checklist", "planned_on", "campaign", "complaint"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        districts = _districts(self.for_user)
        self.fields["estate"].queryset = Estate.objects.filter(district__in=districts)
        self.fields["inspectors"].queryset = _inspectors(self.for_user)
        self.fields["kind"].choices = [
            (k, label) for k, label in InspectionKind.choices if k != InspectionKind.RANDOM
        ]
        self.fields["complaint"].queryset = permissions.visible_complaints(self.for_user)
        self.fields["complaint"].widget = forms.NumberInput()
        self.fields["complaint"].help_text = _("Only for a complaint-triggered inspection.")

    def submit(self, actor) -> Inspection:
        data = self.cleaned_data
        return inspections.plan_inspection(
            actor=actor,
            estate=data["estate"],
            kind=data["kind"],
            checklist=data["checklist"],
            inspectors=list(data["inspectors"]),
            planned_on=data["planned_on"],
            campaign=data.get("campaign"),
            complaint=data.get("complaint"),
        )


class DrawForm(WagtailAdminModelForm):
    domain_errors = (draws.DrawError,)
    count = forms.IntegerField(label=_("Targets to draw"), min_value=1, max_value=200)
    seed = forms.CharField(
        label=_("Seed (optional)"),
        required=False,
        max_length=64,
        help_text=_("Leave empty for a fresh random seed; give one to repeat a draw."),
    )

    class Meta:
        model = RandomDraw
        fields = [
            "target_kind",
            "district",
            "campaign",
            "inspectors_per_target",
            "weighted_by_risk",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _districts(self.for_user)

    def submit(self, actor) -> RandomDraw:
        data = self.cleaned_data
        return draws.make_draw(
            actor=actor,
            target_kind=data["target_kind"],
            count=data["count"],
            district=data.get("district"),
            inspectors_per_target=data["inspectors_per_target"],
            weighted_by_risk=data["weighted_by_risk"],
            campaign=data.get("campaign"),
            seed=data["seed"] or None,
        )


class ProposePenaltyForm(WagtailAdminModelForm):
    domain_errors = (penalties.PenaltyError,)

    class Meta:
        model = Penalty
        fields = [
            "company",
            "estate",
            "kind",
            "fine_amount",
            "licence",
            "violation",
            "legal_basis",
            "inspection",
            "order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        districts = _districts(self.for_user)
        self.fields["company"].queryset = Company.objects.filter(district__in=districts)
        self.fields["estate"].queryset = Estate.objects.filter(district__in=districts)
        self.fields["licence"].queryset = Licence.objects.filter(company__district__in=districts)
        self.fields["inspection"].queryset = permissions.visible_inspections(self.for_user)
        self.fields["order"].queryset = permissions.visible_orders(self.for_user)

    def submit(self, actor) -> Penalty:
        data = self.cleaned_data
        return penalties.propose_penalty(
            actor=actor,
            company=data["company"],
            kind=data["kind"],
            violation=data["violation"],
            legal_basis=data["legal_basis"],
            fine_amount=data.get("fine_amount") if data["kind"] == PenaltyKind.FINE else None,
            licence=data.get("licence"),
            estate=data.get("estate"),
            inspection=data.get("inspection"),
            order=data.get("order"),
        )


# Transition forms ---------------------------------------------------------------------------


def text_form(label, *, required: bool = True) -> type[forms.Form]:
    """A form of one text (a reason, a note, a decision), labelled for its button."""
    text = forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}))
    return type("TextForm", (forms.Form,), {"text": text})


ReasonForm = text_form(_("Reason"))
DecisionTextForm = text_form(_("Text of the decision"))
OptionalNoteForm = text_form(_("Note"), required=False)


class FindingsForm(forms.Form):
    text = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class IssueOrderForm(forms.Form):
    requirements = forms.CharField(
        label=_("Requirements"), widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise ValidationError(_("The deadline cannot be in the past."))
        return deadline


class SubmitRectificationForm(forms.Form):
    response = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(
        label=_("Evidence: photos or PDF documents"),
        help_text=_("JPEG, PNG, WebP or GIF photos and PDF documents, each up to 10 MB."),
    )


class PlanDrawnInspectionsForm(forms.Form):
    checklist = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.all()
    )
    planned_on = forms.DateField(
        label=_("Planned for"), widget=forms.DateInput(attrs={"type": "date"})
    )


def order_from(inspection: Inspection, actor, data: dict):
    return rectification.issue_order(
        actor=actor,
        company=inspection.company,
        estate=inspection.estate,
        inspection=inspection,
        requirements=data["requirements"],
        deadline=data["deadline"],
    )


class ChecklistForm(WagtailAdminModelForm):
    """A new checklist (or the next version of one by the same name): one item per line,
    ``number | requirement | dimension | weight | clause``, e.g.
    ``2 | 公共区域每日清扫 | cleaning | 20 | 2.1``; the clause is of the chosen standard."""

    domain_errors = (ChecklistError,)
    standard = forms.ModelChoiceField(
        label=_("Standard the clauses belong to"),
        # The page model settings.SERVICE_STANDARD_PAGE_MODEL names (the public site's).
        queryset=ChecklistItem._meta.get_field("standard")
        .related_model.objects.live()
        .order_by("-effective_from"),
        required=False,
    )
    lines = forms.CharField(
        label=_("Items, one per line"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "number | requirement | dimension | weight | clause. Dimensions: %(dimensions)s."
        )
        % {"dimensions": ", ".join(Dimension.values)},
    )

    class Meta:
        model = ChecklistTemplate
        fields = ["name"]

    def clean_lines(self) -> list[dict]:
        items, problems = [], []
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) not in (4, 5) or not parts[3].isdigit():
                problems.append(
                    _("Line %(line)d: write number | requirement | dimension | weight | clause.")
                    % {"line": number}
                )
                continue
            item = {
                "number": parts[0],
                "text": parts[1],
                "dimension": parts[2],
                "weight": int(parts[3]),
            }
            if len(parts) == 5 and parts[4]:
                item["clause"] = parts[4]
            items.append(item)
        if problems:
            raise ValidationError(problems)
        if not items:
            raise ValidationError(_("Give at least one item."))
        return items

    def submit(self, actor) -> ChecklistTemplate:
        standard = self.cleaned_data.get("standard")
        items = [
            {**item, "standard": standard} if standard and item.get("clause") else item
            for item in self.cleaned_data["lines"]
        ]
        return create_checklist(self.cleaned_data["name"], items, actor=actor)


class CampaignForm(WagtailAdminModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "scope", "starts_on", "ends_on", "district"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _districts(self.for_user)
        if not permissions.scope_for(self.for_user).everything:
            self.fields["district"].required = True  # a district official's campaign is theirs

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The campaign ends before it starts."))
        return cleaned


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)
