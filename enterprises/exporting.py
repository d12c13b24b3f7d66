"""Export of the company register (企业名录导出) as CSV or an Excel workbook.

The header row uses the import's Chinese column names, so an exported file, edited and
imported again, updates the same companies. Only the companies the user may see are written,
through the same scope as every listing. Rows come from a server-side cursor: memory use and
the number of queries stay flat however large the register is.
"""

import csv
import tempfile
from collections.abc import Iterator

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from enterprises.importing import COLUMNS
from enterprises.models import CompanyStatus
from enterprises.permissions import visible_companies
from foundation.spreadsheets import CONTENT_TYPES, neutralised

HEADER = [aliases[0] for aliases in COLUMNS.values()]
CHUNK_ROWS = 500
COLUMN_WIDTHS = (36, 22, 12, 10, 40, 12, 16, 28, 8)


def export_companies(user, fmt: str = "csv") -> Iterator[bytes]:
    """The companies ``user`` may see, as chunks of a CSV file (with a BOM, for Excel) or of
    an .xlsx workbook; suitable for a StreamingHttpResponse."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    # Labels are fixed now: a streamed response is read after the view has returned.
    statuses = {value: str(label) for value, label in CompanyStatus.choices}
    rows = _rows(user, statuses)
    return _csv(rows) if fmt == "csv" else _xlsx(rows, title=_("Companies"))


def _rows(user, statuses: dict[str, str]) -> Iterator[list[str]]:
    companies = (
        visible_companies(user)
        .select_related("district")
        .order_by("name", "pk")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for company in companies:
        yield [
            company.name,
            company.credit_code,
            company.legal_representative,
            company.district.name,
            company.address,
            company.contact_name,
            company.contact_phone,
            company.contact_email,
            statuses.get(company.status, company.status),
        ]


class _Echo:
    """A file whose write returns the text, so csv.writer formats one line at a time."""

    def write(self, text: str) -> str:
        return text


def _csv(rows: Iterator[list[str]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(HEADER)).encode()
    lines = []
    for row in rows:
        lines.append(writer.writerow([neutralised(cell) for cell in row]))
        if len(lines) == CHUNK_ROWS:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def _xlsx(rows: Iterator[list[str]], *, title: str) -> Iterator[bytes]:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(HEADER)
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(64 * 1024):
            yield chunk


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    # openpyxl stores a text starting with "=" as a formula; a register cell is always text.
    cell.data_type = "s"
    return cell
