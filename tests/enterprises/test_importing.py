"""Bulk import of the company register: every row checked, all or nothing, by content."""

import csv
import io
import random
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from wagtail.models import ModelLogEntry

from enterprises.credit_codes import validate_credit_code
from enterprises.importing import MAX_BYTES, MAX_ROWS, RowError, import_companies
from enterprises.models import Company, CompanyStatus
from tests.factories import valid_credit_code
from tests.images import png

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
]
CODE_1 = valid_credit_code("91330200MB0000001")
CODE_2 = valid_credit_code("91330200MB0000002")
CODE_3 = valid_credit_code("91330200MB0000003")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row(name, code, district="东湖区", phone="13800000001", email="office@example.test"):
    return [name, code, "王立", district, "湖滨路1号", "李青", phone, email]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def wrong_check_character(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


# Valid files ----------------------------------------------------------------------------


def test_official_imports_a_utf8_csv_with_bom(official, district_1):
    data = csv_bytes([row("湖光物业有限公司", CODE_1), row("东湖物业有限公司", CODE_2, "donghu")])
    assert data.startswith(b"\xef\xbb\xbf")

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert report.ok, report.as_text()
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    company = Company.objects.get(credit_code=CODE_1)
    assert company.name == "湖光物业有限公司"
    assert company.district == district_1
    assert company.contact_phone == "13800000001"
    assert company.status == CompanyStatus.ACTIVE
    assert Company.objects.get(credit_code=CODE_2).district == district_1
    entry = ModelLogEntry.objects.for_instance(company).get(action="enterprises.company.imported")
    assert entry.user == official
    assert entry.data["row"] == 2
    assert entry.data["created"] is True
    assert "2 created, 0 updated" in report.as_text()


def test_gbk_csv_from_chinese_excel_is_read(admin, district_1, district_2):
    data = csv_bytes([row("西岭物业有限公司", CODE_1, "西岭区")], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = import_companies(data, actor=admin, file_name="企业名录.csv")

    assert report.ok, report.as_text()
    company = Company.objects.get(credit_code=CODE_1)
    assert company.name == "西岭物业有限公司"
    assert company.district == district_2
    assert company.legal_representative == "王立"


def test_english_headers_and_a_lowercase_spaced_code_are_accepted(admin, district_1):
    header = ["Name", "credit_code", "District", "Contact e-mail"]
    spaced = " ".join([CODE_1[:6].lower(), CODE_1[6:]])
    data = csv_bytes([["湖光物业有限公司", spaced, "DONGHU", "a@example.test"]], header=header)

    report = import_companies(data, actor=admin, file_name="companies.csv")

    assert report.ok, report.as_text()
    assert Company.objects.get(credit_code=CODE_1).contact_email == "a@example.test"


def test_xlsx_workbook_is_imported_with_numeric_phone_cells(official, district_1):
    data = xlsx_bytes([row("湖光物业有限公司", CODE_1, phone=13812345678)])

    report = import_companies(data, actor=official, file_name="companies.csv")  # the name lies

    assert report.ok, report.as_text()
    assert Company.objects.get(credit_code=CODE_1).contact_phone == "13812345678"


def test_existing_credit_code_updates_that_company(official, company_a):
    data = csv_bytes([[company_a.name, company_a.credit_code, "赵新", "东湖区", "新址路9号"]])

    report = import_companies(data, actor=official, file_name="update.csv")

    assert report.ok, report.as_text()
    assert (report.created, report.updated) == (0, 1)
    company_a.refresh_from_db()
    assert company_a.legal_representative == "赵新"
    assert company_a.address == "新址路9号"
    assert Company.objects.count() == 1
    entry = ModelLogEntry.objects.for_instance(company_a).get(action="enterprises.company.imported")
    assert entry.data["created"] is False
    assert set(entry.data["fields"]) == {"legal_representative", "address"}


def test_a_company_renamed_by_import_is_named_anew_in_search_facets(official, company_a):
    from enterprises import register_names

    assert register_names.names_of("company", [company_a.pk]) == {company_a.pk: company_a.name}
    data = csv_bytes(
        [["新名物业服务有限公司", company_a.credit_code, "赵新", "东湖区", "新址路9号"]]
    )
    assert import_companies(data, actor=official, file_name="rename.csv").updated == 1
    assert register_names.names_of("company", [company_a.pk]) == {
        company_a.pk: "新名物业服务有限公司"
    }


def test_identical_row_changes_nothing_and_writes_no_audit_entry(official, company_a):
    header = ["企业名称", "统一社会信用代码", "所属区"]
    data = csv_bytes([[company_a.name, company_a.credit_code, "东湖区"]], header=header)

    report = import_companies(data, actor=official, file_name="same.csv")

    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 0, 0, 1)
    assert "0 created, 0 updated, 1 unchanged" in report.as_text()
    assert not ModelLogEntry.objects.filter(action="enterprises.company.imported").exists()


# Rejected rows: nothing is saved ----------------------------------------------------------


def test_one_bad_check_character_rejects_the_whole_file(official, district_1):
    bad = wrong_check_character(CODE_2)
    with pytest.raises(ValidationError) as rule:
        validate_credit_code(bad)
    data = csv_bytes(
        [row("甲物业有限公司", CODE_1), row("乙物业有限公司", bad), row("丙物业有限公司", CODE_3)]
    )

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert not report.ok
    assert report.errors == [RowError(3, "统一社会信用代码", rule.value.messages[0])]
    assert "check character (the 18th)" in report.errors[0].message
    assert Company.objects.count() == 0
    assert "rejected, nothing was saved" in report.as_text()
    assert "Row 3, column “统一社会信用代码”" in report.as_text()


def test_missing_name_and_bad_email_are_reported_per_column(official, district_1):
    data = csv_bytes([row("", CODE_1), row("乙物业有限公司", CODE_2, email="not-an-address")])

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert [(e.row, e.column) for e in report.errors] == [(2, "企业名称"), (3, "电子邮箱")]
    assert report.errors[0].message == "This field is required."
    assert Company.objects.count() == 0


def test_duplicate_code_in_the_file_names_both_rows(official, district_1):
    data = csv_bytes([row("甲物业有限公司", CODE_1), row("乙物业有限公司", CODE_1)])

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert report.errors == [RowError(3, "统一社会信用代码", "The same value is on row 2.")]
    assert Company.objects.count() == 0


def test_name_of_another_registered_company_is_refused(official, company_a):
    data = csv_bytes([row(company_a.name, CODE_1)])

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert [(e.row, e.column) for e in report.errors] == [(2, "企业名称")]
    assert company_a.credit_code in report.errors[0].message
    assert Company.objects.count() == 1


def test_unknown_district_is_refused_with_the_known_ones(official, district_1):
    data = csv_bytes([row("甲物业有限公司", CODE_1), row("乙物业有限公司", CODE_2, "南山区")])

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert [(e.row, e.column) for e in report.errors] == [(3, "所属区")]
    assert "no district “南山区”" in report.errors[0].message
    assert report.errors[0].message.count("东湖区 (donghu)") == 1
    assert Company.objects.count() == 0


def test_status_of_a_registered_company_cannot_be_changed_by_import(admin, company_a):
    header = ["企业名称", "统一社会信用代码", "所属区", "状态"]
    data = csv_bytes([[company_a.name, company_a.credit_code, "东湖区", "Suspended"]], header)

    report = import_companies(data, actor=admin, file_name="companies.csv")

    assert [(e.row, e.column) for e in report.errors] == [(2, "状态")]
    company_a.refresh_from_db()
    assert company_a.status == CompanyStatus.ACTIVE


def test_missing_required_column_rejects_the_file(official, district_1):
    data = csv_bytes([["甲物业有限公司", "东湖区"]], header=["企业名称", "所属区"])

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert report.errors[0].row is None
    assert "统一社会信用代码" in report.errors[0].message
    assert Company.objects.count() == 0


# Files that are no table, or too big ------------------------------------------------------


def test_png_named_csv_is_refused_as_an_image(official, district_1):
    report = import_companies(png().read(), actor=official, file_name="companies.csv")

    assert report.errors == [
        RowError(
            None,
            "",
            "The file holds image/png content, not a CSV file or an Excel workbook (.xlsx).",
        )
    ]


def test_random_bytes_are_refused_as_no_table(official, district_1):
    data = random.Random(7).randbytes(4096)

    report = import_companies(io.BytesIO(data), actor=official, file_name="companies.csv")

    assert not report.ok
    assert "neither a CSV text file" in report.errors[0].message


def test_old_xls_workbook_is_refused_with_what_to_do(official, district_1):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)

    report = import_companies(data, actor=official, file_name="companies.xls")

    assert "save it as .xlsx or CSV" in report.errors[0].message


