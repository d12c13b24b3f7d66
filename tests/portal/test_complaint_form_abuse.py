"""Abuse of the complaint form: a filled honeypot and too many submissions from one address
are refused with a message, and store nothing."""

import uuid

import pytest
from django.core.cache import cache

from cases.models import Complaint

pytestmark = pytest.mark.django_db

VALID = {
    "category": "facilities",
    "estate_name": "翠湖花园",
    "description": "3号楼电梯停运三天，物业没有任何答复。",
    "contact_phone": "13812345678",
}


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings):
    """Submission counters of this test's own (a key prefix), so tests never limit each other;
    two submissions an hour so the limit is quick to reach."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    settings.COMPLAINT_RATE_LIMIT = "2/h"


def test_the_honeypot_is_hidden_from_people_but_in_the_form(client, site_pages):
    body = client.get("/en/complain/").content.decode()
    trap = body[body.index('<div class="trap" aria-hidden="true">') :]
    trap = trap[: trap.index("</div>")]
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap
    assert '<label for="id_website">' in trap
    assert "style=" not in trap


def test_a_filled_honeypot_is_refused_with_a_neutral_message_and_nothing_stored(client, site_pages):
    response = client.post("/en/complain/", {**VALID, "website": "http://spam.example"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your complaint could not be accepted" in body
    assert "website" not in body.split('id="refused"')[1].split("</div>")[0]
    assert not Complaint.objects.exists()


def test_an_empty_honeypot_files_the_complaint(client, site_pages):
    assert client.post("/en/complain/", {**VALID, "website": ""}).status_code == 302
    assert Complaint.objects.count() == 1


def test_too_many_submissions_from_one_address_are_refused_with_429(client, site_pages):
    for _ in range(2):
        assert client.post("/en/complain/", VALID).status_code == 302
    response = client.post("/en/complain/", VALID)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Please try again later, or call the complaint hotline 12345" in body
    assert Complaint.objects.count() == 2


def test_the_limit_counts_refused_posts_too(client, site_pages):
    for _ in range(2):
        assert client.post("/en/complain/", {**VALID, "contact_phone": "1"}).status_code == 200
    assert client.post("/en/complain/", VALID).status_code == 429
    assert not Complaint.objects.exists()


def test_the_limit_is_per_address(client, site_pages):
    for _ in range(2):
        client.post("/en/complain/", VALID, REMOTE_ADDR="10.0.0.1")
    assert client.post("/en/complain/", VALID, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post("/en/complain/", VALID, REMOTE_ADDR="10.0.0.2").status_code == 302
    assert Complaint.objects.count() == 3


def test_the_limit_lifts_after_the_hour(client, site_pages, time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)
    for _ in range(3):
        client.post("/en/complain/", VALID)
    time_machine.move_to("2026-03-10 11:01 +08:00", tick=False)
    assert client.post("/en/complain/", VALID).status_code == 302
    assert Complaint.objects.count() == 3


def test_the_rate_limit_is_shared_by_both_languages(client, site_pages):
    client.post("/complain/", VALID)
    client.post("/en/complain/", VALID)
    response = client.post("/complain/", VALID)
    assert response.status_code == 429
    assert 'id="rate-limited"' in response.content.decode()
    assert Complaint.objects.count() == 2


def test_reading_the_form_is_never_limited(client, site_pages):
    for _ in range(2):
        client.post("/en/complain/", VALID)
    assert client.get("/en/complain/").status_code == 200
