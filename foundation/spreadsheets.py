"""Staff downloads as CSV or an Excel workbook, in the register export's style (UTF-8 with a
BOM for Excel, formula-looking text neutralised), with a hook told how many rows were written.

CSV is streamed: rows are read in chunks while the file is sent, and ``on_finish(rows)`` runs
when the stream ends, also when the client stops reading half-way (then with the rows handed
to the server so far), so the audit log counts what actually left. An .xlsx file cannot be
sent before it is complete: it is written row by row (openpyxl's write-only mode) to a
temporary file, counted, and then sent.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice

import openpyxl
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from openpyxl.cell import WriteOnlyCell

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Spreadsheet programs run cells starting with these as formulas; exports prefix them with an
# apostrophe (CSV injection), which the register's import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500
NUMBERS = (int, float, Decimal)
SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")

Row = Sequence[object]
OnFinish = Callable[[int], None]


def plain(value: object) -> object:
    """A cell as people read it: local time, ISO dates, Yes/No; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, NUMBERS):
        return value
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def neutralised(text: str) -> str:
    # A cell such as "=HYPERLINK(...)" would run as a formula when the CSV is opened in Excel.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: object) -> str:
    shown = plain(value)
    return str(shown) if isinstance(shown, NUMBERS) else neutralised(shown)


class _Echo:
    """A file whose write returns the text, so csv.writer formats one line at a time."""

    def write(self, text: str) -> str:
        return text


def csv_response(
    rows: Iterable[Row], *, headings: Row, filename: str, on_finish: OnFinish
) -> StreamingHttpResponse:
    # The body is produced after the view has returned: keep the request's language for it.
    body = _csv_chunks(iter(rows), headings, translation.get_language(), on_finish)
    response = StreamingHttpResponse(body, content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def _csv_chunks(
    rows: Iterator[Row], headings: Row, language: str | None, on_finish: OnFinish
) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    written = 0
    try:
        with translation.override(language):
            header = "\ufeff" + writer.writerow([str(h) for h in headings])
        yield header.encode()
        while True:
            # Rows are read and formatted inside the override, never across a yield.
            with translation.override(language):
                batch = list(islice(rows, CHUNK_ROWS))
                text = "".join(writer.writerow([_csv_cell(v) for v in row]) for row in batch)
            if not batch:
                break
            written += len(batch)
            yield text.encode()
    finally:
        on_finish(written)


def xlsx_response(
    rows: Iterable[Row], *, headings: Row, filename: str, sheet_title: str, on_finish: OnFinish
) -> FileResponse:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title).translate(SHEET_TITLE_FORBIDDEN)[:31])
    sheet.append([str(h) for h in headings])
    written = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        written += 1
    # Closed (and so removed) by FileResponse once sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    on_finish(written)
    return FileResponse(
        out, as_attachment=True, filename=f"{filename}.xlsx", content_type=CONTENT_TYPES["xlsx"]
    )


def _xlsx_cell(sheet, value: object) -> WriteOnlyCell:
    shown = plain(value)
    cell = WriteOnlyCell(sheet, value=shown)
    if not isinstance(shown, NUMBERS):
        # openpyxl stores a text starting with "=" as a formula; every text here is text.
        cell.data_type = "s"
    return cell
