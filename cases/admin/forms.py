"""The forms of the case page's actions, one per action.

They only parse what the user typed; the `cases` services decide whether the action is
allowed now and by whom. Every form takes the case and the acting user (``complaint=``,
``user=``) so the page and the action views build them the same way.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cases.attachments import validate_attachment
from cases.clock import MAX_EXTENSION_DAYS, MIN_EXTENSION_DAYS
from cases.dispatch import responsible_company
from cases.models import Agency, Category, Complaint, ReturnReason, Satisfaction, Tier
from cases.permissions import visible_complaints
from enterprises import register_names
from enterprises.models import Estate
from foundation.names import display_name
from foundation.roles import Role
from foundation.table_memo import TableMemo
from foundation.widgets import QuickSelect

MAX_FILES = 5


class CaseActionForm(forms.Form):
    """Base of every action form: remembers the case and the user it is for."""

    def __init__(self, *args, complaint: Complaint, user, **kwargs):
        self.complaint = complaint
        self.user = user
        super().__init__(*args, **kwargs)


class ConfirmForm(CaseActionForm):
    """An action without questions (sign for, close): the button is the answer."""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five files, each checked by ``cases.attachments.validate_attachment`` (type by
    content, size) so a bad file is named in the form's error before anything is stored."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            ngettext_lazy(
                "Up to %(count)d PDF file or image.",
                "Up to %(count)d PDF files or images.",
                "count",
            )
            % {"count": MAX_FILES},
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)d files; you chose %(chosen)d.")
                % {"count": MAX_FILES, "chosen": len(files)}
            )
        cleaned = [super(AttachmentsField, self).clean(f, initial) for f in files]
        for uploaded in cleaned:
            validate_attachment(uploaded)
        return cleaned


def _text(label, *, required: bool = True, rows: int = 3, max_length: int = 4000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AcceptForm(CaseActionForm):
    tier = forms.ChoiceField(label=_("Severity tier"), choices=Tier.choices, widget=QuickSelect)
    note = _text(_("Note"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].initial = self.complaint.tier


class ReasonForm(CaseActionForm):
    """Reject (shown to the citizen), return a dispatch (退单), reopen (重办)."""

    reason = _text(_("Reason"))


class ReturnForm(CaseActionForm):
    """Return a dispatch (退单): a reason from the list and the unit's own words."""

    reason_code = forms.ChoiceField(
        label=_("Reason for returning"), choices=ReturnReason.choices, widget=QuickSelect
    )
    reason = _text(_("Explanation"))


