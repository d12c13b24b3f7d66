"""The staff sign-in form: Wagtail's, with the password field's label translated.

Wagtail's form declares the password field without a label, so Django falls back to the
field's name, "Password", in every language."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class StaffLoginForm(LoginForm):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"placeholder": _("Enter password")}),
        strip=False,
    )
