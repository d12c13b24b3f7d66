"""My complaints (issue 17): sign in with a phone and a one-time SMS code, see every complaint
filed with that phone by any channel, rate from there; never another phone's complaints."""

import re
import time

import pytest
import time_machine
from django.urls import reverse

from cases.models import Category, Channel, Satisfaction
from cases.phones import phone_digest
from cases.services import submit_complaint
from foundation.notifications import MemorySmsBackend
from portal.site import phone_sign_in
from portal.site.tracking import SESSION_KEY
from tests.factories import make_complaint
from tests.portal.test_tracking import fresh_attempt_counters, resolve  # noqa: F401

pytestmark = pytest.mark.django_db
PHONE, OTHER = "13812345678", "13900002222"
LOGIN, VERIFY, MINE = (
    "/en/phone/login/",
    "/en/phone/login/code/",
    "/en/my-complaints/",
)


@pytest.fixture(autouse=True)
def sms(settings):
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.SIGN_IN_CODE_PHONE_RATE_LIMIT = "3/h"
    settings.SIGN_IN_CODE_RATE_LIMIT = "6/h"
    settings.SIGN_IN_CODE_RESEND_SECONDS = 0
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


@pytest.fixture
def web(estate_x):
    return make_complaint(estate=estate_x, phone=PHONE)


@pytest.fixture
def hotline(estate_x, official):
    return submit_complaint(
        actor=None,
        category=Category.PUBLIC_ORDER,
        description="来电反映：小区路灯不亮",
        contact_phone="138 1234 5678",
        estate=estate_x,
        estate_name=estate_x.name,
        channel=Channel.HOTLINE,
        registered_by=official,
    )


@pytest.fixture
def someone_else(estate_x):
    return make_complaint(estate=estate_x, phone=OTHER, description="别人的投诉：楼道漏水")


def ask_code(client, phone, capture):
    with capture(execute=True):
        return client.post(LOGIN, {"phone": phone})


def code_in(sms) -> str:
    return re.search(r"\b(\d{6})\b", sms[-1][1]).group(1)


def signed_in(client, phone, sms, capture):
    ask_code(client, phone, capture)
    response = client.post(VERIFY, {"code": code_in(sms)})
    assert response.status_code == 302 and response["Location"] == MINE
    return client


# Signing in ----------------------------------------------------------------------------------


