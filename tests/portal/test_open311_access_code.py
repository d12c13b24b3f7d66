"""A partner's request with a mainland mobile: the citizen receives the access code by SMS
after commit; the partner's answer carries only the tracking number."""

import re
from urllib.parse import urlencode

import pytest

from cases.models import Complaint
from foundation.notifications import MemorySmsBackend
from portal.open311 import keys
from portal.site.tracking import check_access

pytestmark = pytest.mark.django_db
BASE = "/api/open311/v2/"


@pytest.fixture(autouse=True)
def open311_urls(settings):
    settings.ROOT_URLCONF = "tests.open311_urls"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


def file(client, phone: str, lang: str = "en"):
    data = {
        "api_key": keys.issue_key("12345 热线")[1],
        "service_code": "facilities",
        "description": "电梯停运三天，无人维修，老人上下楼困难。",
        "phone": phone,
        "address_string": "翠湖花园",
    }
    return client.post(
        BASE + "requests.json",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        headers={"accept-language": lang},
    )


def test_the_citizen_gets_the_code_the_partner_only_the_number(
    client, estate_x, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = file(client, "13912345678")
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    [(phone, text)] = MemorySmsBackend.outbox
    assert phone == "13912345678" and complaint.tracking_number in text
    code = re.search(r"access code (\S+):", text).group(1)
    assert check_access(complaint.tracking_number, code) == complaint
    assert code not in response.content.decode()


def test_a_landline_gets_no_sms(client, estate_x, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert file(client, "0571-87654321").status_code == 201
    assert Complaint.objects.count() == 1 and not MemorySmsBackend.outbox
