"""The staff workbench (办件工作台): my queue, to sign for (签收), due soon, overdue, awaiting
follow-up (回访) and, for officials, the units' returns awaiting a ruling (退单审定); bulk
dispatch (批量分派) for officials is in ``cases.admin.bulk_dispatch``.
Cases of a pinned tier (``cases.tiers``: urgent by default) come first in every case list.

Every list starts from ``cases.permissions.visible_complaints``, the one place that decides who
sees a case; the tabs only narrow it. Lists keep a constant number of queries: the relations a
row shows are read for the page's rows only, and the green/amber/red state of a page is
computed with the working calendar loaded once. Complainants' personal data is never selected
for a row.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import BaseColumn, Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin

from cases import calendar, sla, tiers
from cases.models import (
    CaseStatus,
    Complaint,
    Dispatch,
    DispatchStatus,
    ReturnRuling,
    RulingStatus,
)
from cases.permissions import (
    company_of,
    is_inspector,
    is_official,
    is_regulator,
    visible_complaints,
)
from foundation.names import display_name

# The case is being worked and its clock runs against the time to resolve.
# What an official still has to triage (受理) or dispatch (分派).
TO_TRIAGE_OR_DISPATCH = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.REOPENED)
DISPATCHABLE = frozenset({CaseStatus.ACCEPTED, CaseStatus.REOPENED})
PER_PAGE = 50
NO_WRAP = "w-whitespace-nowrap"  # short cells: Chinese text would otherwise break per character
# The relations a row shows, joined in the one page query.
ROW_RELATIONS = ("estate", "district", "assigned_inspector", "dispatched_company")
# Never read for a row: not shown, and each would be decrypted per row for nothing.
PERSONAL_DATA = ("contact_name", "contact_phone", "contact_email", "contact_id_number")
STATE_LABELS = {
    "green": gettext_lazy("On time"),
    "amber": gettext_lazy("Due soon"),
    "red": gettext_lazy("Overdue"),
}


# Who sees which tab ---------------------------------------------------------------------


def works_cases(user) -> bool:
    return is_regulator(user) or company_of(user) is not None


def signs_for_cases(user) -> bool:
    """The receiving units: inspectors and company staff (officials dispatch, not sign)."""
    return is_inspector(user) or company_of(user) is not None


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    shown_to: Callable[[object], bool]

    @property
    def url_name(self) -> str:
        return f"workbench_{self.slug.replace('-', '_')}"

    @property
    def url(self) -> str:
        return reverse(f"cases_admin:{self.url_name}")


TABS = (
    Tab("queue", gettext_lazy("My queue"), works_cases),
    Tab("to-sign", gettext_lazy("To sign for"), signs_for_cases),
    Tab("due-soon", gettext_lazy("Due soon"), works_cases),
    Tab("overdue", gettext_lazy("Overdue"), works_cases),
    Tab("follow-up", gettext_lazy("Awaiting follow-up"), is_regulator),
    Tab("returns", gettext_lazy("Returns to rule on"), is_official),
)


def tabs_for(user) -> list[Tab]:
    return [tab for tab in TABS if tab.shown_to(user)]


# What each tab lists --------------------------------------------------------------------


def my_queue(user) -> QuerySet[Complaint]:
    """Officials: cases waiting for triage or dispatch; units: the open cases sent to them."""
    visible = visible_complaints(user)
    if is_official(user):
        return visible.filter(status__in=TO_TRIAGE_OR_DISPATCH)
    if is_inspector(user):
        return visible.filter(assigned_inspector=user, status__in=CaseStatus.OPEN_STATES)
    company_id = company_of(user)
    if company_id is not None:
        return visible.filter(dispatched_company_id=company_id, status__in=CaseStatus.OPEN_STATES)
    return visible.none()


def awaiting_signature(user) -> QuerySet[Dispatch]:
    """Dispatches to the user's own unit not yet signed for, on cases the user may see."""
    awaiting = Dispatch.objects.filter(
        status=DispatchStatus.AWAITING_SIGNATURE, complaint__in=visible_complaints(user)
    )
    company_id = company_of(user)
    if company_id is not None:
        return awaiting.filter(company_id=company_id)
    if is_inspector(user):
        return awaiting.filter(inspector=user)
    return awaiting.none()


