"""The complainant's personal data is masked for everyone but regulator staff with the
permission: each kind of value, its edge cases, and numbers hidden in free text."""

import time

import pytest

from cases.masking import (
    complainant_details,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    scrub_text,
)
from tests.factories import make_complaint


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 13812345678", "+86 138****5678"),
        ("8613812345678", "+86 138****5678"),
        ("１３８１２３４５６７８", "138****5678"),  # full-width digits
        ("010-12345678", "010-****5678"),
        ("0571-87654321", "0571-****4321"),
        ("0571 8765432", "0571 ***5432"),
        ("87654321", "****4321"),
        ("(0571)87654321", "********4321"),
        ("12345", "***45"),
        ("110", "***"),
        ("1", "***"),  # never reveals a short number's length or digits
        ("not a number", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("张", "*"),
        ("张 三", "张*"),  # a space does not make 三 a part of its own
        ("  李四 ", "李*"),
        ("阿卜杜·热合曼", "阿**·***"),
        ("John Smith", "J*** S****"),
        ("Mary-Jane Watson", "M***-J*** W*****"),
        ("Smith", "S****"),
        ("J", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhang.san@example.com", "z***@example.com"),
        ("zs@example.com", "z***@example.com"),  # the length of the name is not shown
        ("a@example.com", "***@example.com"),  # a one-letter name is hidden entirely
        ("weird@name@example.com", "w***@example.com"),
        ("no-at-sign", "***"),
        ("@example.com", "***"),
        ("", ""),
    ],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110101199001011234", "110101********1234"),
        ("11010119900101123X", "110101********123X"),
        ("110101 19900101 1234", "110101********1234"),
        ("110101900101123", "110101*****1123"),  # the first-generation 15-digit card
        ("E12345678", "E1*****78"),  # a passport
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


def test_a_masked_id_number_hides_the_birth_date():
    assert "19900101" not in mask_id_number("110101199001011234")


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("电话13812345678谢谢", "电话138****5678谢谢"),
        ("手机：138 1234 5678，请回电", "手机：138****5678，请回电"),
        ("手机138-1234-5678", "手机138****5678"),
        ("call +86-138-1234-5678", "call +86 138****5678"),
        ("电话：+8613812345678", "电话：+86 138****5678"),
        ("全角１３８１２３４５６７８号码", "全角138****5678号码"),
        ("邮箱zhang.san@example.com。", "邮箱z***@example.com。"),
        ("Mail ZHANG@Example.COM.CN now", "Mail Z***@Example.COM.CN now"),
        ("全角＠：zhang＠example.com", "全角＠：z***@example.com"),
        ("QQ邮箱13812345678@qq.com", "QQ邮箱1***@qq.com"),
        ("身份证110101199001011234。", "身份证110101********1234。"),
        ("身份证号11010119900101123x", "身份证号110101********123X"),
        ("证件 110101 19900101 1234 号", "证件 110101********1234 号"),
        (
            "我是张三，身份证110101199001011234，手机13812345678，邮箱zs@example.com",
            "我是张三，身份证110101********1234，手机138****5678，邮箱z***@example.com",
        ),
    ],
)
def test_scrub_text_masks_what_it_finds(text, scrubbed):
    assert scrub_text(text) == scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "订单号2023138123456789不是电话",  # a phone-like run inside a longer number
        "12345678901 is not a mobile number",  # no mainland mobile starts with 12
        "金额1381234567元",  # ten digits
        "2024-05-06 电梯停运 3 天，15 户受影响",
        "物业费 2.5 元/平方米·月",
        "",
    ],
)
def test_scrub_text_leaves_other_numbers_alone(text):
    assert scrub_text(text) == text


def test_scrub_text_never_leaves_a_phone_number_in_clear():
    text = "A13812345678B 13912345678\n15012345678, 18612345678。19912345678"
    scrubbed = scrub_text(text)
    for number in ("13812345678", "13912345678", "15012345678", "18612345678", "19912345678"):
        assert number not in scrubbed
        assert f"{number[:3]}****{number[-4:]}" in scrubbed


def test_scrub_text_is_fast_on_hostile_input():
    hostile = ["a" * 50_000, "a@" + "b." * 25_000, "1 " * 25_000, "x@" + "a-" * 25_000]
    start = time.perf_counter()
    for text in hostile:
        scrub_text(text)
    assert time.perf_counter() - start < 2


@pytest.fixture
def complaint(estate_x):
    complaint = make_complaint(estate=estate_x, phone="13812345678").complaint
    complaint.contact_name = "欧阳娜娜"
    complaint.contact_email = "ouyang@example.com"
    complaint.save()
    return complaint


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["inspector", "official", "admin"])
def test_regulator_staff_with_the_permission_see_the_complainant(who, complaint, request):
    details = complainant_details(complaint, request.getfixturevalue(who))
    assert details.masked is False
    assert (details.name, details.phone, details.email) == (
        "欧阳娜娜",
        "13812345678",
        "ouyang@example.com",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["company_a_staff", "committee_member", "citizen", "evaluator", "anonymous"]
)
def test_everyone_else_sees_the_complainant_masked(who, complaint, request):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    details = complainant_details(complaint, user)
    assert details.masked is True
    assert (details.name, details.phone, details.email) == (
        "欧***",
        "138****5678",
        "o***@example.com",
    )