def test_phone_and_sms_code_show_web_and_hotline_complaints_but_no_others(
    client,
    web,
    hotline,
    someone_else,
    sms,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    response = ask_code(client, "+86 138-1234-5678", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == VERIFY
    [(phone, text)] = sms
    assert phone == "13812345678" and "valid for 5 minutes" in text
    assert "138****5678" in client.get(VERIFY).content.decode()
    client.post(VERIFY, {"code": code_in(sms)})
    # No password, no user: a signed entry with the phone's digest, never the number.
    assert "_auth_user_id" not in client.session
    assert PHONE not in str(dict(client.session))
    with django_assert_max_num_queries(6):
        page = client.get(MINE)
    body = page.content.decode()
    assert web.tracking_number in body and hotline.tracking_number in body
    assert someone_else.tracking_number not in body
    assert "Service hotline" in body and "Website" in body
    assert "no-store" in page["Cache-Control"]


def test_the_list_costs_the_same_queries_for_more_complaints(
    client, estate_x, web, sms, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    for _ in range(4):
        make_complaint(estate=estate_x, phone=PHONE)
    with django_assert_max_num_queries(6):
        assert client.get(MINE).content.decode().count('class="my-complaint"') == 5


def test_a_number_without_complaints_gets_the_same_page_and_no_sms(
    client, web, sms, django_capture_on_commit_callbacks
):
    response = ask_code(client, OTHER, django_capture_on_commit_callbacks)
    assert response["Location"] == VERIFY and sms == []
    wrong = client.post(VERIFY, {"code": "123456"})
    assert "The code is wrong" in wrong.content.decode()


def test_a_landline_is_refused(client, sms):
    response = client.post(LOGIN, {"phone": "010-12345678"})
    assert "Enter a mainland mobile number" in response.content.decode()
    assert sms == []


def test_wrong_codes_are_counted_and_then_the_code_is_void(
    client, web, sms, settings, django_capture_on_commit_callbacks
):
    settings.SIGN_IN_CODE_ATTEMPTS = 3
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    code = code_in(sms)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    assert "2 more times" in client.post(VERIFY, {"code": wrong}).content.decode()
    assert "1 more time" in client.post(VERIFY, {"code": wrong}).content.decode()
    assert "Too many wrong codes" in client.post(VERIFY, {"code": wrong}).content.decode()
    after = client.post(VERIFY, {"code": code})
    assert after.status_code == 200 and "expired" in after.content.decode()
    assert client.get(MINE)["Location"] == LOGIN


def test_a_code_works_once(client, web, sms, django_capture_on_commit_callbacks):
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    with pytest.raises(phone_sign_in.SignInRefused, match="expired"):
        phone_sign_in.check_code(phone_digest(PHONE), code_in(sms))


def test_a_code_expires(client, web, sms, settings, django_capture_on_commit_callbacks):
    settings.SIGN_IN_CODE_SECONDS = 1
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    time.sleep(1.2)
    response = client.post(VERIFY, {"code": code_in(sms)})
    assert "This code has expired" in response.content.decode()
    assert client.get(MINE)["Location"] == LOGIN


def test_the_signed_in_session_expires(
    client, web, sms, settings, django_capture_on_commit_callbacks
):
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    with time_machine.travel(time.time() + 31 * 60, tick=False):
        assert client.get(MINE)["Location"] == LOGIN


def test_a_forged_session_entry_is_refused(client, web, sms, django_capture_on_commit_callbacks):
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    session = client.session
    session[phone_sign_in.SIGNED_IN] = session[phone_sign_in.SIGNED_IN].replace(":", ";", 1)
    session.save()
    assert client.get(MINE)["Location"] == LOGIN


def test_resend_is_throttled(client, web, sms, settings, django_capture_on_commit_callbacks):
    settings.SIGN_IN_CODE_RESEND_SECONDS = 60
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    again = ask_code(client, PHONE, django_capture_on_commit_callbacks)
    assert again.status_code == 429
    assert "Wait" in again.content.decode() and len(sms) == 1


def test_a_flood_for_one_number_is_refused(client, web, sms, django_capture_on_commit_callbacks):
    for _ in range(3):
        ask_code(client, PHONE, django_capture_on_commit_callbacks)
    flood = ask_code(client, PHONE, django_capture_on_commit_callbacks)
    assert flood.status_code == 429
    assert "Too many codes were asked for this number" in flood.content.decode()
    assert len(sms) == 3


def test_a_flood_from_one_address_is_refused(client, web, sms, django_capture_on_commit_callbacks):
    for n in range(6):
        ask_code(client, f"1370000000{n}", django_capture_on_commit_callbacks)
    flood = ask_code(client, PHONE, django_capture_on_commit_callbacks)
    assert flood.status_code == 429 and sms == []


# What a signed-in citizen may do -------------------------------------------------------------


def test_rating_a_resolved_complaint_from_the_list(
    client, web, hotline, official, inspector, sms, django_capture_on_commit_callbacks
):
    resolve(hotline.complaint, official, inspector)
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    body = client.get(MINE).content.decode()
    assert reverse("my_complaint_rate", args=(hotline.tracking_number,)) in body
    assert reverse("my_complaint_rate", args=(web.tracking_number,)) not in body
    response = client.post(
        f"/en/my-complaints/{hotline.tracking_number}/rate/",
        {"satisfaction": Satisfaction.SATISFIED, "comment": "路灯修好了"},
    )
    assert response.status_code == 302
    hotline.complaint.refresh_from_db()
    assert hotline.complaint.satisfaction == Satisfaction.SATISFIED
    assert "rating of" in client.get(MINE).content.decode()


def test_rating_an_unresolved_complaint_or_without_a_choice_is_refused(
    client, web, official, inspector, sms, django_capture_on_commit_callbacks
):
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    url = f"/en/my-complaints/{web.tracking_number}/rate/"
    client.post(url, {"satisfaction": Satisfaction.SATISFIED})
    assert "cannot be rated now" in client.get(MINE).content.decode()
    resolve(web.complaint, official, inspector)
    client.post(url, {"satisfaction": "delighted"})
    assert "Choose satisfied" in client.get(MINE).content.decode()
    web.complaint.refresh_from_db()
    assert web.complaint.satisfaction == ""


def test_opening_the_full_tracking_page_without_the_code(
    client, site_pages, web, sms, django_capture_on_commit_callbacks
):
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    response = client.post(f"/en/my-complaints/{web.tracking_number}/open/")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == [web.complaint.pk]
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("action", ["rate", "open"])
def test_another_phones_complaint_is_a_404_whatever_is_guessed(
    client,
    site_pages,
    web,
    someone_else,
    official,
    inspector,
    sms,
    django_capture_on_commit_callbacks,
    action,
):
    resolve(someone_else.complaint, official, inspector)
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    for number in (
        someone_else.tracking_number,
        "WY20990101ZZZZZZ",
        str(someone_else.complaint.pk),
    ):
        response = client.post(
            f"/en/my-complaints/{number}/{action}/", {"satisfaction": Satisfaction.UNSATISFIED}
        )
        assert response.status_code == 404
    someone_else.complaint.refresh_from_db()
    assert someone_else.complaint.satisfaction == ""
    assert SESSION_KEY not in client.session


def test_without_signing_in_nothing_is_shown_or_changed(client, web, official, inspector):
    resolve(web.complaint, official, inspector)
    assert client.get(MINE)["Location"] == LOGIN
    assert client.get(VERIFY)["Location"] == LOGIN
    response = client.post(
        f"/en/my-complaints/{web.tracking_number}/rate/", {"satisfaction": Satisfaction.SATISFIED}
    )
    assert response["Location"] == LOGIN
    assert client.get(f"/en/my-complaints/{web.tracking_number}/rate/").status_code == 405
    web.complaint.refresh_from_db()
    assert web.complaint.satisfaction == ""


def test_sign_out(client, web, sms, django_capture_on_commit_callbacks):
    signed_in(client, PHONE, sms, django_capture_on_commit_callbacks)
    response = client.post("/en/phone/sign-out/")
    assert response["Location"] == LOGIN
    assert client.get(MINE)["Location"] == LOGIN


def test_the_pages_answer_in_both_languages(client):
    chinese = client.get("/phone/login/")
    assert chinese.status_code == 200 and 'lang="zh-hans"' in chinese.content.decode()
    assert "My complaints" in client.get(LOGIN).content.decode()
