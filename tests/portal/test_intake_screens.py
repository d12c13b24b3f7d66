"""The staff intake screens (portal.intake): the form (the public form's checks plus channel,
tier, language and the register's estates), the code shown once, the duplicate confirmation,
the estate type-ahead, and who may open which of them."""

import pytest
from django.urls import reverse

from cases import dispatch, workflow
from cases.models import AttachmentKind, CaseAttachment, Channel, Complaint, Tier
from enterprises import access
from foundation.names import display_name
from foundation.roles import Role
from portal.intake.forms import estate_label
from portal.intake.views import SESSION_KEY
from tests.enterprises.pdfs import contract_pdf
from tests.factories import EstateFactory, make_user
from tests.images import lying_jpeg, png

pytestmark = pytest.mark.django_db

CALL = {
    "channel": Channel.HOTLINE,
    "channel_reference": "12345-20261205-0042",
    "contact_phone": "13812345678",
    "contact_name": "王女士",
    "language": "zh-hans",
    "category": "facilities",
    "tier": Tier.GENERAL,
    "description": "来电反映：3号楼电梯停运两天，老人无法下楼。",
}


@pytest.fixture
def clerk(db):
    user = make_user("clerk", Role.INTAKE_CLERK)
    user.last_name, user.first_name = "吴", "佳怡"
    user.save(update_fields=["last_name", "first_name"])
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


def call_about(place, **changes) -> dict:
    data = {**CALL, "estate_name": estate_label(place), "estate": place.pk}
    return {**data, **changes}


