"""Work reports (工作报告): the company managing an estate reports per period, the owners'
committee reviews.

States: draft -> submitted -> accepted | accepted_with_objections | rejected. The company
(staff acting for the estate's managing company) writes and edits a draft and submits it;
once submitted it is never edited again. A member of the estate's current committee reviews
it with a written opinion. One report per estate and period (a year ``2026`` or a half year
``2026-H1``: ``evaluations.check_period``'s format without quarters).

A year's report is due ``SUBMIT_WITHIN_DAYS`` days after the year ends (the owners' assembly
usually meets in the first quarter); the daily sweep ``flag_overdue_reports`` flags once per
estate and year to the company and the district's officials when neither the year's report
nor its second half-year's has been submitted by then.

Every function takes the acting user, locks the row, changes everything or nothing in one
transaction and writes the report's history (``foundation.audit.record``).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises import owner_notices, people, permissions
from enterprises.evaluations import check_period
from enterprises.models import (
    BudgetLine,
    Estate,
    OverdueReportFlag,
    WorkReport,
    WorkReportStatus,
)
from foundation import audit

# Days after a year ends by which its report must be submitted (the first quarter).
SUBMIT_WITHIN_DAYS = 90
MAX_BUDGET_LINES = 100

CREATED = "enterprises.work_report.created"
EDITED = "enterprises.work_report.edited"
SUBMITTED = "enterprises.work_report.submitted"
REVIEWED = "enterprises.work_report.reviewed"
OVERDUE = "enterprises.work_report.overdue_flagged"


class ReportRefused(people.PersonRefused):
    """The report cannot be changed as asked; ``field`` names the form field at fault."""


class ReportNotAllowed(ReportRefused, people.NotAllowed):
    """The actor may not do this to this report."""


def checked_period(period: str) -> str:
    """A year or a half year, normalised; quarters are too short for a work report."""
    try:
        period = check_period(period)
    except ValidationError as error:
        raise ReportRefused(error.messages[0], "period") from None
    if "-Q" in period:
        raise ReportRefused(
            _("A work report covers a year (2026) or a half year (2026-H1 or 2026-H2)."),
            "period",
        )
    return period


def period_end(period: str) -> datetime.date:
    """The last day of a checked period."""
    year, _sep, part = period.partition("-")
    return datetime.date(int(year), 6, 30) if part == "H1" else datetime.date(int(year), 12, 31)


def checked_budget(lines: list[dict]) -> list[dict]:
    """Each line's item, planned and (optional) actual amount, or a refusal naming the line."""
    if len(lines) > MAX_BUDGET_LINES:
        raise ReportRefused(
            _("At most %(max)d budget lines.") % {"max": MAX_BUDGET_LINES}, "budget_lines"
        )
    checked = []
    for number, line in enumerate(lines, start=1):
        item = str(line.get("item") or "").strip()
        if not item:
            raise _line_refused(number, _("Name the item."))
        if len(item) > 128:
            raise _line_refused(number, _("At most 128 characters."))
        planned = _amount(line.get("planned"), number, _("planned"), required=True)
        actual = _amount(line.get("actual"), number, _("actual"), required=False)
        checked.append({"item": item, "planned": planned, "actual": actual})
    return checked


def _line_refused(number: int, message: str) -> ReportRefused:
    return ReportRefused(
        _("Budget line %(number)d: %(message)s") % {"number": number, "message": message},
        "budget_lines",
    )


def _amount(value, number: int, label: str, *, required: bool) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            raise _line_refused(number, _("Enter the %(what)s amount.") % {"what": label})
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise _line_refused(
            number, _("The %(what)s amount must be a number of yuan, 0 or more.") % {"what": label}
        )
    return amount.quantize(Decimal("0.01"))


def _texts(services_delivered: str, next_plan: str, major_matters: str) -> dict:
    texts = {
        "services_delivered": (services_delivered or "").strip(),
        "next_plan": (next_plan or "").strip(),
        "major_matters": (major_matters or "").strip(),
    }
    if not texts["services_delivered"]:
        raise ReportRefused(_("Describe the services delivered."), "services_delivered")
    if not texts["next_plan"]:
        raise ReportRefused(_("Describe the service plan for the next period."), "next_plan")
    return texts


def _write_lines(report: WorkReport, lines: list[dict]) -> None:
    report.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(report=report, position=n, **line) for n, line in enumerate(lines)
    )


@transaction.atomic
def create_report(
    *,
    actor,
    estate: Estate,
    period: str,
    services_delivered: str,
    next_plan: str,
    major_matters: str = "",
    budget_lines: list[dict] = (),
) -> WorkReport:
    """Start a draft for the estate and period, as the company managing the estate."""
    estate = (
        Estate.objects.select_for_update(of=("self",))
        .select_related("managing_company")
        .get(pk=estate.pk)
    )
    if not permissions.reports_for_estate(actor, estate):
        raise ReportNotAllowed(_("Only the company managing this estate reports on it."), "estate")
    period = checked_period(period)
    texts = _texts(services_delivered, next_plan, major_matters)
    lines = checked_budget(list(budget_lines))
    if WorkReport.objects.filter(estate=estate, period=period).exists():
        raise ReportRefused(
            _("This estate already has a work report for %(period)s.") % {"period": period},
            "period",
        )
    try:
        with transaction.atomic():
            report = WorkReport.objects.create(
                estate=estate,
                company=estate.managing_company,
                period=period,
                created_by=actor,
                **texts,
            )
    except IntegrityError:  # the estate lock makes this rare: a report made without it
        raise ReportRefused(
            _("This estate already has a work report for %(period)s.") % {"period": period},
            "period",
        ) from None
    _write_lines(report, lines)
    audit.record(report, CREATED, actor=actor, period=period, budget_lines=len(lines))
    return report


