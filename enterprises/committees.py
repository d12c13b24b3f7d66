"""Owners' committee filing (业主委员会备案): the regulator files a committee's term of office
and its members, renews the term, changes the members; the members' access ends with the term.

Each member is invited through ``enterprises.people.invite_person`` (role owners' committee,
scope the estate), so they receive the 72-hour link and appear on the People screens. A person
who already sat on a committee of the same estate (an earlier term; found by e-mail) is seated
again with their account as it is, not re-invited: their history stays on one account, and a
second invitation would be refused anyway (the e-mail is taken). Anyone else whose e-mail is
taken is refused, naming the member: a committee seat is not a way to move someone's account.

Access is granted at the filing (so members can accept and prepare before the term starts)
and withdrawn by ``end_expired_terms`` once ``term_ends_on`` (the last day of the term) has
passed, unless the person sits on another current committee of the estate. A renewal of a
committee whose access already ended grants it again.

Every function takes the acting user, checks ``enterprises.permissions``, changes everything
or nothing in one transaction (the estate row is locked, so two filings for one estate do not
both pass the overlap check), and writes audit events (``foundation.audit.record_event``).
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enterprises import access, people, permissions
from enterprises.models import CommitteeMember, CommitteePosition, Estate, OwnersCommittee
from foundation import audit
from foundation.roles import Role

FILED = "enterprises.committee.filed"
RENEWED = "enterprises.committee.renewed"
MEMBER_ADDED = "enterprises.committee.member_added"
MEMBER_REMOVED = "enterprises.committee.member_removed"
TERM_ENDED = "enterprises.committee.term_ended"
CHAIR_CHANGED = "enterprises.committee.chair_changed"


class CommitteeRefused(people.PersonRefused):
    """The filing cannot be done as asked. ``field`` names the form field at fault; for a
    member, ``member`` is its index in the list and ``member_field`` the member's field."""

    def __init__(self, message, field=None, *, member: int | None = None, member_field=None):
        super().__init__(message, field)
        self.member = member
        self.member_field = member_field


class CommitteeNotAllowed(CommitteeRefused, people.NotAllowed):
    """The actor may not file or change committees of this estate."""


def _audit(actor, action: str, committee: OwnersCommittee, **data) -> None:
    audit.record_event(
        actor=actor,
        action=action,
        label=str(committee),
        filters={"committee": committee.pk, "estate": committee.estate_id, **data},
    )


def _refuse_unless_decides(actor, estate: Estate) -> None:
    if actor is None or not permissions.can_decide_for_estate(actor, estate):
        raise CommitteeNotAllowed(
            _("You may not file owners' committees for this estate."), "estate"
        )


def _lock_estate(estate: Estate) -> Estate:
    return Estate.objects.select_for_update().get(pk=estate.pk)


def _overlapping(estate: Estate, starts_on, ends_on, *, exclude=None):
    """Other committees of the estate whose term shares a day with this one (ends inclusive)."""
    others = OwnersCommittee.objects.filter(
        estate=estate, term_starts_on__lte=ends_on, term_ends_on__gte=starts_on
    )
    return others.exclude(pk=exclude.pk) if exclude is not None else others


def _check_term(estate, starts_on, ends_on, *, exclude=None) -> None:
    if starts_on is None:
        raise CommitteeRefused(_("Enter the first day of the term."), "term_starts_on")
    if ends_on is None or ends_on <= starts_on:
        raise CommitteeRefused(_("The term must end after it starts."), "term_ends_on")
    if _overlapping(estate, starts_on, ends_on, exclude=exclude).exists():
        raise CommitteeRefused(
            _("Another committee of this estate holds office during this term."),
            "term_starts_on" if exclude is None else "term_ends_on",
        )


def _member_label(index: int, member: dict) -> str:
    return gettext("Member %(number)d (%(name)s)") % {
        "number": index + 1,
        "name": member.get("name") or member.get("email") or "",
    }


def _refuse_member(index: int, member: dict, message, member_field: str):
    return CommitteeRefused(
        f"{_member_label(index, member)}: {message}",
        "members",
        member=index,
        member_field=member_field,
    )


def _normalise(members: list[dict]) -> list[dict]:
    users = get_user_model().objects
    return [
        {
            "name": (m.get("name") or "").strip(),
            "email": users.normalize_email((m.get("email") or "").strip()).lower(),
            "phone": (m.get("phone") or "").strip(),
            "position": m.get("position") or CommitteePosition.MEMBER,
        }
        for m in members
    ]


def _check_members(members: list[dict]) -> None:
    """At least one member, exactly one chair, each e-mail and phone once in the list."""
    if not members:
        raise CommitteeRefused(_("Name the committee's members."), "members")
    chairs = [m for m in members if m["position"] == CommitteePosition.CHAIR]
    if len(chairs) != 1:
        raise CommitteeRefused(_("Name exactly one chair of the committee."), "members")
    seen_emails, seen_phones = set(), set()
    for index, member in enumerate(members):
        if member["position"] not in CommitteePosition.values:
            raise _refuse_member(index, member, _("Choose a position offered."), "position")
        if not member["name"]:
            raise _refuse_member(index, member, _("Enter the member's name."), "name")
        if not member["email"]:
            raise _refuse_member(index, member, _("Enter the member's e-mail."), "email")
        if member["email"] in seen_emails:
            raise _refuse_member(
                index, member, _("This e-mail is given for another member."), "email"
            )
        if member["phone"] and member["phone"] in seen_phones:
            raise _refuse_member(
                index, member, _("This mobile phone is given for another member."), "phone"
            )
        seen_emails.add(member["email"])
        seen_phones.add(member["phone"])


