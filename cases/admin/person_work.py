"""The work a person holds, shown on their People page (``enterprises.admin.people``), and
the one-step handover of it (``cases.handover``).

``enterprises`` stands below ``cases`` and cannot ask for cases itself; its person page
collects panels from the ``person_page_panels`` hook, and this module answers for cases:
the open cases assigned to the person and the inspections they are on, with a form giving
them all to a colleague when the viewer supervises that work.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.ui.components import Component

from cases import handover, permissions
from foundation.names import display_name


class HandoverForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Hand all of it over to"),
        queryset=get_user_model().objects.none(),
        error_messages={"invalid_choice": _("Choose one of the inspectors offered.")},
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = handover.successors(person)
        self.fields["successor"].label_from_instance = display_name


class HeldWorkPanel(Component):
    template_name = "cases/admin/person_work.html"

    def __init__(self, person, cases, inspections, form):
        self.person = person
        self.cases = cases
        self.inspections = inspections
        self.form = form

    def get_context_data(self, parent_context=None) -> dict:
        return {
            "person": self.person,
            "cases": self.cases,
            "inspections": self.inspections,
            "form": self.form,
            "action": reverse("cases_admin:hand_over", args=(self.person.pk,)),
        }


def held_work_panel(request, person) -> HeldWorkPanel | None:
    """The person's open cases and inspections the viewer may see; nothing for nobody."""
    cases = list(
        permissions.visible_complaints(request.user)
        .filter(pk__in=handover.held_cases(person).values("pk"))
        .order_by("pk")[:200]
    )
    inspections = list(
        permissions.visible_inspections(request.user)
        .filter(pk__in=handover.held_inspections(person).values("pk"))
        .select_related("estate")
        .order_by("planned_on")[:200]
    )
    if not cases and not inspections:
        return None
    form = None
    if handover.may_hand_over(request.user, person):
        form = HandoverForm(person=person)
    return HeldWorkPanel(person, cases, inspections, form)


@require_POST
def hand_over(request, person_id: int):
    """Give all of a person's open work to the chosen inspector, back to their page."""
    if not permissions.is_official(request.user):
        raise PermissionDenied
    person = get_object_or_404(get_user_model(), pk=person_id)
    if not handover.may_hand_over(request.user, person):
        raise Http404
    form = HandoverForm(request.POST, person=person)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("successor", [])))
    else:
        successor = form.cleaned_data["successor"]
        try:
            cases, inspections = handover.hand_over_work(person, successor, actor=request.user)
        except handover.HandoverRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                gettext(
                    "%(cases)d case(s) and %(inspections)d inspection(s) handed over to %(user)s."
                )
                % {
                    "cases": cases,
                    "inspections": inspections,
                    "user": display_name(successor),
                },
            )
    return redirect("people:person", person.pk)


urlpatterns = [path("people/<int:person_id>/hand-over/", hand_over, name="hand_over")]
