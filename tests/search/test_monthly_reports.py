"""The monthly report: its PDF holds the month's figures, overdue cases, penalties and
inspections of its district only; officials download and regenerate it, others do not; the
beat task makes one per district and the city, and again replaces rather than adds."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text

from cases.models import Complaint, Penalty, PenaltyKind, PenaltyStatus
from search.models import MonthlyReport
from search.report_tasks import generate_monthly_reports_task
from search.reports import generate_monthly_report, previous_month
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
ZONE = timezone.get_default_timezone()
MONTH = dt.date(2026, 10, 1)


@pytest.fixture
def database_search(settings):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def october(estate_x, estate_y, inspector, database_search):
    """Two October complaints in district 1 (one overdue at the end of the month), one in
    district 2, one in November; a penalty decided in October in district 1."""
    made = {}
    for key, estate, day, due in (
        ("late", estate_x, "2026-10-03", "2026-10-20"),
        ("fine", estate_x, "2026-10-12", "2026-11-30"),
        ("other", estate_y, "2026-10-15", "2026-10-18"),
        ("november", estate_x, "2026-11-02", "2026-11-05"),
    ):
        complaint = make_complaint(estate=estate).complaint
        created = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), tzinfo=ZONE)
        resolve_by = dt.datetime.combine(dt.date.fromisoformat(due), dt.time(17), tzinfo=ZONE)
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=created, resolve_due_at=resolve_by
        )
        made[key] = Complaint.objects.get(pk=complaint.pk)
    made["penalty"] = Penalty.objects.create(
        status=PenaltyStatus.SERVED, decision_number="青岚住建罚〔2026〕第007号",
        company=estate_x.managing_company, district=estate_x.district, kind=PenaltyKind.WARNING,
        violation="未按规定公示收费标准", legal_basis="《物业管理条例》第四十条",
        proposed_by=inspector, decided_on=dt.date(2026, 10, 28),
    )  # fmt: skip
    return made


def pdf_text(report: MonthlyReport) -> str:
    with report.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    from io import BytesIO

    return extract_text(BytesIO(content))


def test_a_district_report_holds_its_month_only(october, estate_x):
    report = generate_monthly_report(estate_x.district, MONTH)
    text = pdf_text(report)
    assert estate_x.district.name in text and "2026年10月" in text
    assert october["late"].tracking_number in text  # overdue at the end of October
    assert october["fine"].tracking_number not in text  # due in November
    assert october["other"].tracking_number not in text  # another district
    assert october["november"].tracking_number not in text
    assert "青岚住建罚〔2026〕第007号" in text
    assert "13812345678" not in text  # no personal data


def test_the_city_report_counts_every_district(october):
    text = pdf_text(generate_monthly_report(None, MONTH))
    assert "全市" in text
    assert october["late"].tracking_number in text and october["other"].tracking_number in text


def test_generating_again_replaces_the_report(october, estate_x):
    first = generate_monthly_report(estate_x.district, MONTH)
    second = generate_monthly_report(estate_x.district, MONTH)
    assert first.pk == second.pk and MonthlyReport.objects.count() == 1
    assert not first.file.storage.exists(first.file.name) or first.file.name == second.file.name


def test_the_beat_task_makes_one_per_district_and_the_city(district_1, district_2, database_search):
    assert generate_monthly_reports_task() == 3
    assert generate_monthly_reports_task() == 3
    month = previous_month()
    assert MonthlyReport.objects.filter(month=month).count() == 3
    assert MonthlyReport.objects.filter(month=month, district__isnull=True).count() == 1


def test_download_and_regenerate_follow_the_scope(
    client, official, inspector, other_district_inspector, company_a_staff, october, estate_x
):
    report = generate_monthly_report(estate_x.district, MONTH)
    url = reverse("monthly_report", args=[report.pk])
    client.force_login(inspector)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    for outsider in (other_district_inspector, company_a_staff):
        client.force_login(outsider)
        assert client.get(url).status_code in (302, 403, 404)
    generate = reverse("monthly_report_generate")
    client.force_login(inspector)  # inspectors read reports but do not make them
    assert client.post(generate, {"month": "2026-08"}).status_code in (302, 403)
    assert not MonthlyReport.objects.filter(month=dt.date(2026, 8, 1)).exists()
    client.force_login(official)
    response = client.post(generate, {"month": "2026-09", "district": estate_x.district_id})
    assert response.status_code == 302
    assert MonthlyReport.objects.filter(month=dt.date(2026, 9, 1)).exists()
    client.post(generate, {"month": "2999-01"})
    assert not MonthlyReport.objects.filter(month=dt.date(2999, 1, 1)).exists()
