"""The object store stopped while a citizen sends a complaint with a photo: a clear message
(Chinese and English), nothing half-saved (no row, no object), and the same form goes
through once the store is back."""

import os
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import gettext

from cases.models import CaseAttachment, Complaint, ComplaintPhoto
from tests import object_store
from tests.conftest import ROOT
from tests.faults.conftest import FORM
from tests.images import jpeg_with_gps

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SCRIPT = ROOT / "scripts" / "services.sh"
NOT_STORED = (
    "Your photos and documents could not be stored just now, so your complaint was not filed."
)
DATA = {**FORM, "description": "楼道消防门损坏，无法关闭。", "contact_phone": "13700000000"}


@pytest.fixture
def store_stopped(settings):
    """Stop the real store (the one `make test` started) for the test body; start it again,
    keeping its files. A store that is not ours is replaced by a closed port instead."""
    object_store.require()
    managed = os.environ.get("PORTAL_MANAGED_OBJECT_STORE") == "1"
    saved = settings.STORAGES
    if managed:
        subprocess.run([SCRIPT, "stop-object-store"], check=True, timeout=60)
    else:
        options = {**saved["default"]["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"}
        settings.STORAGES = {**saved, "default": {**saved["default"], "OPTIONS": options}}
    started = []

    def bring_back():
        if managed:
            run = [SCRIPT, "start-object-store"]
            subprocess.run(run, check=True, timeout=120, stdout=subprocess.DEVNULL)
        else:
            settings.STORAGES = saved
        started.append(True)

    yield bring_back
    if not started:
        bring_back()


def send(client, prefix: str = ""):
    return client.post(f"{prefix}/complain/", {**DATA, "files": [jpeg_with_gps()]})


def test_a_complaint_with_a_photo_waits_for_the_store_and_then_goes_through(
    client, site_pages, estate_x, open_form, store_stopped, media_root
):
    refused = send(client)
    assert refused.status_code == 503
    page = refused.content.decode()
    assert DATA["description"] in page  # the typed text comes back
    english = send(client, "/en")
    assert english.status_code == 503
    for language, body in (("zh-hans", page), ("en", english.content.decode())):
        with translation.override(language):
            assert gettext(NOT_STORED) in body
    assert not Complaint.objects.exists()
    assert not ComplaintPhoto.objects.exists() and not CaseAttachment.objects.exists()

    store_stopped()
    assert object_store.stored_files(media_root) == []  # no orphan from the failed attempts
    sent = send(client)
    assert sent.status_code == 302
    photo = Complaint.objects.get(description=DATA["description"]).photos.get()
    assert [f.name for f in object_store.stored_files(media_root)] == [
        os.path.basename(photo.image.name)
    ]
    with photo.image.open("rb") as handle:
        assert handle.read(2) == b"\xff\xd8"
