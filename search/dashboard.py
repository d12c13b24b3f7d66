"""The officials' dashboard (统计看板) in the Wagtail admin: complaints over time and by
category, tier, district, company and estate, the rates of ``cases.metrics``, open cases
overdue now, repeat complaints per estate, the companies with the most substantiated
complaints and the returns (退单) per unit with their rulings, for a period and a district,
each chart with its numbers as a table; and the companies' self-inspection beside the
inspections and the owners (``cases.quality_gap``).

Counts come from ``search.statistics`` (Elasticsearch or the database, same numbers); the
charts are drawn by Chart.js (vendored under portal/static/vendor) from a JSON block, so the
page needs no inline script and the tables work without JavaScript.
"""

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cases import metrics, permissions, quality_gap
from enterprises.models import CreditRecord, CreditRecordKind
from foundation.models import District
from search.facets import labels_for
from search.statistics import StatisticsRequest, complaint_statistics

TITLES = {
    "category": _("By category"),
    "tier": _("By tier"),
    "status": _("By status"),
    "district": _("By district"),
    "company": _("Companies with the most complaints"),
    "estate": _("Estates with the most complaints"),
    "satisfaction": _("Satisfaction answers"),
    "channel": _("By channel"),
}


def can_see_dashboard(user) -> bool:
    return permissions.is_regulator(user)


class DashboardForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("Until"), required=False)
    interval = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[("day", _("day")), ("week", _("week")), ("month", _("month"))],
    )
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = permissions.scope_for(user)
        districts = District.objects.order_by("code")
        if not scope.everything:
            districts = districts.filter(pk__in=scope.district_ids)
        self.fields["district"].choices = [("", _("All my districts"))] + [
            (d.pk, d.name) for d in districts
        ]

    def statistics_request(self) -> StatisticsRequest:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        today = timezone.localdate()
        end_day = data.get("end") or today
        start_day = data.get("start") or (end_day - dt.timedelta(days=365)).replace(day=1)
        if start_day > end_day:
            start_day, end_day = end_day, start_day
        zone = timezone.get_default_timezone()
        return StatisticsRequest(
            start=dt.datetime.combine(start_day, dt.time(), tzinfo=zone),
            end=dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), tzinfo=zone),
            interval=data.get("interval") or "month",
            district_id=data.get("district") or None,
        )


def _labelled(name: str, buckets: list[tuple[str, int]]) -> list[dict]:
    labels = labels_for(name, [key for key, _count in buckets])
    return [{"label": labels.get(key, key), "count": count} for key, count in buckets]


def _substantiated_by_company(request: StatisticsRequest, user) -> list[dict]:
    """Companies with the most substantiated complaints (credit records of kind complaint)."""
    records = CreditRecord.objects.filter(
        kind=CreditRecordKind.SUBSTANTIATED_COMPLAINT,
        withdrawn=False,
        occurred_on__gte=request.start.date(),
        occurred_on__lt=request.end.date(),
    )
    scope = permissions.scope_for(user)
    if request.district_id:
        records = records.filter(company__district_id=request.district_id)
    elif not scope.everything:
        records = records.filter(company__district_id__in=scope.district_ids)
    rows = (
        records.values("company__name").annotate(n=Count("pk")).order_by("-n", "company__name")[:10]
    )
    return [{"label": row["company__name"], "count": row["n"]} for row in rows]


SELF_INSPECTION_ROWS = 15


