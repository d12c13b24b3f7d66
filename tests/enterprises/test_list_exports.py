"""The register and supervision list screens' CSV/XLSX downloads (Wagtail's ``?export=``):
the rows of the listing (scope, filters, search), labels instead of codes, a flat number of
queries, and an audit event for each download.

Rows are created directly here (test data, not state changes).
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from cases.checklists import create_checklist
from cases.models import Inspection
from enterprises.models import Licence
from foundation.audit import EXPORT_REGISTER, EXPORT_SUPERVISION
from foundation.models import AuditEvent

pytestmark = pytest.mark.django_db


def exports():
    """The audit events of exports (sign-ins of the test client are audited too)."""
    return AuditEvent.objects.exclude(action__startswith="portal.auth.").exclude(
        action__startswith="portal.permissions."  # the cast's roles, granted as it is built
    )


PLANNED_ON = datetime.date(2026, 12, 1)
SCREENS = [
    "register_estates",
    "register_licences",
    "register_contracts",
    "register_disclosures",
    "register_evaluations",
    "register_credit_records",
    "register_credit_appeals",
    "supervision_inspections",
    "supervision_draws",
    "supervision_orders",
    "supervision_penalties",
    "supervision_checklists",
    "supervision_campaigns",
]


@pytest.fixture
def licences(company_a, company_b):
    return {
        "a": Licence.objects.create(company=company_a, number="WY-A-001", scope="住宅物业管理"),
        "b": Licence.objects.create(company=company_b, number="WY-B-001", scope="商业物业管理"),
    }


@pytest.fixture
def inspections(admin, estate_x, estate_y):
    checklist = create_checklist(
        "检查表", [{"number": "1", "text": "电梯年检", "dimension": "cleaning", "weight": 10}],
        actor=admin,
    )  # fmt: skip
    return {
        key: Inspection.objects.create(
            kind="routine",
            estate=estate,
            company=estate.managing_company,
            district=estate.district,
            checklist=checklist,
            planned_on=PLANNED_ON,
            planned_by=admin,
        )
        for key, estate in (("a", estate_x), ("b", estate_y))
    }


def export(client, user, screen: str, fmt: str = "csv", **params):
    client.force_login(user)
    return client.get(reverse(f"{screen}:index"), {**params, "export": fmt})


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_company_staff_exports_only_its_own_licences(client, licences, company_a_staff):
    rows = csv_rows(export(client, company_a_staff, "register_licences"))
    assert [row[0] for row in rows[1:]] == ["WY-A-001"]
    assert "WY-B-001" not in str(rows)
    event = exports().get()
    assert (event.actor, event.action, event.label) == (
        company_a_staff,
        EXPORT_REGISTER,
        "register_licences",
    )
    assert (event.row_count, event.format, event.filters) == (1, "csv", {})


def test_another_districts_rows_are_absent_from_the_workbook(client, licences, official):
    rows = xlsx_rows(export(client, official, "register_licences", "xlsx"))
    assert [row[0] for row in rows[1:]] == ["WY-A-001"]
    event = exports().get()
    assert (event.actor, event.row_count, event.format) == (official, 1, "xlsx")


def test_a_status_is_exported_by_its_label_not_its_code(client, licences, official):
    rows = csv_rows(export(client, official, "register_licences"))
    status = rows[0].index(next(h for h in rows[0] if h.lower() in {"status", "状态"}))
    assert rows[1][status] != "applied"
    assert rows[1][status] == str(Licence.objects.get(number="WY-A-001").get_status_display())


def test_search_and_filters_apply_to_the_export_as_to_the_listing(
    client, licences, admin, company_b, district_2
):
    params = {"q": company_b.name, "company__district": str(district_2.pk)}
    client.force_login(admin)
    listed = client.get(reverse("register_licences:index"), params).context["object_list"]
    rows = csv_rows(export(client, admin, "register_licences", **params))
    assert [row[0] for row in rows[1:]] == [str(licence) for licence in listed] == ["WY-B-001"]
    assert exports().get().filters == params
    # A search matching nothing is still a recorded download, of the header alone.
    assert len(csv_rows(export(client, admin, "register_licences", q="不存在的公司"))) == 1
    assert exports().first().row_count == 0


def test_supervision_exports_stay_within_the_district(
    client, inspections, inspector, other_district_inspector
):
    for user, key in ((inspector, "a"), (other_district_inspector, "b")):
        rows = csv_rows(export(client, user, "supervision_inspections"))
        assert [row[0] for row in rows[1:]] == [str(inspections[key])]
    events = exports().order_by("id")
    assert [(e.actor, e.action, e.label, e.row_count) for e in events] == [
        (inspector, EXPORT_SUPERVISION, "supervision_inspections", 1),
        (other_district_inspector, EXPORT_SUPERVISION, "supervision_inspections", 1),
    ]


def test_a_screen_the_user_may_not_open_exports_nothing(client, licences, committee_member):
    response = export(client, committee_member, "register_licences")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not exports().exists()


@pytest.mark.parametrize("screen", SCREENS)
def test_every_list_screen_offers_and_records_both_downloads(client, admin, screen):
    client.force_login(admin)
    listing = client.get(reverse(f"{screen}:index")).content.decode()
    assert "?export=csv" in listing
    assert "?export=xlsx" in listing
    assert len(csv_rows(export(client, admin, screen, "csv"))) == 1  # no rows yet
    assert len(xlsx_rows(export(client, admin, screen, "xlsx"))) == 1
    assert list(exports().values_list("label", "format", "row_count")) == [
        (screen, "xlsx", 0),
        (screen, "csv", 0),
    ]


def test_queries_do_not_grow_with_the_rows(
    client, official, company_a, django_assert_max_num_queries
):
    client.force_login(official)
    url = reverse("register_licences:index")
    counted = []
    for total in (50, 500):
        existing = Licence.objects.count()
        Licence.objects.bulk_create(
            Licence(company=company_a, scope=f"住宅物业管理 {i}") for i in range(total - existing)
        )
        with django_assert_max_num_queries(12) as queries:
            rows = csv_rows(client.get(url, {"export": "csv"}))
        assert len(rows) - 1 == total
        counted.append(len(queries))
    assert counted[0] == counted[1]
