"""Finding a caller's complaints by phone (portal.intake, cases.callers): only with the
personal-data permission, only the cases one may see, the same empty answer for an unknown
number, every look-up audited; repeat callers flagged to those who may see personal data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.callers import LOOKED_UP
from cases.models import Complaint
from foundation.models import AuditEvent
from foundation.roles import Role
from tests.factories import make_complaint, make_user

pytestmark = pytest.mark.django_db

CALLER = "13812345678"


def signed_in(client, user):
    client.force_login(user)
    return client


def look_up(client, phone):
    return client.post(reverse("intake:look_up"), {"phone": phone})


def numbers(response) -> set[str]:
    return {c.tracking_number for c in response.context["rows"]}


@pytest.fixture
def calls(estate_x, estate_y):
    """The caller's complaints on both sides, and another caller's."""
    return {
        "x": make_complaint(estate=estate_x, phone=CALLER).complaint,
        "y": make_complaint(estate=estate_y, phone="+86 138 1234 5678").complaint,
        "other": make_complaint(estate=estate_x, phone="13900000000").complaint,
    }


def test_an_official_finds_the_callers_complaints_of_the_district_only(client, official, calls):
    response = look_up(signed_in(client, official), CALLER)
    assert response.status_code == 200
    assert numbers(response) == {calls["x"].tracking_number}
    body = response.content.decode()
    assert calls["y"].tracking_number not in body and calls["other"].tracking_number not in body


def test_an_administrator_finds_them_all_by_any_spelling(client, admin, calls):
    response = look_up(signed_in(client, admin), "138 1234 5678")
    assert numbers(response) == {calls["x"].tracking_number, calls["y"].tracking_number}
    assert 'id="look-up-repeat"' in response.content.decode()


def test_the_other_districts_inspector_finds_only_theirs(client, other_district_inspector, calls):
    response = look_up(signed_in(client, other_district_inspector), CALLER)
    assert numbers(response) == {calls["y"].tracking_number}


def test_a_number_with_cases_elsewhere_answers_like_an_unknown_number(
    client, official, estate_y, district_1
):
    make_complaint(estate=estate_y, phone=CALLER)  # another district's only
    signed_in(client, official)
    elsewhere = look_up(client, CALLER)
    unknown = look_up(client, "13700000000")
    assert numbers(elsewhere) == numbers(unknown) == set()

    def page(response) -> str:
        body = response.content.decode()
        return body[body.index('id="look-up-results"') :].split("</table>")[0]

    assert page(elsewhere) == page(unknown)


def test_every_look_up_is_audited_without_the_number_in_clear(client, official, calls):
    look_up(signed_in(client, official), CALLER)
    look_up(client, "13700000000")
    events = list(AuditEvent.objects.filter(action=LOOKED_UP).order_by("pk"))
    assert [e.actor for e in events] == [official, official]
    assert events[0].label == "138****5678"
    assert CALLER not in str(events[0].filters)
    assert events[0].filters["phone_digest"] == calls["x"].phone_digest


@pytest.mark.parametrize(
    "who", ["clerk", "company_a_staff", "committee_member", "evaluator", "citizen"]
)
def test_those_without_the_personal_data_permission_are_refused(who, request, client, calls):
    user = make_user("clerk", Role.INTAKE_CLERK) if who == "clerk" else request.getfixturevalue(who)
    response = look_up(signed_in(client, user), CALLER)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/login/" in response.url or response.url == reverse("wagtailadmin_home")
    assert calls["x"].tracking_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=LOOKED_UP).exists()


def test_a_bad_number_is_refused_on_its_field(client, official):
    response = look_up(signed_in(client, official), "138-abc")
    assert "phone" in response.context["form"].errors
    assert response.context["rows"] is None


@pytest.mark.parametrize("count", [10, 100])
def test_the_look_up_query_count_does_not_grow(
    count, client, admin, estate_x, django_assert_max_num_queries
):
    for _ in range(count):
        make_complaint(estate=estate_x, phone=CALLER)
    signed_in(client, admin)
    look_up(client, CALLER)  # the session and permissions are warm
    with django_assert_max_num_queries(16):  # the same at 10 and 100 rows
        response = look_up(client, CALLER)
    assert len(response.context["rows"]) == min(count, 50)
    assert response.context["total"] == count


# Repeat callers ----------------------------------------------------------------------------


def test_the_case_page_flags_a_repeat_caller_to_personal_data_viewers_only(
    client, official, company_a_staff, estate_x
):
    from cases import dispatch, workflow

    first = make_complaint(estate=estate_x, phone=CALLER).complaint
    second = make_complaint(estate=estate_x, phone=CALLER).complaint
    url = reverse("cases_admin:case", args=(second.pk,))
    assert 'id="case-repeat-caller"' in signed_in(client, official).get(url).content.decode()

    workflow.accept_case(second, actor=official)
    dispatch.dispatch_case(second, actor=official, company=estate_x.managing_company)
    body = signed_in(client, company_a_staff).get(url).content.decode()
    assert 'id="case-repeat-caller"' not in body
    assert first.tracking_number not in body


def test_a_complaint_older_than_the_window_makes_no_repeat_caller(
    client, official, estate_x, settings
):
    old = make_complaint(estate=estate_x, phone=CALLER).complaint
    Complaint.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.REPEAT_CALLER_DAYS + 1)
    )
    new = make_complaint(estate=estate_x, phone=CALLER).complaint
    body = signed_in(client, official).get(reverse("cases_admin:case", args=(new.pk,)))
    assert 'id="case-repeat-caller"' not in body.content.decode()


def test_the_intake_result_flags_a_repeat_caller_to_an_official_not_a_clerk(
    client, official, estate_x
):
    make_complaint(estate=estate_x, phone=CALLER, category="security")
    call = {
        "channel": "hotline",
        "contact_phone": CALLER,
        "language": "zh-hans",
        "category": "facilities",
        "tier": "general",
        "description": "来电反映：3号楼电梯停运两天。",
        "estate_name": estate_x.name,
    }
    signed_in(client, official).post(reverse("intake:register"), call)
    assert 'id="intake-repeat"' in client.get(reverse("intake:registered")).content.decode()

    clerk = make_user("clerk", Role.INTAKE_CLERK)
    signed_in(client, clerk).post(reverse("intake:register"), {**call, "category": "environment"})
    assert 'id="intake-repeat"' not in client.get(reverse("intake:registered")).content.decode()
