"""The public complaint form: what is stored, what is refused, and what the citizen sees.

Uploads are in test_complaint_form_uploads.py, the honeypot and the rate limit in
test_complaint_form_abuse.py.
"""

import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from PIL import Image
from wagtail.users.models import UserProfile

from cases import dispatch, workflow
from cases.access_codes import access_code_matches
from cases.models import CaseEvent, CaseStatus, Complaint
from foundation.models import Notification
from tests.images import jpeg_with_gps, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings):
    """Submission counters of this test's own (a key prefix), so tests never limit each other."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()


VALID = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "3号楼电梯停运三天，物业没有任何答复。",
    "contact_phone": "138 1234 5678",
}


def post(client, page, data, files=None):
    return client.post("/complain/", {**data, **(files or {})})


def test_valid_complaint_is_stored_and_receipt_shown_once(client, site_pages, estate_x):
    response = post(client, site_pages["complaint"], VALID, {"files": [jpeg_with_gps()]})
    assert response.status_code == 302

    receipt_page = client.get(response["Location"])
    complaint = Complaint.objects.get()
    body = receipt_page.content.decode()
    assert complaint.tracking_number in body
    code = receipt_page.context["receipt"]["access_code"]
    assert code in body
    assert code not in complaint.access_code_digest
    assert access_code_matches(complaint.tracking_number, code, complaint.access_code_digest)
    assert complaint.status == CaseStatus.SUBMITTED
    assert complaint.contact_phone == "13812345678"
    assert complaint.estate == estate_x
    assert complaint.district == estate_x.district
    assert complaint.company == estate_x.managing_company
    event = CaseEvent.objects.get(complaint=complaint)
    assert (event.action, event.is_public, event.user) == ("cases.complaint.submitted", True, None)

    # The code is not shown a second time: a reload goes back to the empty form.
    again = client.get(response["Location"])
    assert again.status_code == 302
    assert code not in client.get(again["Location"]).content.decode()


def test_photo_is_reencoded_without_location_metadata(client, site_pages):
    post(client, site_pages["complaint"], VALID, {"files": [jpeg_with_gps(), png()]})
    photos = Complaint.objects.get().photos.all()
    assert len(photos) == 2
    for photo in photos:
        with photo.image.open("rb") as handle, Image.open(handle) as stored:
            assert stored.format == "JPEG"
            assert not stored.getexif()
        assert "photo" not in photo.image.name.rsplit("/", 1)[0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_phone", "12345", "11-digit mobile"),
        ("description", "太吵", "at least 10"),
        ("category", "nonsense", "valid choice"),
        ("estate_name", "", "required"),
    ],
)
def test_invalid_fields_are_refused_next_to_the_field(client, site_pages, field, value, message):
    response = client.post("/en/complain/", {**VALID, field: value})
    assert response.status_code == 200
    assert message.lower() in " ".join(response.context["form"].errors[field]).lower()
    assert not Complaint.objects.exists()


def test_errors_are_in_chinese_by_default(client, site_pages):
    response = post(client, site_pages["complaint"], {**VALID, "contact_phone": "12"})
    assert "手机号码" in " ".join(response.context["form"].errors["contact_phone"])


def test_complaint_page_renders_form_in_english_under_en(client, site_pages):
    response = client.get("/en/complain/")
    assert response.status_code == 200
    assert "Contact phone" in response.content.decode()


def test_email_is_optional_and_stored_when_given(client, site_pages):
    post(client, site_pages["complaint"], VALID)
    post(client, site_pages["complaint"], {**VALID, "contact_email": " li.lei@example.cn "})
    assert sorted(Complaint.objects.values_list("contact_email", flat=True)) == [
        "",
        "li.lei@example.cn",
    ]


def test_invalid_email_is_refused_next_to_the_field(client, site_pages):
    response = client.post("/en/complain/", {**VALID, "contact_email": "li.lei@"})
    assert response.status_code == 200
    assert "valid email" in " ".join(response.context["form"].errors["contact_email"]).lower()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "warning"), [("", "申请新的查询码"), ("/en", "sends a new one")]
)
def test_confirmation_links_to_the_tracking_page_and_warns(client, site_pages, prefix, warning):
    response = client.post(f"{prefix}/complain/", VALID)
    body = client.get(response["Location"]).content.decode()
    number = Complaint.objects.get().tracking_number
    assert f'href="{prefix}/track/?n={number}"' in body
    assert warning in body


def test_tracking_link_prefills_the_tracking_number(client, site_pages):
    body = client.get("/en/track/?n=wy20260105k7p3qx").content.decode()
    assert 'value="WY20260105K7P3QX"' in body


# The new fields, the register match, the accessible errors ---------------------------------


def test_address_contact_name_and_both_choices_are_stored(client, site_pages):
    post(
        client,
        site_pages["complaint"],
        {
            **VALID,
            "address": " 3号楼 2单元 501 ",
            "contact_name": "李雷",
            "anonymous_to_company": "on",
            "consent_to_publish": "on",
        },
    )
    complaint = Complaint.objects.get()
    assert complaint.address == "3号楼 2单元 501"
    assert complaint.contact_name == "李雷"
    assert complaint.anonymous_to_company is True
    assert complaint.consent_to_publish is True


def test_choices_default_to_no(client, site_pages):
    post(client, site_pages["complaint"], VALID)
    complaint = Complaint.objects.get()
    assert (complaint.address, complaint.anonymous_to_company, complaint.consent_to_publish) == (
        "",
        False,
        False,
    )


def test_the_estate_list_offers_the_registers_estates_without_script(
    client, site_pages, estate_x, estate_y
):
    body = client.get("/en/complain/").content.decode()
    assert 'list="estate-names"' in body
    assert '<datalist id="estate-names">' in body
    assert f'<option value="{estate_x.name}">' in body
    assert f'<option value="{estate_y.name}">' in body


def test_an_exact_estate_name_links_the_estate_its_district_and_company(
    client, site_pages, estate_y
):
    post(client, site_pages["complaint"], {**VALID, "estate_name": f" {estate_y.name} "})
    complaint = Complaint.objects.get()
    assert complaint.estate == estate_y
    assert complaint.district == estate_y.district
    assert complaint.company == estate_y.managing_company
    assert complaint.estate_name == estate_y.name


def test_an_unknown_estate_is_kept_as_free_text_with_district_and_company_unknown(
    client, site_pages, estate_x
):
    post(client, site_pages["complaint"], {**VALID, "estate_name": "翠湖花园东门外 12号"})
    complaint = Complaint.objects.get()
    assert complaint.estate is None
    assert complaint.district is None
    assert complaint.company is None
    assert complaint.estate_name == "翠湖花园东门外 12号"


def test_errors_are_summarised_at_the_top_and_linked_to_their_fields(client, site_pages):
    response = client.post("/en/complain/", {**VALID, "contact_phone": "12", "description": ""})
    body = response.content.decode()
    summary = body[body.index('id="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    assert 'href="#id_contact_phone"' in summary
    assert 'href="#id_description"' in summary
    assert "Contact phone: Enter an 11-digit mobile number" in summary
    assert 'aria-describedby="id_contact_phone_helptext id_contact_phone_error"' in body
    assert 'aria-invalid="true"' in body
    assert 'id="id_contact_phone_error"' in body


def test_every_control_has_a_label(client, site_pages):
    response = client.get("/en/complain/")
    body = response.content.decode()
    for field in response.context["form"]:
        assert f'<label for="{field.id_for_label}">' in body, field.name


# What the company sees of the address --------------------------------------------------------


@pytest.fixture
def filed(client, site_pages, estate_x, official, inspector, company_a, time_machine):
    """Files a complaint through the form and dispatches it to the estate's company."""
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)

    def file(**extra) -> Complaint:
        post(client, site_pages["complaint"], {**VALID, "address": "3号楼 2单元 501", **extra})
        complaint = Complaint.objects.latest("pk")
        workflow.accept_case(complaint, actor=official)
        dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=company_a)
        return complaint

    return file