def returns_to_rule_on(user) -> QuerySet[ReturnRuling]:
    """Units' returns awaiting a ruling on the cases the official sees (``can_rule_on_return``:
    an official or administrator who sees the case)."""
    if not is_official(user):
        return ReturnRuling.objects.none()
    return ReturnRuling.objects.filter(
        status=RulingStatus.PENDING, complaint__in=visible_complaints(user)
    )


def running_clock(user) -> QuerySet[Complaint]:
    """Open cases with a due date whose clock runs (not waiting on the complainant)."""
    return visible_complaints(user).filter(
        status__in=CaseStatus.OPEN_STATES,
        resolve_due_at__isnull=False,
        awaiting_complainant_since__isnull=True,
    )


def overdue(user, now: dt.datetime) -> QuerySet[Complaint]:
    """Red (超期), decided in SQL: the resolve date has passed."""
    return running_clock(user).filter(resolve_due_at__lt=now)


def due_soon(user, now: dt.datetime) -> QuerySet[Complaint]:
    """Amber (预警): under a quarter of the working time left. Working time depends on the
    holiday calendar, so SQL picks the cases not yet due and Python measures them, all with
    one load of the calendar and without fetching any row's relations."""
    candidates = list(
        running_clock(user)
        .filter(resolve_due_at__gte=now)
        .only("pk", "status", "created_at", "resolve_due_at", "awaiting_complainant_since")
        .order_by()
    )
    states = sla_states(candidates, now)
    return Complaint.objects.filter(pk__in=[pk for pk, state in states.items() if state == "amber"])


def awaiting_follow_up(user) -> QuerySet[Complaint]:
    return visible_complaints(user).filter(status=CaseStatus.RESOLVED)


def sla_states(complaints, now: dt.datetime) -> dict[int, str]:
    """``cases.sla.sla_state`` of many cases, with the working calendar loaded once (it loads
    it per case); paused clocks are read through ``sla.clock_reading`` as it does."""
    complaints = list(complaints)
    since = min((min(c.created_at, now) for c in complaints), default=now)
    overrides = calendar.load_overrides(since.astimezone(calendar.TIMEZONE).date())

    def state(complaint: Complaint) -> str:
        if complaint.resolve_due_at is None or complaint.status in sla.FINISHED:
            return "green"
        if sla.clock_reading(complaint, now) > complaint.resolve_due_at:
            return "red"
        share = sla.time_left_share(complaint, now, overrides=overrides)
        return "amber" if share is not None and share < sla.AMBER_SHARE else "green"

    return {complaint.pk: state(complaint) for complaint in complaints}


# Columns: every row is a complaint; the "to sign for" rows carry their dispatch ---------


def unit_label(user) -> str:
    return display_name(user)


def assignee_units(complaint: Complaint) -> str:
    units = []
    if complaint.assigned_inspector_id:
        units.append(unit_label(complaint.assigned_inspector))
    if complaint.dispatched_company_id:
        units.append(complaint.dispatched_company.name)
    return " / ".join(units)


def estate_of(complaint: Complaint) -> str:
    """The estate's name; a name typed outside the register carries the flag that asks
    for linking the case to an estate."""
    if complaint.estate_id:
        return complaint.estate.name
    return format_html(
        '{} <span class="w-status w-status--label">{}</span>',
        complaint.estate_name,
        _("Not in the register"),
    )


class PlainColumn(Column):
    """A text cell written without a template: a page of 50 rows has 250 of them, and
    rendering each through Wagtail's cell template was a third of the list's time. Same
    markup as ``wagtailadmin/tables/cell.html``, escaped the same way."""

    def render_cell_html(self, instance, parent_context):
        value = self.get_cell_context_data(instance, parent_context)["value"]
        value = "" if value is None else value
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, value)
        return format_html("<td>{}</td>", value)


class DueColumn(Column):
    """The resolve date with its state in words and colour (set on the row by the view)."""

    cell_template_name = "cases/admin/workbench_due_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["state"] = instance.workbench_state
        context["state_label"] = STATE_LABELS[instance.workbench_state]
        return context


