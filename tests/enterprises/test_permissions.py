"""The register's permission matrix: roles × kinds of record → which rows each one sees.

Rows are created directly here (test data, not state changes); the scopes are what every
admin listing, export and API path uses.
"""

import datetime

import pytest

from enterprises import permissions
from enterprises.models import (
    CreditRecord,
    Disclosure,
    Evaluation,
    Licence,
    ServiceContract,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


@pytest.fixture
def register(company_a, company_b, estate_x, estate_y, evaluator):
    def contract(company, estate):
        return ServiceContract.objects.create(
            company=company,
            estate=estate,
            starts_on=TODAY,
            ends_on=TODAY + datetime.timedelta(days=365),
            service_level="2",
            fee_per_sqm_month="2.50",
            document="contracts/test.pdf",
        )

    def evaluation(company, estate):
        return Evaluation.objects.create(
            estate=estate,
            company=company,
            evaluator=evaluator,
            evaluator_kind="third_party",
            period="2026-Q3",
            basic_management=90,
            cleaning=85,
            greening=80,
            public_order=88,
            facility_maintenance=75,
            customer_service=92,
        )

    def credit(company):
        return CreditRecord.objects.create(
            company=company,
            kind="complaint",
            points=-2,
            explanation="x",
            source_label="x",
            source_key=f"complaint:{company.pk}",
            occurred_on=TODAY,
            valid_until=TODAY + datetime.timedelta(days=365),
        )

    rows = {}
    for key, company, estate in (("a", company_a, estate_x), ("b", company_b, estate_y)):
        rows[f"company_{key}"] = company
        rows[f"estate_{key}"] = estate
        rows[f"licence_{key}"] = Licence.objects.create(company=company, scope="物业服务")
        rows[f"contract_{key}"] = contract(company, estate)
        rows[f"disclosure_{key}"] = Disclosure.objects.create(
            company=company, estate=estate, kind="fees", period="2026", body="收费标准"
        )
        rows[f"evaluation_{key}"] = evaluation(company, estate)
        rows[f"credit_{key}"] = credit(company)
    return rows


SCOPES = {
    "companies": permissions.visible_companies,
    "estates": permissions.visible_estates,
    "licences": permissions.visible_licences,
    "contracts": permissions.visible_contracts,
    "disclosures": permissions.visible_disclosures,
    "evaluations": permissions.visible_evaluations,
    "credit": permissions.visible_credit_records,
}
ALL = {"a", "b"}
# What each role sees of each kind: "a" = company A / estate X (district 1), "b" = district 2.
MATRIX = {
    "admin": dict.fromkeys(SCOPES, ALL),
    "official": dict.fromkeys(SCOPES, {"a"}),
    "inspector": dict.fromkeys(SCOPES, {"a"}),
    "other_district_inspector": dict.fromkeys(SCOPES, {"b"}),
    "company_a_staff": dict.fromkeys(SCOPES, {"a"}),
    "company_b_staff": dict.fromkeys(SCOPES, {"b"}),
    "committee_member": {**dict.fromkeys(SCOPES, {"a"}), "licences": set(), "credit": set()},
    "evaluator": {**dict.fromkeys(SCOPES, {"a"}), "licences": set(), "credit": set()},
    "citizen": dict.fromkeys(SCOPES, set()),
}
PREFIX = {
    "companies": "company",
    "estates": "estate",
    "licences": "licence",
    "contracts": "contract",
    "disclosures": "disclosure",
    "evaluations": "evaluation",
    "credit": "credit",
}


@pytest.mark.parametrize("user_name", MATRIX)
@pytest.mark.parametrize("kind", SCOPES)
def test_scope_matrix(request, register, user_name, kind):
    user = request.getfixturevalue(user_name)
    visible = set(SCOPES[kind](user))
    seen = {key for key in ("a", "b") if register[f"{PREFIX[kind]}_{key}"] in visible}
    assert seen == MATRIX[user_name][kind]


def test_anonymous_sees_nothing(register):
    from django.contrib.auth.models import AnonymousUser

    for scope in SCOPES.values():
        assert not scope(AnonymousUser()).exists()


@pytest.mark.parametrize(
    ("user_name", "acts_for_a", "decides_for_a", "decides_for_b"),
    [
        ("company_a_staff", True, False, False),
        ("company_b_staff", False, False, False),
        ("official", False, True, False),
        ("inspector", False, False, False),
        ("admin", False, True, True),
        ("committee_member", False, False, False),
        ("citizen", False, False, False),
    ],
)
def test_object_checks(request, register, user_name, acts_for_a, decides_for_a, decides_for_b):
    user = request.getfixturevalue(user_name)
    assert permissions.can_act_for_company(user, register["company_a"]) is acts_for_a
    assert permissions.can_decide_for_company(user, register["company_a"]) is decides_for_a
    assert permissions.can_decide_for_company(user, register["company_b"]) is decides_for_b


def test_evaluator_evaluates_only_engaged_estates(register, evaluator, committee_member):
    assert permissions.can_evaluate_estate(evaluator, register["estate_a"])
    assert not permissions.can_evaluate_estate(evaluator, register["estate_b"])
    assert permissions.can_evaluate_estate(committee_member, register["estate_a"])
    assert not permissions.can_evaluate_estate(committee_member, register["estate_b"])


def test_moving_staff_to_another_company_withdraws_the_old_rights(register, company_a_staff):
    from enterprises.access import grant_company_staff

    grant_company_staff(company_a_staff, register["company_b"])
    assert set(permissions.visible_companies(company_a_staff)) == {register["company_b"]}
