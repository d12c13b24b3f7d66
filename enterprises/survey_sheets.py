"""The printable sheet of household codes of a survey: one slip per unit, eight to an A4 page,
each with the unit, its code in groups of four and a QR code of the answer page with the code,
for the committee to cut and hand out (owners' identity cannot be checked online here).

Drawn with reportlab's built-in CID font STSong-Light (no font file ships with the portal) and
the QR codes with segno, as vector squares: the sheet prints sharp at any size.
"""

import io
from collections.abc import Callable

import segno
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from enterprises.models import Survey
from enterprises.surveys import grouped

FONT = "STSong-Light"
COLUMNS, ROWS = 2, 4
MARGIN = 12 * mm
QR_SIZE = 30 * mm


def _draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code of ``text`` as filled squares, one rectangle per run of dark modules."""
    matrix = segno.make(text, error="m", micro=False).matrix
    module = size / len(matrix)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                canvas.rect(x + start * module, top, (column - start) * module, module, 0, 1)
                start = None


def _slip(canvas, survey: Survey, unit_label: str, code: str, url: str, x, y, w, h) -> None:
    canvas.setDash(2, 2)
    canvas.rect(x, y, w, h)
    canvas.setDash()
    pad = 4 * mm
    _draw_qr(canvas, url, x + w - QR_SIZE - pad, y + h - QR_SIZE - pad, QR_SIZE)
    text_x, line = x + pad, y + h - pad - 4 * mm
    canvas.setFont(FONT, 11)
    canvas.drawString(text_x, line, survey.estate.name[:18])
    canvas.setFont(FONT, 9)
    canvas.drawString(text_x, line - 6 * mm, survey.title[:22])
    canvas.setFont(FONT, 12)
    canvas.drawString(text_x, line - 14 * mm, _("Unit %(unit)s") % {"unit": unit_label})
    canvas.setFont("Courier-Bold", 14)
    canvas.drawString(text_x, line - 24 * mm, grouped(code))
    canvas.setFont(FONT, 8)
    canvas.drawString(
        text_x,
        y + pad + 5 * mm,
        _("Scan the code, or enter it on the portal's survey page."),
    )
    canvas.drawString(
        text_x,
        y + pad,
        _("One answer per household, until %(date)s.") % {"date": survey.closes_on.isoformat()},
    )


def code_sheet(survey: Survey, answer_url: Callable[[str], str]) -> bytes:
    """The PDF of every code of ``survey``; ``answer_url(code)`` is the link in each QR."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    codes = survey.codes.select_related("unit").order_by(
        "unit__building", "unit__entrance", "unit__room"
    )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"{survey.estate.name} {survey.title}")
    page_w, page_h = A4
    w = (page_w - 2 * MARGIN) / COLUMNS
    h = (page_h - 2 * MARGIN) / ROWS
    per_page = COLUMNS * ROWS
    with translation.override(settings.LANGUAGE_CODE):
        for index, code in enumerate(codes.iterator()):
            if index and index % per_page == 0:
                canvas.showPage()
            place = index % per_page
            x = MARGIN + (place % COLUMNS) * w
            y = page_h - MARGIN - (place // COLUMNS + 1) * h
            _slip(canvas, survey, str(code.unit), code.code, answer_url(code.code), x, y, w, h)
    canvas.save()
    return buffer.getvalue()
