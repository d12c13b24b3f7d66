"""One owners' vote in the demo city, tallied (``enterprises.votes``): the committee login's
estate gets its units (if no import gave it any), a vote on a charging shed, ballots cast with
the units' codes on the public page's verb, then closed and tallied by the committee. Only the
voting period is back-dated directly, as the complaints' timestamps are; nothing is made when
the vote is there already.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.utils import timezone

from enterprises import votes
from enterprises.models import Estate, Owner, Unit, Vote

QUESTION = "是否同意在3号楼北侧增设电动自行车充电棚（费用由公共收益列支）？"


def _units(estate: Estate, rng: random.Random) -> None:
    """Three buildings of twelve flats; one buyer holds three, the developer four unsold."""
    if Unit.objects.filter(estate=estate).exists():
        return
    buyer = Owner.objects.create(estate=estate, name="王建国")
    rooms = [(b, f, d) for b in ("1", "2", "3") for f in range(1, 5) for d in (1, 2, 3)]
    for number, (building, floor, door) in enumerate(rooms):
        Unit.objects.create(
            estate=estate,
            building=building,
            entrance="1",
            room=f"{floor}0{door}",
            exclusive_area=Decimal(rng.choice(["89.50", "105.20", "126.80"])),
            owner=buyer if number < 3 else None,
            developer_held=building == "3" and floor == 4,
        )


def seed_vote(committee, estate: Estate, rng: random.Random) -> Counter | None:
    if Vote.objects.filter(estate=estate, question=QUESTION).exists():
        return None
    _units(estate, rng)
    now = timezone.now()
    vote = votes.call_vote(
        actor=committee,
        estate=estate,
        matter="9",
        question=QUESTION,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(hours=1),
    )
    votes.open_vote(vote, actor=committee)
    for ballot in vote.ballots.order_by("pk"):
        if rng.random() < 0.85:
            choice = rng.choices(["yes", "no", "abstain"], weights=[7, 2, 1])[0]
            votes.cast_ballot(vote, code=votes.unit_code(vote, ballot.unit_id), choice=choice)
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=now - datetime.timedelta(days=15), closes_at=now - datetime.timedelta(days=1)
    )
    vote.refresh_from_db()
    votes.close_vote(vote, actor=committee)
    tallied = votes.tally_vote(vote, actor=committee)
    return Counter({"passed" if tallied.passed else "not passed": 1})
