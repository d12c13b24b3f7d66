"""Shared by the vote and handover tests: a current committee with two seated members, an
estate's units, a vote run to its end."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from enterprises import access, votes
from enterprises.models import CommitteeMember, OwnersCommittee, Unit
from tests.factories import make_user

TODAY = timezone.localdate()


def seat_committee(estate, *names: str) -> list:
    """A current committee of ``estate`` with a seated member per name (no invitations)."""
    committee = OwnersCommittee.objects.create(
        estate=estate,
        term_starts_on=TODAY - dt.timedelta(days=30),
        term_ends_on=TODAY + dt.timedelta(days=3 * 365),
    )
    seated = []
    for number, name in enumerate(names):
        user = make_user(name, None)
        access.grant_committee_member(user, estate)
        CommitteeMember.objects.create(
            committee=committee, user=user, name=name, position="chair" if not number else "member"
        )
        seated.append(user)
    return seated


def add_units(estate, *areas) -> list[Unit]:
    return [
        Unit.objects.create(
            estate=estate, building="1", room=f"{101 + n}", exclusive_area=Decimal(str(a))
        )
        for n, a in enumerate(areas)
    ]


def call(member, estate, *, matter="9", hours=48, **kw):
    now = timezone.now()
    return votes.call_vote(
        actor=member,
        estate=estate,
        matter=matter,
        question=kw.pop("question", "是否同意增设充电桩？"),
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(hours=hours),
        **kw,
    )


def codes(vote) -> dict[int, str]:
    return {b.unit_id: votes.unit_code(vote, b.unit_id) for b in vote.ballots.all()}