class DeadlineColumn(Column):
    """A deadline of the row the complaint carries (its dispatch to sign for, its return to
    rule on), flagged "Late" once passed or once the sweep flagged it."""

    cell_template_name = "cases/admin/workbench_sign_due_cell.html"

    def __init__(self, name, *, row: str, due: str, flagged: str, **kwargs):
        super().__init__(name, accessor=f"{row}.{due}", **kwargs)
        self.row, self.due, self.flagged = row, due, flagged

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        row = getattr(instance, self.row)
        due = getattr(row, self.due)
        context["late"] = getattr(row, self.flagged) is not None or due < timezone.now()
        return context


class SelectColumn(BaseColumn):
    """A checkbox for bulk dispatch on the rows an official may dispatch now."""

    cell_template_name = "cases/admin/workbench_select_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["selectable"] = instance.status in DISPATCHABLE
        return context


CASE_COLUMNS = (
    TitleColumn(
        "tracking_number",
        label=gettext_lazy("Tracking number"),
        classname=NO_WRAP,
        get_url=lambda complaint: reverse("cases_admin:case", kwargs={"pk": complaint.pk}),
    ),
    PlainColumn("category", label=gettext_lazy("Category"), accessor="get_category_display"),
    PlainColumn("tier", label=gettext_lazy("Tier"), accessor="get_tier_display", classname=NO_WRAP),
    PlainColumn("estate", label=gettext_lazy("Estate"), accessor=estate_of),
    PlainColumn(
        "district", label=gettext_lazy("District"), accessor="district.name", classname=NO_WRAP
    ),
    StatusTagColumn(
        "status", label=gettext_lazy("Status"), accessor="get_status_display", classname=NO_WRAP
    ),
    DueColumn("resolve_due_at", label=gettext_lazy("Resolve by"), classname=NO_WRAP),
    PlainColumn("units", label=gettext_lazy("Assigned to"), accessor=assignee_units),
)


# Views -----------------------------------------------------------------------------------


def complaints_carrying(rows, attribute: str) -> list[Complaint]:
    """The complaints of a page of dispatches or rulings, in the page's order, each carrying
    its row as ``attribute``: one query by the page's ids, joining the relations a row shows
    to those rows only (joined in the rows' query, they were joined before the sort)."""
    rows = list(rows)
    complaints = (
        Complaint.objects.filter(pk__in=[row.complaint_id for row in rows])
        .select_related(*ROW_RELATIONS)
        .defer(*PERSONAL_DATA)
    )
    by_pk = {complaint.pk: complaint for complaint in complaints}
    for row in rows:
        setattr(by_pk[row.complaint_id], attribute, row)
    return [by_pk[row.complaint_id] for row in rows]


class WorkbenchMixin:
    breadcrumbs_items = []
    header_icon = "tasks"
    tab: Tab | None = None

    def get_page_title(self):
        return _("Case workbench")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tabs"] = tabs_for(self.request.user)
        context["current_tab"] = self.tab
        return context


class WorkbenchHomeView(WorkbenchMixin, WagtailAdminTemplateMixin, TemplateView):
    """Opens the first list the user has; a role without case work sees an empty state."""

    template_name = "cases/admin/workbench.html"

    def get(self, request, *args, **kwargs):
        if tabs := tabs_for(request.user):
            return redirect(tabs[0].url)
        return super().get(request, *args, **kwargs)


