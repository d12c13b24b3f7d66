"""Work reports (enterprises.work_reports): the company managing the estate drafts and submits,
a current committee member reviews with an opinion; refusals (another company, a non-member,
a second report for the period, an edit after submission, bad budget lines) change nothing;
the daily sweep flags a missing report once to the company and the district's officials."""

import datetime as dt

import pytest
from django.utils import translation

from enterprises import access, work_reports
from enterprises.models import OverdueReportFlag, WorkReport, WorkReportStatus
from enterprises.tasks import flag_overdue_owner_matters_task
from foundation.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(default_language):
    """Messages are matched in English (the Chinese ones are merged later)."""
    translation.activate("en")


LINES = [
    {"item": "保洁", "planned": "120000", "actual": "118500.50"},
    {"item": "绿化", "planned": "30000", "actual": ""},
]


def draft(actor, estate, period="2025", **changes):
    values = {
        "services_delivered": "按合同提供保洁、秩序维护。",
        "next_plan": "更换电梯钢丝绳。",
        "major_matters": "",
        "budget_lines": LINES,
        **changes,
    }
    return work_reports.create_report(actor=actor, estate=estate, period=period, **values)


def test_a_report_goes_from_draft_through_review(company_a_staff, committee_member, estate_x):
    report = draft(company_a_staff, estate_x, period=" 2025-h2 ")
    assert report.period == "2025-H2" and report.status == WorkReportStatus.DRAFT
    lines = list(report.budget_lines.values_list("item", "planned", "actual"))
    assert [(i, str(p), a and str(a)) for i, p, a in lines] == [
        ("保洁", "120000.00", "118500.50"),
        ("绿化", "30000.00", None),
    ]
    work_reports.edit_report(
        report,
        actor=company_a_staff,
        services_delivered="改后",
        next_plan="计划",
        budget_lines=LINES[:1],
    )
    with pytest.raises(work_reports.ReportRefused, match="not submitted"):
        work_reports.review_report(report, actor=committee_member, outcome="accepted", opinion="好")
    work_reports.submit_report(report, actor=company_a_staff)
    work_reports.submit_report(report, actor=company_a_staff)  # quietly, once
    with pytest.raises(work_reports.ReportRefused, match="no longer be edited"):
        work_reports.edit_report(
            report, actor=company_a_staff, services_delivered="x", next_plan="y"
        )
    with pytest.raises(work_reports.ReportRefused) as refused:
        work_reports.review_report(report, actor=committee_member, outcome="accepted", opinion="")
    assert refused.value.field == "opinion"
    with pytest.raises(work_reports.ReportRefused) as refused:
        work_reports.review_report(report, actor=committee_member, outcome="draft", opinion="x")
    assert refused.value.field == "outcome"
    work_reports.review_report(
        report,
        actor=committee_member,
        outcome=WorkReportStatus.ACCEPTED_WITH_OBJECTIONS,
        opinion="绿化预算执行不清楚。",
    )
    report.refresh_from_db()
    assert report.status == WorkReportStatus.ACCEPTED_WITH_OBJECTIONS
    assert report.reviewed_by == committee_member and report.budget_lines.count() == 1
    with pytest.raises(work_reports.ReportRefused, match="reviewed already"):
        work_reports.review_report(report, actor=committee_member, outcome="rejected", opinion="x")
    with pytest.raises(work_reports.ReportRefused, match="reviewed already"):
        work_reports.submit_report(report, actor=company_a_staff)


def test_only_the_managing_company_reports(company_b_staff, committee_member, official, estate_x):
    for actor in (company_b_staff, committee_member, official):
        with pytest.raises(work_reports.ReportNotAllowed):
            draft(actor, estate_x)
    assert not WorkReport.objects.exists()


def test_one_report_per_estate_and_period(company_a_staff, estate_x):
    draft(company_a_staff, estate_x, period="2025")
    with pytest.raises(work_reports.ReportRefused) as refused:
        draft(company_a_staff, estate_x, period="2025")
    assert refused.value.field == "period"
    assert draft(company_a_staff, estate_x, period="2025-H1").period == "2025-H1"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"period": "2025-Q1"}, "period", "half year"),
        ({"period": "last year"}, "period", "not a period"),
        ({"services_delivered": " "}, "services_delivered", "services"),
        ({"budget_lines": [{"item": "", "planned": "1"}]}, "budget_lines", "line 1"),
        ({"budget_lines": [LINES[0], {"item": "x", "planned": "-1"}]}, "budget_lines", "line 2"),
        ({"budget_lines": [{"item": "x", "planned": "1", "actual": "abc"}]}, "budget_lines", "1"),
    ],
)
def test_bad_input_is_refused_naming_the_field(company_a_staff, estate_x, changes, field, words):
    with pytest.raises(work_reports.ReportRefused) as refused:
        draft(company_a_staff, estate_x, **changes)
    assert refused.value.field == field and words in refused.value.message
    assert not WorkReport.objects.exists()


def test_only_a_current_member_of_the_estate_reviews(
    company_a_staff, company_a, evaluator, official, estate_x, estate_y
):
    report = work_reports.submit_report(draft(company_a_staff, estate_x), actor=company_a_staff)
    other = make_user("committee_y", None)
    access.grant_committee_member(other, estate_y)
    former = make_user("former_member", None)
    access.grant_committee_member(former, estate_x)
    access.withdraw_committee_member(former, estate_x)
    for actor in (company_a_staff, evaluator, official, other, former):
        with pytest.raises(work_reports.ReportNotAllowed):
            work_reports.review_report(report, actor=actor, outcome="accepted", opinion="x")
    assert WorkReport.objects.get().status == WorkReportStatus.SUBMITTED


def test_the_sweep_flags_a_missing_report_once(
    company_a_staff, official, estate_x, estate_y, company_a
):
    company_a.contact_email = "office@company-a.test"
    company_a.save()
    today = dt.date(2026, 4, 1)  # 2025's reports were due by 31 March
    assert work_reports.last_due_year(dt.date(2026, 3, 31)) == 2024
    work_reports.submit_report(draft(company_a_staff, estate_x, "2024"), actor=company_a_staff)
    draft(company_a_staff, estate_x, "2025")  # a draft is not a report
    assert work_reports.flag_overdue_reports(today) == 2  # estate X and estate Y
    assert work_reports.flag_overdue_reports(today) == 0
    flagged = OverdueReportFlag.objects.get(estate=estate_x)
    assert (flagged.period, flagged.company) == ("2025", company_a)
    queued = Notification.objects.filter(dedup_key__startswith=f"work_report:{estate_x.pk}:")
    recipients = sorted(queued.values_list("recipient", flat=True))
    assert recipients == sorted(["office@company-a.test", official.email])
    # The task runs both sweeps; nothing is due again.
    assert flag_overdue_owner_matters_task.apply().get() == 0


def test_the_sweep_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["enterprises-flag-overdue-owner-matters"]
    assert entry["task"] == flag_overdue_owner_matters_task.name