def _earlier_member(estate: Estate, email: str):
    """The account of someone who sat on a committee of ``estate`` before, by e-mail."""
    seats = CommitteeMember.objects.filter(committee__estate=estate, user__email__iexact=email)
    seat = seats.select_related("user").first()
    return seat.user if seat is not None else None


def _seat(committee, *, actor, member: dict, index: int) -> CommitteeMember:
    """Invite the member (or seat again an earlier member of the estate) and seat them."""
    estate = committee.estate
    person = _earlier_member(estate, member["email"])
    invitation = None
    if person is None:
        try:
            invitation = people.invite_person(
                actor=actor,
                email=member["email"],
                name=member["name"],
                phone=member["phone"],
                role=Role.OWNERS_COMMITTEE,
                estate=estate,
            )
        except people.PersonRefused as refusal:
            field = refusal.field if refusal.field in ("email", "phone", "name") else "email"
            raise _refuse_member(index, member, refusal.message, field) from None
        person = invitation.user
    else:
        access.grant_committee_member(person, estate)
    seat = CommitteeMember.objects.create(
        committee=committee, user=person, name=member["name"], position=member["position"]
    )
    _audit(
        actor,
        MEMBER_ADDED,
        committee,
        person=person.pk,
        position=member["position"],
        invitation=invitation.pk if invitation is not None else None,
    )
    return seat


@transaction.atomic
def file_committee(
    *,
    actor,
    estate: Estate,
    term_starts_on: datetime.date,
    term_ends_on: datetime.date,
    filing_number: str = "",
    members: list[dict],
) -> OwnersCommittee:
    """File (备案) a committee's term of office and invite its members."""
    _refuse_unless_decides(actor, estate)
    estate = _lock_estate(estate)
    _check_term(estate, term_starts_on, term_ends_on)
    members = _normalise(members)
    _check_members(members)
    committee = OwnersCommittee.objects.create(
        estate=estate,
        filing_number=(filing_number or "").strip(),
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
        filed_by=actor,
    )
    seats = [_seat(committee, actor=actor, member=m, index=i) for i, m in enumerate(members)]
    _audit(
        actor,
        FILED,
        committee,
        term_starts_on=str(term_starts_on),
        term_ends_on=str(term_ends_on),
        filing_number=committee.filing_number,
        members=[seat.user_id for seat in seats],
    )
    return committee


def _lock(committee: OwnersCommittee) -> OwnersCommittee:
    return OwnersCommittee.objects.select_for_update().select_related("estate").get(pk=committee.pk)


def _seated(committee):
    return committee.members.filter(removed_at__isnull=True).select_related("user")


@transaction.atomic
def renew_committee(
    committee: OwnersCommittee, *, actor, term_ends_on: datetime.date
) -> OwnersCommittee:
    """Extend the term to ``term_ends_on``; a committee whose access had ended has it again."""
    _refuse_unless_decides(actor, committee.estate)
    _lock_estate(committee.estate)
    committee = _lock(committee)
    if term_ends_on is None or term_ends_on <= committee.term_ends_on:
        raise CommitteeRefused(_("The new end must be after the current end."), "term_ends_on")
    _check_term(committee.estate, committee.term_starts_on, term_ends_on, exclude=committee)
    before = committee.term_ends_on
    committee.term_ends_on = term_ends_on
    regranted = committee.ended_at is not None and term_ends_on >= timezone.localdate()
    if regranted:
        committee.ended_at = None
        for seat in _seated(committee):
            access.grant_committee_member(seat.user, committee.estate)
    committee.save(update_fields=["term_ends_on", "ended_at"])
    _audit(
        actor,
        RENEWED,
        committee,
        before=str(before),
        after=str(term_ends_on),
        access_granted_again=regranted,
    )
    return committee


@transaction.atomic
def add_member(
    committee: OwnersCommittee, *, actor, name: str, email: str, phone: str = "", position: str
) -> CommitteeMember:
    """Seat one more member (a by-election, 补选); a new chair replaces no one: seat them as
    a member, then ``make_chair``."""
    _refuse_unless_decides(actor, committee.estate)
    committee = _lock(committee)
    if committee.ended_at is not None:
        raise CommitteeRefused(_("This committee's term has ended."), "members")
    member = _normalise([{"name": name, "email": email, "phone": phone, "position": position}])[0]
    index = committee.members.count()
    if not member["name"] or not member["email"]:
        raise _refuse_member(index, member, _("Enter the member's name and e-mail."), "email")
    if member["position"] not in CommitteePosition.values:
        raise _refuse_member(index, member, _("Choose a position offered."), "position")
    seated = _seated(committee)
    if seated.filter(user__email__iexact=member["email"]).exists():
        raise _refuse_member(index, member, _("This person already sits on it."), "email")
    if committee.members.filter(user__email__iexact=member["email"]).exists():
        raise _refuse_member(
            index, member, _("This person left this committee; file a new term."), "email"
        )
    if (
        member["position"] == CommitteePosition.CHAIR
        and seated.filter(position=CommitteePosition.CHAIR).exists()
    ):
        raise _refuse_member(index, member, _("The committee already has a chair."), "position")
    return _seat(committee, actor=actor, member=member, index=index)