def test_zip_that_is_no_workbook_is_refused(official, district_1):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")

    report = import_companies(out.getvalue(), actor=official, file_name="companies.xlsx")

    assert "not a readable Excel workbook" in report.errors[0].message


def test_zip_bomb_is_refused_before_unpacking(official, district_1):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(out.getvalue()) < MAX_BYTES

    report = import_companies(out.getvalue(), actor=official, file_name="companies.xlsx")

    assert "unpacks to more than 50.0\xa0MB" in report.errors[0].message


def test_file_over_five_megabytes_is_refused(official, district_1):
    data = csv_bytes([row("甲物业有限公司", CODE_1)]) + b"," * MAX_BYTES

    report = import_companies(io.BytesIO(data), actor=official, file_name="big.csv")

    assert "larger than 5.0\xa0MB" in report.errors[0].message
    assert Company.objects.count() == 0


def test_more_than_five_thousand_rows_are_refused(official, district_1):
    rows = [row(f"物业{n}", CODE_1) for n in range(MAX_ROWS + 1)]

    report = import_companies(csv_bytes(rows), actor=official, file_name="many.csv")

    assert report.errors == [
        RowError(None, "", "The file has more than 5000 rows; split it into smaller files.")
    ]


# Who may import -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["company_a_staff", "inspector", "evaluator", "citizen"])
def test_only_officials_and_administrators_may_import(request, who, district_1):
    user = request.getfixturevalue(who)
    before = Company.objects.count()

    with pytest.raises(PermissionDenied):
        import_companies(csv_bytes([row("甲物业有限公司", CODE_1)]), actor=user, file_name="x.csv")

    assert Company.objects.count() == before


