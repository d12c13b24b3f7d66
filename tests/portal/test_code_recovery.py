"""A lost access code (issue 17): tracking number + the phone given at filing → a new code by
SMS, the old one void; the same answer whatever was entered; limits per address and number."""

import re

import pytest
from django.utils import timezone

from cases.code_recovery import REISSUED, reissue_access_code, send_new_code
from cases.models import CaseEvent
from cases.workflow import TransitionNotAllowed
from foundation.notifications import MemorySmsBackend
from portal.site.tracking import SESSION_KEY
from tests.factories import make_complaint
from tests.portal.test_tracking import fresh_attempt_counters  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
SAME_ANSWER = "a new access code is on its way"


@pytest.fixture(autouse=True)
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.CODE_RECOVERY_RATE_LIMIT = "5/h"
    settings.CODE_RECOVERY_PHONE_RATE_LIMIT = "2/h"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def receipt(estate_x):
    return make_complaint(estate=estate_x, phone=PHONE)


def ask(client, number, phone, capture):
    with capture(execute=True):
        return client.post("/en/track/recover/", {"tracking_number": number, "phone": phone})


def new_code_from(sms) -> str:
    [(_phone, text)] = sms
    # The code stands alone, in whichever language the message is (the tracking number is 16).
    return re.search(r"(?<![0-9A-Z])([2-9A-Z]{8})(?![0-9A-Z])", text).group(1)


def test_the_right_phone_gets_a_new_code_and_the_old_one_stops_working(
    client, site_pages, receipt, sms, django_capture_on_commit_callbacks
):
    response = ask(
        client,
        receipt.tracking_number.lower(),
        "+86 138-1234-5678",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/track/?n={receipt.tracking_number}"
    assert SAME_ANSWER in client.get(response["Location"]).content.decode()
    [(phone, text)] = sms
    assert phone == PHONE and receipt.tracking_number in text
    code = new_code_from(sms)
    assert code != receipt.access_code
    old = client.post(
        "/track/", {"tracking_number": receipt.tracking_number, "access_code": receipt.access_code}
    )
    assert old.status_code == 200 and SESSION_KEY not in client.session
    new = client.post("/track/", {"tracking_number": receipt.tracking_number, "access_code": code})
    assert new.status_code == 302
    event = CaseEvent.objects.get(complaint=receipt.complaint, action=REISSUED)
    assert event.is_public is False and event.user is None


@pytest.mark.parametrize(
    "what", ["other-phone", "unknown-number"], ids=["wrong phone", "unknown number"]
)
def test_a_wrong_pair_gets_the_same_answer_and_nothing_changes(
    client, site_pages, receipt, sms, django_capture_on_commit_callbacks, what
):
    number = receipt.tracking_number if what == "other-phone" else "WY20990101ZZZZZZ"
    response = ask(client, number, "13999999999", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert SAME_ANSWER in client.get(response["Location"]).content.decode()
    assert sms == []
    receipt.complaint.refresh_from_db()
    assert send_new_code(receipt.tracking_number, "13999999999") is False
    assert not CaseEvent.objects.filter(action=REISSUED).exists()


def test_a_landline_is_refused_on_the_form(client, site_pages, receipt, sms):
    response = client.post(
        "/en/track/recover/", {"tracking_number": receipt.tracking_number, "phone": "0571-8765432"}
    )
    assert response.status_code == 200
    assert "Enter a mainland mobile number" in response.content.decode()
    assert sms == []


def test_a_complaint_filed_with_a_landline_gets_no_sms(estate_x, sms):
    landline = make_complaint(estate=estate_x, phone="0571-87654321")
    assert send_new_code(landline.tracking_number, "0571-87654321") is False


def test_requests_for_one_number_are_limited(
    client, site_pages, receipt, sms, django_capture_on_commit_callbacks
):
    for _ in range(2):
        ask(client, receipt.tracking_number, PHONE, django_capture_on_commit_callbacks)
    assert len(sms) == 2
    refused = ask(client, receipt.tracking_number, PHONE, django_capture_on_commit_callbacks)
    assert refused.status_code == 429 and "Retry-After" in refused
    assert "Too many new access codes" in refused.content.decode()
    assert len(sms) == 2


def test_requests_from_one_address_are_limited_whatever_the_numbers(
    client, site_pages, receipt, sms, django_capture_on_commit_callbacks
):
    for n in range(5):
        ask(client, receipt.tracking_number, f"1390000000{n}", django_capture_on_commit_callbacks)
    refused = ask(client, receipt.tracking_number, PHONE, django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert sms == []  # even the right phone waits: the address is paused


def test_staff_may_reissue_with_their_name_on_the_internal_timeline(receipt, official):
    code = reissue_access_code(receipt.complaint, actor=official, reason="hotline")
    assert code != receipt.access_code
    event = CaseEvent.objects.get(action=REISSUED)
    assert event.user == official and event.data == {"reason": "hotline"}


def test_an_anonymised_complaint_is_refused(receipt):
    type(receipt.complaint).objects.filter(pk=receipt.complaint.pk).update(
        anonymised_at=timezone.now(), contact_phone="", phone_digest=""
    )
    receipt.complaint.refresh_from_db()
    assert send_new_code(receipt.tracking_number, PHONE) is False
    with pytest.raises(TransitionNotAllowed):
        reissue_access_code(receipt.complaint, actor=None)
    assert not CaseEvent.objects.filter(action=REISSUED).exists()
