"""The staff workbench (办件工作台): each tab lists exactly the user's own work within
``visible_complaints``, keeps a constant number of queries as rows grow, never shows the
complainant's personal data, and lets only officials dispatch in bulk.

Cases and dispatches are created directly here (test data, not state changes); bulk dispatch
itself goes through ``cases.dispatch``.
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.users.models import UserProfile

from cases import sla
from cases.admin.workbench import sla_states
from cases.models import (
    CaseStatus,
    Category,
    Complaint,
    Dispatch,
    DispatchStatus,
    ReturnReason,
    ReturnRuling,
    Tier,
)
from tests.factories import EstateFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
REFUSED = "refused"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SHANGHAI)  # a Monday, no holiday near
GREEN_DUE = dt.datetime(2026, 4, 3, 17, 30, tzinfo=SHANGHAI)
AMBER_DUE = dt.datetime(2026, 3, 17, 17, 30, tzinfo=SHANGHAI)  # 13 of 84 working hours left
RED_DUE = dt.datetime(2026, 3, 13, 17, 30, tzinfo=SHANGHAI)
LONG_AGO = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def url(tab: str) -> str:
    return reverse(f"cases_admin:workbench_{tab}")


def case_row(estate, status=CaseStatus.ACCEPTED, **fields) -> Complaint:
    values = {
        "tracking_number": f"TS2026{next(_numbers):06d}",
        "access_code_digest": "-",
        "status": status,
        "category": Category.FACILITIES,
        "tier": Tier.GENERAL,
        "estate": estate,
        "estate_name": estate.name,
        "district": estate.district,
        "company": estate.managing_company,
        "description": "电梯停运三天，无人维修",
        "contact_name": "张三丰",
        "contact_phone": "13912345678",
        "contact_email": "zhang.sanfeng@example.test",
        "resolve_due_at": GREEN_DUE,
        **fields,
    }
    return Complaint(**values)


def make_case(estate, status=CaseStatus.ACCEPTED, *, created_at=None, **fields) -> Complaint:
    complaint = case_row(estate, status, **fields)
    complaint.save()
    if created_at is not None:
        Complaint.objects.filter(pk=complaint.pk).update(created_at=created_at)
        complaint.refresh_from_db()
    return complaint


def awaiting(complaint, *, inspector=None, company=None, sign_due_at=None) -> Dispatch:
    return Dispatch.objects.create(
        complaint=complaint,
        inspector=inspector,
        company=company,
        sign_due_at=sign_due_at or NOW + dt.timedelta(hours=3),
    )


@pytest.fixture
def cases(estate_x, estate_y, company_a, company_b, inspector, other_district_inspector):
    """District 1 (estate X, company A, the inspector) and district 2 (estate Y, company B)."""
    x_units = {"assigned_inspector": inspector, "dispatched_company": company_a}
    y_units = {"assigned_inspector": other_district_inspector, "dispatched_company": company_b}
    made = {
        "x_submitted": make_case(estate_x, CaseStatus.SUBMITTED),
        "x_accepted": make_case(estate_x, CaseStatus.ACCEPTED),
        "x_reopened": make_case(estate_x, CaseStatus.REOPENED, reopen_count=1),
        "x_assigned": make_case(estate_x, CaseStatus.ASSIGNED, **x_units),
        "x_amber": make_case(
            estate_x,
            CaseStatus.IN_PROGRESS,
            created_at=LONG_AGO,
            resolve_due_at=AMBER_DUE,
            **x_units,
        ),
        "x_red": make_case(
            estate_x, CaseStatus.IN_PROGRESS, created_at=LONG_AGO, resolve_due_at=RED_DUE, **x_units
        ),
        "x_red_paused": make_case(
            estate_x,
            CaseStatus.IN_PROGRESS,
            created_at=LONG_AGO,
            resolve_due_at=RED_DUE,
            awaiting_complainant_since=dt.datetime(2026, 3, 10, 9, tzinfo=SHANGHAI),
            **x_units,
        ),
        "x_resolved": make_case(estate_x, CaseStatus.RESOLVED, **x_units),
        "y_accepted": make_case(estate_y, CaseStatus.ACCEPTED),
        "y_assigned": make_case(estate_y, CaseStatus.ASSIGNED, **y_units),
        "y_red": make_case(
            estate_y, CaseStatus.IN_PROGRESS, created_at=LONG_AGO, resolve_due_at=RED_DUE, **y_units
        ),
        "y_resolved": make_case(estate_y, CaseStatus.RESOLVED, **y_units),
        "x_returned": make_case(estate_x, CaseStatus.ACCEPTED),
        "y_returned": make_case(estate_y, CaseStatus.ACCEPTED),
    }
    awaiting(made["x_assigned"], inspector=inspector)
    awaiting(made["x_assigned"], company=company_a, sign_due_at=NOW - dt.timedelta(hours=1))
    awaiting(made["y_assigned"], inspector=other_district_inspector)
    awaiting(made["y_assigned"], company=company_b)
    returned(made["x_returned"], company=company_a, rule_due_at=NOW - dt.timedelta(hours=1))
    returned(made["y_returned"], company=company_b)
    return made


def returned(complaint, *, company, rule_due_at=None) -> ReturnRuling:
    """A dispatch the company returned, awaiting the official's ruling."""
    row = Dispatch.objects.create(
        complaint=complaint, company=company, sign_due_at=NOW, status=DispatchStatus.RETURNED
    )
    return ReturnRuling.objects.create(
        dispatch=row,
        complaint=complaint,
        reason=ReturnReason.NOT_OUR_ESTATE,
        returned_at=NOW - dt.timedelta(hours=2),
        rule_due_at=rule_due_at or NOW + dt.timedelta(hours=5),
    )


