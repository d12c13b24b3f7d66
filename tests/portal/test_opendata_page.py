"""The open data page and its downloads: the files with size and update time, the stable names
only (no other file of the storage, no path), download headers, and the rate limit for
anonymous callers."""

import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import http_date

from cases import opendata, workflow
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
BUILD_DAY = timezone.localdate() + dt.timedelta(days=2)  # today's complaints are in


@pytest.fixture(autouse=True)
def open_data_urls(settings):
    settings.ROOT_URLCONF = "tests.opendata_urls"


@pytest.fixture
def built(estate_x, admin):
    workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=admin)
    return opendata.build_dataset(BUILD_DAY)


@pytest.fixture
def frozen(time_machine):
    """One minute of django-ratelimit's window, whatever the clock says."""
    time_machine.move_to(timezone.now().replace(second=5), tick=False)


def test_before_the_first_build_the_page_says_so_and_when_it_runs(client):
    response = client.get("/open-data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="not-built"' in page and "<table" not in page
    assert f"{opendata.next_build_at():%Y-%m-%d} 03:30" in page
    assert "<code>description</code>" in page  # the fields are explained all the same


def test_the_page_lists_the_files_with_size_and_update_time(client, built):
    page = client.get("/open-data/").content.decode()
    metadata = json.loads(default_storage.open("opendata/metadata.json").read())
    generated = timezone.localtime(dt.datetime.fromisoformat(metadata["generated_at"]))
    assert f"{generated:%Y-%m-%d %H:%M}" in page
    for name in opendata.STABLE_NAMES:
        assert f'href="/open-data/{name}"' in page
    assert page.count("<tr>") == 1 + len(opendata.STABLE_NAMES)
    assert filesizeformat(default_storage.size("opendata/complaints.json")) in page
    for field in opendata.FIELD_NAMES:
        assert f"<code>{field}</code>" in page
    assert 'id="not-built"' not in page


def test_the_page_in_english(client, built):
    page = client.get("/en/open-data/").content.decode()
    assert "<h1>Open data: complaints</h1>" in page
    assert 'href="/en/open-data/complaints.csv"' in page
    assert "Phone numbers are removed" in page  # the rules, from metadata.json
    assert "Opaque record identifier" in page


@pytest.mark.parametrize("name", opendata.STABLE_NAMES)
def test_the_stable_files_download_with_their_headers(client, built, name):
    response = client.get(f"/open-data/{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == default_storage.open(f"opendata/{name}").read()
    assert response["Content-Type"] == opendata.CONTENT_TYPES[name]
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    modified = default_storage.get_modified_time(f"opendata/{name}")
    assert response["Last-Modified"] == http_date(modified.timestamp())
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]


def test_an_unchanged_file_is_not_sent_again(client, built):
    modified = default_storage.get_modified_time("opendata/complaints.csv")
    response = client.get(
        "/open-data/complaints.csv", HTTP_IF_MODIFIED_SINCE=http_date(modified.timestamp())
    )
    assert response.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/../settings.py",
        "/open-data/%2e%2e%2fsettings.py",
        "/open-data/..%2F..%2Fportal%2Fsettings.py",
        "/open-data/..",
        "/open-data/secret.txt",
        f"/open-data/complaints-{BUILD_DAY}.json",  # a dated copy exists, but is not served
        "/open-data/COMPLAINTS.JSON",
        "/open-data/complaints.json/",
    ],
)
def test_only_the_stable_names_are_served(client, built, path):
    default_storage.save("opendata/secret.txt", ContentFile(b"not public"))
    assert default_storage.exists(f"opendata/complaints-{BUILD_DAY}.json")
    assert client.get(path).status_code == 404


def test_nothing_to_download_before_the_first_build(client):
    assert client.get("/open-data/complaints.json").status_code == 404


def test_anonymous_downloads_are_rate_limited(client, built, settings, frozen):
    settings.OPEN_DATA_RATE_LIMIT = "2/m"
    assert client.get("/open-data/metadata.json").status_code == 200
    assert client.get("/open-data/complaints.csv").status_code == 200
    response = client.get("/en/open-data/complaints.json")  # the same address, in English
    assert response.status_code == 429
    assert "wait a minute" in response.content.decode()
    assert response["Retry-After"] == "60"
    # Another address is counted on its own.
    assert client.get("/open-data/metadata.json", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_signed_in_users_are_not_rate_limited(client, built, settings, frozen, admin):
    settings.OPEN_DATA_RATE_LIMIT = "1/m"
    client.force_login(admin)
    for _attempt in range(3):
        assert client.get("/open-data/metadata.json").status_code == 200
