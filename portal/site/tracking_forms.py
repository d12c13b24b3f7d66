"""The tracking page's forms: validation only; the case services decide what changes.

Numbers and codes are read from paper and typed on phones, so case and spaces (and the dashes
people add when copying) are forgiven before anything is compared.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Satisfaction
from cases.phones import is_mainland_mobile, normalise_phone
from portal.site.complaint_forms import PlainTextField

COMMENT_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 2000

_SEPARATORS = re.compile(r"[\s\-_]+")


def normalise(value: str) -> str:
    """``wy 2026-0105 k7p3qx`` → ``WY20260105K7P3QX``."""
    return _SEPARATORS.sub("", value).upper()


class TrackingForm(forms.Form):
    """Tracking number + access code (查询码), both as printed on the receipt."""

    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        help_text=_("As shown on your receipt, for example WY20260105K7P3QX."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        help_text=_("The 8-character code shown once when you filed the complaint."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_tracking_number(self) -> str:
        return normalise(self.cleaned_data["tracking_number"])

    def clean_access_code(self) -> str:
        return normalise(self.cleaned_data["access_code"])


class MobileField(forms.CharField):
    """A mainland mobile number, as people type it (spaces, dashes, +86): codes go by SMS."""

    default_error_messages = {
        "invalid": _(
            "Enter a mainland mobile number: 11 digits starting with 1, for example 13812345678."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        attrs = {"autocomplete": "tel", "inputmode": "tel"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not is_mainland_mobile(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return normalise_phone(value) if value else value


class RecoveryForm(forms.Form):
    """A lost access code: the tracking number and the phone given when filing (找回查询码)."""

    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        help_text=_("As shown on your receipt or in our SMS, for example WY20260105K7P3QX."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = MobileField(
        label=_("Mobile phone number"),
        help_text=_("The number you gave when you filed the complaint."),
    )

    def clean_tracking_number(self) -> str:
        return normalise(self.cleaned_data["tracking_number"])


class SatisfactionForm(forms.Form):
    """The satisfaction follow-up (回访) after the case was resolved."""

    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with how your complaint was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose satisfied, basically satisfied or unsatisfied."),
            "invalid_choice": _("Choose satisfied, basically satisfied or unsatisfied."),
        },
    )
    comment = PlainTextField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("At most 1000 characters. If you are unsatisfied, tell us what is missing."),
    )


class InfoAnswerForm(forms.Form):
    """The complainant's answer to a request for more information (补充材料)."""

    answer = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("At most 2000 characters. The time limit resumes once you answer."),
        error_messages={"required": _("Write an answer to the question.")},
    )

    def clean_answer(self) -> str:
        text = self.cleaned_data["answer"]
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
            raise forms.ValidationError(_("The answer contains control characters."))
        return text
