"""The shared table reader on its own: CSV in UTF-8 or GB18030, a workbook, Chinese or English
headers, a missing column, a file that is no table by its content, the size limit, and a cell
an export neutralised against formula injection."""

import csv
import io

import openpyxl
import pytest
from django.utils import translation

from foundation.tabular import FileRejected, read_table
from tests.images import png

COLUMNS = {
    "name": ("姓名", "name"),
    "email": ("电子邮箱", "e-mail", "email"),
    "phone": ("手机", "mobile phone"),
}
REQUIRED = ("name", "email")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for values in rows:
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_with_chinese_headers_in_each_encoding(encoding):
    data = csv_bytes([["姓名", "电子邮箱", "备注"], ["李雷", "li@example.test", "x"]], encoding)
    table = read_table(data, COLUMNS, REQUIRED)
    assert table.header_row == 1
    assert table.titles == {"name": "姓名", "email": "电子邮箱"}
    assert table.rows == [(2, {"name": "李雷", "email": "li@example.test"})]
    assert table.ignored_columns == ["备注"]


def test_workbook_with_english_headers_any_case_and_blank_rows_skipped():
    data = xlsx_bytes(
        [
            ["Name", "E-MAIL", "Mobile  Phone"],
            ["Li Lei", "li@example.test", 13800000001],
            [None, None, None],
            ["韩梅梅", "han@example.test", None],
        ]
    )
    table = read_table(io.BytesIO(data), COLUMNS, REQUIRED)
    assert table.titles["phone"] == "Mobile  Phone"
    assert table.rows == [
        (2, {"name": "Li Lei", "email": "li@example.test", "phone": "13800000001"}),
        (4, {"name": "韩梅梅", "email": "han@example.test", "phone": ""}),
    ]


def test_a_missing_required_column_is_named():
    with pytest.raises(FileRejected) as refusal:
        read_table(csv_bytes([["姓名", "手机"], ["李雷", "13800000001"]]), COLUMNS, REQUIRED)
    assert "电子邮箱" in refusal.value.message
    assert "Row 1" in refusal.value.message


def test_two_columns_for_one_field_are_refused():
    data = csv_bytes([["姓名", "name", "电子邮箱"], ["李雷", "Li", "li@example.test"]])
    with pytest.raises(FileRejected, match="both give the same field"):
        read_table(data, COLUMNS, REQUIRED)


def test_a_png_named_csv_is_refused_by_its_content():
    with pytest.raises(FileRejected, match="image/png"):
        read_table(png("staff.csv"), COLUMNS, REQUIRED)


def test_binary_text_and_an_old_excel_file_are_refused():
    with pytest.raises(FileRejected, match="neither a CSV"):
        read_table(b"name,email\x00\x01\x02", COLUMNS, REQUIRED)
    with pytest.raises(FileRejected, match="97-2003"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, COLUMNS, REQUIRED)


def test_over_size_and_over_rows_are_refused():
    data = csv_bytes([["姓名", "电子邮箱"], ["李雷", "li@example.test"]])
    with pytest.raises(FileRejected, match="larger than"):
        read_table(data + b" " * 100, COLUMNS, REQUIRED, max_bytes=len(data) + 10)
    rows = [["姓名", "电子邮箱"], *[[f"p{n}", f"p{n}@example.test"] for n in range(4)]]
    with pytest.raises(FileRejected, match="more than 3 rows"):
        read_table(csv_bytes(rows), COLUMNS, REQUIRED, max_rows=3)
    assert len(read_table(csv_bytes(rows), COLUMNS, REQUIRED, max_rows=4).rows) == 4


def test_an_empty_file_and_a_damaged_workbook_are_refused():
    with pytest.raises(FileRejected, match="empty"):
        read_table(b"  \r\n", COLUMNS, REQUIRED)
    with pytest.raises(FileRejected, match="damaged"):
        read_table(b"PK\x03\x04 not really a zip", COLUMNS, REQUIRED)


def test_formula_cells_are_read_as_text_and_the_export_apostrophe_is_taken_off():
    rows = [["姓名", "电子邮箱"], ["'=HYPERLINK(1)", "a@example.test"], ["'plain", "=1+1"]]
    table = read_table(csv_bytes(rows), COLUMNS, REQUIRED)
    assert [values["name"] for _n, values in table.rows] == ["=HYPERLINK(1)", "'plain"]
    assert table.rows[1][1]["email"] == "=1+1"  # read as text, never evaluated
    workbook = xlsx_bytes([["name", "email"], ["=SUM(1,2)", "b@example.test"]])
    # A workbook's formula is not run: its cached value (none, as openpyxl wrote it) is read.
    assert read_table(workbook, COLUMNS, REQUIRED).rows[0][1]["name"] == ""