def _self_inspection(request: StatisticsRequest, user) -> dict:
    """The estates with the largest self-inspection gaps, and patrols and findings in all."""
    estates = permissions.self_inspection_estates(user)
    if request.district_id:
        estates = estates.filter(district_id=request.district_id)
    start, end = request.start.date(), request.end.date()
    rows = quality_gap.quality_gaps(
        quality_gap.with_self_inspection(estates, start, end), start, end
    )
    ranked = sorted(rows, key=lambda row: (row.gap is None, -(row.gap or 0), row.estate.name))
    return {"rows": ranked[:SELF_INSPECTION_ROWS], "totals": quality_gap.totals(rows)}


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "search/dashboard.html"
    page_title = _("Statistics")
    header_icon = "view"

    def get_header_title(self) -> str:
        return str(self.page_title)

    def dispatch(self, request, *args, **kwargs):
        if not can_see_dashboard(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = DashboardForm(self.request.GET or None, user=self.request.user)
        request = form.statistics_request()
        stats = complaint_statistics(self.request.user, request)
        complaints = metrics.in_period(
            permissions.visible_complaints(self.request.user), request.start, request.end
        )
        if request.district_id:
            complaints = complaints.filter(district_id=request.district_id)
        charts = [{"name": "over_time", "title": _("Complaints over time"), "kind": "line",
                   "rows": [{"label": key, "count": n} for key, n in stats.over_time]}]  # fmt: skip
        for name, title in TITLES.items():
            kind = "doughnut" if name in ("tier", "satisfaction", "channel") else "bar"
            rows = _labelled(name, stats.breakdowns.get(name, []))
            charts.append({"name": name, "title": title, "kind": kind, "rows": rows})
        charts.append(
            {
                "name": "repeat",
                "title": _("Estates with repeat complaints"),
                "kind": "bar",
                "rows": _labelled("estate", stats.repeat_estates),
            }
        )
        charts.append(
            {
                "name": "substantiated",
                "title": _("Companies by substantiated complaints"),
                "kind": "bar",
                "rows": _substantiated_by_company(request, self.request.user),
            }
        )
        context.update(
            form=form,
            request_period=request,
            stats=stats,
            figures=metrics.figures(complaints),
            returns=metrics.returns_by_unit(complaints),
            reports=list(visible_reports(self.request.user)[:24]),
            report_form=ReportForm(user=self.request.user)
            if permissions.is_official(self.request.user)
            else None,
            charts=charts,
            self_inspection=_self_inspection(request, self.request.user),
            chart_data={c["name"]: {"kind": c["kind"], "title": str(c["title"]),
                                    "labels": [str(r["label"]) for r in c["rows"]],
                                    "counts": [r["count"] for r in c["rows"]]} for c in charts},
        )  # fmt: skip
        return context


@hooks.register("register_admin_urls")
def register_dashboard_url():
    return [path("statistics/", DashboardView.as_view(), name="statistics_dashboard")]


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_dashboard(request.user)


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(
        _("Statistics"), reverse("statistics_dashboard"), icon_name="view", order=210
    )


# Monthly reports ---------------------------------------------------------------------------


def visible_reports(user):
    """The city's staff read every report; district staff their district's."""
    from search.models import MonthlyReport

    if not can_see_dashboard(user):
        return MonthlyReport.objects.none()
    scope = permissions.scope_for(user)
    reports = MonthlyReport.objects.select_related("district")
    return reports if scope.everything else reports.filter(district_id__in=scope.district_ids)


class ReportForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"])
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choices = DashboardForm(user=user).fields["district"].choices[1:]
        city = [("", _("The whole city"))] if permissions.scope_for(user).everything else []
        self.fields["district"].choices = city + choices

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise forms.ValidationError(_("That month has not begun yet."))
        return month


class ReportDownloadView(View):
    def get(self, request, pk):
        report = get_object_or_404(visible_reports(request.user), pk=pk)
        scope = report.district.code if report.district else "city"
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=f"monthly-report-{report.month:%Y-%m}-{scope}.pdf",
            content_type="application/pdf",
        )


class ReportGenerateView(View):
    """An official renders a month's report again (or for the first time)."""

    def post(self, request):
        from search.reports import generate_monthly_report

        if not permissions.is_official(request.user):
            raise PermissionDenied
        form = ReportForm(request.POST, user=request.user)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect(reverse("statistics_dashboard"))
        district_id = form.cleaned_data.get("district")
        district = District.objects.get(pk=district_id) if district_id else None
        report = generate_monthly_report(district, form.cleaned_data["month"], actor=request.user)
        messages.success(request, _("Report %(report)s generated.") % {"report": report})
        return redirect(reverse("statistics_dashboard"))


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("statistics/reports/<int:pk>/", ReportDownloadView.as_view(), name="monthly_report"),
        path(
            "statistics/reports/generate/",
            ReportGenerateView.as_view(),
            name="monthly_report_generate",
        ),
    ]
