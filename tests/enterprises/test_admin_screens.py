"""The register's admin screens (企业监管): every list shows only the user's scope, a guessed
id outside it is a 404, lists keep a constant number of queries, and only officials and
administrators keep the register of companies.

Rows are created directly here (test data, not state changes) unless a test is about the
audit trail, which only the modules' functions write.
"""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from enterprises import access, licensing
from enterprises.models import (
    Company,
    CreditAppeal,
    CreditRecord,
    Disclosure,
    Estate,
    Evaluation,
    Licence,
    ServiceContract,
)
from enterprises.models.evaluations import DIMENSIONS
from tests.factories import make_user, valid_credit_code

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
SCREENS = {
    "companies": "company",
    "estates": "estate",
    "licences": "licence",
    "contracts": "contract",
    "disclosures": "disclosure",
    "evaluations": "evaluation",
    "credit_records": "credit",
    "credit_appeals": "appeal",
}


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


def contract_row(company, estate) -> ServiceContract:
    return ServiceContract(
        company=company,
        estate=estate,
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=365),
        service_level="2",
        fee_per_sqm_month="2.50",
        document="contracts/test.pdf",
    )


def evaluation_row(estate, evaluator, period="2025-Q4") -> Evaluation:
    scores = dict.fromkeys(DIMENSIONS, 85)
    return Evaluation(
        estate=estate,
        company=estate.managing_company,
        evaluator=evaluator,
        evaluator_kind="third_party",
        period=period,
        **scores,
    )


def credit_row(company, key: str) -> CreditRecord:
    return CreditRecord(
        company=company,
        kind="complaint",
        points=-2,
        explanation="投诉属实",
        source_label=key,
        source_key=key,
        occurred_on=TODAY,
        valid_until=TODAY + datetime.timedelta(days=365),
    )


@pytest.fixture
def register(company_a, company_b, estate_x, estate_y, evaluator):
    """One record of each kind for company A (district 1) and company B (district 2)."""
    evaluator_y = make_user("evaluator_y", None)
    access.engage_evaluator(evaluator_y, estate_y)
    rows = {}
    for key, company, estate, rater in (
        ("a", company_a, estate_x, evaluator),
        ("b", company_b, estate_y, evaluator_y),
    ):
        record, contract, evaluation = (
            credit_row(company, f"complaint:{key}"),
            contract_row(company, estate),
            evaluation_row(estate, rater),
        )
        for row in (record, contract, evaluation):
            row.save()
        rows[key] = {
            "company": company,
            "estate": estate,
            "licence": Licence.objects.create(company=company, scope="住宅物业管理"),
            "contract": contract,
            "disclosure": Disclosure.objects.create(
                company=company, estate=estate, kind="fees", period="2026", body="收费标准"
            ),
            "evaluation": evaluation,
            "credit": record,
            "appeal": CreditAppeal.objects.create(record=record, reason="并非本公司责任"),
        }
    return rows


def index_url(screen: str) -> str:
    return reverse(f"register_{screen}:index")


def listed_pks(response) -> set[int]:
    assert response.status_code == 200
    return {obj.pk for obj in response.context["object_list"]}


