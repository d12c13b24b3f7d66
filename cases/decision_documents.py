"""The administrative penalty decision document (行政处罚决定书) and its prior notice
(行政处罚事先告知书) as A4 PDFs, and the wording
of a penalty that may leave the regulator (on the document and on the public site).

Rendered with reportlab's built-in CID font STSong-Light, which every PDF reader knows, so
no font file ships with the portal. The document names the company (a legal person) and
never a natural person: free text is masked by ``public_text`` before it is printed.
"""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from cases.calendar import TIMEZONE
from cases.masking import mask_name, scrub_text
from cases.models import Penalty, PenaltyKind

# The issuing authority; a setting once more than one city runs the portal.
AUTHORITY_NAME = "青岚市住房和城乡建设局"
RECONSIDERATION_BODY = "青岚市人民政府"
FONT = "STSong-Light"

KIND_WORDING = {
    PenaltyKind.WARNING: "警告",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.SUSPENSION: "暂停物业服务资质",
    PenaltyKind.REVOCATION: "吊销物业服务资质",
}

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def public_text(penalty: Penalty, text: str) -> str:
    """``text`` fit for anyone outside the regulator: phone numbers, e-mail addresses and ID
    numbers masked, and the names the register holds of people around the case (the company's
    representative and contact person, the complainant behind the inspection) masked wherever
    they appear. A name nobody recorded cannot be recognised: officials write the violation
    knowing it is published."""
    text = scrub_text(text)
    for name in sorted(_known_names(penalty), key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def _known_names(penalty: Penalty) -> set[str]:
    company = penalty.company
    names = {company.legal_representative, company.contact_name}
    inspection = penalty.inspection
    if inspection is not None and inspection.complaint_id:
        names.add(inspection.complaint.contact_name)
    # One character alone ("王") would mask it in every word it appears in.
    return {name.strip() for name in names if name and len(name.strip()) >= 2}


def yuan_in_words(amount: Decimal) -> str:
    """An amount the way a cheque or a decision writes it: 30000 → 叁万元整,
    1234.5 → 壹仟贰佰叁拾肆元伍角, 100.05 → 壹佰元零伍分."""
    fen = int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = fen // 100, fen // 10 % 10, fen % 10
    words = (_integer_in_words(yuan) + "元") if yuan else ""
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    return words


def _integer_in_words(number: int) -> str:
    sections, words, need_zero = [], "", False
    while number:
        sections.append(number % 10000)
        number //= 10000
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            need_zero = bool(words)
            continue
        if words and (need_zero or section < 1000):
            words += "零"
        words += _section_in_words(section) + _SECTIONS[index]
        need_zero = False
    return words


def _section_in_words(section: int) -> str:
    words, zero = "", False
    for position in range(3, -1, -1):
        digit = section // 10**position % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += _DIGITS[digit] + _UNITS[position]
    return words


def _chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _sanction(penalty: Penalty) -> str:
    """What is imposed, in the words of the decision."""
    if penalty.kind == PenaltyKind.FINE and penalty.fine_amount is not None:
        return (
            f"罚款人民币{penalty.fine_amount:,.2f}元"
            f"（大写：人民币{yuan_in_words(penalty.fine_amount)}）"
        )
    sanction = KIND_WORDING[penalty.kind]
    if penalty.licence_id and penalty.licence.number:
        sanction += f"（资质证书编号：{penalty.licence.number}）"
    return sanction


def _rights(penalty: Penalty) -> list[str]:
    paragraphs = []
    if penalty.kind == PenaltyKind.FINE:
        paragraphs.append(
            "当事人应当自收到本决定书之日起十五日内缴纳罚款。"
            "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。"
        )
    paragraphs.append(
        f"当事人如不服本决定，可以自收到本决定书之日起六十日内向{RECONSIDERATION_BODY}"
        "申请行政复议，也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
        "行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
    )
    return paragraphs


def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=21, wordWrap="CJK")
    return {
        "body": body,
        "indented": ParagraphStyle("indented", parent=body, firstLineIndent=24),
        "heading": ParagraphStyle(
            "heading", parent=body, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=4
        ),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT, spaceAfter=12),
        "signature": ParagraphStyle("signature", parent=body, alignment=TA_RIGHT),
    }


