"""Files on the object store (the real S3-compatible server of `make test`): uploaded, served
only after the record's permission check and never by a bucket address, kept or deleted with
their records, and copied over from a local folder by the migration command."""

import datetime as dt
import hashlib
import re

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cases import retention
from cases.models import CaseStatus, ComplaintPhoto
from foundation.storage import PrivateObjectStorage
from tests import object_store
from tests.factories import make_complaint
from tests.images import jpeg_with_gps

pytestmark = pytest.mark.django_db

BUCKET_ADDRESS = re.compile(r"X-Amz-|127\.0\.0\.1:\d+/portal/")


@pytest.fixture
def store():
    object_store.require()
    return default_storage


@pytest.fixture
def photo(estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    found = ComplaintPhoto(complaint=complaint)
    found.image.save("p.jpg", ContentFile(jpeg_with_gps().read()), save=True)
    return found


def test_the_default_storage_is_the_private_bucket(store, photo):
    assert isinstance(store, PrivateObjectStorage)
    assert object_store.stored(photo.image.name)
    endpoint = store.endpoint_url.rstrip("/")
    key = f"{store.location}/{photo.image.name}"
    assert requests.get(f"{endpoint}/{store.bucket_name}/{key}", timeout=10).status_code == 403
    assert requests.get(store.url(photo.image.name), timeout=10).status_code == 200
    assert "X-Amz-Expires=60" in store.url(photo.image.name)


def test_a_photo_is_streamed_to_who_may_see_the_case_and_to_nobody_else(
    client, store, photo, inspector, company_b_staff
):
    url = reverse("cases_admin:case_photo", args=(photo.complaint_id, photo.pk))
    client.force_login(inspector)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with photo.image.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert not BUCKET_ADDRESS.search(str(response.headers))
    client.force_login(company_b_staff)
    assert client.get(url).status_code in (403, 404)
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page, not to the bucket


def test_a_deleted_record_takes_its_file_with_it(store, photo, django_capture_on_commit_callbacks):
    name = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        photo.complaint.delete()
    assert not object_store.stored(name)


def test_anonymising_a_closed_case_keeps_its_photo_as_evidence(store, photo, time_machine):
    complaint = photo.complaint
    complaint.status = CaseStatus.CLOSED
    complaint.save(update_fields=["status"])
    time_machine.move_to(timezone.now() + dt.timedelta(days=800))
    retention.anonymise_closed_complaints()
    complaint.refresh_from_db()
    assert complaint.anonymised_at is not None
    assert object_store.stored(photo.image.name)


def test_the_copy_command_uploads_verifies_and_is_idempotent(store, tmp_path, capsys):
    source = tmp_path / "old-media"
    (source / "complaints" / "1").mkdir(parents=True)
    files = {"complaints/1/a.jpg": b"\xff\xd8" + b"a" * 5000, "contracts/b.pdf": b"%PDF-1.7 b"}
    for name, content in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)

    call_command("copy_media_to_object_store", source=source, verbosity=0)
    assert "2 copied, 0 already in the store, 0 mismatched" in capsys.readouterr().out
    for name, content in files.items():
        with store.open(name, "rb") as stored:
            assert hashlib.sha256(stored.read()).digest() == hashlib.sha256(content).digest()

    call_command("copy_media_to_object_store", source=source, verbosity=0)
    assert "0 copied, 2 already in the store, 0 mismatched" in capsys.readouterr().out

    (source / "contracts/b.pdf").write_bytes(b"%PDF-1.7 changed")
    with pytest.raises(CommandError, match="1 files do not match"):
        call_command("copy_media_to_object_store", source=source, verbosity=0)
    assert "MISMATCH contracts/b.pdf: local 16 B" in capsys.readouterr().err
    with store.open("contracts/b.pdf", "rb") as stored:
        assert stored.read() == b"%PDF-1.7 b"  # never overwritten


@pytest.mark.local_media
def test_the_demo_keeps_files_on_local_disk_and_the_command_refuses(photo, media_root):
    assert (media_root / photo.image.name).read_bytes()[:2] == b"\xff\xd8"
    with pytest.raises(CommandError, match="OBJECT_STORE_URL is not set"):
        call_command("copy_media_to_object_store", source=media_root, verbosity=0)