def _seated_for_change(seat: CommitteeMember, *, actor) -> CommitteeMember:
    """The seat, locked with its committee, once the actor may change the committee, its
    term is running and the member still sits on it."""
    _refuse_unless_decides(actor, seat.committee.estate)
    committee = _lock(seat.committee)
    if committee.ended_at is not None:
        raise CommitteeRefused(_("This committee's term has ended."), "members")
    seat = (
        CommitteeMember.objects.select_for_update(of=("self",))
        .select_related("user", "committee__estate")
        .get(pk=seat.pk)
    )
    if seat.removed_at is not None:
        raise CommitteeRefused(_("This person no longer sits on the committee."), "members")
    return seat


@transaction.atomic
def make_chair(seat: CommitteeMember, *, actor) -> CommitteeMember:
    """Another member becomes chair (改选主任) during the term; the old chair stays on the
    committee as a member. A committee always has its one chair, so this is the way to
    change it (the chair cannot be removed). The same chair again returns quietly."""
    seat = _seated_for_change(seat, actor=actor)
    if seat.position == CommitteePosition.CHAIR:
        return seat
    previous = _seated(seat.committee).filter(position=CommitteePosition.CHAIR).first()
    if previous is not None:  # first: the database allows one chair per committee
        previous.position = CommitteePosition.MEMBER
        previous.save(update_fields=["position"])
    seat.position = CommitteePosition.CHAIR
    seat.save(update_fields=["position"])
    _audit(
        actor,
        CHAIR_CHANGED,
        seat.committee,
        person=seat.user_id,
        previous=previous.user_id if previous else None,
    )
    return seat


@transaction.atomic
def resend_member_invitation(seat: CommitteeMember, *, actor):
    """A new invitation link for a seated member who has not accepted theirs (expired or
    revoked): whoever files the estate's committees may, from the committee's page (the
    People screens leave committee members to administrators)."""
    seat = _seated_for_change(seat, actor=actor)
    try:
        return people.reissue_invitation(seat.user, actor=actor)
    except people.PersonRefused as refusal:
        raise CommitteeRefused(refusal.message, "members") from refusal


def _sits_elsewhere(user, committee: OwnersCommittee, today) -> bool:
    """Whether ``user`` holds a seat on another current committee of the same estate."""
    return access.sits_on_committee(user, committee.estate_id, today=today, besides=committee)


@transaction.atomic
def remove_member(seat: CommitteeMember, *, actor) -> None:
    """A member leaves the committee: their seat is kept (removed) and their access ends,
    unless they sit on another current committee of the estate. The chair stays until
    another is named."""
    committee = _lock(seat.committee)
    _refuse_unless_decides(actor, committee.estate)
    seat = CommitteeMember.objects.select_for_update().select_related("user").get(pk=seat.pk)
    if seat.removed_at is not None:
        return
    if seat.position == CommitteePosition.CHAIR:
        raise CommitteeRefused(_("The chair cannot be removed."), "members")
    seat.removed_at = timezone.now()
    seat.save(update_fields=["removed_at"])
    if not _sits_elsewhere(seat.user, committee, timezone.localdate()):
        access.withdraw_committee_member(seat.user, committee.estate)
    _audit(actor, MEMBER_REMOVED, committee, person=seat.user_id)


def end_expired_terms(today: datetime.date | None = None) -> int:
    """Withdraw the access of the members of committees whose term is over (the sweep, run
    hourly); a member on another current committee of the estate keeps it. Each committee in
    its own transaction, re-checked under its lock, so a second run does nothing. Returns
    how many committees ended."""
    today = today or timezone.localdate()
    ended = 0
    due = OwnersCommittee.objects.filter(ended_at__isnull=True, term_ends_on__lt=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            committee = (
                OwnersCommittee.objects.select_for_update()
                .select_related("estate")
                .filter(Q(pk=pk), ended_at__isnull=True, term_ends_on__lt=today)
                .first()
            )
            if committee is None:
                continue
            withdrawn = []
            for seat in _seated(committee):
                if not _sits_elsewhere(seat.user, committee, today):
                    access.withdraw_committee_member(seat.user, committee.estate)
                    withdrawn.append(seat.user_id)
            committee.ended_at = timezone.now()
            committee.save(update_fields=["ended_at"])
            _audit(None, TERM_ENDED, committee, withdrawn=withdrawn)
            ended += 1
    return ended
