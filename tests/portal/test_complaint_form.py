"""The public complaint form: what is stored, what is refused, and what the citizen sees."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.access_codes import access_code_matches
from cases.models import CaseEvent, CaseStatus, Complaint
from tests.images import jpeg_with_gps, lying_jpeg, png

pytestmark = pytest.mark.django_db

VALID = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "3号楼电梯停运三天，物业没有任何答复。",
    "contact_phone": "138 1234 5678",
}


def post(client, page, data, files=None):
    return client.post("/complain/", {**data, **(files or {})})


def test_valid_complaint_is_stored_and_receipt_shown_once(client, site_pages, estate_x):
    response = post(client, site_pages["complaint"], VALID, {"photos": [jpeg_with_gps()]})
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
    post(client, site_pages["complaint"], VALID, {"photos": [jpeg_with_gps(), png()]})
    photos = Complaint.objects.get().photos.all()
    assert len(photos) == 2
    for photo in photos:
        with Image.open(photo.image.path) as stored:
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


def test_file_lying_about_its_type_is_refused_and_nothing_stored(client, site_pages):
    response = post(client, site_pages["complaint"], VALID, {"photos": [lying_jpeg()]})
    assert response.status_code == 200
    assert "photos" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_more_than_three_photos_are_refused(client, site_pages):
    photos = [png(f"p{i}.png") for i in range(4)]
    response = post(client, site_pages["complaint"], VALID, {"photos": photos})
    assert "photos" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_oversize_photo_is_refused(client, site_pages, settings):
    settings.COMPLAINT_PHOTO_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", png().read() + b"\0" * 2048, content_type="image/png")
    response = post(client, site_pages["complaint"], VALID, {"photos": [big]})
    assert "photos" in response.context["form"].errors
    assert not Complaint.objects.exists()


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


@pytest.mark.parametrize(("prefix", "warning"), [("", "无法找回"), ("/en", "cannot be recovered")])
def test_confirmation_links_to_the_tracking_page_and_warns(client, site_pages, prefix, warning):
    response = client.post(f"{prefix}/complain/", VALID)
    body = client.get(response["Location"]).content.decode()
    number = Complaint.objects.get().tracking_number
    assert f'href="{prefix}/track/?n={number}"' in body
    assert warning in body


def test_tracking_link_prefills_the_tracking_number(client, site_pages):
    body = client.get("/en/track/?n=wy20260105k7p3qx").content.decode()
    assert 'value="WY20260105K7P3QX"' in body
