"""The ballot sheet of an owners' vote: one ballot paper per unit, three to an A4 page, each
with the question, the unit, its one-time code and a QR code of the voting page with the
code filled in. The committee prints it and hands each owner their unit's ballot; the owner
votes on a phone, or fills in the paper ballot and returns it to the committee.

Rendered with reportlab's built-in CID font STSong-Light (as ``cases.decision_documents``),
and segno for the QR codes, drawn as vector squares (no image files).
"""

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from enterprises import votes
from enterprises.models import Ballot, BallotChoice, Vote

FONT = "STSong-Light"
PER_PAGE = 3


def voting_url(vote: Vote, code: str = "") -> str:
    """The public voting page of ``vote``, with the code filled in when given."""
    path = reverse("owners_vote", args=(vote.pk,))
    query = f"?{urlencode({'code': votes.spaced(code)})}" if code else ""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}{query}"


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    cell = size / len(matrix)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, 0, 1)


def _ballot(canvas: Canvas, vote: Vote, ballot: Ballot, top: float) -> None:
    width, _height = A4
    left = 18 * mm
    code = votes.unit_code(vote, ballot.unit_id)
    closes = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
    lines = [
        (13, f"{vote.estate.name} · {_('Ballot of the owners’ vote')}"),
        (10, str(vote.get_matter_display())),
        (11, vote.question),
        (
            10,
            _("Unit %(unit)s · voting closes at %(closes)s")
            % {"unit": ballot.unit, "closes": closes},
        ),
        (12, _("Ballot code: %(code)s") % {"code": votes.spaced(code)}),
        (10, "     ".join(f"□ {label}" for label in BallotChoice.labels)),
        (8, _("Scan the code to vote on a phone, or tick one box and return this paper.")),
        (8, _("The code can be used once; keep it to yourself.")),
    ]
    y = top - 10 * mm
    text_width = width - left - 18 * mm - 46 * mm  # beside the QR code
    for size, text in lines:
        canvas.setFont(FONT, size)
        for line in simpleSplit(text, FONT, size, text_width)[:3]:
            canvas.drawString(left, y, line)
            y -= size * 1.5
    _qr(canvas, voting_url(vote, code), width - 18 * mm - 42 * mm, top - 52 * mm, 42 * mm)
    canvas.setDash(3, 3)
    canvas.line(10 * mm, top - 94 * mm, width - 10 * mm, top - 94 * mm)
    canvas.setDash()


def ballot_sheet(vote: Vote) -> bytes:
    """The PDF of every unit's ballot of an open vote."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(str(vote))
    _width, height = A4
    ballots = vote.ballots.select_related("unit").order_by(
        "unit__building", "unit__entrance", "unit__room"
    )
    for number, ballot in enumerate(ballots):
        if number and number % PER_PAGE == 0:
            canvas.showPage()
        _ballot(canvas, vote, ballot, height - (number % PER_PAGE) * 96 * mm)
    canvas.save()
    return buffer.getvalue()
