"""Hostile uploads on every upload path: lying extensions, image and zip bombs, oversize files
and bodies, corrupt and polyglot images, hostile file names. Each is refused with a message
naming the file, stores nothing (no row, no file under MEDIA_ROOT), and is never a 500; a bomb
is refused before its pixels or zeros are decoded.

The paths and the check each one runs before writing anything:
- public complaint form (photos and PDFs): ``portal.site.complaint_forms.PhotoOrPdfField``,
  over HTTP here;
- company answers, internal notes, rectification evidence: ``cases.attachments.validate_attachment``
  (photos re-encoded, PDFs allowed);
- inspection photos: ``foundation.uploads.reencode_photo`` (photos only, no PDF);
- contract documents, evaluation reports, disclosure attachments:
  ``foundation.uploads.validate_pdf`` (PDF only);
- the company register import: ``enterprises.importing.import_companies`` (CSV or .xlsx).
A PDF with JavaScript is accepted where PDFs are: documents are served as downloads with
``nosniff`` (foundation.files), and a PDF viewer, not the portal's origin, runs its script.
"""

import contextlib
import io
import os
import resource
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import translation

from cases.attachments import validate_attachment
from cases.models import Complaint
from enterprises.importing import import_companies
from enterprises.models import Company
from foundation.uploads import reencode_photo, validate_pdf
from tests.object_store import stored_files
from tests.security.bad_input import hostile_files as hf
from tests.security.bad_input.conftest import counts, zh

pytestmark = pytest.mark.django_db

VALID = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "3号楼电梯停运三天，物业没有任何答复。",
    "contact_phone": "13812345678",
}
MB = 1024 * 1024
REFUSED = {**hf.NOT_IMAGES, **hf.IMAGE_BOMBS, "cut.jpg": hf.truncated_jpeg}
FIGURES: dict[str, int] = {}


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory) -> bytes:
    return hf.zip_bomb(tmp_path_factory.mktemp("bombs") / "bomb.zip")


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def peak_rss_growth(call) -> int:
    """Bytes the process's peak resident memory grew by while ``call`` ran (the peak is reset
    first where Linux allows it, so earlier tests' peaks do not hide this one)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    before = _rss_now()
    call()
    return max(0, _peak_rss() - before)


def _rss_now() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def post_files(client, files, prefix: str = "/en"):
    return client.post(f"{prefix}/complain/", {**VALID, "files": files})


def assert_refused_and_nothing_stored(response, name: str, before: dict, media_root: Path):
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["files"])
    assert f"“{name}”" in errors
    assert counts() == before
    assert stored_files(media_root) == []


# The public complaint form, over HTTP --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_complaint_form_refuses_each_hostile_file_by_name(client, site_pages, media_root, name):
    before = counts()
    response = post_files(client, [upload(name, REFUSED[name]())])
    assert_refused_and_nothing_stored(response, name, before, media_root)


@pytest.mark.parametrize("name", ["bomb.jpg", "bomb.pdf"])
def test_a_zip_bomb_is_refused_unopened(client, site_pages, media_root, zip_bomb, name):
    before = counts()
    growth = peak_rss_growth(
        lambda: FIGURES.update(response=post_files(client, [upload(name, zip_bomb)]))
    )
    assert_refused_and_nothing_stored(FIGURES.pop("response"), name, before, media_root)
    FIGURES[f"zip bomb {name} ({len(zip_bomb)} B → 1 GiB)"] = growth
    assert growth < 64 * MB


def test_an_image_bomb_is_refused_before_decoding(client, site_pages, media_root):
    before = counts()
    growth = peak_rss_growth(
        lambda: FIGURES.update(response=post_files(client, [upload("bomb.png", hf.png_bomb())]))
    )
    assert_refused_and_nothing_stored(FIGURES.pop("response"), "bomb.png", before, media_root)
    FIGURES["image bomb 50000×50000 PNG"] = growth
    assert growth < 64 * MB  # 2.5 gigapixels would be 312 MB even at one bit a pixel


def test_the_bomb_message_is_in_the_pages_language(client, site_pages):
    response = post_files(client, [upload("炸弹.png", hf.png_bomb())], prefix="")
    errors = " ".join(response.context["form"].errors["files"])
    assert zh("“%(name)s” could not be read as an image.") % {"name": "炸弹.png"} in errors


def test_a_photo_just_over_the_pixel_limit_is_refused_by_its_header(client, site_pages):
    response = post_files(client, [upload("big.png", hf.png_bomb(8_000, 8_000))], prefix="")
    errors = " ".join(response.context["form"].errors["files"])
    assert zh("“%(name)s” has too many pixels.") % {"name": "big.png"} in errors


def test_a_real_photo_under_the_pixel_limit_decodes_within_bounded_memory(client, site_pages):
    """36 Mpx of black in 4 KB: under the 40 Mpx limit, so it is decoded and re-encoded."""
    data = hf.zeros_png(6_000)
    growth = peak_rss_growth(
        lambda: FIGURES.update(response=post_files(client, [upload("dark.png", data)]))
    )
    assert FIGURES.pop("response").status_code == 302
    FIGURES[f"36 Mpx PNG of {len(data)} B, accepted and re-encoded"] = growth
    assert growth < 400 * MB


def test_a_polyglot_jpeg_is_stored_re_encoded_without_the_page(client, site_pages, media_root):
    assert post_files(client, [upload("photo.jpg", hf.polyglot_jpeg_html())]).status_code == 302
    photo = Complaint.objects.get().photos.get()
    with photo.image.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert stored.startswith(b"\xff\xd8")


def test_a_file_just_over_the_size_limit_is_refused_by_name(
    client, site_pages, media_root, settings
):
    data = hf.real_png() + b"\x00" * (settings.COMPLAINT_PHOTO_MAX_BYTES + 1 - len(hf.real_png()))
    before = counts()
    response = post_files(client, [upload("huge.png", data, "image/png")])
    assert_refused_and_nothing_stored(response, "huge.png", before, media_root)
    assert "larger than 10 MB" in " ".join(response.context["form"].errors["files"])


class ZerosReader:
    """A request body of ``size`` bytes made up as it is read, counting what the server read:
    a real 100 MB body without 100 MB in the test."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size, self.read_bytes = head, size, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + n
        head = self.head[start : start + n]
        return head + b"\x00" * (n - len(head))

    def readline(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 65536)


