"""The owners' vote (业主共同决定): called by the estate's current committee, opened with one
ballot per exclusive unit, cast with one-time codes (on the public site, or on paper entered by
one committee member and confirmed by another), closed, tallied (``enterprises.vote_tally``)
and filed with the regulator. States: draft -> open -> closed -> tallied -> filed.

The code of a unit is derived from the server's secret and the vote's random salt (HMAC), so
the ballot sheet can be printed again while the database keeps only each code's digest; a code
is looked up by its digest, so a code of another vote or estate is recognised and refused, and
a spent one is refused a second time. Every function takes the acting user (None on the public
site), changes everything or nothing in one transaction with the vote row locked, and writes an
audit event; no event records how a unit voted.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enterprises import people, permissions, vote_tally
from enterprises.models import (
    Ballot,
    BallotChannel,
    BallotChoice,
    Company,
    Estate,
    Matter,
    Unit,
    Vote,
    VoteStatus,
)
from foundation import audit
from foundation.state_machine import StateMachine

CALLED = "enterprises.vote.called"
OPENED = "enterprises.vote.opened"
CAST = "enterprises.vote.ballot_cast"
PAPER_ENTERED = "enterprises.vote.paper_ballot_entered"
PAPER_CONFIRMED = "enterprises.vote.paper_ballot_confirmed"
PAPER_DISCARDED = "enterprises.vote.paper_ballot_discarded"
CLOSED = "enterprises.vote.closed"
TALLIED = "enterprises.vote.tallied"
FILED = "enterprises.vote.filed"

# Codes: 12 characters of an alphabet without 0/O and 1/I (60 bits), printed in groups of 4.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12


class VoteRefused(people.PersonRefused):
    """The vote cannot be changed as asked; ``field`` names the form field at fault."""


class VoteNotAllowed(VoteRefused, people.NotAllowed):
    """The actor may not do this for this estate's votes."""


def _write(vote: Vote, action: str, *, actor, from_status=None, to_status=None, **data):
    return audit.record_event(
        actor=actor,
        action=action,
        label=str(vote),
        filters={
            "vote": vote.pk,
            "estate": vote.estate_id,
            **({"from": from_status, "to": to_status} if to_status else {}),
            **data,
        },
    )


VOTE_MACHINE = StateMachine(
    Vote,
    transitions={
        VoteStatus.DRAFT: {VoteStatus.OPEN},
        VoteStatus.OPEN: {VoteStatus.CLOSED},
        VoteStatus.CLOSED: {VoteStatus.TALLIED},
        VoteStatus.TALLIED: {VoteStatus.FILED},
        VoteStatus.FILED: set(),
    },
    error=VoteRefused,
    refusal=_("A vote that is “%(current)s” cannot become “%(target)s”."),
    writer=_write,
    lock_of=("self",),
)


# Codes ----------------------------------------------------------------------------------------


def unit_code(vote: Vote, unit_id: int) -> str:
    """The one-time code of ``unit_id`` in ``vote`` (the same each time it is printed)."""
    message = f"owners-vote:{vote.code_salt}:{unit_id}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _position in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def spaced(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(typed: str) -> str:
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def code_digest(code: str) -> str:
    return hashlib.sha256(f"ballot:{normalise_code(code)}".encode()).hexdigest()


# Who ------------------------------------------------------------------------------------------


def _seat_or_refuse(actor, estate: Estate):
    seat = permissions.committee_seat(actor, estate)
    if seat is None:
        raise VoteNotAllowed(
            _("Only members of the estate's current owners' committee may do this."), "estate"
        )
    return seat


def _lock(vote: Vote) -> Vote:
    return VOTE_MACHINE.lock(vote)


# The committee's verbs ------------------------------------------------------------------------


@transaction.atomic
def call_vote(
    *,
    actor,
    estate: Estate,
    matter: str,
    question: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    company: Company | None = None,
    dismissal: bool = False,
) -> Vote:
    """The committee calls a vote (a draft until opened)."""
    seat = _seat_or_refuse(actor, estate)
    question = (question or "").strip()
    if matter not in Matter.values:
        raise VoteRefused(_("Choose a matter of Civil Code art. 278."), "matter")
    if not question:
        raise VoteRefused(_("Enter the question put to the owners."), "question")
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise VoteRefused(_("Voting must close after it opens."), "closes_at")
    if closes_at <= timezone.now():
        raise VoteRefused(_("Voting must close in the future."), "closes_at")
    if matter == Matter.COMPANY and company is None:
        raise VoteRefused(_("Name the company to be hired or dismissed."), "company")
    if matter != Matter.COMPANY and (company is not None or dismissal):
        raise VoteRefused(_("Only matter (4) names a company."), "company")
    if dismissal and company.pk != estate.managing_company_id:
        raise VoteRefused(_("Only the estate's managing company can be dismissed."), "company")
    vote = Vote.objects.create(
        estate=estate,
        committee=seat.committee,
        matter=matter,
        question=question,
        company=company,
        dismissal=dismissal,
        opens_at=opens_at,
        closes_at=closes_at,
        code_salt=secrets.token_hex(16),
        called_by=actor,
    )
    _write(vote, CALLED, actor=actor, matter=matter, dismissal=dismissal)
    return vote


