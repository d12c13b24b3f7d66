"""The owners' vote screens: the committee calls, opens, prints the ballot sheet and enters
paper ballots; the list is scoped and its queries bounded; officials start a handover that
the companies and the committee confirm."""

import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.models import Ballot, Vote, VoteStatus
from tests.enterprises.vote_helpers import add_units, call, codes, seat_committee

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def members(estate_x):
    add_units(estate_x, 100, 100, 100, 100, 100)
    return seat_committee(estate_x, "chair_x", "member_x")


def test_the_committee_calls_opens_and_prints_the_ballot_sheet(client, members, estate_x):
    client.force_login(members[0])
    form = client.get(reverse("votes:call"))
    assert form.status_code == 200
    answer = client.post(
        reverse("votes:call"),
        {
            "estate": estate_x.pk,
            "matter": "9",
            "question": "增设充电桩",
            "opens_at": "2020-01-01T08:00",
            "closes_at": "2099-01-01T08:00",
        },
    )
    vote = Vote.objects.get()
    assert answer.url == reverse("votes:vote", args=(vote.pk,))
    client.post(reverse("votes:act", args=(vote.pk,)), {"step": "open"})
    assert Vote.objects.get().status == VoteStatus.OPEN
    sheet = client.get(reverse("votes:sheet", args=(vote.pk,)))
    assert sheet["Content-Type"] == "application/pdf" and sheet.content.startswith(b"%PDF")
    code = next(iter(codes(vote).values()))
    client.post(reverse("votes:paper", args=(vote.pk,)), {"code": code, "choice": "no"})
    ballot = Ballot.objects.exclude(choice="").get()
    page = client.get(reverse("votes:vote", args=(vote.pk,)))
    assert str(ballot.unit) in page.content.decode()
    # The member who entered it is refused; the second member confirms.
    refused = client.post(
        reverse("votes:paper", args=(vote.pk,)), {"ballot": ballot.pk, "decision": "confirm"}
    )
    assert refused.status_code == 302
    assert Ballot.objects.get(pk=ballot.pk).confirmed_at is None
    client.force_login(members[1])
    client.post(
        reverse("votes:paper", args=(vote.pk,)), {"ballot": ballot.pk, "decision": "confirm"}
    )
    assert Ballot.objects.get(pk=ballot.pk).confirmed_by == members[1]


def test_the_list_is_scoped_and_its_queries_bounded(
    client, members, estate_x, estate_y, django_assert_max_num_queries
):
    for number in range(12):
        call(members[0], estate_x, question=f"议题{number}")
    other = seat_committee(estate_y, "chair_y")[0]
    call(other, estate_y, question="另一小区的议题")
    client.force_login(members[0])
    with django_assert_max_num_queries(25):
        page = client.get(reverse("votes:index"))
    listed = page.context["object_list"]
    assert len(listed) == 12 and {v.estate_id for v in listed} == {estate_x.pk}


def test_company_staff_and_inspectors_have_no_vote_screens(client, company_a_staff, inspector):
    for user in (company_a_staff, inspector):
        client.force_login(user)
        answer = client.get(reverse("votes:index"))
        assert (answer.status_code, answer.url) == (302, reverse("wagtailadmin_home"))
