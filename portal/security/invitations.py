"""The invitation link's page: a new person chooses a password and is signed in.

The link is checked before the form is shown and again when it is posted; an unknown,
used, revoked or expired link gets a page saying so, and nothing changes. After the
password, officials and administrators land on the second-factor enrolment, because the
admin they are sent to redirects there until a code is verified
(``portal.security.second_factor``).
"""

from django import forms
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from enterprises import people

REFUSALS = {
    "unknown": (_("This link is not valid"), 404),
    "used": (_("This link has already been used"), 410),
    "revoked": (_("This link was withdrawn"), 410),
    "expired": (_("This link has expired"), 410),
}


class ChoosePasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    title, status = REFUSALS[reason]
    return render(
        request,
        "portal/invitation_refused.html",
        {"title": title, "reason": reason},
        status=status,
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = people.find_invitation(token)
    except people.InvitationInvalid as invalid:
        return _refused(request, invalid.reason)
    form = ChoosePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = people.accept_invitation(token, form.cleaned_data["password1"])
        except people.InvitationInvalid as invalid:
            return _refused(request, invalid.reason)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("wagtailadmin_home")
    return render(
        request,
        "portal/invitation.html",
        {"form": form, "name": invitation.name, "username": invitation.user.get_username()},
    )