@transaction.atomic
def open_vote(vote: Vote, *, actor) -> Vote:
    """Open the vote: one ballot (one code) per unit of the estate as it stands now."""
    _seat_or_refuse(actor, vote.estate)
    locked = _lock(vote)
    if locked.status == VoteStatus.OPEN:
        return locked
    VOTE_MACHINE.check(locked, VoteStatus.OPEN)
    if locked.closes_at <= timezone.now():
        raise VoteRefused(_("Voting must close in the future."), "closes_at")
    unit_ids = list(Unit.objects.filter(estate_id=locked.estate_id).values_list("pk", flat=True))
    if not unit_ids:
        raise VoteRefused(_("Import the estate's units before opening a vote."), "estate")
    Ballot.objects.bulk_create(
        Ballot(vote=locked, unit_id=pk, code_digest=code_digest(unit_code(locked, pk)))
        for pk in unit_ids
    )
    VOTE_MACHINE.move(
        locked, VoteStatus.OPEN, actor=actor, action=OPENED, data={"ballots": len(unit_ids)}
    )
    return locked


def _ballot_for(vote: Vote, code: str) -> Ballot:
    """The ballot of ``code`` in ``vote``, locked; refused for an unknown code, one of
    another vote or estate, or one already spent."""
    if len(normalise_code(code)) != CODE_LENGTH:
        raise VoteRefused(_("Enter the 12-character code printed on the ballot."), "code")
    ballot = (
        Ballot.objects.select_for_update(of=("self",))
        .select_related("vote", "unit")
        .filter(code_digest=code_digest(code))
        .first()
    )
    if ballot is None:
        raise VoteRefused(_("This code is not a ballot code."), "code")
    if ballot.vote_id != vote.pk:
        if ballot.vote.estate_id != vote.estate_id:
            raise VoteRefused(_("This code belongs to another estate."), "code")
        raise VoteRefused(_("This code belongs to another vote."), "code")
    if ballot.choice:
        raise VoteRefused(_("This code has already been used."), "code")
    return ballot


def _check_choice(choice: str) -> None:
    if choice not in BallotChoice.values:
        raise VoteRefused(_("Choose yes, no or abstain."), "choice")


@transaction.atomic
def cast_ballot(vote: Vote, *, code: str, choice: str) -> Ballot:
    """An owner votes on the public site with the unit's code (no account: the code is the
    owner's proof, as the paper ballot would be)."""
    _check_choice(choice)
    locked = _lock(vote)
    now = timezone.now()
    if locked.status != VoteStatus.OPEN or not (locked.opens_at <= now < locked.closes_at):
        raise VoteRefused(_("This vote is not open for voting now."), "code")
    ballot = _ballot_for(locked, code)
    ballot.choice, ballot.channel, ballot.cast_at = choice, BallotChannel.ONLINE, now
    ballot.save(update_fields=["choice", "channel", "cast_at"])
    _write(locked, CAST, actor=None, unit=ballot.unit_id)
    return ballot


@transaction.atomic
def enter_paper_ballot(vote: Vote, *, actor, code: str, choice: str) -> Ballot:
    """A committee member enters a paper ballot (by the code printed on it); it counts once
    another member confirms it."""
    _seat_or_refuse(actor, vote.estate)
    _check_choice(choice)
    locked = _lock(vote)
    if locked.status not in (VoteStatus.OPEN, VoteStatus.CLOSED):
        raise VoteRefused(
            _("Paper ballots are entered while the vote is open or closed, before the tally."),
            "code",
        )
    ballot = _ballot_for(locked, code)
    if ballot.vote.opens_at > timezone.now():
        raise VoteRefused(_("Voting has not started yet."), "code")
    ballot.choice, ballot.channel, ballot.cast_at = choice, BallotChannel.PAPER, timezone.now()
    ballot.entered_by = actor
    ballot.save(update_fields=["choice", "channel", "cast_at", "entered_by"])
    _write(locked, PAPER_ENTERED, actor=actor, unit=ballot.unit_id)
    return ballot


def _pending_paper(vote: Vote, ballot_id: int) -> Ballot:
    ballot = (
        Ballot.objects.select_for_update()
        .filter(pk=ballot_id, vote=vote, channel=BallotChannel.PAPER, confirmed_at__isnull=True)
        .exclude(choice="")
        .first()
    )
    if ballot is None:
        raise VoteRefused(_("This paper ballot is not waiting for confirmation."), "ballot")
    if vote.status not in (VoteStatus.OPEN, VoteStatus.CLOSED):
        raise VoteRefused(_("The vote has been tallied; its ballots are final."), "ballot")
    return ballot


