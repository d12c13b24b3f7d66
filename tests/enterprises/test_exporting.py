"""Export of the company register: only what the user may see, re-importable as is."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from enterprises.exporting import export_companies
from enterprises.importing import import_companies
from enterprises.models import Company
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "法定代表人",
    "所属区",
    "地址",
    "联系人",
    "联系电话",
    "电子邮箱",
    "状态",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_rows(user) -> list[list[str]]:
    data = b"".join(export_companies(user, "csv"))
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as "this is UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(user) -> list[list[str]]:
    data = b"".join(export_companies(user, "xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def test_official_exports_the_companies_of_their_district(official, company_a, company_b):
    rows = csv_rows(official)

    assert rows[0] == HEADER
    assert [r[1] for r in rows[1:]] == [company_a.credit_code]
    assert rows[1][3] == "东湖区"
    assert rows[1][8] == "Active"


def test_company_staff_exports_only_their_own_company(company_a_staff, company_a, company_b):
    rows = xlsx_rows(company_a_staff)

    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == [company_a.name]


def test_administrator_exports_the_whole_city(admin, company_a, company_b):
    assert {r[1] for r in csv_rows(admin)[1:]} == {company_a.credit_code, company_b.credit_code}


def test_citizen_export_holds_no_company(citizen, company_a, company_b):
    assert csv_rows(citizen) == [HEADER]


def test_cells_that_would_run_as_formulas_are_neutralised(admin, company_a):
    Company.objects.filter(pk=company_a.pk).update(
        contact_name='=HYPERLINK("http://evil.example","点我")', contact_phone="+86 13800000001"
    )

    assert csv_rows(admin)[1][5:7] == [
        '\'=HYPERLINK("http://evil.example","点我")',
        "'+86 13800000001",
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(export_companies(admin, "xlsx"))))
    cell = workbook.worksheets[0]["F2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example","点我")', "s")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(admin, company_a, company_b, fmt):
    Company.objects.filter(pk=company_a.pk).update(
        legal_representative="王立",
        address='湖滨路1号, "东"门',
        contact_name="-李青",
        contact_phone="+86 13800000001",
        contact_email="office@example.test",
    )
    before = list(Company.objects.order_by("pk").values())
    data = b"".join(export_companies(admin, fmt))

    report = import_companies(data, actor=admin, file_name=f"export.{fmt}")

    assert report.ok, report.as_text()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Company.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("count", [10, 100])
def test_query_count_does_not_grow_with_rows(
    admin, district_1, count, fmt, django_assert_max_num_queries
):
    CompanyFactory.create_batch(count, district=district_1)

    with django_assert_max_num_queries(3):
        chunks = list(export_companies(admin, fmt))

    rows = csv_rows(admin) if fmt == "csv" else xlsx_rows(admin)
    assert len(rows) == count + 1
    assert chunks


def test_unknown_format_is_refused(admin):
    with pytest.raises(ValueError, match="pdf"):
        export_companies(admin, "pdf")


def test_command_writes_the_users_view_to_a_file(official, company_a, company_b, tmp_path, capsys):
    path = tmp_path / "register.xlsx"

    call_command("export_companies", str(path), "--as", "official")

    assert "1 companies written" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = [r[0] for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    workbook.close()
    assert names == [company_a.name]


def test_command_format_option_overrides_the_file_name(admin, company_a, tmp_path):
    path = tmp_path / "register.xlsx"

    call_command("export_companies", str(path), "--as", "admin", "--format", "csv")

    assert path.read_bytes().startswith("\ufeff企业名称".encode())