def _lock(report: WorkReport) -> WorkReport:
    return (
        WorkReport.objects.select_for_update().select_related("estate", "company").get(pk=report.pk)
    )


def _refuse_unless_company(actor, report: WorkReport) -> None:
    if not permissions.can_act_for_company(actor, report.company):
        raise ReportNotAllowed(_("Only the reporting company may change this report."), None)


@transaction.atomic
def edit_report(
    report: WorkReport,
    *,
    actor,
    services_delivered: str,
    next_plan: str,
    major_matters: str = "",
    budget_lines: list[dict] = (),
) -> WorkReport:
    """Change a draft; a submitted report is the company's word and stays as it was."""
    report = _lock(report)
    _refuse_unless_company(actor, report)
    if report.status != WorkReportStatus.DRAFT:
        raise ReportRefused(_("A submitted report can no longer be edited."), None)
    texts = _texts(services_delivered, next_plan, major_matters)
    lines = checked_budget(list(budget_lines))
    for name, value in texts.items():
        setattr(report, name, value)
    report.save(update_fields=list(texts))
    _write_lines(report, lines)
    audit.record(report, EDITED, actor=actor, budget_lines=len(lines))
    return report


@transaction.atomic
def submit_report(report: WorkReport, *, actor) -> WorkReport:
    """Hand the draft to the committee for review."""
    report = _lock(report)
    _refuse_unless_company(actor, report)
    if report.status == WorkReportStatus.SUBMITTED:
        return report
    if report.status != WorkReportStatus.DRAFT:
        raise ReportRefused(_("This report was reviewed already."), None)
    report.status = WorkReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    audit.record(report, SUBMITTED, actor=actor, period=report.period)
    return report


@transaction.atomic
def review_report(report: WorkReport, *, actor, outcome: str, opinion: str) -> WorkReport:
    """The committee's outcome with its written opinion; given once."""
    report = _lock(report)
    if not permissions.sits_on_current_committee(actor, report.estate):
        raise ReportNotAllowed(
            _("Only a member of the estate's current owners' committee reviews its reports."),
            None,
        )
    if report.status != WorkReportStatus.SUBMITTED:
        message = (
            _("The company has not submitted this report yet.")
            if report.status == WorkReportStatus.DRAFT
            else _("This report was reviewed already.")
        )
        raise ReportRefused(message, "outcome")
    if outcome not in WorkReportStatus.OUTCOMES:
        raise ReportRefused(_("Choose one of the outcomes offered."), "outcome")
    opinion = (opinion or "").strip()
    if not opinion:
        raise ReportRefused(_("Write the committee's opinion."), "opinion")
    report.status = outcome
    report.review_opinion = opinion
    report.reviewed_by = actor
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "review_opinion", "reviewed_by", "reviewed_at"])
    audit.record(report, REVIEWED, actor=actor, outcome=outcome)
    return report


def last_due_year(today: datetime.date) -> int:
    """The latest year whose report's deadline has passed."""
    year = today.year - 1
    if today <= datetime.date(year, 12, 31) + datetime.timedelta(days=SUBMIT_WITHIN_DAYS):
        year -= 1
    return year


def flag_overdue_reports(today: datetime.date | None = None) -> int:
    """The daily sweep: flag each managed estate without a submitted report for the last due
    year (neither ``YYYY`` nor ``YYYY-H2``), once; returns how many were flagged now."""
    today = today or timezone.localdate()
    year = str(last_due_year(today))
    periods = [year, f"{year}-H2"]
    submitted = WorkReport.objects.filter(period__in=periods).exclude(status=WorkReportStatus.DRAFT)
    due = (
        Estate.objects.filter(managing_company__isnull=False)
        .exclude(pk__in=submitted.values("estate_id"))
        .exclude(pk__in=OverdueReportFlag.objects.filter(period=year).values("estate_id"))
    )
    flagged = 0
    for estate in due.select_related("managing_company"):
        with transaction.atomic():
            _flag, created = OverdueReportFlag.objects.get_or_create(
                estate=estate, period=year, defaults={"company": estate.managing_company}
            )
            if not created:
                continue  # a parallel run flagged it
            values = {"estate": estate.name, "period": year, "days": SUBMIT_WITHIN_DAYS}
            with owner_notices.site_language():
                subject = _("Work report for %(estate)s, %(period)s, is overdue") % values
                body = (
                    _(
                        "The work report of %(estate)s for %(period)s was due within %(days)d days "
                        "after the year ended and has not been submitted. Submit it in the portal "
                        "for the owners' committee to review."
                    )
                    % values
                )
            owner_notices.tell_company_and_officials(
                estate.managing_company,
                estate.district_id,
                key=f"work_report:{estate.pk}:{year}:overdue",
                subject=subject,
                body=body,
            )
            audit.record(estate, OVERDUE, actor=None, period=year)
        flagged += 1
    return flagged