def refused_in_admin(response) -> bool:
    """Wagtail answers a refused admin screen with a redirect to the dashboard."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


# Each list screen shows exactly the user's scope -----------------------------------------

REGION = dict.fromkeys(SCREENS, "a")
ESTATE_X_ONLY = {
    "companies": "a",
    "estates": "a",
    "licences": None,
    "contracts": "a",
    "disclosures": "a",
    "evaluations": "a",
    "credit_records": None,
    "credit_appeals": None,
}
EXPECTED = {
    "official": REGION,
    "other_district_inspector": dict.fromkeys(SCREENS, "b"),
    "company_a_staff": REGION,
    "company_b_staff": dict.fromkeys(SCREENS, "b"),
    "committee_member": ESTATE_X_ONLY,
    "evaluator": ESTATE_X_ONLY,
}


@pytest.mark.parametrize("user_name", sorted(EXPECTED))
def test_each_list_screen_shows_only_the_users_scope(client, request, register, user_name):
    client.force_login(request.getfixturevalue(user_name))
    for screen, key in SCREENS.items():
        response = client.get(index_url(screen))
        side = EXPECTED[user_name][screen]
        if side is None:
            assert refused_in_admin(response), screen
        else:
            assert listed_pks(response) == {register[side][key].pk}, screen


def test_a_citizen_is_sent_to_the_login_page(client, register, citizen):
    client.force_login(citizen)
    for screen in SCREENS:
        response = client.get(index_url(screen))
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login")), screen


def test_the_register_menu_shows_what_the_user_may_see(client, register, committee_member):
    client.force_login(committee_member)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("register_contracts:index") in html
    assert reverse("register_licences:index") not in html


def test_search_stays_within_the_scope(client, register, company_b_staff):
    client.force_login(company_b_staff)
    name_a = register["a"]["company"].name
    response = client.get(index_url("licences"), {"q": name_a})
    assert listed_pks(response) == set()


# A guessed id outside the scope is a 404 -------------------------------------------------


@pytest.mark.parametrize("view", ["inspect", "edit", "history"])
@pytest.mark.parametrize("screen", ["licences", "contracts"])
def test_another_companys_record_is_not_found(client, register, company_b_staff, screen, view):
    client.force_login(company_b_staff)
    other = register["a"][SCREENS[screen]]
    response = client.get(reverse(f"register_{screen}:{view}", args=[other.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("view", ["inspect", "edit", "history", "delete"])
def test_a_company_of_another_district_is_not_found(client, register, official, view):
    client.force_login(official)
    other = register["b"]["company"]
    response = client.get(reverse(f"register_companies:{view}", args=[other.pk]))
    assert response.status_code == 404


def test_own_licence_shows_its_history_of_audit_entries(client, company_a, company_a_staff):
    licence = licensing.apply_for_licence(company_a, actor=company_a_staff, scope="住宅物业管理")
    client.force_login(company_a_staff)
    inspect = client.get(reverse("register_licences:inspect", args=[licence.pk]))
    assert inspect.status_code == 200
    history = client.get(reverse("register_licences:history", args=[licence.pk]))
    assert history.status_code == 200
    actions = [entry.action for entry in history.context["object_list"]]
    assert actions == ["enterprises.licence.applied"]


def test_records_are_never_edited_deleted_or_copied(client, register, official):
    client.force_login(official)
    licence = register["a"]["licence"]
    assert refused_in_admin(client.get(reverse("register_licences:edit", args=[licence.pk])))
    assert refused_in_admin(client.get(reverse("register_licences:delete", args=[licence.pk])))
    assert Licence.objects.filter(pk=licence.pk).exists()
    company = register["a"]["company"]
    assert refused_in_admin(client.get(reverse("register_companies:delete", args=[company.pk])))
    with pytest.raises(NoReverseMatch):
        reverse("register_licences:copy", args=[licence.pk])


def test_company_staff_cannot_edit_their_company(client, register, company_a_staff):
    client.force_login(company_a_staff)
    company = register["a"]["company"]
    response = client.post(
        reverse("register_companies:edit", args=[company.pk]), {"name": "改名物业"}
    )
    assert refused_in_admin(response)
    company.refresh_from_db()
    assert company.name != "改名物业"


def test_official_edits_a_company_of_the_district(client, register, official, district_1):
    client.force_login(official)
    company = register["a"]["company"]
    data = {
        "name": "东湖物业服务有限公司",
        "credit_code": company.credit_code,
        "district": district_1.pk,
    }
    response = client.post(reverse("register_companies:edit", args=[company.pk]), data)
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "东湖物业服务有限公司"


def test_official_cannot_register_a_company_in_another_district(
    client, official, district_1, district_2
):
    client.force_login(official)
    data = {"name": "西岭物业", "credit_code": valid_credit_code("91330100MA9999999")}
    client.post(reverse("register_companies:add"), {**data, "district": district_2.pk})
    assert not Company.objects.filter(name="西岭物业").exists()
    client.post(reverse("register_companies:add"), {**data, "district": district_1.pk})
    assert Company.objects.get(name="西岭物业").district == district_1


def test_the_company_screen_explains_the_credit_score(client, register, company_a_staff):
    client.force_login(company_a_staff)
    company = register["a"]["company"]
    response = client.get(reverse("register_companies:inspect", args=[company.pk]))
    explanation = response.context["credit"]
    assert [item.record for item in explanation.counted] == [register["a"]["credit"]]
    assert explanation.score == explanation.base_score - 2


# Lists keep a constant number of queries --------------------------------------------------

# Constant per page: session, user, scope, and the admin menu (each item of the register and
# supervision groups asks whether the user has anything to see in it: 12 register items now).
LIST_QUERY_BOUND = 32


def _grow(screen: str, numbers: range, company, estate, evaluator, district) -> None:
    """Add rows of the screen's kind in district 1, for company A and estate X."""
    if screen == "credit_appeals":
        records = CreditRecord.objects.bulk_create(credit_row(company, f"b:{n}") for n in numbers)
        CreditAppeal.objects.bulk_create(CreditAppeal(record=r, reason="申诉") for r in records)
        return
    build = {
        "companies": lambda n: Company(
            name=f"批量物业{n}",
            credit_code=valid_credit_code(f"91330100MB{n:07d}"),
            district=district,
        ),
        "estates": lambda n: Estate(
            name=f"批量小区{n}", address="湖滨路", district=district, managing_company=company
        ),
        "licences": lambda n: Licence(company=company, scope=f"范围{n}"),
        "contracts": lambda n: contract_row(company, estate),
        "disclosures": lambda n: Disclosure(
            company=company, estate=estate, kind="fees", period=str(2000 + n), body="x"
        ),
        "evaluations": lambda n: evaluation_row(estate, evaluator, period=str(2000 + n)),
        "credit_records": lambda n: credit_row(company, f"b:{n}"),
    }[screen]
    rows = [build(n) for n in numbers]
    type(rows[0]).objects.bulk_create(rows)


