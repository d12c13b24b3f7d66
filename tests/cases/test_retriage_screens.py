"""The screens of re-triage and transfer: the case page's buttons and forms, the agencies
register an administrator keeps, and the citizen's tracking page of a transferred case."""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.users.models import UserProfile

from cases import transfers, workflow
from cases.models import Agency, CaseStatus, Complaint, Tier
from tests.factories import EstateFactory, make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday_morning(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)


@pytest.fixture
def agencies(district_1, district_2):
    """The city's, district 1's, district 2's and an inactive one."""
    return [
        Agency.objects.create(name="市公安局", contact="110"),
        Agency.objects.create(name="东湖区生态环境分局", district=district_1, contact="12369"),
        Agency.objects.create(name="西岭区消防救援大队", district=district_2, contact="119"),
        Agency.objects.create(name="已撤销的办公室", contact="-", active=False),
    ]


@pytest.fixture
def accepted(estate_x, official):
    return workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)


def login(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


def press(client, user, complaint, action: str, data: dict):
    login(client, user)
    fields = {f"{action}-{name}": value for name, value in data.items()}
    return client.post(reverse(f"cases_admin:case_{action}", args=[complaint.pk]), fields)


def said(response) -> list[str]:
    return [html.unescape(str(m)).strip() for m in get_messages(response.wsgi_request)]


def offered(client, user, complaint) -> dict:
    login(client, user)
    response = client.get(reverse("cases_admin:case", args=[complaint.pk]))
    assert response.status_code == 200
    return {offer["action"].name: offer["form"] for offer in response.context["actions"]}


def test_the_official_is_offered_retriage_and_transfer_to_the_districts_agencies(
    client, accepted, official, agencies
):
    forms = offered(client, official, accepted)
    assert {"retriage", "transfer"} <= set(forms)
    choices = set(forms["transfer"].fields["agency"].queryset.values_list("name", flat=True))
    assert choices == {"市公安局", "东湖区生态环境分局"}  # not district 2's, not the inactive


def test_the_inspector_of_the_district_is_offered_neither_before_assignment(
    client, accepted, inspector
):
    assert not {"retriage", "transfer"} & set(offered(client, inspector, accepted))


def test_official_retriages_through_the_form(client, accepted, official, estate_y):
    response = press(
        client,
        official,
        accepted,
        "retriage",
        {"category": "fees", "tier": Tier.SERIOUS, "estate": estate_y.name, "reason": "录错小区"},
    )
    assert said(response) == ["Case re-triaged."]
    case = Complaint.objects.get(pk=accepted.pk)
    assert (case.category, case.tier, case.estate) == ("fees", Tier.SERIOUS, estate_y)
    # Now in district 2: the official of district 1 is sent back to the workbench.
    assert response.url == reverse("cases_admin:workbench")


def test_a_refused_retriage_says_why(client, accepted, official):
    estate = f"{accepted.estate.name}（{accepted.estate.district.name}）"
    values = {"category": accepted.category, "tier": accepted.tier, "estate": estate}
    response = press(client, official, accepted, "retriage", {**values, "reason": "无变化"})
    [message] = said(response)
    assert "Nothing would change" in message


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("不存在的小区", "No estate of the register is called “不存在的小区”."),
        ("同名小区", "Several districts have an estate called “同名小区”"),
        ("同名小区（没有这个区）", "No estate of the register is called “同名小区（没有这个区）”."),
    ],
)
def test_the_estate_is_typed_and_an_unknown_or_ambiguous_name_is_refused(
    client, accepted, official, estate_x, estate_y, typed, refusal
):
    for estate in (estate_x, estate_y):  # one name in two districts
        EstateFactory(name="同名小区", district=estate.district)
    values = {"category": accepted.category, "tier": Tier.SERIOUS, "reason": "小区名称有误"}
    response = press(client, official, accepted, "retriage", {**values, "estate": typed})
    [message] = said(response)
    assert refusal in message
    assert Complaint.objects.get(pk=accepted.pk).estate == accepted.estate  # nothing changed


