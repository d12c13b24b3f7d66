"""The staff sign-in form: Wagtail's, with every text in plain, translated words.

Wagtail's form declares the password field without a label, so Django fell back to the
field's name, "Password", in every language; its placeholder and wrong-password message are
built around the username field's name, which reads as broken Chinese ("用户 用户名 密码不匹配")."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class StaffLoginForm(LoginForm):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"placeholder": _("Enter password")}),
        strip=False,
    )

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": _("The username or the password is wrong. Please try again."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["placeholder"] = _("Enter your username")
