"""A person's People page lists the open cases they hold (cases answers the enterprises
hook ``person_page_panels``), so an official moving an inspector sees what to hand over."""

import pytest
from django.urls import reverse

from cases import dispatch, workflow
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_case(estate_x, official, inspector, company_a):
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company_a)
    complaint.refresh_from_db()
    return complaint


def test_the_person_page_lists_the_cases_an_inspector_holds(client, official, inspector, held_case):
    client.force_login(official)
    body = client.get(reverse("people:person", args=(inspector.pk,))).content.decode()
    assert held_case.tracking_number in body
    assert reverse("cases_admin:case", args=(held_case.pk,)) in body


def test_a_person_holding_nothing_has_no_such_panel(client, official, inspector, held_case):
    held_case.assigned_inspector = None
    held_case.save(update_fields=["assigned_inspector"])
    client.force_login(official)
    body = client.get(reverse("people:person", args=(inspector.pk,))).content.decode()
    assert held_case.tracking_number not in body
