"""The monthly report (月度报告) of a district or of the whole city, as a PDF: the month's
figures and charts, the open cases overdue at the end of the month, the penalties decided and
the inspections completed.

Figures come from ``search.statistics`` and ``cases.metrics`` (the same numbers as the
dashboard), charts are drawn by reportlab's own graphics and Chinese is set in its built-in
CID font, so nothing else is installed. No personal data: cases appear by tracking number and
estate, penalties by decision number and company.
"""

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases import metrics
from cases.models import (
    CaseStatus,
    Category,
    Channel,
    Complaint,
    Inspection,
    InspectionStatus,
    Penalty,
)
from search.models import MonthlyReport
from search.statistics import StatisticsRequest, complaint_statistics

FONT = "STSong-Light"
AUTHORITY = "青岚市住房和城乡建设局"
OVERDUE_LISTED = 30


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=zone),
        dt.datetime.combine(following, dt.time(), tzinfo=zone),
    )


def _styles() -> dict:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = {"fontName": FONT, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=18, leading=26, alignment=1, **base),
        "h2": ParagraphStyle("h2", fontSize=13, leading=20, spaceBefore=8, **base),
        "body": ParagraphStyle("body", fontSize=10, leading=15, **base),
    }


def _percent(rate) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.93, 0.97)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _bar_chart(labels: list[str], counts: list[int]) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, 150 * mm, 44 * mm
    chart.data = [counts or [0]]
    chart.categoryAxis.categoryNames = labels or ["—"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.bars[0].fillColor = colors.Color(0.04, 0.36, 0.68)
    drawing.add(chart)
    return drawing


def render_monthly_report(district, month: dt.date) -> bytes:
    """The PDF for ``district`` (None: the whole city) and the month of ``month``."""
    start, end = month_bounds(month)
    styles = _styles()
    period = StatisticsRequest(start=start, end=end, district_id=district.pk if district else None)
    # The system asks (None): the report is not one person's view.
    stats = complaint_statistics(None, period, now=end)
    complaints = metrics.in_period(Complaint.objects.all(), start, end)
    if district:
        complaints = complaints.filter(district=district)
    figures = metrics.figures(complaints, now=end)
    scope = district.name if district else "全市"
    story = [
        Paragraph(escape(f"{AUTHORITY}物业服务监管月度报告"), styles["title"]),
        Paragraph(escape(f"{scope} · {month:%Y年%m月}"), styles["title"]),
        Spacer(1, 6 * mm),
        Paragraph("一、主要指标", styles["h2"]),
        _table(
            [
                [
                    "收到投诉",
                    "办结率",
                    "按时办结率",
                    "按时响应率",
                    "满意率",
                    "重办率",
                    "月末超期未办结",
                    "转办",
                ],
                [
                    str(stats.total),
                    _percent(figures.resolution_rate),
                    _percent(figures.on_time_rate),
                    _percent(figures.first_response_on_time_rate),
                    _percent(figures.satisfaction_rate),
                    _percent(figures.reopen_rate),
                    str(stats.overdue_now),
                    str(figures.transferred),
                ],
            ],
            [21] * 8,
        ),
        Paragraph("二、按类别统计", styles["h2"]),
    ]
    categories = dict(Category.choices)
    by_category = stats.breakdowns.get("category", [])
    story.append(
        _bar_chart(
            [str(categories.get(key, key))[:6] for key, _n in by_category],
            [n for _key, n in by_category],
        )
    )
    story.append(
        _table(
            [["类别", "件数"]]
            + [[str(categories.get(key, key)), str(n)] for key, n in by_category],
            [120, 30],
        )
    )
    channels = dict(Channel.choices)
    by_channel = stats.breakdowns.get("channel", [])
    story.append(Paragraph("按受理渠道统计", styles["body"]))
    story.append(
        _table(
            [["受理渠道", "件数"]]
            + [[str(channels.get(key, key)), str(n)] for key, n in by_channel],
            [120, 30],
        )
    )
    returns = metrics.returns_by_unit(complaints)
    if returns:
        story.append(Paragraph("退单及审定（按单位）", styles["body"]))
        story.append(
            _table(
                [["单位", "退单", "维持", "驳回", "待审定", "已失效"]]
                + [
                    [
                        r.unit,
                        *(str(n) for n in (r.returns, r.upheld, r.overruled, r.pending, r.lapsed)),
                    ]
                    for r in returns
                ],
                [60, 18, 18, 18, 18, 18],
            )
        )
    story += _overdue_section(district, end, styles)
    story += _penalty_section(district, start, end, styles)
    story += _inspection_section(district, start, end, styles)
    story.append(Spacer(1, 8 * mm))
    story.append(
        Paragraph(escape(f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}"), styles["body"])
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=f"{scope} {month:%Y-%m}", author=AUTHORITY,
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
    ).build(story)  # fmt: skip
    return buffer.getvalue()


def _overdue_section(district, end, styles) -> list:
    overdue = Complaint.objects.filter(
        status__in=CaseStatus.OPEN_STATES, resolve_due_at__lt=end, created_at__lt=end
    )
    if district:
        overdue = overdue.filter(district=district)
    overdue = overdue.exclude(status=CaseStatus.MERGED).order_by("resolve_due_at")
    rows = [["查询编号", "小区", "办结时限"]] + [
        [c.tracking_number, c.estate_name, f"{timezone.localtime(c.resolve_due_at):%Y-%m-%d}"]
        for c in overdue[:OVERDUE_LISTED]
    ]
    heading = Paragraph(escape(f"三、超期未办结案件（{overdue.count()}件）"), styles["h2"])
    return [heading, _table(rows, [45, 80, 30])] if len(rows) > 1 else [heading]


def _penalty_section(district, start, end, styles) -> list:
    penalties = Penalty.objects.filter(
        decided_on__gte=start.date(), decided_on__lt=end.date()
    ).select_related("company")
    if district:
        penalties = penalties.filter(district=district)
    rows = [["决定书文号", "企业", "处罚种类", "状态"]] + [
        [p.decision_number or "—", p.company.name, p.get_kind_display(), p.get_status_display()]
        for p in penalties.order_by("decided_on", "pk")
    ]
    heading = Paragraph(escape(f"四、行政处罚（{len(rows) - 1}件）"), styles["h2"])
    return [heading, _table(rows, [48, 70, 22, 20])] if len(rows) > 1 else [heading]


def _inspection_section(district, start, end, styles) -> list:
    inspections = Inspection.objects.filter(
        status=InspectionStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
    ).select_related("estate", "company")
    if district:
        inspections = inspections.filter(district=district)
    rows = [["小区", "企业", "检查类型", "得分"]] + [
        [i.estate.name, i.company.name, i.get_kind_display(), str(i.score or "—")]
        for i in inspections.order_by("completed_at", "pk")
    ]
    heading = Paragraph(escape(f"五、监督检查（{len(rows) - 1}次）"), styles["h2"])
    return [heading, _table(rows, [50, 70, 25, 15])] if len(rows) > 1 else [heading]


def generate_monthly_report(district, month: dt.date, *, actor=None) -> MonthlyReport:
    """Render and store the report; asking again replaces the file (the figures of a month
    may still change while late cases are resolved)."""
    month = month.replace(day=1)
    content = render_monthly_report(district, month)
    with transaction.atomic():
        report, _created = MonthlyReport.objects.select_for_update().get_or_create(
            district=district, month=month, defaults={"generated_at": timezone.now()}
        )
        old = report.file.name if report.file else ""
        report.generated_at = timezone.now()
        report.generated_by = actor if actor is not None and actor.is_authenticated else None
        report.file.save(f"report-{month:%Y-%m}.pdf", ContentFile(content), save=False)
        report.save()
    if old and old != report.file.name:
        report.file.storage.delete(old)
    return report


def previous_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
