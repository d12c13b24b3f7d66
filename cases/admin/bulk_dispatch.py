"""Bulk dispatch (批量分派) from the workbench: officials send many cases at once to an
inspector and/or each case's responsible company."""

from collections import defaultdict

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from cases import dispatch
from cases.admin.workbench import TABS, unit_label
from cases.models import Complaint
from cases.permissions import is_official, visible_complaints
from foundation.roles import Role


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        profile = getattr(obj, "staff_profile", None)
        if profile is not None and profile.district_id:
            return f"{unit_label(obj)} ({profile.district.name})"
        return unit_label(obj)


class BulkDispatchForm(forms.Form):
    """The selected cases are looked up again in the official's own scope: an id outside it
    fails the whole form, so nothing is dispatched on a guessed id."""

    complaints = forms.ModelMultipleChoiceField(
        queryset=Complaint.objects.none(),
        error_messages={
            "required": gettext_lazy("Select at least one case to dispatch."),
            "invalid_choice": gettext_lazy(
                "Case %(value)s does not exist or is outside your district: nothing was dispatched."
            ),
            "invalid_pk_value": gettext_lazy("“%(pk)s” is not a case number."),
        },
    )
    inspector = InspectorChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=gettext_lazy("Inspector"),
        empty_label=gettext_lazy("No inspector"),
        error_messages={"invalid_choice": gettext_lazy("Choose an inspector of your district.")},
    )
    with_company = forms.BooleanField(
        required=False, label=gettext_lazy("Also dispatch to the responsible company")
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaints"].queryset = visible_complaints(user)
        inspectors = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.INSPECTOR)
            .select_related("staff_profile__district")
        )
        profile = getattr(user, "staff_profile", None)
        if profile is not None and profile.district_id:
            inspectors = inspectors.filter(staff_profile__district_id=profile.district_id)
        self.fields["inspector"].queryset = inspectors.order_by("username")

    def clean(self):
        cleaned = super().clean()
        chose_nobody = "inspector" not in self.errors and not cleaned.get("inspector")
        if chose_nobody and not cleaned.get("with_company"):
            raise forms.ValidationError(
                _("Choose an inspector, the responsible company, or both to dispatch to.")
            )
        return cleaned


def dispatch_selected(form: BulkDispatchForm, actor) -> dispatch.BulkResult:
    """Dispatch the chosen cases; with the company, each goes to its own responsible one."""
    complaints = list(form.cleaned_data["complaints"].select_related("estate"))
    inspector = form.cleaned_data["inspector"]
    if not form.cleaned_data["with_company"]:
        return dispatch.bulk_dispatch(complaints, actor=actor, inspector=inspector)
    result = dispatch.BulkResult()
    by_company = defaultdict(list)
    for complaint in complaints:
        company = dispatch.responsible_company(complaint)
        if company is None:
            reason = _("No responsible company is known for its estate.")
            result.refused.append((complaint, reason))
        else:
            by_company[company].append(complaint)
    for company, group in by_company.items():
        part = dispatch.bulk_dispatch(group, actor=actor, inspector=inspector, company=company)
        result.done += part.done
        result.refused += part.refused
    return result


@require_POST
def bulk_dispatch_view(request):
    """Officials only; the outcome is told in messages and the queue is shown again."""
    if not is_official(request.user):
        raise PermissionDenied
    back = TABS[0].url
    form = BulkDispatchForm(request.user, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    result = dispatch_selected(form, request.user)
    if result.done:
        count = len(result.done)
        messages.success(
            request,
            ngettext("%(count)d case dispatched.", "%(count)d cases dispatched.", count)
            % {"count": count},
        )
    if result.refused:
        count = len(result.refused)
        reasons = "; ".join(f"{c.tracking_number}: {reason}" for c, reason in result.refused)
        messages.error(
            request,
            ngettext(
                "%(count)d case refused: %(reasons)s",
                "%(count)d cases refused: %(reasons)s",
                count,
            )
            % {"count": count, "reasons": reasons},
        )
    return redirect(back)


urlpatterns = [path("bulk-dispatch/", bulk_dispatch_view, name="workbench_bulk_dispatch")]
