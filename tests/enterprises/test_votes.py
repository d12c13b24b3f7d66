"""The owners' vote: called and run by the estate's current committee, one code per unit,
online and paper ballots (a paper ballot counts once a second member confirms it), closed,
tallied and filed with the district's regulator."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from enterprises import permissions, votes
from enterprises.models import Ballot, BallotChannel, Vote, VoteStatus
from enterprises.votes import VoteNotAllowed, VoteRefused
from foundation.models import AuditEvent
from foundation.roles import Role
from tests.enterprises.vote_helpers import add_units, call, codes, seat_committee
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def members(estate_x):
    return seat_committee(estate_x, "chair_x", "member_x")


@pytest.fixture
def opened(members, estate_x):
    add_units(estate_x, 100, 100, 100)
    return votes.open_vote(call(members[0], estate_x), actor=members[0])


def vote_events() -> list[str]:
    rows = AuditEvent.objects.filter(action__startswith="enterprises.vote.").order_by("pk")
    return list(rows.values_list("action", flat=True))


def test_opening_gives_each_unit_its_own_code_and_keeps_only_digests(opened):
    issued = codes(opened)
    assert len(set(issued.values())) == 3 and all(len(c) == 12 for c in issued.values())
    stored = set(Ballot.objects.values_list("code_digest", flat=True))
    assert not stored & set(issued.values())
    assert issued == codes(Vote.objects.get(pk=opened.pk))  # printed again: the same codes
    assert vote_events() == ["enterprises.vote.called", "enterprises.vote.opened"]


def test_only_a_seated_member_of_a_current_committee_calls_a_vote(
    estate_x, estate_y, members, committee_member, official, company_a_staff
):
    other = seat_committee(estate_y, "chair_y")[0]
    for outsider in (committee_member, official, company_a_staff, other, None):
        with pytest.raises(VoteNotAllowed):
            call(outsider, estate_x)
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"matter": "10"}, "matter"),
        ({"question": "  "}, "question"),
        ({"hours": -1}, "closes_at"),
        ({"matter": "4"}, "company"),
    ],
)
def test_bad_calls_are_refused_naming_the_field(members, estate_x, changes, field):
    with pytest.raises(VoteRefused) as refusal:
        call(members[0], estate_x, **changes)
    assert refusal.value.field == field and not Vote.objects.exists()


def test_a_vote_on_an_estate_without_units_does_not_open(members, estate_x):
    vote = call(members[0], estate_x)
    with pytest.raises(VoteRefused, match="units"):
        votes.open_vote(vote, actor=members[0])
    assert Vote.objects.get().status == VoteStatus.DRAFT and not Ballot.objects.exists()


def test_a_code_is_spent_once_and_codes_of_other_votes_or_estates_are_refused(
    opened, members, estate_x, estate_y
):
    first, second, _third = codes(opened).values()
    votes.cast_ballot(opened, code=first.lower()[:4] + "-" + first[4:], choice="yes")
    with pytest.raises(VoteRefused, match="already been used"):
        votes.cast_ballot(opened, code=first, choice="no")
    later = votes.open_vote(call(members[0], estate_x, question="第二项"), actor=members[0])
    with pytest.raises(VoteRefused, match="another vote"):
        votes.cast_ballot(opened, code=next(iter(codes(later).values())), choice="yes")
    add_units(estate_y, 80)
    chair_y = seat_committee(estate_y, "chair_y")[0]
    elsewhere = votes.open_vote(call(chair_y, estate_y), actor=chair_y)
    with pytest.raises(VoteRefused, match="another estate"):
        votes.cast_ballot(opened, code=next(iter(codes(elsewhere).values())), choice="yes")
    for bad in ("", "ABCD-EFGH-JKLM", second[:-1]):
        with pytest.raises(VoteRefused) as refusal:
            votes.cast_ballot(opened, code=bad, choice="yes")
        assert refusal.value.field == "code"
    with pytest.raises(VoteRefused, match="yes, no or abstain"):
        votes.cast_ballot(opened, code=second, choice="maybe")
    assert list(Ballot.objects.exclude(choice="").values_list("choice", flat=True)) == ["yes"]
    assert "yes" not in str(AuditEvent.objects.filter(action=votes.CAST).values("filters"))


def test_a_paper_ballot_counts_only_once_another_member_confirms_it(opened, members, time_machine):
    chair, member = members
    online, paper, _unused = codes(opened).values()
    votes.cast_ballot(opened, code=online, choice="yes")
    ballot = votes.enter_paper_ballot(opened, actor=chair, code=paper, choice="yes")
    assert not ballot.counts and votes.counted_choices(opened) == {
        Ballot.objects.get(channel=BallotChannel.ONLINE).unit_id: "yes"
    }
    with pytest.raises(VoteRefused, match="Another committee member"):
        votes.confirm_paper_ballot(ballot, actor=chair)
    with pytest.raises(VoteRefused, match="already been used"):
        votes.enter_paper_ballot(opened, actor=member, code=paper, choice="no")
    time_machine.move_to(opened.closes_at + dt.timedelta(minutes=1))
    votes.close_vote(opened, actor=member)
    with pytest.raises(VoteRefused, match="1 paper ballot waits"):
        votes.tally_vote(opened, actor=member)
    votes.confirm_paper_ballot(ballot, actor=member)
    with pytest.raises(VoteRefused, match="not waiting"):
        votes.confirm_paper_ballot(ballot, actor=member)
    tallied = votes.tally_vote(opened, actor=chair)
    assert tallied.passed is True
    assert tallied.result["participating_area"] == "200.00"


def test_a_wrong_paper_entry_is_discarded_and_its_code_entered_again(opened, members):
    chair, member = members
    code = next(iter(codes(opened).values()))
    ballot = votes.enter_paper_ballot(opened, actor=chair, code=code, choice="no")
    votes.discard_paper_ballot(ballot, actor=member)
    again = votes.enter_paper_ballot(opened, actor=chair, code=code, choice="yes")
    assert (again.pk, again.choice) == (ballot.pk, "yes")


def test_no_tally_before_the_vote_closes_then_filed_for_the_district_to_see(
    opened, members, official, district_2, time_machine
):
    chair = members[0]
    for code in codes(opened).values():
        votes.cast_ballot(opened, code=code, choice="yes")
    with pytest.raises(VoteRefused, match="only after it closes"):
        votes.tally_vote(opened, actor=chair)
    with pytest.raises(VoteRefused, match="open until"):
        votes.close_vote(opened, actor=chair)
    assert not permissions.visible_votes(official).exists()
    time_machine.move_to(opened.closes_at)
    with pytest.raises(VoteRefused, match="not open for voting"):
        votes.cast_ballot(opened, code="ABCD-EFGH-JKLM", choice="yes")
    votes.close_vote(opened, actor=chair)
    with pytest.raises(VoteRefused, match="cannot become"):
        votes.file_vote(opened, actor=chair)
    votes.tally_vote(opened, actor=chair)
    filed = votes.file_vote(opened, actor=chair)
    assert (filed.status, filed.passed, filed.filed_by) == (VoteStatus.FILED, True, chair)
    assert list(permissions.visible_votes(official)) == [filed]
    elsewhere = make_user("official_2", Role.OFFICIAL, district=district_2)
    assert not permissions.visible_votes(elsewhere).exists()
    assert vote_events()[-3:] == [votes.CLOSED, votes.TALLIED, votes.FILED]
    assert AuditEvent.objects.filter(action=votes.FILED).get().actor_id == chair.pk


def test_a_member_whose_seat_ended_can_no_longer_run_the_vote(opened, members):
    seat = members[1].committee_seats.get()
    seat.removed_at = timezone.now()
    seat.save()
    with pytest.raises(VoteNotAllowed):
        votes.enter_paper_ballot(
            opened, actor=members[1], code=next(iter(codes(opened).values())), choice="yes"
        )
