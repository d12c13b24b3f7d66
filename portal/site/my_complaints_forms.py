"""The forms of "my complaints": a mobile number, then the code sent to it."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.site.tracking_forms import MobileField


class PhoneForm(forms.Form):
    phone = MobileField(
        label=_("Mobile phone number"),
        help_text=_("The number you gave when you filed, or when you called us."),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        help_text=_("6 digits, valid for a few minutes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Enter the 6-digit code from the SMS.")},
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Enter the 6-digit code from the SMS."))
        return code