def case_page(client, user, complaint) -> str:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    response = client.get(reverse("cases_admin:case", args=[complaint.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_to_company_hides_the_address_from_the_company(client, filed, company_a_staff):
    body = case_page(client, company_a_staff, filed(anonymous_to_company="on"))
    assert "501" not in body
    assert "Withheld: the complainant asked to stay anonymous to the company." in body


def test_the_inspector_sees_the_address_of_an_anonymous_complainant(client, filed, inspector):
    body = case_page(client, inspector, filed(anonymous_to_company="on"))
    assert "3号楼 2单元 501" in body
    assert "Withheld" not in body


def test_the_company_sees_the_address_unless_asked_not_to(client, filed, company_a_staff):
    body = case_page(client, company_a_staff, filed())
    assert "3号楼 2单元 501" in body


# The receipt by e-mail -------------------------------------------------------------------------


def file_and_view_receipt(client, prefix="/en"):
    response = client.post(f"{prefix}/complain/", VALID)
    receipt_url = response["Location"]
    page = client.get(receipt_url)
    return receipt_url, page.context["receipt"], page.content.decode()


def test_the_confirmation_offers_the_receipt_by_email_and_says_it_is_not_encrypted(
    client, site_pages
):
    _, _, body = file_and_view_receipt(client)
    assert 'name="email"' in body
    assert "E-mail is not encrypted" in body


def test_leaving_the_confirmation_forgets_the_receipt(client, site_pages):
    receipt_url, receipt, _ = file_and_view_receipt(client)
    assert receipt["access_code"] not in client.get("/en/complain/").content.decode()
    assert client.post(receipt_url, {"email": "li.lei@example.cn"}).status_code == 302
    assert not Notification.objects.exists()


def test_the_receipt_is_emailed_once_and_then_forgotten(
    client, site_pages, django_capture_on_commit_callbacks
):
    receipt_url, receipt, _ = file_and_view_receipt(client)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(receipt_url, {"email": "Li.Lei@example.cn"})
    assert sent.status_code == 200
    assert receipt["access_code"] not in sent.content.decode()
    notification = Notification.objects.get()
    assert notification.recipient == "li.lei@example.cn"
    assert notification.channel == Notification.EMAIL
    assert receipt["tracking_number"] in notification.body
    assert receipt["access_code"] in notification.body
    assert f"/en/track/?n={receipt['tracking_number']}" in notification.body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li.lei@example.cn"]

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(receipt_url, {"email": "li.lei@example.cn"})
    assert again.status_code == 302
    assert client.get(receipt_url).status_code == 302
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_wrong_address_is_refused_and_the_receipt_can_still_be_sent(client, site_pages):
    receipt_url, receipt, _ = file_and_view_receipt(client)
    refused = client.post(receipt_url, {"email": "li.lei@"})
    assert refused.status_code == 200
    assert "valid email" in " ".join(refused.context["email_form"].errors["email"]).lower()
    assert not Notification.objects.exists()
    client.post(receipt_url, {"email": "li.lei@example.cn"})
    assert Notification.objects.get().recipient == "li.lei@example.cn"


def test_the_receipt_cannot_be_emailed_before_it_was_shown_or_without_a_complaint(
    client, site_pages
):
    response = client.post("/en/complain/", VALID)
    early = client.post(response["Location"], {"email": "li.lei@example.cn"})
    assert early.status_code == 302
    other = client.post("/en/complain/submitted/", {"email": "li.lei@example.cn"})
    assert other.status_code == 302
    assert not Notification.objects.exists()