def refused_in_admin(response) -> bool:
    """Wagtail answers a refused admin screen with a redirect to the dashboard."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def listed(client, user, tab: str) -> set[str] | str:
    """The tracking numbers a tab lists, or REFUSED."""
    client.force_login(user)
    response = client.get(url(tab))
    if refused_in_admin(response):
        return REFUSED
    assert response.status_code == 200
    return {complaint.tracking_number for complaint in response.context["object_list"]}


EXPECTED = {
    "official": {
        "queue": {"x_submitted", "x_accepted", "x_reopened", "x_returned"},
        "to_sign": REFUSED,
        "due_soon": {"x_amber"},
        "overdue": {"x_red"},
        "follow_up": {"x_resolved"},
        "returns": {"x_returned"},
    },
    "inspector": {
        "queue": {"x_assigned", "x_amber", "x_red", "x_red_paused"},
        "to_sign": {"x_assigned"},
        "due_soon": {"x_amber"},
        "overdue": {"x_red"},
        "follow_up": {"x_resolved"},
        "returns": REFUSED,
    },
    "other_district_inspector": {
        "queue": {"y_assigned", "y_red"},
        "to_sign": {"y_assigned"},
        "due_soon": set(),
        "overdue": {"y_red"},
        "follow_up": {"y_resolved"},
        "returns": REFUSED,
    },
    "company_a_staff": {
        "queue": {"x_assigned", "x_amber", "x_red", "x_red_paused"},
        "to_sign": {"x_assigned"},
        "due_soon": {"x_amber"},
        "overdue": {"x_red"},
        "follow_up": REFUSED,
        "returns": REFUSED,
    },
    "company_b_staff": {
        "queue": {"y_assigned", "y_red"},
        "to_sign": {"y_assigned"},
        "due_soon": set(),
        "overdue": {"y_red"},
        "follow_up": REFUSED,
        "returns": REFUSED,
    },
    "committee_member": dict.fromkeys(
        ("queue", "to_sign", "due_soon", "overdue", "follow_up", "returns"), REFUSED
    ),
}


@pytest.mark.parametrize(
    ("user_name", "tab"),
    [(user_name, tab) for user_name, tabs in EXPECTED.items() for tab in tabs],
)
def test_each_tab_lists_only_the_users_own_work(client, request, cases, user_name, tab):
    names = {complaint.tracking_number: name for name, complaint in cases.items()}
    result = listed(client, request.getfixturevalue(user_name), tab)
    if result != REFUSED:
        result = {names[number] for number in result}
    assert result == EXPECTED[user_name][tab]


def test_returns_show_the_reason_the_unit_and_a_ruling_that_is_late(
    client, cases, official, company_a
):
    client.force_login(official)
    html = client.get(url("returns")).content.decode()
    case = cases["x_returned"]
    assert reverse("cases_admin:case", kwargs={"pk": case.pk}) in html
    assert "Not our estate" in html and company_a.name in html
    assert html.count('data-sign-late="true"') == 1  # due an hour ago
    assert cases["y_returned"].tracking_number not in html  # another district's


def test_other_district_inspector_sees_nothing_of_district_1(
    client, cases, other_district_inspector
):
    x_numbers = {c.tracking_number for name, c in cases.items() if name.startswith("x_")}
    client.force_login(other_district_inspector)
    for tab in ("queue", "to_sign", "due_soon", "overdue", "follow_up"):
        content = client.get(url(tab)).content.decode()
        assert not any(number in content for number in x_numbers), tab


def test_rows_link_to_the_case_page_and_show_due_state_in_words(client, cases, inspector):
    client.force_login(inspector)
    content = client.get(url("queue")).content.decode()
    for name in ("x_assigned", "x_amber", "x_red"):
        assert reverse("cases_admin:case", kwargs={"pk": cases[name].pk}) in content
    assert 'data-sla-state="red"' in content and "Overdue" in content
    assert 'data-sla-state="amber"' in content and "Due soon" in content
    assert 'data-sla-state="green"' in content and "On time" in content
    assert "2026-03-13 17:30" in content  # the resolve date, in the regulator's time


def test_to_sign_for_flags_a_late_signature(client, cases, inspector, company_a_staff):
    client.force_login(company_a_staff)
    assert 'data-sign-late="true"' in client.get(url("to_sign")).content.decode()
    client.force_login(inspector)
    content = client.get(url("to_sign")).content.decode()
    assert 'data-sign-late="true"' not in content
    assert "2026-03-16 13:00" in content  # the time to sign by, in the regulator's time


def test_workbench_state_agrees_with_sla_state(cases):
    states = sla_states(list(cases.values()), NOW)
    for complaint in cases.values():
        assert states[complaint.pk] == sla.sla_state(complaint, now=NOW), complaint


@pytest.mark.parametrize("user_name", ["official", "inspector", "company_a_staff"])
def test_complainant_personal_data_is_never_listed(client, request, cases, user_name):
    client.force_login(request.getfixturevalue(user_name))
    for tab in ("queue", "due_soon", "overdue", "to_sign"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(tab))
        if response.status_code == 403:  # a tab this role does not have
            continue
        content = response.content.decode()
        for secret in ("张三丰", "13912345678", "zhang.sanfeng@example.test", "无人维修"):
            assert secret not in content
        # Not even read (and decrypted) for a row.
        personal = '"cases_complaint"."contact_'
        leaks = [q["sql"] for q in captured.captured_queries if personal in q["sql"]]
        assert not leaks, (tab, leaks)


# Who gets in --------------------------------------------------------------------------


def test_anonymous_and_citizen_get_the_login_redirect(client, citizen):
    response = client.get(reverse("cases_admin:workbench"))
    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))
    client.force_login(citizen)
    response = client.get(url("queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("user_name", ["committee_member", "evaluator"])
def test_roles_without_case_work_see_an_empty_state(client, request, user_name):
    client.force_login(request.getfixturevalue(user_name))
    response = client.get(reverse("cases_admin:workbench"))
    assert response.status_code == 200
    assert 'id="workbench-empty"' in response.content.decode()
    assert (
        reverse("cases_admin:workbench")
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


@pytest.mark.parametrize(
    ("user_name", "first_tab"),
    [("official", "queue"), ("inspector", "queue"), ("company_b_staff", "queue")],
)
def test_workbench_opens_the_first_list_and_is_in_the_menu(client, request, user_name, first_tab):
    client.force_login(request.getfixturevalue(user_name))
    response = client.get(reverse("cases_admin:workbench"))
    assert response.status_code == 302 and response.url == url(first_tab)
    assert (
        reverse("cases_admin:workbench")
        in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_renders_in_chinese_by_default_and_in_english_by_preference(
    client, cases, official, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(official)
    content = client.get(url("queue")).content.decode()
    assert '<html lang="zh-hans"' in content
    profile = UserProfile.get_for_user(official)
    profile.preferred_language = "en"
    profile.save()
    content = client.get(url("queue")).content.decode()
    assert '<html lang="en"' in content
    assert "My queue" in content and "Awaiting follow-up" in content


# A constant number of queries ---------------------------------------------------------


def grow(estate, count: int, kind: str, units: dict) -> None:
    fields = {
        "queue": {"status": CaseStatus.ACCEPTED},
        "to_sign": {"status": CaseStatus.ASSIGNED, **units},
        "due_soon": {"status": CaseStatus.IN_PROGRESS, "resolve_due_at": AMBER_DUE, **units},
        "overdue": {"status": CaseStatus.IN_PROGRESS, "resolve_due_at": RED_DUE, **units},
        "follow_up": {"status": CaseStatus.RESOLVED, **units},
        "returns": {"status": CaseStatus.ACCEPTED},
    }[kind]
    made = Complaint.objects.bulk_create([case_row(estate, **fields) for _ in range(count)])
    Complaint.objects.filter(pk__in=[c.pk for c in made]).update(created_at=LONG_AGO)
    if kind == "to_sign":
        Dispatch.objects.bulk_create(
            Dispatch(
                complaint=c,
                inspector=units["assigned_inspector"],
                sign_due_at=NOW,
                status=DispatchStatus.AWAITING_SIGNATURE,
            )
            for c in made
        )
    if kind == "returns":
        for complaint in made:
            returned(complaint, company=units["dispatched_company"])


@pytest.mark.parametrize(
    ("user_name", "tab", "kind"),
    [
        ("official", "queue", "queue"),
        ("official", "due_soon", "due_soon"),
        ("official", "overdue", "overdue"),
        ("official", "follow_up", "follow_up"),
        ("official", "returns", "returns"),
        ("inspector", "queue", "to_sign"),
        ("inspector", "to_sign", "to_sign"),
        ("company_a_staff", "overdue", "overdue"),
    ],
)
def test_list_queries_do_not_grow_with_the_rows(
    client, request, estate_x, company_a, inspector, user_name, tab, kind
):
    units = {"assigned_inspector": inspector, "dispatched_company": company_a}
    client.force_login(request.getfixturevalue(user_name))
    client.get(url(tab))  # warms the process-wide caches (content types, templates)
    counts = []
    for added, shown in ((10, 10), (90, 50)):
        grow(estate_x, added, kind, units)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(tab))
        assert response.status_code == 200
        assert len(response.context["object_list"]) == shown
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_lists_are_paginated_by_fifty(client, estate_x, official):
    grow(estate_x, 51, "queue", {})
    client.force_login(official)
    assert len(client.get(url("queue")).context["object_list"]) == 50
    assert len(client.get(url("queue") + "?p=2").context["object_list"]) == 1


# Bulk dispatch --------------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def test_official_is_offered_inspectors_of_the_district_only(
    client, cases, official, inspector, other_district_inspector
):
    client.force_login(official)
    content = client.get(url("queue")).content.decode()
    assert 'id="bulk-dispatch"' in content
    assert f'value="{inspector.pk}"' in content
    assert f'value="{other_district_inspector.pk}"' not in content
    assert f'name="complaints" value="{cases["x_accepted"].pk}"' in content
    assert f'name="complaints" value="{cases["x_submitted"].pk}"' not in content


def test_bulk_dispatch_sends_cases_to_the_inspector_and_the_responsible_company(
    client, cases, official, inspector, company_a
):
    client.force_login(official)
    chosen = [cases["x_accepted"], cases["x_reopened"]]
    response = client.post(
        reverse("cases_admin:workbench_bulk_dispatch"),
        {"complaints": [c.pk for c in chosen], "inspector": inspector.pk, "with_company": "on"},
    )
    assert response.status_code == 302 and response.url == url("queue")
    assert messages_of(response) == ["2 cases dispatched."]
    for complaint in chosen:
        complaint.refresh_from_db()
        assert complaint.status == CaseStatus.ASSIGNED
        assert complaint.assigned_inspector == inspector
        assert complaint.dispatched_company == company_a
        assert complaint.dispatches.filter(status=DispatchStatus.AWAITING_SIGNATURE).count() == 2


def test_bulk_dispatch_reports_each_refused_case_with_its_reason(
    client, cases, official, inspector
):
    client.force_login(official)
    submitted = cases["x_submitted"]
    response = client.post(
        reverse("cases_admin:workbench_bulk_dispatch"),
        {"complaints": [cases["x_accepted"].pk, submitted.pk], "inspector": inspector.pk},
    )
    done, refused = messages_of(response)
    assert done == "1 case dispatched."
    assert refused.startswith("1 case refused: ") and submitted.tracking_number in refused
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED and submitted.assigned_inspector is None


def test_bulk_dispatch_refuses_a_guessed_case_of_another_district(
    client, cases, official, inspector
):
    client.force_login(official)
    foreign = cases["y_accepted"]
    response = client.post(
        reverse("cases_admin:workbench_bulk_dispatch"),
        {"complaints": [cases["x_accepted"].pk, foreign.pk], "inspector": inspector.pk},
    )
    (message,) = messages_of(response)
    assert f"Case {foreign.pk} does not exist or is outside your district" in message
    for complaint in (foreign, cases["x_accepted"]):
        complaint.refresh_from_db()
        assert complaint.status == CaseStatus.ACCEPTED and complaint.assigned_inspector is None
    assert not Dispatch.objects.filter(complaint__in=[foreign, cases["x_accepted"]]).exists()


def test_bulk_dispatch_refuses_an_inspector_of_another_district(
    client, cases, official, other_district_inspector
):
    client.force_login(official)
    response = client.post(
        reverse("cases_admin:workbench_bulk_dispatch"),
        {"complaints": [cases["x_accepted"].pk], "inspector": other_district_inspector.pk},
    )
    assert messages_of(response) == ["Choose an inspector of your district."]
    assert not cases["x_accepted"].dispatches.exists()


def test_bulk_dispatch_with_the_company_refuses_a_case_without_one(
    client, district_1, official, inspector
):
    unknown_estate = make_case(EstateFactory(district=district_1, managing_company=None))
    client.force_login(official)
    response = client.post(
        reverse("cases_admin:workbench_bulk_dispatch"),
        {"complaints": [unknown_estate.pk], "inspector": inspector.pk, "with_company": "on"},
    )
    assert messages_of(response) == [
        f"1 case refused: {unknown_estate.tracking_number}: "
        "No responsible company is known for its estate."
    ]
    unknown_estate.refresh_from_db()
    assert unknown_estate.status == CaseStatus.ACCEPTED and not unknown_estate.dispatches.exists()


def test_bulk_dispatch_needs_a_unit(client, cases, official):
    client.force_login(official)
    response = client.post(
        reverse("cases_admin:workbench_bulk_dispatch"), {"complaints": [cases["x_accepted"].pk]}
    )
    assert messages_of(response) == [
        "Choose an inspector, the responsible company, or both to dispatch to."
    ]
    cases["x_accepted"].refresh_from_db()
    assert cases["x_accepted"].status == CaseStatus.ACCEPTED


@pytest.mark.parametrize("user_name", ["inspector", "company_a_staff", "committee_member"])
def test_only_officials_may_bulk_dispatch(client, request, cases, inspector, user_name):
    client.force_login(request.getfixturevalue(user_name))
    response = client.post(
        reverse("cases_admin:workbench_bulk_dispatch"),
        {"complaints": [cases["x_accepted"].pk], "inspector": inspector.pk},
    )
    assert refused_in_admin(response)
    cases["x_accepted"].refresh_from_db()
    assert cases["x_accepted"].status == CaseStatus.ACCEPTED
    assert not cases["x_accepted"].dispatches.exists()


def test_inspector_is_not_offered_bulk_dispatch(client, cases, inspector):
    client.force_login(inspector)
    assert 'id="bulk-dispatch"' not in client.get(url("queue")).content.decode()


def test_bulk_dispatch_is_post_only(client, official):
    client.force_login(official)
    assert client.get(reverse("cases_admin:workbench_bulk_dispatch")).status_code == 405


def test_head_of_department_is_offered_every_inspector(
    client, district_1, inspector, other_district_inspector
):
    head = make_user("head", "official")
    client.force_login(head)
    content = client.get(url("queue")).content.decode()
    assert (
        f'value="{inspector.pk}"' in content and f'value="{other_district_inspector.pk}"' in content
    )
