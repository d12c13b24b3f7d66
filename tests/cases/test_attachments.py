"""Case attachments are judged by their content: PDFs stored as they are, photos re-encoded
without their metadata, everything else refused by name; the stored name never comes from the
uploader."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.attachments import store_attachment, validate_attachment
from cases.models import AttachmentKind, CaseAttachment
from tests.enterprises.pdfs import bom_pdf, contract_pdf, html_named_pdf, pdf_bytes
from tests.factories import make_complaint
from tests.images import jpeg_with_gps, lying_jpeg, png
from tests.object_store import stored_files

pytestmark = pytest.mark.django_db

# The first bytes of a Windows executable ("MZ" header), named like a photo.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300


@pytest.fixture
def complaint(estate_x):
    return make_complaint(estate=estate_x).complaint


def store(complaint, uploaded, actor, kind=AttachmentKind.INTERNAL):
    return store_attachment(complaint, uploaded, kind=kind, actor=actor)


def test_a_pdf_is_stored_byte_for_byte(complaint, inspector):
    attachment = store(complaint, contract_pdf("现场检查报告.pdf"), inspector)
    attachment.refresh_from_db()
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == pdf_bytes()
    assert attachment.size == len(pdf_bytes())
    assert attachment.title == "现场检查报告.pdf"
    assert attachment.uploaded_by == inspector
    assert attachment.kind == AttachmentKind.INTERNAL


def test_the_stored_name_is_generated_not_the_uploaders(complaint, inspector):
    attachment = store(complaint, contract_pdf("张三-13812345678.pdf"), inspector)
    stored = attachment.file.name
    assert "13812345678" not in stored and "张三" not in stored
    assert stored.startswith(f"cases/{complaint.created_at:%Y/%m}/{complaint.tracking_number}/")
    assert stored.endswith(".pdf")
    assert attachment.title == "张三-13812345678.pdf"  # shown to staff only


def test_two_files_of_the_same_name_do_not_overwrite_each_other(complaint, inspector):
    first = store(complaint, contract_pdf("a.pdf"), inspector)
    second = store(complaint, contract_pdf("a.pdf"), inspector)
    assert first.file.name != second.file.name


def test_a_long_file_name_is_cut_to_the_title_length(complaint, inspector):
    name = "很" * 200 + ".pdf"
    attachment = store(complaint, contract_pdf(name), inspector)
    assert attachment.title == name[:120]


def test_a_path_in_the_uploaded_name_is_not_kept(complaint, inspector):
    attachment = store(complaint, contract_pdf("../../etc/passwd.pdf"), inspector)
    assert attachment.title == "passwd.pdf"
    assert ".." not in attachment.file.name


def test_a_photo_loses_its_gps_position_and_becomes_a_jpeg(complaint, inspector):
    original = jpeg_with_gps("现场.jpg")
    assert Image.open(io.BytesIO(original.read())).getexif().get(0x8825)  # the test is real
    original.seek(0)
    attachment = store(complaint, original, inspector, kind=AttachmentKind.EVIDENCE)
    with Image.open(attachment.file.open("rb")) as image:
        exif = image.getexif()
        assert image.format == "JPEG"
        assert 0x8825 not in exif and 0x010F not in exif
    assert attachment.content_type == "image/jpeg"
    assert attachment.file.name.endswith(".jpg")
    assert attachment.size == attachment.file.size


def test_a_png_is_re_encoded_to_jpeg(complaint, inspector):
    attachment = store(complaint, png("plan.png"), inspector)
    with Image.open(attachment.file.open("rb")) as image:
        assert image.format == "JPEG"
    assert attachment.title == "plan.png"


@pytest.mark.parametrize(
    "uploaded",
    [
        pytest.param(html_named_pdf("报告.pdf"), id="html-named-pdf"),
        pytest.param(SimpleUploadedFile("photo.jpg", EXE, "image/jpeg"), id="exe-named-jpg"),
        pytest.param(lying_jpeg("photo.jpg"), id="script-named-jpg"),
        pytest.param(bom_pdf("bom.pdf"), id="pdf-behind-a-byte-order-mark"),
        pytest.param(SimpleUploadedFile("empty.pdf", b"", "application/pdf"), id="empty"),
        pytest.param(SimpleUploadedFile("notes.txt", b"hello " * 100, "text/plain"), id="text"),
    ],
)
def test_a_file_that_lies_about_its_type_is_refused_by_name(complaint, inspector, uploaded):
    with pytest.raises(ValidationError) as refused:
        store(complaint, uploaded, inspector)
    assert uploaded.name in refused.value.messages[0]
    assert not CaseAttachment.objects.exists()


def test_an_unknown_type_says_what_is_accepted(complaint, inspector):
    exe = SimpleUploadedFile("setup.jpg", EXE, "image/jpeg")
    with pytest.raises(ValidationError, match="PDF") as refused:
        validate_attachment(exe)
    assert "“setup.jpg”" in refused.value.messages[0]


def test_a_file_over_the_limit_is_refused_before_it_is_read(complaint, inspector, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 1_048_576
    big = SimpleUploadedFile("scan.pdf", pdf_bytes() + b"\n" * 1_048_576, "application/pdf")
    with pytest.raises(ValidationError, match="1 MB") as refused:
        store(complaint, big, inspector)
    assert "scan.pdf" in refused.value.messages[0]
    assert not CaseAttachment.objects.exists()


def test_a_file_at_the_limit_is_accepted(complaint, inspector, settings):
    body = pdf_bytes()
    settings.CASE_ATTACHMENT_MAX_BYTES = len(body)
    attachment = store(complaint, SimpleUploadedFile("a.pdf", body, "application/pdf"), inspector)
    assert attachment.size == len(body)


def test_validate_attachment_writes_nothing(complaint, media_root):
    validate_attachment(jpeg_with_gps())
    validate_attachment(contract_pdf())
    assert not CaseAttachment.objects.exists()
    assert stored_files(media_root) == []


def test_an_answer_of_another_case_is_refused(complaint, estate_x, inspector, company_a):
    from cases.models import CompanyAnswer

    other = make_complaint(estate=estate_x).complaint
    answer = CompanyAnswer.objects.create(complaint=other, company=company_a, text="已处理")
    with pytest.raises(ValueError):
        store_attachment(
            complaint, contract_pdf(), kind=AttachmentKind.EVIDENCE, actor=inspector, answer=answer
        )
    assert not CaseAttachment.objects.exists()