def test_a_100_mb_body_is_refused_before_it_is_read(site_pages, media_root, settings):
    boundary = "hostile-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    body = ZerosReader(head, 100 * MB)
    environ = {
        **RequestFactory()._base_environ(),
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/en/complain/",
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(body.size),
        "wsgi.input": body,
        # A browser's CSRF cookie, so the token check reads the body (as a real attack would).
        "HTTP_COOKIE": f"csrftoken={'a' * 32}",
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        growth = peak_rss_growth(
            lambda: answer.update(body=b"".join(WSGIHandler()(environ, start_response)))
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert body.size > settings.UPLOAD_REQUEST_MAX_BYTES
    assert answer["status"].startswith("400")
    page = answer["body"].decode()
    for language in ("zh-hans", "en"):  # the page says why, in both languages at once
        with translation.override(language):
            assert translation.gettext("The request could not be read") in page
    assert body.read_bytes < MB  # refused on its Content-Length, not after reading it
    assert not Complaint.objects.exists()
    assert stored_files(media_root) == []
    FIGURES["100 MB multipart body"] = growth
    assert growth < 32 * MB


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.jpg",
        "..\\..\\boot.ini.jpg",
        "photo\u202egpj.exe",
        "长" * 300 + ".png",
        "a\x00.png",
    ],
    ids=["traversal", "windows-traversal", "rtl-override", "long", "nul"],
)
def test_hostile_file_names_never_choose_where_a_file_is_stored(
    client, site_pages, media_root, tmp_path, name
):
    response = post_files(client, [upload(name, hf.real_png(), "image/png")])
    assert response.status_code == 302
    photo = Complaint.objects.get().photos.get()
    assert photo.image.name.startswith("complaints/")
    assert [file.name for file in stored_files(media_root)] == [os.path.basename(photo.image.name)]
    assert ".." not in photo.image.name and "\x00" not in photo.image.name
    assert "\u202e" not in photo.image.name and "长" not in photo.image.name
    assert not (tmp_path.parent / "etc").exists()


def test_a_hostile_pdf_name_survives_only_as_an_escaped_title(client, site_pages, media_root):
    name = "<script>alert(1)</script>.pdf"
    response = post_files(client, [upload(name, hf.pdf_bytes(), "application/pdf")])
    assert response.status_code == 302
    attachment = Complaint.objects.get().attachments.get()
    assert attachment.file.name.endswith(".pdf") and "<" not in attachment.file.name


# The staff-side checks (company evidence and answers, inspection photos, documents) -----------

PHOTO_OR_PDF = [validate_attachment, reencode_photo]
CHECKS = {
    "attachment (answers, notes, rectification evidence)": validate_attachment,
    "inspection photo": reencode_photo,
    "document PDF (contracts, evaluations, disclosures)": validate_pdf,
}


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_every_staff_upload_check_refuses_each_hostile_file(check, name):
    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        check(upload(name, REFUSED[name]()))
    assert f"“{name}”" in " ".join(refusal.value.messages)


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
@pytest.mark.parametrize("name", ["bomb.jpg", "bomb.pdf"])
def test_every_staff_upload_check_refuses_a_zip_bomb(check, name, zip_bomb):
    with pytest.raises(ValidationError):
        check(upload(name, zip_bomb))


def test_an_inspection_photo_may_not_be_a_pdf():
    with translation.override("en"), pytest.raises(ValidationError, match="not a JPEG, PNG"):
        reencode_photo(upload("scan.jpg", hf.pdf_with_javascript(), "application/pdf"))


@pytest.mark.parametrize("check", [validate_attachment, validate_pdf])
def test_a_pdf_with_javascript_is_accepted_where_pdfs_are(check):
    check(upload("report.pdf", hf.pdf_with_javascript(), "application/pdf"))


def test_the_register_import_refuses_a_zip_bomb_workbook_before_unpacking(official, zip_bomb):
    with zipfile.ZipFile(io.BytesIO(zip_bomb)) as archive:
        assert sum(m.file_size for m in archive.infolist()) >= hf.GIB  # the test is real
    with translation.override("en"):
        report = import_companies(zip_bomb, actor=official, file_name="companies.xlsx")
    assert "unpacks to more than" in " ".join(str(e) for e in report.errors)
    assert not Company.objects.exists()


@pytest.mark.parametrize("name", ["page.jpg", "setup.jpg"])
def test_the_register_import_refuses_files_that_are_not_tables(official, name):
    with translation.override("en"):
        report = import_companies(REFUSED[name](), actor=official, file_name="companies.csv")
    assert report.errors
    assert not Company.objects.exists()


def test_memory_figures_are_reported(capsys):
    """Printed for the report: the peak memory each bomb cost the process."""
    with capsys.disabled():
        for what, growth in FIGURES.items():
            print(f"\n[bad_input] peak RSS growth, {what}: {growth / MB:.1f} MB")
    assert all(growth >= 0 for growth in FIGURES.values())