def refused(response) -> bool:
    """Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def register(client, data, **extra):
    return client.post(reverse("intake:register"), data, **extra)


# Who may open the screens -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "inspector", "official", "admin"])
def test_intake_staff_and_regulators_open_the_form_and_see_the_menu(who, request, client):
    user = request.getfixturevalue(who)
    response = signed_in(client, user).get(reverse("intake:register"))
    assert response.status_code == 200
    assert reverse("intake:register") in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("who", ["company_a_staff", "committee_member", "evaluator"])
def test_companies_committees_and_evaluators_are_refused(who, request, client, estate_x):
    user = request.getfixturevalue(who)
    signed_in(client, user)
    assert refused(client.get(reverse("intake:register")))
    assert refused(register(client, call_about(estate_x)))
    assert refused(client.get(reverse("intake:estates"), {"q": "翠"}))
    assert not Complaint.objects.exists()
    assert (
        reverse("intake:register") not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_a_citizen_and_a_visitor_never_reach_the_form(client, citizen):
    assert "/login/" in client.get(reverse("intake:register")).url
    response = signed_in(client, citizen).get(reverse("intake:register"))
    assert response.status_code == 302 and "/login/" in response.url  # no admin access


# Registering ----------------------------------------------------------------------------------


def test_a_clerk_registers_a_call_and_reads_the_code_once(client, clerk, estate_x):
    signed_in(client, clerk)
    response = register(client, call_about(estate_x))
    assert response.status_code == 302 and response.url == reverse("intake:registered")
    complaint = Complaint.objects.get()
    assert (complaint.estate, complaint.channel, complaint.registered_by) == (
        estate_x,
        Channel.HOTLINE,
        clerk,
    )
    assert complaint.channel_reference == CALL["channel_reference"]
    code = client.session[SESSION_KEY]["access_code"]

    page = client.get(response.url)
    body = page.content.decode()
    assert complaint.tracking_number in body and code in body
    assert 'id="intake-sms"' in body and "138****5678" in body
    assert "no-store" in page["Cache-Control"]
    assert SESSION_KEY not in client.session
    again = client.get(response.url)  # a reload: the code is gone
    assert again.status_code == 302 and again.url == reverse("intake:register")
    assert code not in client.get(again.url).content.decode()


def test_a_landline_is_allowed_and_the_result_says_no_sms(client, clerk, estate_x):
    signed_in(client, clerk)
    register(client, call_about(estate_x, contact_phone="0571-87654321"))
    body = client.get(reverse("intake:registered")).content.decode()
    assert Complaint.objects.count() == 1
    assert 'role="alert"' in body and "0571-****4321" in body


def test_only_the_staff_channels_are_offered(client, clerk, estate_x):
    signed_in(client, clerk)
    form = client.get(reverse("intake:register")).context["form"]
    assert {value for value, _label in form.fields["channel"].choices} == set(Channel.STAFF_INTAKE)
    for channel in (Channel.WEB, Channel.PARTNER, "carrier-pigeon"):
        response = register(client, call_about(estate_x, channel=channel))
        assert response.status_code == 200 and "channel" in response.context["form"].errors
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"description": "太短"}, "description"),
        ({"tier": "whenever"}, "tier"),
        ({"language": "xx"}, "language"),
        ({"category": "gossip"}, "category"),
    ],
)
def test_the_public_forms_checks_apply(client, clerk, estate_x, changes, field):
    response = register(signed_in(client, clerk), call_about(estate_x, **changes))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_a_scanned_letter_and_a_photo_are_attached(client, clerk, estate_x):
    data = call_about(estate_x, channel=Channel.LETTER, channel_reference="2026-12-01 来信")
    register(signed_in(client, clerk), {**data, "files": [contract_pdf("来信.pdf"), png()]})
    complaint = Complaint.objects.get()
    assert complaint.photos.count() == 1
    assert CaseAttachment.objects.get(complaint=complaint).kind == AttachmentKind.CITIZEN


def test_a_file_that_lies_about_its_type_refuses_everything(client, clerk, estate_x):
    data = {**call_about(estate_x), "files": [png(), lying_jpeg("信.jpg")]}
    response = register(signed_in(client, clerk), data)
    assert "信.jpg" in " ".join(response.context["form"].errors["files"])
    assert not Complaint.objects.exists()


def test_an_estate_picked_by_its_label_is_linked_even_when_names_repeat(
    client, clerk, estate_x, district_2
):
    twin = EstateFactory(name=estate_x.name, district=district_2)
    register(signed_in(client, clerk), call_about(twin))
    assert Complaint.objects.get().estate == twin


def test_a_picked_estate_whose_text_was_changed_is_not_linked(client, clerk, estate_x):
    register(signed_in(client, clerk), call_about(estate_x, estate_name="湖边某小区"))
    complaint = Complaint.objects.get()
    assert complaint.estate is None and complaint.estate_name == "湖边某小区"


def test_a_name_outside_the_register_is_kept_and_flagged(client, clerk, admin, estate_x):
    data = {**CALL, "estate_name": "老城区幸福里"}
    register(signed_in(client, clerk), data)
    complaint = Complaint.objects.get()
    assert complaint.estate is None and complaint.estate_name == "老城区幸福里"
    assert 'id="intake-unlinked"' in client.get(reverse("intake:registered")).content.decode()
    case = signed_in(client, admin).get(reverse("cases_admin:case", args=(complaint.pk,)))
    assert 'id="case-unlinked"' in case.content.decode()


def test_the_exact_name_of_one_estate_links_it_without_script(client, clerk, estate_x):
    register(signed_in(client, clerk), {**CALL, "estate_name": estate_x.name})
    assert Complaint.objects.get().estate == estate_x


# The same call twice --------------------------------------------------------------------------


def test_the_same_call_again_shows_the_earlier_case_and_needs_the_tick(client, clerk, estate_x):
    signed_in(client, clerk)
    register(client, call_about(estate_x))
    first = Complaint.objects.get()
    client.get(reverse("intake:registered"))

    response = register(client, call_about(estate_x))
    body = response.content.decode()
    assert response.status_code == 200 and Complaint.objects.count() == 1
    assert 'id="intake-earlier"' in body and first.tracking_number in body
    # The clerk sees no case: the number, without a link to it.
    assert reverse("cases_admin:case", args=(first.pk,)) not in body
    assert "confirm_duplicate" in response.context["form"].errors

    response = register(client, call_about(estate_x, confirm_duplicate="on"))
    assert response.status_code == 302 and Complaint.objects.count() == 2


def test_an_official_of_the_district_gets_a_link_to_the_earlier_case(client, official, estate_x):
    signed_in(client, official)
    register(client, call_about(estate_x))
    first = Complaint.objects.get()
    body = register(client, call_about(estate_x)).content.decode()
    assert reverse("cases_admin:case", args=(first.pk,)) in body


# The estate type-ahead -----------------------------------------------------------------------


def test_the_type_ahead_finds_estates_by_name_or_address(client, clerk, estate_x, estate_y):
    signed_in(client, clerk)
    found = client.get(reverse("intake:estates"), {"q": estate_x.name[:2]}).json()["results"]
    assert [e["id"] for e in found] == [estate_x.pk]
    assert found[0]["label"] == estate_label(estate_x)
    by_address = client.get(reverse("intake:estates"), {"q": estate_y.address[:6]}).json()
    assert estate_y.pk in [e["id"] for e in by_address["results"]]
    assert client.get(reverse("intake:estates"), {"q": ""}).json() == {"results": []}


def test_the_type_ahead_answers_at_most_twenty(client, clerk, district_1):
    for n in range(25):
        EstateFactory(name=f"阳光小区{n:02d}", district=district_1)
    found = signed_in(client, clerk).get(reverse("intake:estates"), {"q": "阳光"}).json()
    assert len(found["results"]) == 20


def test_the_case_page_shows_the_channel_and_who_registered_to_regulators(
    client, clerk, official, estate_x
):
    register(signed_in(client, clerk), call_about(estate_x))
    complaint = Complaint.objects.get()
    url = reverse("cases_admin:case", args=(complaint.pk,))
    page = signed_in(client, official).get(url)
    body = page.content.decode()
    assert CALL["channel_reference"] in body
    entry = next(e for e in page.context["timeline"] if not e.public)
    assert entry.actor == display_name(clerk)
    details = set(dict(entry.details).values())
    assert {str(Channel.HOTLINE.label), CALL["channel_reference"]} <= details

    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, company=estate_x.managing_company)
    company_user = make_user("company-staffer", None)
    access.grant_company_staff(company_user, estate_x.managing_company)
    company_body = signed_in(client, company_user).get(url).content.decode()
    assert CALL["channel_reference"] not in company_body
    assert display_name(clerk) not in company_body


@pytest.mark.parametrize("picked", ["999999", "abc", "-1"])
def test_a_stale_or_tampered_estate_id_falls_back_to_the_label(client, clerk, estate_x, picked):
    response = register(signed_in(client, clerk), call_about(estate_x, estate=picked))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.estate, complaint.estate_name) == (estate_x, estate_x.name)


def test_the_result_page_is_refused_to_those_who_may_not_register(client, company_a_staff):
    assert refused(signed_in(client, company_a_staff).get(reverse("intake:registered")))
