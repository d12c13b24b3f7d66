"""The penalty decision document (行政处罚决定书): a valid A4 PDF whose text — read back with
pdfminer — carries the number, the company, the violation, the legal basis, the sanction in
figures and in words, the authority, the date and the remedies, and no personal data."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTTextLine
from pdfminer.pdfpage import PDFPage

from cases import decision_documents, penalties
from cases.decision_documents import render_decision, yuan_in_words
from cases.models import Penalty, PenaltyKind
from foundation.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db
NUMBER = "青岚住建罚〔2026〕第007号"
DECIDED_ON = datetime.date(2026, 3, 2)
LONG_VIOLATION = (
    "经查，当事人在管理翠湖花园期间，3号楼两部电梯自2026年1月5日起停运十一天，"
    "未按《青岚市物业管理条例》的规定组织维修，也未向业主公告停运原因和预计恢复时间，"
    "致使高层住户出行困难，其中包括多名行动不便的老年人，造成了恶劣的社会影响。"
)


def text_of(pdf: bytes) -> str:
    """The document's text with the line breaks of the layout removed."""
    return re.sub(r"\s+", "", extract_text(io.BytesIO(pdf)))


def penalty_of(company, **fields) -> Penalty:
    """An approved penalty as the document sees it (not saved: the renderer reads only)."""
    return Penalty(
        company=company,
        district=company.district,
        kind=fields.pop("kind", PenaltyKind.FINE),
        fine_amount=fields.pop("fine_amount", Decimal("30000")),
        violation=fields.pop("violation", LONG_VIOLATION),
        legal_basis=fields.pop("legal_basis", "《青岚市物业管理条例》第五十八条第二款"),
        decision=fields.pop("decision", "责令限期改正。"),
        decision_number=fields.pop("decision_number", NUMBER),
        decided_on=DECIDED_ON,
        **fields,
    )


def test_a_fine_decision_reads_back_with_every_part(company_a):
    company_a.address = "青岚市东湖区湖滨路88号"
    pdf = render_decision(penalty_of(company_a))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = text_of(pdf)
    for part in (
        "行政处罚决定书",
        NUMBER,
        company_a.name,
        company_a.credit_code,
        "青岚市东湖区湖滨路88号",
        LONG_VIOLATION,  # wrapped over several lines, read back whole
        "《青岚市物业管理条例》第五十八条第二款",
        "罚款人民币30,000.00元",
        "叁万元整",
        "责令限期改正。",
        decision_documents.AUTHORITY_NAME,
        "2026年3月2日",
        "六十日内向青岚市人民政府申请行政复议",
        "六个月内依法向人民法院提起行政诉讼",
        "十五日内缴纳罚款",
    ):
        assert part in text, part


def test_the_page_is_a4(company_a):
    pdf = render_decision(penalty_of(company_a))
    pages = list(PDFPage.get_pages(io.BytesIO(pdf)))
    assert len(pages) == 1
    width, height = pages[0].mediabox[2:]
    assert (round(width), round(height)) == (595, 842)


def test_a_long_text_wraps_inside_the_page(company_a):
    """A wrapped paragraph breaks inside the text block: no line runs off the right edge."""
    pdf = render_decision(penalty_of(company_a, violation=LONG_VIOLATION * 3))
    lines = [
        line
        for page in extract_pages(io.BytesIO(pdf))
        for box in page
        for line in getattr(box, "_objs", [])
        if isinstance(line, LTTextLine)
    ]
    assert len(lines) > 15
    assert max(line.x1 for line in lines) <= 595 - 25 * 72 / 25.4


def test_a_suspension_names_the_sanction_and_not_a_fine(company_a):
    text = text_of(
        render_decision(penalty_of(company_a, kind=PenaltyKind.SUSPENSION, fine_amount=None))
    )
    assert "处罚决定：暂停物业服务资质" in text
    assert "罚款人民币" not in text and "缴纳罚款" not in text
    assert "申请行政复议" in text


def test_no_personal_data_is_printed(company_a):
    company_a.contact_name = "李小红"
    violation = "李小红（13812345678，110101199003071234，li@example.com）拒不整改。"
    text = text_of(render_decision(penalty_of(company_a, violation=violation)))
    for secret in ("李小红", "13812345678", "110101199003071234", "li@example.com"):
        assert secret not in text
    assert "138****5678" in text and "拒不整改" in text


def test_a_penalty_without_its_number_has_no_document(company_a):
    with pytest.raises(ValueError, match="decision number"):
        render_decision(penalty_of(company_a, decision_number=None))


def test_approval_stores_the_document(inspector, official, company_a, district_1):
    approver = make_user("approver", Role.OFFICIAL, district=district_1)
    penalty = penalties.propose_penalty(
        actor=inspector, company=company_a, kind=PenaltyKind.WARNING,
        violation="未公示收费标准。", legal_basis="《物业管理条例》第四十条",
    )  # fmt: skip
    penalty = penalties.approve_penalty(penalty, actor=approver, decision="警告。")
    with penalty.decision_document.open("rb") as stored:
        text = text_of(stored.read())
    assert penalty.decision_number in text and "未公示收费标准。" in text
    assert "处罚决定：警告" in text
    assert penalty.decision_document.name == f"penalties/{penalty.pk}/decision-{penalty.pk}.pdf"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("30000", "叁万元整"),
        ("1234.5", "壹仟贰佰叁拾肆元伍角"),
        ("100.05", "壹佰元零伍分"),
        ("100005", "壹拾万零伍元整"),
        ("1010", "壹仟零壹拾元整"),
        ("200000000", "贰亿元整"),
        ("0.3", "叁角"),
        ("105000.80", "壹拾万伍仟元捌角"),
    ],
)
def test_amounts_in_words(amount, words):
    assert yuan_in_words(Decimal(amount)) == words
