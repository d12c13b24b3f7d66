"""The official's instructions on a dispatch reach the receiving unit (its row on the case page
and its e-mail), never the citizen; an internal note stays with regulator staff and is
labelled so where it is typed (issue 24)."""

import pytest
from django.urls import reverse

from cases import dispatch, workflow
from cases.models import Complaint
from foundation.models import Notification
from portal.site.tracking import _case_context
from tests.cases.test_case_actions import done, login, press
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

INSTRUCTIONS = "请于两日内更换3号楼电梯主板，并上传维修记录。"
NOTE = "该物业多次被投诉，重点关注。"


@pytest.fixture(autouse=True)
def tuesday_morning(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)


@pytest.fixture
def accepted(estate_x, official) -> Complaint:
    return workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)


@pytest.fixture
def dispatched(client, accepted, official, inspector, company_a, company_a_staff) -> Complaint:
    data = {
        "inspector": inspector.pk,
        "to_company": "on",
        "instructions": INSTRUCTIONS,
        "note": NOTE,
    }
    response = press(client, official, accepted, "dispatch", data)
    assert done(response, accepted)
    client.logout()
    return Complaint.objects.get(pk=accepted.pk)


def case_page(client, user, complaint) -> str:
    login(client, user)
    response = client.get(reverse("cases_admin:case", args=[complaint.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dispatch_form_separates_instructions_from_an_internal_note(client, accepted, official):
    page = case_page(client, official, accepted)
    assert "Instructions to the unit(s)" in page
    assert "Internal note (regulator staff only)" in page


def test_the_instructions_are_stored_on_each_dispatch_and_the_note_is_internal(dispatched):
    assert list(dispatched.dispatches.values_list("instructions", flat=True)) == [
        INSTRUCTIONS,
        INSTRUCTIONS,
    ]
    note = dispatched.events.get(action="cases.complaint.note_added")
    assert (note.is_public, note.data["text"]) == (False, NOTE)
    assert not dispatched.events.filter(is_public=True, data__icontains=INSTRUCTIONS).exists()


def test_the_company_reads_the_instructions_but_not_the_internal_note(
    client, dispatched, company_a_staff
):
    page = case_page(client, company_a_staff, dispatched)
    assert INSTRUCTIONS in page
    assert NOTE not in page


def test_the_inspector_reads_both(client, dispatched, inspector):
    page = case_page(client, inspector, dispatched)
    assert INSTRUCTIONS in page and NOTE in page


def test_a_committee_member_reads_neither(client, dispatched, committee_member):
    page = case_page(client, committee_member, dispatched)
    assert INSTRUCTIONS not in page and NOTE not in page


def test_the_citizen_reads_neither(dispatched, site_pages):
    context = _case_context(site_pages["tracking"], dispatched, None, None)
    shown = repr(context["timeline"]) + repr(vars(context["case"]).get("public_reply"))
    assert INSTRUCTIONS not in shown and NOTE not in shown


def test_the_dispatch_email_carries_the_instructions_to_each_unit(
    dispatched, inspector, company_a_staff
):
    mails = Notification.objects.filter(
        channel=Notification.EMAIL, dedup_key__startswith="dispatch:"
    )
    by_recipient = {mail.recipient: mail.body for mail in mails}
    assert INSTRUCTIONS in by_recipient[company_a_staff.email]
    assert INSTRUCTIONS in by_recipient[inspector.email]
    assert all(NOTE not in body for body in by_recipient.values())


def test_a_phone_number_in_the_instructions_is_masked_in_the_email(
    accepted, official, company_a, company_a_staff
):
    dispatch.dispatch_case(
        accepted, actor=official, company=company_a, instructions="请联系业主 13812345678"
    )
    mail = Notification.objects.get(channel=Notification.EMAIL, recipient=company_a_staff.email)
    assert "13812345678" not in mail.body and "138****5678" in mail.body
