"""Two app servers behind nginx share everything a citizen or an official relies on: a
complaint filed through one (with a photo) is received, tracked and shown, and its photo
downloaded, through the other; sessions, rate limits and sign-in throttling count across both,
and the load balancer really spreads requests over the two."""

import re
import uuid

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from cases.models import Complaint
from foundation.roles import Role
from tests import object_store
from tests.deployment.servers import Deployment, production_env
from tests.factories import make_user
from tests.faults.conftest import test_database_url
from tests.images import jpeg_with_gps

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "Two-servers-pw-2026!"
FORM = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "电梯停运三天，老人无法上下楼。",
    "contact_phone": "13811112222",
}


class Browser:
    """Cookies kept by hand: under DEBUG=0 they are Secure, and this is plain HTTP."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, url, headers={"Cookie": header}, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def csrf(self, url: str) -> str:
        assert self.request("GET", url).status_code == 200
        return self.cookies["csrftoken"]

    def post_form(self, url: str, data: dict, **kwargs) -> requests.Response:
        return self.request(
            "POST", url, data={**data, "csrfmiddlewaretoken": self.csrf(url)}, **kwargs
        )


@pytest.fixture
def deployment(tmp_path, site_pages, estate_x, search_index, media_root):
    object_store.require()
    env = production_env(
        SECRET_KEY=settings.SECRET_KEY,
        SALT_KEY=",".join(settings.SALT_KEY),
        DATABASE_URL=test_database_url(),
        CACHE_KEY_PREFIX=f"two-servers-{uuid.uuid4().hex[:8]}",  # this test's own counters
        CELERY_BROKER_URL="",  # tasks run in the request: no worker to start
        OBJECT_STORE_PREFIX=settings.STORAGES["default"]["OPTIONS"]["location"],
        REQUIRE_SECOND_FACTOR="0",
        TRACKING_RATE_LIMIT="2/h",
        AXES_FAILURE_LIMIT="2",
    )
    servers = Deployment(workdir=tmp_path / "deployment", env=env).start()
    yield servers
    servers.stop()


def test_two_servers_behind_nginx_share_files_sessions_and_limits(deployment, inspector):
    first, second = deployment.first, deployment.second
    # The balanced port spreads requests over both servers.
    seen = {requests.get(f"{deployment.balanced}/").headers["X-Upstream"] for _ in "abcd"}
    assert seen == set(deployment.backends)

    # A citizen files through the first server; the second shows the receipt (one session).
    citizen = Browser()
    filed = citizen.post_form(
        f"{first}/complain/", FORM, files={"files": ("p.jpg", jpeg_with_gps().read())}
    )
    assert filed.status_code == 302, filed.text[:500]
    receipt = citizen.request("GET", second + filed.headers["Location"])
    assert receipt.status_code == 200
    number = re.search(r'id="tracking-number">([^<]+)<', receipt.text)[1]
    code = re.search(r'id="access-code">([^<]+)<', receipt.text)[1]
    complaint = Complaint.objects.get(tracking_number=number)
    photo = complaint.photos.get()

    # Tracked and shown through the second server.
    tracker = Browser()
    found = tracker.post_form(f"{second}/track/", {"tracking_number": number, "access_code": code})
    assert found.status_code == 302
    shown = tracker.request("GET", second + found.headers["Location"])
    assert shown.status_code == 200 and number in shown.text and FORM["estate_name"] in shown.text

    # An inspector signs in on the first server and downloads the photo from the second.
    staff = Browser()
    login = {"username": inspector.username, "password": PASSWORD}
    inspector.set_password(PASSWORD)
    inspector.save()
    assert staff.post_form(f"{first}/admin/login/", login).status_code == 302
    url = reverse("cases_admin:case_photo", args=(complaint.pk, photo.pk))
    download = staff.request("GET", second + url)
    assert download.status_code == 200, download.text[:300]
    assert download.headers["Content-Type"] == "image/jpeg"
    with photo.image.open("rb") as stored:
        assert download.content == stored.read()
    assert Browser().request("GET", second + url).status_code == 302  # not signed in: no file

    # Rate limits count across both: two wrong tracking guesses, one on each, then refused.
    wrong = {"tracking_number": number, "access_code": "WRONG123"}
    guesser = Browser()
    assert guesser.post_form(f"{first}/track/", wrong).status_code == 200
    assert guesser.post_form(f"{second}/track/", wrong).status_code == 200
    assert guesser.post_form(f"{first}/track/", wrong).status_code == 429

    # Sign-in throttling too (limit 2): one wrong password on each locks the account out on
    # both, and then even the right password is refused.
    other = make_user("locked_inspector", Role.INSPECTOR, district=complaint.district)
    other.set_password(PASSWORD)
    other.save()
    bad = {"username": other.username, "password": "not-the-password"}
    assert Browser().post_form(f"{first}/admin/login/", bad).status_code == 200
    assert Browser().post_form(f"{second}/admin/login/", bad).status_code == 429
    right = {"username": other.username, "password": PASSWORD}
    assert Browser().post_form(f"{first}/admin/login/", right).status_code == 429
    assert Browser().post_form(f"{second}/admin/login/", right).status_code == 429