def _para(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _head(penalty: Penalty, styles, title: str, number: str) -> list:
    company = penalty.company
    story = [
        _para(AUTHORITY_NAME, styles["heading"]),
        _para(title, styles["heading"]),
        _para(number, styles["number"]),
        _para(f"当事人：{company.name}", styles["body"]),
        _para(f"统一社会信用代码：{company.credit_code}", styles["body"]),
    ]
    if company.address:
        story.append(_para(f"住所：{company.address}", styles["body"]))
    return story


def _build(story: list, styles, day: datetime.date, title: str) -> bytes:
    story += [
        Spacer(1, 18 * mm),
        _para(AUTHORITY_NAME, styles["signature"]),
        _para(_chinese_date(day), styles["signature"]),
    ]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        title=title,
        author=AUTHORITY_NAME,
        invariant=True,  # same penalty, same bytes: no timestamp or random id inside
    )
    document.build(story)
    return out.getvalue()


def render_decision(penalty: Penalty) -> bytes:
    """The decision document of an approved penalty (it needs its number and date)."""
    if not penalty.decision_number or penalty.decided_on is None:
        raise ValueError("A decision document needs the decision number and date.")
    styles = _styles()
    indented = styles["indented"]
    story = _head(penalty, styles, "行政处罚决定书", penalty.decision_number)
    story += [
        Spacer(1, 6 * mm),
        _para(f"违法事实：{public_text(penalty, penalty.violation)}", indented),
        _para(f"处罚依据：{public_text(penalty, penalty.legal_basis)}", indented),
        _para(f"处罚决定：{_sanction(penalty)}。", indented),
    ]
    if penalty.decision:
        story.append(_para(public_text(penalty, penalty.decision), indented))
    story += [_para(text, indented) for text in _rights(penalty)]
    title = f"行政处罚决定书 {penalty.decision_number}"
    return _build(story, styles, penalty.decided_on, title)


def render_prior_notice(penalty: Penalty, *, served_on: datetime.date) -> bytes:
    """The prior notice (行政处罚事先告知书, art. 44): the facts, grounds, evidence and the
    intended penalty, and the party's rights — statement and defence, and a hearing when it
    has the right — with the last day of each (``penalty.statement_due_at`` etc. are set)."""
    if not penalty.notice_number or penalty.statement_due_at is None:
        raise ValueError("A prior notice needs its number and the statement period.")
    styles = _styles()
    indented = styles["indented"]
    story = _head(penalty, styles, "行政处罚事先告知书", penalty.notice_number)
    until = _chinese_date(penalty.statement_due_at.astimezone(TIMEZONE).date())
    story += [
        Spacer(1, 6 * mm),
        _para(f"违法事实：{public_text(penalty, penalty.violation)}", indented),
        _para(f"证据：{public_text(penalty, penalty.notice_evidence) or '见案卷'}", indented),
        _para(f"处罚依据：{public_text(penalty, penalty.legal_basis)}", indented),
        _para(f"拟作出的行政处罚：{_sanction(penalty)}。", indented),
        _para(
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，当事人有权进行陈述"
            f"和申辩，请于{until}前向本机关提出；逾期视为放弃。本机关不因当事人陈述、申辩而"
            "给予更重的处罚。",
            indented,
        ),
    ]
    if penalty.hearing_right and penalty.hearing_request_due_at is not None:
        hearing_until = _chinese_date(penalty.hearing_request_due_at.astimezone(TIMEZONE).date())
        story.append(
            _para(
                "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，当事人有权要求"
                f"听证，请于{hearing_until}前向本机关提出；逾期视为放弃。",
                indented,
            )
        )
    return _build(story, styles, served_on, f"行政处罚事先告知书 {penalty.notice_number}")
