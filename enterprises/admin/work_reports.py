"""The work reports menu (工作报告): the reports a user sees, a company's new report and draft
edits, a report's page with its budget table, the submission and the committee's review.

Thin views: each calls one function of ``enterprises.work_reports``. Who uses the screens is
``permissions.uses_owners_screens`` (403 otherwise); which reports
``permissions.visible_work_reports`` (another is a 404); a refusal about the user is a 403
page, one about the data a message or a form error.
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.viewsets.base import ViewSet

from enterprises import permissions, work_reports
from enterprises.admin.owner_forms import (
    BudgetFormSet,
    NewReportForm,
    ReportForm,
    ReviewForm,
    budget_lines,
)
from enterprises.admin.transitions import act_and_return, admin_page, refused, show_on_form
from enterprises.admin.units import OwnersMenuItem
from enterprises.models import WorkReportStatus

PER_PAGE = 50

_page = partial(admin_page, icon="doc-full")


def _gate(request) -> None:
    if not permissions.uses_owners_screens(request.user):
        raise PermissionDenied


def _reports(user):
    return permissions.visible_work_reports(user).select_related("estate", "company")


def index(request):
    _gate(request)
    reports = _reports(request.user).order_by("-period", "estate__name", "pk")
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("p"))
    return _page(
        request,
        "enterprises/work_reports/index.html",
        gettext("Work reports"),
        {
            "page": page,
            "object_list": list(page),
            "may_write": permissions.companies_acted_for(request.user).exists(),
        },
    )


def _form_page(request, title, form, formset, report=None):
    return _page(
        request,
        "enterprises/work_reports/form.html",
        title,
        {"form": form, "formset": formset, "report": report},
    )


def new(request):
    _gate(request)
    if not permissions.companies_acted_for(request.user).exists():
        raise PermissionDenied  # reports are the companies' to write
    data = request.POST if request.method == "POST" else None
    form = NewReportForm(data, actor=request.user)
    formset = BudgetFormSet(data, prefix="budget")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = form.cleaned_data
        try:
            report = work_reports.create_report(
                actor=request.user,
                estate=values["estate"],
                period=values["period"],
                services_delivered=values["services_delivered"],
                next_plan=values["next_plan"],
                major_matters=values["major_matters"],
                budget_lines=budget_lines(formset),
            )
        except work_reports.ReportRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, gettext("Draft saved; submit it when it is complete."))
            return redirect("work_reports:report", report.pk)
    return _form_page(request, gettext("New work report"), form, formset)


def _report(request, pk):
    _gate(request)
    return get_object_or_404(_reports(request.user), pk=pk)


def report(request, pk):
    found = _report(request, pk)
    lines = found.budget_lines.all()
    totals = lines.aggregate(planned=Sum("planned"), actual=Sum("actual"))
    company = permissions.can_act_for_company(request.user, found.company)
    reviewer = permissions.sits_on_current_committee(request.user, found.estate)
    return _page(
        request,
        "enterprises/work_reports/report.html",
        str(found),
        {
            "report": found,
            "lines": lines,
            "totals": totals,
            "may_edit": company and found.status == WorkReportStatus.DRAFT,
            "may_review": reviewer and found.status == WorkReportStatus.SUBMITTED,
            "review_form": ReviewForm(),
        },
    )


def edit(request, pk):
    found = _report(request, pk)
    if not permissions.can_act_for_company(request.user, found.company):
        raise PermissionDenied
    back = reverse("work_reports:report", args=(found.pk,))
    if found.status != WorkReportStatus.DRAFT:
        messages.error(request, gettext("A submitted report can no longer be edited."))
        return redirect(back)
    initial = {
        "services_delivered": found.services_delivered,
        "next_plan": found.next_plan,
        "major_matters": found.major_matters,
    }
    lines = [
        {"item": line.item, "planned": line.planned, "actual": line.actual or ""}
        for line in found.budget_lines.all()
    ]
    data = request.POST if request.method == "POST" else None
    form = ReportForm(data, initial=initial)
    formset = BudgetFormSet(data, prefix="budget", initial=lines)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            work_reports.edit_report(
                found, actor=request.user, budget_lines=budget_lines(formset), **form.cleaned_data
            )
        except work_reports.ReportNotAllowed as refusal:
            return refused(request, refusal.message, back)
        except work_reports.ReportRefused as refusal:
            show_on_form(form, refusal)
        else:
            messages.success(request, gettext("Draft saved."))
            return redirect(back)
    return _form_page(request, gettext("Edit %(report)s") % {"report": found}, form, formset, found)


def _act(request, found, perform, done: str):
    back = reverse("work_reports:report", args=(found.pk,))
    return act_and_return(
        request,
        back,
        perform,
        done,
        not_allowed=work_reports.ReportNotAllowed,
        refusal=work_reports.ReportRefused,
    )


@require_POST
def submit(request, pk):
    found = _report(request, pk)
    return _act(
        request,
        found,
        lambda: work_reports.submit_report(found, actor=request.user),
        gettext("Report submitted to the owners' committee."),
    )


@require_POST
def review(request, pk):
    found = _report(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        if not permissions.sits_on_current_committee(request.user, found.estate):
            back = reverse("work_reports:report", args=(found.pk,))
            return refused(request, gettext("Only the estate's committee reviews it."), back)
        messages.error(request, gettext("Choose an outcome and write the committee's opinion."))
        return redirect("work_reports:report", found.pk)
    return _act(
        request,
        found,
        lambda: work_reports.review_report(found, actor=request.user, **form.cleaned_data),
        gettext("Review recorded."),
    )


class WorkReportsViewSet(ViewSet):
    name = "work_reports"
    icon = "doc-full"
    menu_label = _("Work reports")
    menu_icon = "doc-full"
    menu_order = 8030
    add_to_admin_menu = True
    menu_item_class = OwnersMenuItem

    @property
    def menu_url(self) -> str:
        return reverse("work_reports:index")

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("new/", new, name="new"),
            path("<int:pk>/", report, name="report"),
            path("<int:pk>/edit/", edit, name="edit"),
            path("<int:pk>/submit/", submit, name="submit"),
            path("<int:pk>/review/", review, name="review"),
        ]
