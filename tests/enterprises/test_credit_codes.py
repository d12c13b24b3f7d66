"""GB 32100-2015 unified social credit codes: valid ones pass, each broken rule is named."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from enterprises.credit_codes import check_character, validate_credit_code

# Two codes as printed on business licences (an independent check of the arithmetic), and two
# of other registering authorities (a government body, 1…; a social organisation, 5…).
VALID = ["91350100M000100Y43", "91110108551385082Q", "11100000000013127D", "51330100MJ1234567Q"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    validate_credit_code(code)
    validate_credit_code(code.lower())  # typed in lower case: still the same code
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("code", "rule", "words"),
    [
        ("91350100M000100Y4", "length", "has 17"),
        ("91350100M000100Y433", "length", "has 19"),
        ("91350100M0001O0Y43", "charset", "“O”"),
        ("01350100M000100Y43", "authority", "“0”"),
        ("9135A100M000100Y43", "division", "six digits"),
        ("91350100M000100Y44", "check", "should be “3”"),
    ],
)
def test_each_broken_rule_is_named(code, rule, words):
    with pytest.raises(ValidationError) as refusal:
        validate_credit_code(code)
    assert refusal.value.code == rule
    assert words in refusal.value.messages[0]


def test_a_single_mistyped_character_is_always_caught():
    code = VALID[1]
    for position in range(17):
        for char in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1 :]
            with pytest.raises(ValidationError):
                validate_credit_code(typo)


def test_message_is_chinese_by_default():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refusal:
            validate_credit_code("91350100M000100Y44")
        assert "校验" in refusal.value.messages[0]  # lazy text: read while zh-hans is active
