"""Wagtail's Users screens, with "Add a user" sent to the People screens' invitation.

A user created on Wagtail's own form has no role, no scope and no invitation: they would see
nothing (scopes fail closed) and the audit log would not say who brought them in. So the
add screen, for whoever may add users, explains and opens the invitation instead; editing,
deactivating and (refused) deleting stay Wagtail's.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.users.views.users import CreateView, UserViewSet


class AddThroughInvitationView(CreateView):
    """Wagtail's permission check first (as for its own form), then the invitation."""

    def get(self, request, *args, **kwargs):
        return self._to_invitation(request)

    def post(self, request, *args, **kwargs):
        return self._to_invitation(request)

    def _to_invitation(self, request):
        messages.info(
            request,
            _("People join the portal by invitation, with their role and scope: invite them here."),
        )
        return redirect("people:invite")


class PortalUserViewSet(UserViewSet):
    add_view_class = AddThroughInvitationView
