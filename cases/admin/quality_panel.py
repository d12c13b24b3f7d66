"""The company page's self-inspection panel (``company_page_panels`` hook of
``enterprises.admin.views``, which may not ask ``cases`` itself): per estate the viewer may
read, the company's own patrol score beside the regulator's and the owners', the gap, patrols
done against plan and findings closed on time, for a period (``?quality_period=2026-Q1``)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.admin.ui.components import Component

from cases import permissions, quality_gap


class QualityGapPanel(Component):
    template_name = "cases/admin/quality_gap_panel.html"

    def __init__(self, company, period: str, rows, error: str = ""):
        self.company, self.period, self.rows, self.error = company, period, rows, error

    def get_context_data(self, parent_context=None) -> dict:
        return {
            "company": self.company,
            "period": self.period,
            "rows": self.rows,
            "totals": quality_gap.totals(self.rows),
            "error": self.error,
        }


def quality_gap_panel(request, company) -> QualityGapPanel | None:
    estates = permissions.self_inspection_estates(request.user).filter(managing_company=company)
    if not estates.exists():
        return None
    this_year = str(timezone.localdate().year)
    period, error = request.GET.get("quality_period") or this_year, ""
    try:
        start, end = quality_gap.period_bounds(period)
    except ValidationError as refusal:
        error, period = " ".join(refusal.messages), this_year
        start, end = quality_gap.period_bounds(period)
    return QualityGapPanel(company, period, quality_gap.quality_gaps(estates, start, end), error)
