"""One company, one stored code: every path stores the unified social credit code in its
canonical form (capitals, no spaces, full-width folded), so a code typed in lower case in the
company form and the same code imported are one company."""

import pytest
from django.db import IntegrityError

from enterprises.admin.forms import CompanyForm
from enterprises.credit_codes import canonical
from enterprises.models import Company
from tests.factories import CompanyFactory, valid_credit_code

pytestmark = pytest.mark.django_db
CODE = valid_credit_code("91350100MA0001000")  # letters in it, so case matters


def test_canonical_form_folds_case_spaces_and_full_width():
    assert canonical(f" {CODE.lower()} ") == CODE
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in CODE)
    assert canonical(full_width) == CODE
    assert canonical(" ".join([CODE[:4], CODE[4:9].lower(), CODE[9:]])) == CODE


def test_a_lower_case_code_saved_is_stored_and_found_in_capitals(district_1):
    company = CompanyFactory(credit_code=CODE.lower(), district=district_1)
    assert Company.objects.values_list("credit_code", flat=True).get(pk=company.pk) == CODE
    assert Company.objects.filter(credit_code=CODE.lower()).get() == company


def test_the_same_code_in_another_case_is_the_same_company(district_1):
    CompanyFactory(credit_code=CODE, district=district_1)
    with pytest.raises(IntegrityError):
        CompanyFactory(credit_code=CODE.lower(), district=district_1)


def test_the_company_form_stores_a_lower_case_code_in_capitals(official, district_1):
    data = {"name": "青岚物业", "credit_code": CODE.lower(), "district": district_1.pk}
    form = CompanyForm(data=data, for_user=official)
    assert form.is_valid(), form.errors
    assert form.save().credit_code == CODE


def test_the_company_form_refuses_a_lower_case_duplicate_naming_the_field(official, district_1):
    CompanyFactory(credit_code=CODE, district=district_1)
    data = {"name": "另一家物业", "credit_code": CODE.lower(), "district": district_1.pk}
    form = CompanyForm(data=data, for_user=official)
    assert not form.is_valid()
    assert list(form.errors) == ["credit_code"]