def test_a_name_shared_by_two_districts_is_picked_with_its_district(
    client, accepted, official, estate_y
):
    EstateFactory(name="同名小区", district=accepted.estate.district)
    wanted = EstateFactory(name="同名小区", district=estate_y.district)
    typed = f"同名小区（{estate_y.district.name}）"
    values = {"category": accepted.category, "tier": accepted.tier, "reason": "小区名称有误"}
    press(client, official, accepted, "retriage", {**values, "estate": typed})
    assert Complaint.objects.get(pk=accepted.pk).estate == wanted


def test_the_case_page_suggests_every_estate_of_the_city(client, accepted, official, estate_y):
    client.force_login(official)
    html = client.get(reverse("cases_admin:case", args=[accepted.pk])).content.decode()
    assert 'list="register-estates"' in html
    assert f'<option value="{estate_y.name}（{estate_y.district.name}）">' in html


def test_official_transfers_and_records_the_outcome_on_the_case_page(
    client, accepted, official, agencies
):
    response = press(
        client,
        official,
        accepted,
        "transfer",
        {"agency": agencies[1].pk, "reason": "噪声属环保部门", "reference": ""},
    )
    assert said(response) == ["Case transferred; the citizen is told where it went."]
    assert Complaint.objects.get(pk=accepted.pk).status == CaseStatus.TRANSFERRED
    forms = offered(client, official, accepted)
    assert set(forms) == {"transfer_outcome", "note"}
    press(
        client,
        official,
        accepted,
        "transfer_outcome",
        {"outcome": "已处罚施工方", "reference": "HB-9"},
    )
    page = client.get(reverse("cases_admin:case", args=[accepted.pk])).content.decode()
    assert "东湖区生态环境分局" in page and "已处罚施工方" in page and "HB-9" in page


def test_an_inactive_agency_cannot_be_posted(client, accepted, official, agencies):
    response = press(
        client, official, accepted, "transfer", {"agency": agencies[3].pk, "reason": "x"}
    )
    assert "Agency" in said(response)[0]
    assert Complaint.objects.get(pk=accepted.pk).status == CaseStatus.ACCEPTED


def test_the_administrator_keeps_the_agencies_and_nobody_else(client, admin, official, agencies):
    login(client, official)
    assert client.get(reverse("agencies:index")).status_code in (302, 403)
    login(client, admin)
    response = client.post(
        reverse("agencies:add"),
        {
            "name": "南港区消防救援大队",
            "district": "",
            "contact": "119",
            "remit": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Agency.objects.filter(name="南港区消防救援大队", district=None).exists()
    # No delete: an agency is deactivated and keeps its transfers.
    assert not admin.has_perm("cases.delete_agency")


def test_the_agency_list_costs_the_same_for_many_rows(
    client, admin, agencies, django_assert_max_num_queries
):
    login(client, admin)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse("agencies:index")).status_code == 200
    district = agencies[1].district
    Agency.objects.bulk_create(
        Agency(name=f"机构{n}", contact="12345", district=district) for n in range(100)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("agencies:index")).status_code == 200


def test_the_tracking_page_says_where_the_case_went(
    client, site_pages, estate_x, official, agencies
):
    receipt = make_complaint(estate=estate_x)
    transfers.transfer_case(
        receipt.complaint, actor=official, agency=agencies[1], reason="噪声属环保部门职责"
    )
    transfers.record_transfer_outcome(receipt.complaint, actor=official, outcome="已责令停工")
    client.post(
        "/en/track/",
        {"tracking_number": receipt.tracking_number, "access_code": receipt.access_code},
    )
    page = client.get(f"/en/track/case/?n={receipt.tracking_number}").content.decode()
    assert "Where your complaint went" in page
    assert "东湖区生态环境分局" in page and "12369" in page
    assert "噪声属环保部门职责" in page and "已责令停工" in page