class RulingForm(CaseActionForm):
    """An official's ruling on a return (退单审定): uphold it (and perhaps dispatch the case
    to another unit at once) or overrule it (the unit must handle the case)."""

    UPHOLD, OVERRULE = "uphold", "overrule"

    decision = forms.ChoiceField(
        label=_("Ruling"),
        choices=[
            (UPHOLD, _("Uphold the return")),
            (OVERRULE, _("Overrule it: the unit must handle the case")),
        ],
        widget=forms.RadioSelect,
    )
    redispatch = forms.ChoiceField(
        label=_("Then dispatch to (when upheld)"), required=False, choices=(), widget=QuickSelect
    )
    note = _text(_("Note (needed to overrule; the unit reads it)"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = responsible_company(self.complaint)
        self.inspectors = {str(i.pk): i for i in district_inspectors(self.complaint)}
        choices = [("", _("Nobody yet (dispatch or transfer it later)"))]
        if self.company is not None:
            choices.append(("company", self.company.name))
        choices += [
            (f"inspector:{pk}", _("Inspector %(name)s") % {"name": display_name(person)})
            for pk, person in self.inspectors.items()
        ]
        self.fields["redispatch"].choices = choices

    def clean(self):
        data = super().clean()
        chosen = data.get("redispatch") or ""
        if chosen == "company":
            data["redispatch_to"] = self.company
        elif chosen.startswith("inspector:"):
            data["redispatch_to"] = self.inspectors.get(chosen.split(":", 1)[1])
        else:
            data["redispatch_to"] = None
        return data


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


def district_inspectors(complaint: Complaint):
    """The inspectors who work the case's district (every inspector for a case without one)."""
    inspectors = get_user_model().objects.filter(groups__name=Role.INSPECTOR, is_active=True)
    if complaint.district_id is not None:
        inspectors = inspectors.filter(staff_profile__district_id=complaint.district_id)
    return inspectors.order_by("last_name", "first_name", "username")


class DispatchForm(CaseActionForm):
    """Dispatch (分派) to an inspector of the district and/or the responsible company."""

    inspector = InspectorChoiceField(
        label=_("Inspector"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=QuickSelect,
    )
    to_company = forms.BooleanField(label=_("Send to the company"), required=False)
    instructions = forms.CharField(
        label=_("Instructions to the unit(s)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the inspector and the company this case is sent to."),
    )
    note = forms.CharField(
        label=_("Internal note (regulator staff only)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Never shown to the company or the complainant."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = district_inspectors(self.complaint)
        self.company = responsible_company(self.complaint)
        if self.company is None:
            del self.fields["to_company"]
        else:
            field = self.fields["to_company"]
            field.label = _("Send to %(company)s") % {"company": self.company.name}
            field.initial = True

    def clean(self):
        data = super().clean()
        data["company"] = self.company if data.get("to_company") else None
        if not self.errors and data.get("inspector") is None and data["company"] is None:
            raise ValidationError(_("Choose an inspector, the company, or both."))
        return data


class AnswerForm(CaseActionForm):
    """The company's account of what it did, with its evidence."""

    text = _text(_("Answer"), rows=5)
    files = AttachmentsField(label=_("Evidence"))


class ReviewForm(CaseActionForm):
    ACCEPT, SEND_BACK = "accept", "send_back"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept the answer")), (SEND_BACK, _("Send it back"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note (needed to send it back)"), required=False, rows=2)


class QuestionForm(CaseActionForm):
    question = _text(_("Question to the complainant"))


class ExtensionRequestForm(CaseActionForm):
    working_days = forms.IntegerField(
        label=_("Extra working days"), min_value=MIN_EXTENSION_DAYS, max_value=MAX_EXTENSION_DAYS
    )
    reason = _text(_("Reason"))


class ExtensionDecisionForm(CaseActionForm):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve the extension")), (REFUSE, _("Refuse it"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note (needed to refuse)"), required=False, rows=2)


class ResolveForm(CaseActionForm):
    reply = _text(_("Public reply to the citizen"), rows=5)


class FollowUpForm(CaseActionForm):
    """The result of a follow-up phone call (电话回访)."""

    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = _text(_("Comment"), required=False, rows=2)


class MergeForm(CaseActionForm):
    """Merge this case into a primary one, named by its tracking number."""

    tracking_number = forms.CharField(label=_("Tracking number of the primary case"), max_length=20)

    def clean_tracking_number(self) -> str:
        number = self.cleaned_data["tracking_number"].strip().upper()
        # Only cases the user may see: a number outside the scope looks like no case at all.
        primary = visible_complaints(self.user).filter(tracking_number=number).first()
        if primary is None:
            raise ValidationError(
                _("No case with the tracking number %(number)s is open to you.")
                % {"number": number}
            )
        if primary.pk == self.complaint.pk:
            raise ValidationError(_("A case cannot be merged into itself."))
        self.primary = primary
        return number


class NoteForm(CaseActionForm):
    text = _text(_("Internal note"), rows=4)
    files = AttachmentsField(label=_("Attachments"))


class ContactForm(CaseActionForm):
    """A call or visit with the complainant (联系记录): shown on their tracking page."""

    summary = _text(_("What was said (the complainant reads it)"), rows=3)


class SignOffDecisionForm(CaseActionForm):
    """An official's decision on a proposed resolution (两级审核)."""

    SIGN_OFF, SEND_BACK = "sign_off", "send_back"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(SIGN_OFF, _("Sign off: resolve the case")), (SEND_BACK, _("Send it back"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note (needed to send it back)"), required=False, rows=2)


# Re-triage and transfer (cases.retriage, cases.transfers) ----------------------------------


def _estate_suggestions() -> str:
    rows = Estate.objects.order_by("district__code", "name").values_list("name", "district__name")
    labels = (register_names.estate_label(name, district) for name, district in rows)
    return format_html_join("", '<option value="{}"></option>', ((label,) for label in labels))


# Every estate of the city as "name（district）" options of a <datalist>, built once per edit
# of the register: the re-triage form suggests them as one types.
ESTATE_SUGGESTIONS = TableMemo(Estate, _estate_suggestions, key="estate-suggestions")


class EstateNameInput(forms.TextInput):
    """A text box with the city's estates suggested as one types (a ``<datalist>`` built once
    per edit of the register): a select of every estate grew with the city, on every case
    page."""

    LIST_ID = "register-estates"

    def __init__(self, attrs=None):
        super().__init__({"list": self.LIST_ID, "autocomplete": "off", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        options = ESTATE_SUGGESTIONS.rows()
        datalist = format_html('<datalist id="{}">{}</datalist>', self.LIST_ID, options)
        return super().render(name, value, attrs, renderer) + datalist


class EstateNameField(forms.CharField):
    """An estate of the register by its name, or "name（district）" where two districts have
    an estate of that name (``register_names.estate_label``); cleaned to the ``Estate``."""

    widget = EstateNameInput

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        found = register_names.estates_named(text)
        if not found:
            raise ValidationError(
                _("No estate of the register is called “%(name)s”."), params={"name": text}
            )
        if len(found) > 1:
            raise ValidationError(
                _(
                    "Several districts have an estate called “%(name)s”: "
                    "pick it with its district from the suggestions."
                ),
                params={"name": text},
            )
        return found[0]


class RetriageForm(CaseActionForm):
    """New category, tier and/or estate of the register (重新分类定级), with the reason."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, widget=QuickSelect)
    tier = forms.ChoiceField(label=_("Severity tier"), choices=Tier.choices, widget=QuickSelect)
    # Any estate of the city: a mistyped estate may lie in another district.
    estate = EstateNameField(
        label=_("Estate of the register"),
        required=False,
        help_text=_(
            "Links the case to the register: its district and company follow. Type the "
            "estate's name and pick it from the suggestions."
        ),
    )
    reason = _text(_("Reason"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        estate = self.complaint.estate
        self.fields["estate"].required = estate is not None
        self.fields["category"].initial = self.complaint.category
        self.fields["tier"].initial = self.complaint.tier
        if estate is not None:
            self.fields["estate"].initial = register_names.estate_label(
                estate.name, estate.district.name
            )


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.contact})"


class TransferForm(CaseActionForm):
    """Transfer (转办) to an active agency of the city or of the case's district."""

    agency = AgencyChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), widget=QuickSelect
    )
    reason = _text(
        _("Reason (the citizen reads it)"),
        rows=2,
    )
    reference = forms.CharField(label=_("Agency's reference"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        here = Q(district__isnull=True)
        if self.complaint.district_id is not None:
            here |= Q(district_id=self.complaint.district_id)
        self.fields["agency"].queryset = Agency.objects.filter(here, active=True)


class TransferOutcomeForm(CaseActionForm):
    """What the agency reported back, with its reference when it gave one."""

    outcome = _text(_("Agency's outcome"), rows=3)
    reference = forms.CharField(label=_("Agency's reference"), required=False, max_length=100)
