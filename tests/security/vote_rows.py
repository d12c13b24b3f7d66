"""The owners' vote and handover screens' rows of the permission table (issue 19): who may
list and open votes and handovers, print ballots, run a vote, start and confirm a handover.

The world holds per side a filed vote that passed the dismissal of the side's company (the
marker is its question) and the handover it started, towards a third company of the side (the
marker is that company's name). The committee member of the world holds no seat on a current
committee, so they see their estate's votes but may run none (403); officials see their
district's filed votes and start handovers; the outgoing company confirms its side of the
handover. Running a vote, paper ballots and the ballot sheet are refused to every role here
(tests/enterprises/test_votes.py and test_vote_screens.py run them with seated members).

Listed in ``all_rows.ROW_MODULES``; ``build`` adds its records to the world.
"""

from tests.security.permission_table import (
    CHANGE,
    COMMITTEE_X,
    COMPANIES,
    EXPORT,
    LIST,
    NOBODY,
    OFFICIALS,
    SIDES,
    TRANSITION,
    VIEW,
    Row,
    sees,
)

VOTERS = sees(OFFICIALS, COMMITTEE_X)
HANDOVER_SEERS = sees(OFFICIALS, COMMITTEE_X, COMPANIES)


def build(world, district, estates) -> None:
    import datetime

    from django.utils import timezone

    from enterprises.models import (
        Company,
        Handover,
        OwnersCommittee,
        ServiceContract,
        Vote,
    )

    now, today = timezone.now(), timezone.localdate()
    world.objects["vote"], world.objects["handover"] = {}, {}
    for side in SIDES:
        estate = estates[side]
        committee = OwnersCommittee.objects.create(
            estate=estate,
            term_starts_on=today - datetime.timedelta(days=9 * 365),
            term_ends_on=today - datetime.timedelta(days=5 * 365),
        )
        vote = Vote.objects.create(
            estate=estate,
            committee=committee,
            matter="4",
            question=f"MK-VOTE-{side}",
            company=estate.managing_company,
            dismissal=True,
            opens_at=now - datetime.timedelta(days=20),
            closes_at=now - datetime.timedelta(days=10),
            status="filed",
            passed=True,
            result={"checks": []},
            called_by=world.users["admin"],
        )
        incoming = Company.objects.create(
            name=f"MK-INCOMING-{side}",
            credit_code=f"91330100MK{side:07d}X"[:18],
            district=district[side],
        )
        terms = {
            "estate": estate,
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=3 * 365),
            "service_level": "2",
            "fee_per_sqm_month": "2.00",
            "document": "contracts/matrix.pdf",
        }
        outgoing = ServiceContract.objects.create(company=estate.managing_company, **terms)
        new_contract = ServiceContract.objects.create(company=incoming, **terms)
        world.objects["vote"][side] = vote
        world.objects["handover"][side] = Handover.objects.create(
            vote=vote,
            estate=estate,
            outgoing_contract=outgoing,
            incoming_contract=new_contract,
            terminates_on=today,
            due_on=today + datetime.timedelta(days=30),
            started_by=world.users["admin"],
        )
    world.markers["vote"] = {side: f"MK-VOTE-{side}" for side in SIDES}
    world.markers["handover"] = {side: f"MK-INCOMING-{side}" for side in SIDES}


def _vote_state(vote) -> tuple:
    from enterprises.models import Ballot, Handover, Vote

    row = Vote.objects.filter(pk=vote.pk).values_list("status", "passed").first()
    return row, Ballot.objects.exclude(choice="").count(), Handover.objects.count()


def _handover_state(handover) -> tuple:
    from enterprises.models import Handover, HandoverConfirmation

    status = Handover.objects.filter(pk=handover.pk).values_list("status", flat=True).first()
    return status, HandoverConfirmation.objects.filter(handover_id=handover.pk).count()


ROWS = [
    Row("vote", LIST, "votes:index", VOTERS, args=lambda o: (), listing=True),
    Row("vote", VIEW, "votes:vote", VOTERS),
    Row(None, CHANGE, "votes:call", NOBODY, args=lambda o: ()),
    Row("vote", EXPORT, "votes:sheet", NOBODY),
    Row(
        "vote",
        TRANSITION,
        "votes:act",
        NOBODY,
        method="post",
        data={"step": "tally"},
        state=_vote_state,
    ),
    Row(
        "vote",
        CHANGE,
        "votes:paper",
        NOBODY,
        method="post",
        data={"code": "ABCD-EFGH-JKLM", "choice": "yes"},
        state=_vote_state,
    ),
    Row(
        "vote",
        TRANSITION,
        "votes:start_handover",
        sees(OFFICIALS),
        method="post",
        data={},
        state=_vote_state,
    ),
    Row("handover", LIST, "votes:handovers", HANDOVER_SEERS, args=lambda o: (), listing=True),
    Row("handover", VIEW, "votes:handover", HANDOVER_SEERS),
    Row(
        "handover",
        TRANSITION,
        "votes:confirm_handover",
        sees(COMPANIES),
        method="post",
        data={"party": "outgoing"},
        state=_handover_state,
    ),
]

VIEWERS = {"vote": VOTERS, "handover": HANDOVER_SEERS}

NOT_OBJECT_SCOPED = {
    "owners_vote": "the public ballot page: a vote's question; the unit's one-time code is the "
    "owner's proof (tests/portal/test_owners_vote_page.py)",
}

NOT_YET_COVERED: dict[str, str] = {}
