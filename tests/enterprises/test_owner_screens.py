"""The units, work report and improvement request screens: thin views over the services,
gated by role and scoped by estate (the permission matrix rows are in
tests/security/owners_rows.py); lists bounded in queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cases.models import Channel, Complaint
from enterprises.models import ImprovementRequest, Owner, RequestStatus, Unit, WorkReport
from enterprises.models import WorkReportStatus as Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(default_language):
    translation.activate("en")


def test_the_committee_imports_units_and_the_list_marks_owners(
    client, committee_member, company_a_staff, evaluator, estate_x
):
    client.force_login(committee_member)
    data = "楼栋,单元,房号,专有面积,开发商持有,业主姓名,业主电话\n"
    data += "1,1,101,90,,王五,13900000009\n1,1,102,90,,王五,13900000009\n2,1,101,80,是,,\n"
    upload = SimpleUploadedFile("u.csv", data.encode("utf-8"), content_type="text/csv")
    url = reverse("units:import", args=(estate_x.pk,))
    response = client.post(url, {"file": upload})
    assert response.status_code == 302 and Unit.objects.filter(estate=estate_x).count() == 3
    body = client.get(reverse("units:estate", args=(estate_x.pk,))).content.decode()
    assert "王五" in body and "持有 2 套" in body and "开发商：未售出或未交付" in body
    bad = SimpleUploadedFile("b.csv", (data.splitlines()[0] + "\n1,1,101,90,,,\n").encode())
    body = client.post(url, {"file": bad}).content.decode()
    assert "该小区已登记此房屋。" in body and Unit.objects.count() == 3
    client.force_login(company_a_staff)  # reads, does not import
    assert client.get(reverse("units:estate", args=(estate_x.pk,))).status_code == 200
    assert client.get(url).url == "/admin/"  # Wagtail's answer to PermissionDenied
    client.force_login(evaluator)
    assert client.get(reverse("units:index")).url == "/admin/"


@pytest.mark.parametrize("count", [10, 100])
def test_the_units_list_query_count_does_not_grow(
    count, client, committee_member, estate_x, django_assert_max_num_queries
):
    owners = Owner.objects.bulk_create(
        Owner(estate=estate_x, name=f"业主{n}") for n in range(count // 2)
    )
    Unit.objects.bulk_create(
        Unit(
            estate=estate_x,
            building="1",
            room=f"{n:04}",
            exclusive_area=Decimal("90"),
            owner=owners[n // 2],
        )
        for n in range(count)
    )
    client.force_login(committee_member)
    # The admin menu's own queries are most of these; the same at 10 and at 100 units.
    with django_assert_max_num_queries(26):
        response = client.get(reverse("units:estate", args=(estate_x.pk,)))
    assert response.status_code == 200 and len(response.context["object_list"]) == count
    with django_assert_max_num_queries(26):
        assert client.get(reverse("units:index")).status_code == 200


def _budget(**lines):
    data = {"budget-TOTAL_FORMS": "2", "budget-INITIAL_FORMS": "0"}
    data.update({f"budget-0-{k}": v for k, v in lines.items()})
    return data


def test_a_report_is_written_submitted_and_reviewed_on_the_screens(
    client, company_a_staff, company_b_staff, committee_member, estate_x
):
    client.force_login(company_a_staff)
    form = {
        "estate": estate_x.pk,
        "period": "2025",
        "services_delivered": "保洁",
        "next_plan": "绿化",
        "major_matters": "",
        **_budget(item="保洁", planned="100", actual="-3"),
    }
    body = client.post(reverse("work_reports:new"), form).content.decode()
    assert "预算第 1 项" in body and not WorkReport.objects.exists()
    form["budget-0-actual"] = "90"
    response = client.post(reverse("work_reports:new"), form)
    report = WorkReport.objects.get()
    assert response.url == reverse("work_reports:report", args=(report.pk,))
    client.post(reverse("work_reports:submit", args=(report.pk,)))
    client.force_login(company_b_staff)
    assert client.get(reverse("work_reports:report", args=(report.pk,))).status_code == 404
    client.force_login(committee_member)
    review = {"outcome": Status.REJECTED, "opinion": "预算执行不清。"}
    client.post(reverse("work_reports:review", args=(report.pk,)), review)
    report.refresh_from_db()
    assert report.status == Status.REJECTED and report.review_opinion == "预算执行不清。"
    client.force_login(company_a_staff)
    response = client.post(reverse("work_reports:review", args=(report.pk,)), review)
    assert response.status_code == 403


def test_a_request_is_sent_answered_and_escalated_on_the_screens(
    client, committee_member, company_a_staff, estate_x
):
    client.force_login(committee_member)
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    client.post(
        reverse("improvement_requests:new"),
        {"estate": estate_x.pk, "text": "修复门禁", "deadline": deadline},
    )
    request = ImprovementRequest.objects.get()
    client.force_login(company_a_staff)
    escalate = reverse("improvement_requests:escalate", args=(request.pk,))
    assert client.post(escalate, {"note": "x"}).status_code == 403
    client.post(reverse("improvement_requests:answer", args=(request.pk,)), {"answer": "下周修"})
    client.force_login(committee_member)
    client.post(escalate, {"note": "门禁仍坏"})
    request.refresh_from_db()
    case = Complaint.objects.get()
    assert request.status == RequestStatus.ESCALATED
    assert (case.channel, case.tracking_number) == (
        Channel.OWNERS_COMMITTEE,
        request.case_tracking_number,
    )
    body = client.get(reverse("improvement_requests:request", args=(request.pk,))).content
    assert case.tracking_number in body.decode()
