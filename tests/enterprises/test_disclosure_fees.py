"""Disclosures: the kinds the foundation names (service standards, progress of major matters)
and a structured fee table (item, standard, unit, basis), all rows or none."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.disclosures import (
    DisclosureError,
    publish_disclosure,
    save_disclosure,
    set_fee_table,
)
from enterprises.models import DisclosureFee, DisclosureKind
from foundation.models import AuditEvent

pytestmark = pytest.mark.django_db
ROWS = [
    {"item": "物业服务费（住宅）", "standard": "2.50", "unit": "元/㎡·月", "basis": "合同约定"},
    {"item": "车位管理费", "standard": "80", "unit": "元/个·月", "basis": "政府指导价"},
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(company_a_staff, company_a, estate_x):
    return save_disclosure(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        kind=DisclosureKind.FEES,
        period="2026",
        body="收费项目及标准",
    )


@pytest.mark.parametrize("kind", [DisclosureKind.STANDARDS, DisclosureKind.MAJOR_MATTERS])
def test_the_new_kinds_are_disclosed(company_a_staff, company_a, estate_x, kind):
    disclosure = save_disclosure(
        actor=company_a_staff,
        company=company_a,
        estate=estate_x,
        kind=kind,
        period="2026",
        body="x",
    )
    assert publish_disclosure(disclosure, actor=company_a_staff).published


def test_the_fee_table_replaces_the_drafts_rows_in_order(draft, company_a_staff):
    set_fee_table(draft, actor=company_a_staff, rows=[ROWS[1]])
    set_fee_table(draft, actor=company_a_staff, rows=ROWS)
    rows = list(draft.fees.values_list("item", "standard", "unit", "basis"))
    assert rows == [
        ("物业服务费（住宅）", Decimal("2.50"), "元/㎡·月", "合同约定"),
        ("车位管理费", Decimal("80.00"), "元/个·月", "政府指导价"),
    ]
    assert AuditEvent.objects.filter(action="enterprises.disclosure.fees_set").count() == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"standard": "2.505"}, "Fee row 2: the standard “2.505”"),
        ({"standard": "-1"}, "Fee row 2: the standard"),
        ({"standard": "abc"}, "Fee row 2: the standard"),
        ({"unit": " "}, "Fee row 2: fill in “charged per”"),
        ({"basis": ""}, "Fee row 2: fill in “basis”"),
        ({"item": "物业服务费（住宅）"}, "listed twice"),
    ],
)
def test_a_bad_row_refuses_the_whole_table(draft, company_a_staff, bad, message):
    set_fee_table(draft, actor=company_a_staff, rows=ROWS[:1])
    with pytest.raises(DisclosureError, match=message):
        set_fee_table(draft, actor=company_a_staff, rows=[ROWS[0], {**ROWS[1], **bad}])
    assert list(DisclosureFee.objects.values_list("item", flat=True)) == ["物业服务费（住宅）"]


def test_another_company_or_a_published_disclosure_keeps_its_table(
    draft, company_a_staff, company_b_staff
):
    with pytest.raises(DisclosureError, match="Only staff"):
        set_fee_table(draft, actor=company_b_staff, rows=ROWS)
    publish_disclosure(draft, actor=company_a_staff)
    with pytest.raises(DisclosureError, match="published"):
        set_fee_table(draft, actor=company_a_staff, rows=ROWS)
    assert not DisclosureFee.objects.exists()


def test_the_fee_table_is_typed_on_the_drafts_edit_screen_with_its_content_or_not_at_all(
    client, draft, company_a_staff
):
    client.force_login(company_a_staff)
    url = reverse("register_disclosures:edit", args=(draft.pk,))
    table = "车位管理费 | 80 | 元/个·月 | 政府指导价\n装修垃圾清运费 | 5 | 元/平方米 | 业主大会决定"
    client.post(url, {"body": "收费项目及标准（修订）", "fee_table": table})
    assert list(draft.fees.values_list("item", flat=True)) == ["车位管理费", "装修垃圾清运费"]
    page = client.get(url)
    assert "车位管理费 | 80.00 | 元/个·月 | 政府指导价" in page.content.decode()
    for bad, error in (
        ("车位管理费 | 80", "第1行："),
        ("车位管理费 | x | 元 | 合同", "第1行收费项目"),
    ):
        answer = client.post(url, {"body": "不应保存", "fee_table": bad})
        assert answer.status_code == 200 and error in answer.content.decode()
    draft.refresh_from_db()
    assert draft.body == "收费项目及标准（修订）" and draft.fees.count() == 2
