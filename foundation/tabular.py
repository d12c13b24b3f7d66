"""Reading an uploaded table (CSV or Excel workbook) for the bulk imports: the company
register, the staff, an estate's units. Shared so that every import refuses the same hostile
files in the same words.

The format is judged by the bytes, never by the name: a workbook is a ZIP archive (checked
for a zip bomb before unpacking), anything else must be text (UTF-8, or GB18030/GBK as
Chinese Excel saves CSV). Column names are matched as a clerk would write them (Chinese or
English, full-width, case, spaces and ``*`` marks do not matter). A cell an export
neutralised against formula injection (``'=…``) is read back without the apostrophe.
"""

import csv
import datetime
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

import filetype
import openpyxl
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from foundation.spreadsheets import FORMULA_STARTS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# A 5 MB workbook may declare gigabytes of XML (a zip bomb); refuse it before unpacking.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (OLE2 compound file)

Columns = dict[str, tuple[str, ...]]  # field -> accepted column names, the first is written


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why. ``ignored_columns``: the
    header's unknown columns seen before the header itself was refused."""

    def __init__(self, message: str, ignored_columns: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.ignored_columns = ignored_columns or []


@dataclass
class Table:
    header_row: int  # the header's row number as the spreadsheet shows it
    titles: dict[str, str]  # field -> the column name as written in the file
    rows: list[tuple[int, dict[str, str]]]  # (row number, field -> cell text) of data rows
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class RowError:
    row: int | None  # the row number the spreadsheet shows; None: the file as a whole
    column: str  # the column name as written in the file's header
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return _("File: %(message)s") % {"message": self.message}
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s") % self.__dict__
        return _("Row %(row)d: %(message)s") % self.__dict__


def read_table(
    upload,
    columns: Columns,
    required: tuple[str, ...],
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Table:
    """The non-empty rows of ``upload`` (bytes or a binary file object) under its header;
    only the fields of ``columns`` whose column the file has. Raises ``FileRejected``."""
    rows = read_rows(read_bytes(upload, max_bytes), max_rows)
    header_row, indexes, ignored = _header(rows, columns, required)
    data = [
        (number, {name: cells[i] if i < len(cells) else "" for i, (name, _t) in indexes.items()})
        for number, cells in rows[1:]
    ]
    titles = {name: title for name, title in indexes.values()}
    return Table(header_row, titles, data, ignored)


def read_bytes(upload, max_bytes: int = MAX_BYTES) -> bytes:
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRejected(
            _("The file is larger than %(limit)s; split it into smaller files.")
            % {"limit": filesizeformat(max_bytes)}
        )
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    return data


def read_rows(data: bytes, max_rows: int = MAX_ROWS) -> list[tuple[int, list[str]]]:
    """The non-empty rows as (row number as the spreadsheet shows it, cell texts)."""
    if data.startswith(XLSX_MAGIC):
        rows = _workbook_rows(data)
    elif data.startswith(XLS_MAGIC):
        raise FileRejected(
            _("This is an old Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV first.")
        )
    else:
        rows = _csv_rows(_decode(data))
    result = []
    for number, cells in rows:
        cells = [_unescape(cell) for cell in cells]
        if any(cells):
            result.append((number, cells))
            if len(result) > max_rows + 1:  # the header row and max_rows records
                raise FileRejected(
                    _("The file has more than %(max)d rows; split it into smaller files.")
                    % {"max": max_rows}
                )
    return result


def _not_a_table() -> FileRejected:
    return FileRejected(
        _(
            "This is neither a CSV text file (UTF-8 or GBK) nor an Excel workbook (.xlsx); "
            "open it in Excel and save it as one of those."
        )
    )


def _decode(data: bytes) -> str:
    kind = filetype.guess(data[:262])
    if kind is not None:
        raise FileRejected(
            _("The file holds %(kind)s content, not a CSV file or an Excel workbook (.xlsx).")
            % {"kind": kind.mime}
        )
    if b"\x00" in data:
        raise _not_a_table()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n" for char in text):
            raise _not_a_table()
        return text
    raise _not_a_table()


def _csv_rows(text: str):
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line.strip() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Excel shows one record per row, even when a quoted cell spans several lines.
        yield from enumerate(([cell.strip() for cell in record] for record in reader), start=1)
    except csv.Error as error:
        raise FileRejected(
            _("The CSV file cannot be read near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error


def _workbook_rows(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileRejected(_("The Excel workbook is damaged and cannot be opened.")) from error
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(
            _("The workbook unpacks to more than %(limit)s; save a smaller workbook or a CSV file.")
            % {"limit": filesizeformat(MAX_UNCOMPRESSED_BYTES)}
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a ZIP that is no workbook
        raise FileRejected(
            _("The file is a ZIP archive but not a readable Excel workbook (.xlsx).")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into a number cell
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _unescape(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def normal(text: str) -> str:
    """Compare names as a clerk would: full-width, case, spaces and marks do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return " ".join(text.replace("*", "").split())


def _header(rows, columns: Columns, required: tuple[str, ...]):
    """The header's row number, {cell index: (field, column name as written)} and the
    columns that name no field."""
    if not rows:
        raise FileRejected(_("The file has no rows."))
    number, cells = rows[0]
    known = {normal(alias): name for name, aliases in columns.items() for alias in aliases}
    indexes: dict[int, tuple[str, str]] = {}
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for index, title in enumerate(cells):
        name = known.get(normal(title))
        if name is None:
            if title:
                ignored.append(title)
            continue
        if name in seen:
            raise FileRejected(
                _("The columns “%(first)s” and “%(second)s” both give the same field.")
                % {"first": seen[name], "second": title},
                ignored,
            )
        seen[name] = title
        indexes[index] = (name, title)
    missing = [columns[name][0] for name in required if name not in seen]
    if missing:
        raise FileRejected(
            _("Row %(row)d must name the columns; these are missing: %(columns)s.")
            % {"row": number, "columns": "、".join(missing)},
            ignored,
        )
    return number, indexes, ignored
