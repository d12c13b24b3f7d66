"""The complaint form's files: up to five photos or PDFs, each judged by its content and size,
and nothing stored when any one of them is refused."""

import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import AttachmentKind, CaseAttachment, Complaint, ComplaintPhoto
from tests.enterprises.pdfs import contract_pdf, html_named_pdf
from tests.images import jpeg_with_gps, lying_jpeg, png

pytestmark = pytest.mark.django_db

VALID = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "3号楼电梯停运三天，物业没有任何答复。",
    "contact_phone": "13812345678",
}


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings):
    """Submission counters of this test's own (a key prefix), so tests never limit each other."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()


def post(client, files, prefix="/en"):
    return client.post(f"{prefix}/complain/", {**VALID, "files": files})


def file_errors(response) -> str:
    assert response.status_code == 200
    return " ".join(response.context["form"].errors["files"])


def assert_nothing_stored() -> None:
    assert not Complaint.objects.exists()
    assert not ComplaintPhoto.objects.exists()
    assert not CaseAttachment.objects.exists()


def test_five_files_mixing_photos_and_pdfs_are_accepted(client, site_pages):
    files = [png(f"p{i}.png") for i in range(3)] + [jpeg_with_gps(), contract_pdf("plan.pdf")]
    response = post(client, files)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.photos.count() == 4
    assert complaint.attachments.count() == 1


def test_six_files_are_refused_and_nothing_stored(client, site_pages):
    response = post(client, [png(f"p{i}.png") for i in range(6)])
    assert "at most 5 files: you chose 6" in file_errors(response)
    assert_nothing_stored()


def test_a_pdf_is_stored_as_the_citizens_attachment(client, site_pages):
    post(client, [contract_pdf("物业费收据.pdf")])
    attachment = CaseAttachment.objects.get()
    assert attachment.complaint == Complaint.objects.get()
    assert attachment.kind == AttachmentKind.CITIZEN
    assert attachment.content_type == "application/pdf"
    assert attachment.title == "物业费收据.pdf"
    assert attachment.uploaded_by is None
    assert attachment.file.name.endswith(".pdf")
    assert "物业费" not in attachment.file.name


def test_a_photo_named_like_a_pdf_is_still_stored_as_a_clean_photo(client, site_pages):
    post(client, [SimpleUploadedFile("scan.pdf", png().read(), content_type="application/pdf")])
    assert Complaint.objects.get().photos.count() == 1
    assert not CaseAttachment.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lying_jpeg("kitchen.jpg"), "“kitchen.jpg” is neither a PDF document nor a JPEG"),
        (html_named_pdf("bill.pdf"), "“bill.pdf” is neither a PDF document nor a JPEG"),
    ],
)
def test_a_file_lying_about_its_type_is_refused_by_name_and_nothing_stored(
    client, site_pages, upload, message
):
    response = post(client, [png("good.png"), contract_pdf("good.pdf"), upload])
    errors = file_errors(response)
    assert message in errors
    assert "good" not in errors
    assert_nothing_stored()


def test_every_bad_file_is_named_in_the_error(client, site_pages):
    response = post(client, [lying_jpeg("one.jpg"), html_named_pdf("two.pdf")])
    errors = file_errors(response)
    assert "“one.jpg”" in errors
    assert "“two.pdf”" in errors


def test_an_oversize_photo_is_refused_by_name(client, site_pages, settings):
    settings.COMPLAINT_PHOTO_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", png().read() + b"\0" * 2048, content_type="image/png")
    assert "“big.png” is larger than" in file_errors(post(client, [big]))
    assert_nothing_stored()


def test_an_oversize_pdf_is_refused_by_name(client, site_pages, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 100
    assert "“plan.pdf” is" in file_errors(post(client, [contract_pdf("plan.pdf")]))
    assert_nothing_stored()


def test_a_file_error_is_shown_next_to_the_file_field(client, site_pages):
    body = post(client, [lying_jpeg("kitchen.jpg")]).content.decode()
    assert 'id="id_files_error"' in body
    assert 'aria-describedby="id_files_helptext id_files_error"' in body
    assert 'href="#id_files"' in body


def test_file_errors_are_in_chinese_by_default(client, site_pages, settings):
    settings.COMPLAINT_PHOTO_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", png().read() + b"\0" * 2048, content_type="image/png")
    response = post(client, [big], prefix="")
    assert response.status_code == 200
    assert "“big.png”超过" in " ".join(response.context["form"].errors["files"])


def test_a_bad_file_keeps_the_rest_of_a_valid_form_from_being_stored(client, site_pages):
    response = post(client, [png("ok.png"), lying_jpeg("bad.jpg")])
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"files"}
    assert_nothing_stored()