@pytest.mark.parametrize(
    ("screen", "user_name"),
    [(screen, "official") for screen in SCREENS]
    # Company staff see one company, however many others the district registers.
    + [(screen, "company_a_staff") for screen in SCREENS if screen != "companies"],
)
def test_list_queries_do_not_grow_with_the_rows(
    client,
    request,
    django_assert_max_num_queries,
    company_a,
    estate_x,
    evaluator,
    district_1,
    screen,
    user_name,
):
    client.force_login(request.getfixturevalue(user_name))
    client.get(index_url(screen))  # warms the process-wide caches (content types)
    counts = []
    for numbers in (range(10), range(10, 100)):
        _grow(screen, numbers, company_a, estate_x, evaluator, district_1)
        with django_assert_max_num_queries(LIST_QUERY_BOUND) as captured:
            response = client.get(index_url(screen))
        assert len(response.context["object_list"]) >= 10
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("actions", [["view", "add"], ["add", "view"], {"view", "add", "change"}])
def test_any_permission_asks_for_records_last_whatever_the_order_of_the_actions(actions):
    """Wagtail passes a set, whose order follows the process's hash seed: the screen's
    queries must not (the record query of "view" is skipped when a cheaper rule says yes)."""
    from enterprises.admin.policy import ScopedPermissionPolicy

    asked_for_records = []

    def scope(user):
        asked_for_records.append(user)
        return Disclosure.objects.none()

    policy = ScopedPermissionPolicy(
        Disclosure,
        scope=scope,
        actions=frozenset({"view", "add", "change"}),
        can_add=lambda user: True,
    )
    user = make_user("policy-order", None)
    assert policy.user_has_any_permission(user, actions)
    assert asked_for_records == []
    assert policy.instances_user_has_any_permission_for(user, actions) is not None
    assert len(asked_for_records) == 1  # only the rows themselves
