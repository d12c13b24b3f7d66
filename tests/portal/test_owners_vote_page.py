"""The public ballot page of an owners' vote: an owner votes on a phone with the code from
the QR code, in either language; a spent or foreign code is refused with a message; wrong
codes are limited per address."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from enterprises import votes
from enterprises.models import Ballot
from portal.site import vote_views
from tests.enterprises.vote_helpers import add_units, call, codes, seat_committee

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(estate_x):
    chair = seat_committee(estate_x, "chair_x")[0]
    add_units(estate_x, 90, 110)
    return votes.open_vote(call(chair, estate_x), actor=chair)


def test_an_owner_votes_once_with_the_code_from_the_qr_code(client, opened, site_pages):
    code = next(iter(codes(opened).values()))
    url = reverse("owners_vote", args=(opened.pk,))
    page = client.get(url, {"code": votes.spaced(code)})
    assert page.status_code == 200 and votes.spaced(code) in page.content.decode()
    assert "是否同意增设充电桩？" in page.content.decode()
    done = client.post(url, {"code": votes.spaced(code), "choice": "yes"})
    assert done.status_code == 200 and done.context["cast"] is True
    assert Ballot.objects.exclude(choice="").count() == 1
    with translation.override("en"):
        english = reverse("owners_vote", args=(opened.pk,))
    again = client.post(english, {"code": code, "choice": "no"})
    assert again.status_code == 400 and "already been used" in again.content.decode()
    assert list(Ballot.objects.exclude(choice="").values_list("choice", flat=True)) == ["yes"]


def test_a_draft_vote_has_no_page(client, estate_x, site_pages):
    chair = seat_committee(estate_x, "chair_x")[0]
    draft = call(chair, estate_x)
    assert client.get(reverse("owners_vote", args=(draft.pk,))).status_code == 404


def test_wrong_codes_are_limited_per_address(client, opened, site_pages, monkeypatch):
    cache.clear()
    monkeypatch.setattr(vote_views, "WRONG_CODES_PER_HOUR", "2/h")
    url = reverse("owners_vote", args=(opened.pk,))
    for _attempt in range(2):
        assert client.post(url, {"code": "ABCD-EFGH-JKLM", "choice": "yes"}).status_code == 400
    code = next(iter(codes(opened).values()))
    assert client.post(url, {"code": code, "choice": "yes"}).status_code == 429
    assert not Ballot.objects.exclude(choice="").exists()