def test_district_official_cannot_import_a_company_of_another_district(official, district_2):
    data = csv_bytes([row("甲物业有限公司", CODE_1), row("乙物业有限公司", CODE_2, "西岭区")])

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert [(e.row, e.column) for e in report.errors] == [(3, "所属区")]
    assert "You do not supervise 西岭区" in report.errors[0].message
    assert Company.objects.count() == 0


def test_district_official_cannot_pull_another_districts_company_into_theirs(official, company_b):
    data = csv_bytes([row(company_b.name, company_b.credit_code, "东湖区")])

    report = import_companies(data, actor=official, file_name="companies.csv")

    assert [(e.row, e.column) for e in report.errors] == [(2, "统一社会信用代码")]
    assert "registered in 西岭区" in report.errors[0].message
    company_b.refresh_from_db()
    assert company_b.district.code == "xiling"


def test_administrator_imports_into_any_district(admin, district_1, district_2):
    data = csv_bytes([row("甲物业有限公司", CODE_1), row("乙物业有限公司", CODE_2, "xiling")])

    assert import_companies(data, actor=admin, file_name="companies.csv").created == 2


# The management command ---------------------------------------------------------------------


def test_command_prints_the_report(official, district_1, tmp_path, capsys):
    path = tmp_path / "companies.xlsx"
    path.write_bytes(xlsx_bytes([row("甲物业有限公司", CODE_1)]))

    call_command("import_companies", str(path), "--as", "official")

    assert "1 created, 0 updated" in capsys.readouterr().out
    assert Company.objects.filter(credit_code=CODE_1).exists()


def test_command_exits_non_zero_when_the_file_is_rejected(official, district_1, tmp_path, capsys):
    path = tmp_path / "companies.csv"
    path.write_bytes(csv_bytes([row("甲物业有限公司", wrong_check_character(CODE_1))]))

    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_companies", str(path), "--as", "official")

    assert "Row 2, column “统一社会信用代码”" in capsys.readouterr().out
    assert Company.objects.count() == 0


def test_command_refuses_a_user_who_may_not_import(inspector, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_bytes(csv_bytes([row("甲物业有限公司", CODE_1)]))

    with pytest.raises(CommandError, match="Only officials and administrators"):
        call_command("import_companies", str(path), "--as", "inspector")

    assert not Company.objects.filter(credit_code=CODE_1).exists()