class WorkbenchListView(WorkbenchMixin, BaseListingView):
    """One tab: ``rows()`` gives its complaints in order, the relations a row shows joined."""

    template_name = "cases/admin/workbench.html"
    paginate_by = PER_PAGE
    columns = CASE_COLUMNS
    offers_bulk_dispatch = False

    def dispatch(self, request, *args, **kwargs):
        if not self.tab.shown_to(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def now(self) -> dt.datetime:
        return timezone.now()

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def get_base_queryset(self) -> QuerySet:
        # The relations are read for the page's rows only: joined in the rows' query, they
        # were joined to every matching case before the sort picked fifty (85 of 100 ms).
        return self.rows().prefetch_related(*ROW_RELATIONS).defer(*PERSONAL_DATA)

    def get_index_url(self):
        return self.tab.url

    def complaints_on_page(self, rows) -> list[Complaint]:
        return list(rows)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = complaints = self.complaints_on_page(rows)
        states = sla_states(complaints, self.now)
        for complaint in complaints:
            complaint.workbench_state = states[complaint.pk]
        return paginator, page, complaints, is_paginated

    @cached_property
    def no_results_message(self):
        return _("Nothing here: no case is waiting in this list.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.offers_bulk_dispatch:
            from cases.admin.bulk_dispatch import BulkDispatchForm  # it imports this module

            context["bulk_form"] = BulkDispatchForm(self.request.user)
            context["bulk_url"] = reverse("cases_admin:workbench_bulk_dispatch")
        return context


class QueueView(WorkbenchListView):
    tab = TABS[0]

    @cached_property
    def offers_bulk_dispatch(self) -> bool:
        return is_official(self.request.user)

    @cached_property
    def columns(self):
        if self.offers_bulk_dispatch:
            return (SelectColumn("select", label=_("Select")), *CASE_COLUMNS)
        return CASE_COLUMNS

    def rows(self):
        return tiers.pinned_first(
            my_queue(self.request.user),
            F("resolve_due_at").asc(nulls_last=True),
            "created_at",
            "pk",
        )


class ToSignView(WorkbenchListView):
    tab = TABS[1]
    columns = (
        *CASE_COLUMNS,
        DeadlineColumn(
            "sign_due_at",
            row="pending_dispatch",
            due="sign_due_at",
            flagged="sign_overdue_at",
            label=gettext_lazy("Sign for by"),
            classname=NO_WRAP,
        ),
    )

    def get_base_queryset(self):
        return awaiting_signature(self.request.user).order_by(
            tiers.pinned("complaint__").desc(), "sign_due_at", "pk"
        )

    def complaints_on_page(self, rows) -> list[Complaint]:
        return complaints_carrying(rows, "pending_dispatch")


class DueSoonView(WorkbenchListView):
    tab = TABS[2]

    def rows(self):
        return tiers.pinned_first(due_soon(self.request.user, self.now), "resolve_due_at", "pk")


class OverdueView(WorkbenchListView):
    tab = TABS[3]

    def rows(self):
        return tiers.pinned_first(overdue(self.request.user, self.now), "resolve_due_at", "pk")


class FollowUpView(WorkbenchListView):
    tab = TABS[4]

    def rows(self):
        return awaiting_follow_up(self.request.user).order_by("-updated_at", "-pk")


class ReturnsView(WorkbenchListView):
    """The returns awaiting the official's ruling, the oldest due first; the case page rules."""

    tab = TABS[5]
    columns = (
        *CASE_COLUMNS[:-1],
        PlainColumn(
            "return_reason",
            label=gettext_lazy("Reason for returning"),
            accessor="pending_return.get_reason_display",
        ),
        PlainColumn(
            "returned_by",
            label=gettext_lazy("Returned by"),
            accessor=lambda complaint: returning_unit(complaint.pending_return),
        ),
        DeadlineColumn(
            "rule_due_at",
            row="pending_return",
            due="rule_due_at",
            flagged="overdue_since",
            label=gettext_lazy("Rule by"),
            classname=NO_WRAP,
        ),
    )

    def get_base_queryset(self):
        return (
            returns_to_rule_on(self.request.user)
            .select_related("dispatch__company", "dispatch__inspector")
            .order_by(tiers.pinned("complaint__").desc(), "rule_due_at", "pk")
        )

    def complaints_on_page(self, rows) -> list[Complaint]:
        return complaints_carrying(rows, "pending_return")

    @cached_property
    def no_results_message(self):
        return _("No return is waiting for your ruling.")


def returning_unit(ruling: ReturnRuling) -> str:
    dispatch = ruling.dispatch
    return dispatch.company.name if dispatch.company_id else unit_label(dispatch.inspector)


urlpatterns = [
    path("", WorkbenchHomeView.as_view(), name="workbench"),
    *[
        path(f"{view.tab.slug}/", view.as_view(), name=view.tab.url_name)
        for view in (QueueView, ToSignView, DueSoonView, OverdueView, FollowUpView, ReturnsView)
    ],
]