@transaction.atomic
def confirm_paper_ballot(ballot: Ballot, *, actor) -> Ballot:
    """A second committee member confirms a paper ballot as entered; never its enterer."""
    _seat_or_refuse(actor, ballot.vote.estate)
    locked = _lock(ballot.vote)
    ballot = _pending_paper(locked, ballot.pk)
    if ballot.entered_by_id == actor.pk:
        raise VoteRefused(
            _("Another committee member must confirm the paper ballot you entered."), "ballot"
        )
    ballot.confirmed_by, ballot.confirmed_at = actor, timezone.now()
    ballot.save(update_fields=["confirmed_by", "confirmed_at"])
    _write(
        locked, PAPER_CONFIRMED, actor=actor, unit=ballot.unit_id, entered_by=ballot.entered_by_id
    )
    return ballot


@transaction.atomic
def discard_paper_ballot(ballot: Ballot, *, actor) -> Ballot:
    """A pending paper ballot entered wrongly is discarded: its code may be entered again."""
    _seat_or_refuse(actor, ballot.vote.estate)
    locked = _lock(ballot.vote)
    ballot = _pending_paper(locked, ballot.pk)
    entered_by = ballot.entered_by_id
    ballot.choice, ballot.channel, ballot.cast_at, ballot.entered_by = "", "", None, None
    ballot.save(update_fields=["choice", "channel", "cast_at", "entered_by"])
    _write(locked, PAPER_DISCARDED, actor=actor, unit=ballot.unit_id, entered_by=entered_by)
    return ballot


@transaction.atomic
def close_vote(vote: Vote, *, actor) -> Vote:
    """Close the vote once its period is over."""
    _seat_or_refuse(actor, vote.estate)
    locked = _lock(vote)
    if locked.status == VoteStatus.CLOSED:
        return locked
    VOTE_MACHINE.check(locked, VoteStatus.CLOSED)
    if timezone.now() < locked.closes_at:
        raise VoteRefused(
            _("Voting is open until %(closes)s; close it after that.")
            % {"closes": timezone.localtime(locked.closes_at).strftime("%Y-%m-%d %H:%M")},
            "closes_at",
        )
    VOTE_MACHINE.move(locked, VoteStatus.CLOSED, actor=actor, action=CLOSED)
    return locked


def counted_choices(vote: Vote) -> dict[int, str]:
    """Unit -> choice of the ballots that count (online, or paper and confirmed)."""
    ballots = Ballot.objects.filter(vote=vote).exclude(choice="")
    return {
        b.unit_id: b.choice
        for b in ballots.only("unit_id", "choice", "channel", "confirmed_at")
        if b.counts
    }


@transaction.atomic
def tally_vote(vote: Vote, *, actor) -> Vote:
    """Count the closed vote by art. 278 (``enterprises.vote_tally``); refused before the
    vote closes and while a paper ballot waits for its confirmation."""
    _seat_or_refuse(actor, vote.estate)
    locked = _lock(vote)
    if locked.status == VoteStatus.TALLIED:
        return locked
    if locked.status in (VoteStatus.DRAFT, VoteStatus.OPEN):
        raise VoteRefused(_("A vote is tallied only after it closes."), "status")
    VOTE_MACHINE.check(locked, VoteStatus.TALLIED)
    pending = Ballot.objects.filter(
        vote=locked, channel=BallotChannel.PAPER, confirmed_at__isnull=True
    ).exclude(choice="")
    count = pending.count()
    if count:
        raise VoteRefused(
            ngettext(
                "%(count)d paper ballot waits for a second member's confirmation.",
                "%(count)d paper ballots wait for a second member's confirmation.",
                count,
            )
            % {"count": count},
            "status",
        )
    units = Unit.objects.filter(estate_id=locked.estate_id).only(
        "pk", "exclusive_area", "developer_held", "owner_id"
    )
    result = vote_tally.tally(units, counted_choices(locked), matter=locked.matter)
    VOTE_MACHINE.move(
        locked,
        VoteStatus.TALLIED,
        actor=actor,
        action=TALLIED,
        data={"passed": result.passed},
        result=result.as_record(),
        passed=result.passed,
        tallied_at=timezone.now(),
    )
    return locked


@transaction.atomic
def file_vote(vote: Vote, *, actor) -> Vote:
    """File the tallied result with the regulator: the district's officials see it from now."""
    _seat_or_refuse(actor, vote.estate)
    locked = _lock(vote)
    if locked.status == VoteStatus.FILED:
        return locked
    VOTE_MACHINE.move(
        locked,
        VoteStatus.FILED,
        actor=actor,
        action=FILED,
        data={"passed": locked.passed, "district": locked.estate.district_id},
        filed_at=timezone.now(),
        filed_by=actor,
    )
    return locked
