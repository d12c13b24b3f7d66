"""Replacement and handover (交接) after the owners dismissed their company (art. 278 (4)).

An official of the district starts the handover from the filed vote that passed the dismissal:
it names the new company's contract submitted for filing, the date the outgoing contract is
terminated at, the date the handover is due, and the checklist (documents, keys, funds,
facilities). The outgoing company, the incoming company and the committee each confirm the
checklist; the third confirmation completes it in the same transaction: the outgoing contract
is terminated and the incoming one filed (``enterprises.contracts``, by the official who started
the handover), so the estate's ``managing_company`` becomes the new company and the next
complaint about the estate goes to it (``cases.dispatch`` routes by it). A handover past its
due date is flagged to the district's officials once, by a daily sweep.

Locks: the estate first, then the handover (the order ``enterprises.contracts`` uses).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enterprises import contracts, people, permissions
from enterprises.models import (
    ContractStatus,
    Estate,
    Handover,
    HandoverCategory,
    HandoverConfirmation,
    HandoverItem,
    HandoverParty,
    HandoverStatus,
    Matter,
    ServiceContract,
    Vote,
    VoteStatus,
)
from foundation import audit
from foundation.notifications import notify
from foundation.roles import Role

STARTED = "enterprises.handover.started"
CONFIRMED = "enterprises.handover.confirmed"
COMPLETED = "enterprises.handover.completed"
OVERDUE = "enterprises.handover.overdue_flagged"

DEFAULT_ITEMS = (
    (HandoverCategory.DOCUMENTS, _("As-built drawings, equipment files and owners' records")),
    (HandoverCategory.KEYS, _("Keys and access cards of plant rooms and common parts")),
    (HandoverCategory.FUNDS, _("Balances of public revenue and prepaid fees, with accounts")),
    (HandoverCategory.FACILITIES, _("Common facilities and equipment, inspected on site")),
)


class HandoverRefused(people.PersonRefused):
    """The handover cannot be done as asked; ``field`` names the form field at fault."""


class HandoverNotAllowed(HandoverRefused, people.NotAllowed):
    """The actor may not do this for this handover."""


def _audit(actor, action: str, handover: Handover, **data) -> None:
    audit.record_event(
        actor=actor,
        action=action,
        label=str(handover),
        filters={"handover": handover.pk, "estate": handover.estate_id, **data},
    )


def _check_vote(vote: Vote) -> None:
    if not (
        vote.status == VoteStatus.FILED
        and vote.passed
        and vote.matter == Matter.COMPANY
        and vote.dismissal
    ):
        raise HandoverRefused(
            _("A handover starts from a filed vote that passed the company's dismissal."), "vote"
        )
    if Handover.objects.filter(vote=vote).exists():
        raise HandoverRefused(_("This vote's handover has already been started."), "vote")


def _outgoing(estate: Estate, vote: Vote) -> ServiceContract:
    outgoing = ServiceContract.objects.filter(estate=estate, status=ContractStatus.FILED).first()
    if outgoing is None or outgoing.company_id != vote.company_id:
        raise HandoverRefused(
            _("The dismissed company holds no filed contract of this estate."), "vote"
        )
    return outgoing


def _check_incoming(incoming, estate: Estate, outgoing: ServiceContract) -> None:
    if (
        incoming is None
        or incoming.estate_id != estate.pk
        or incoming.status != ContractStatus.SUBMITTED
    ):
        raise HandoverRefused(
            _("Choose the new company's contract of this estate submitted for filing."),
            "incoming_contract",
        )
    if incoming.company_id == outgoing.company_id:
        raise HandoverRefused(
            _("The incoming company must not be the dismissed one."), "incoming_contract"
        )


def _clean_items(items) -> list[tuple[str, str]]:
    items = [(c, (d or "").strip()) for c, d in (items or DEFAULT_ITEMS)]
    for category, description in items:
        if category not in HandoverCategory.values:
            raise HandoverRefused(_("Choose a category offered for each item."), "items")
        if not description:
            raise HandoverRefused(_("Describe each item of the checklist."), "items")
    missing = set(HandoverCategory.values) - {category for category, _d in items}
    if missing:
        raise HandoverRefused(
            _("The checklist needs documents, keys, funds and facilities."), "items"
        )
    return items


@transaction.atomic
def start_handover(
    vote: Vote,
    *,
    actor,
    incoming_contract: ServiceContract | None,
    terminates_on: datetime.date | None,
    due_on: datetime.date | None,
    items: list[tuple[str, str]] | None = None,
) -> Handover:
    """An official starts the handover the owners decided."""
    if actor is None or not permissions.can_decide_for_estate(actor, vote.estate):
        raise HandoverNotAllowed(_("You may not start handovers of this estate."), "vote")
    estate = Estate.objects.select_for_update().get(pk=vote.estate_id)
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    _check_vote(vote)
    outgoing = _outgoing(estate, vote)
    _check_incoming(incoming_contract, estate, outgoing)
    today = timezone.localdate()
    if terminates_on is None or terminates_on < today:
        raise HandoverRefused(
            _("Enter the date the outgoing contract ends, today or later."), "terminates_on"
        )
    if due_on is None or due_on < terminates_on:
        raise HandoverRefused(_("The handover is due on or after that date."), "due_on")
    items = _clean_items(items)
    handover = Handover.objects.create(
        vote=vote,
        estate=estate,
        outgoing_contract=outgoing,
        incoming_contract=incoming_contract,
        terminates_on=terminates_on,
        due_on=due_on,
        started_by=actor,
    )
    HandoverItem.objects.bulk_create(
        HandoverItem(handover=handover, category=c, description=str(d)) for c, d in items
    )
    _audit(
        actor,
        STARTED,
        handover,
        vote=vote.pk,
        outgoing=outgoing.company_id,
        incoming=incoming_contract.company_id,
        terminates_on=str(terminates_on),
        due_on=str(due_on),
    )
    return handover


@transaction.atomic
def confirm_handover(handover: Handover, *, actor, party: str) -> Handover:
    """One party confirms the checklist; the third confirmation completes the handover."""
    if party not in HandoverParty.values:
        raise HandoverRefused(_("Choose the side you confirm for."), "party")
    Estate.objects.select_for_update().get(pk=handover.estate_id)
    locked = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("estate", "outgoing_contract__company", "incoming_contract__company")
        .get(pk=handover.pk)
    )
    if actor is None or party not in permissions.handover_parties_of(actor, locked):
        raise HandoverNotAllowed(
            _("You may not confirm this handover for the %(party)s.")
            % {"party": HandoverParty(party).label},
            "party",
        )
    if locked.status != HandoverStatus.OPEN:
        raise HandoverRefused(_("This handover is already completed."), "party")
    if locked.confirmations.filter(party=party).exists():
        return locked
    HandoverConfirmation.objects.create(handover=locked, party=party, confirmed_by=actor)
    _audit(actor, CONFIRMED, locked, party=party)
    if locked.confirmations.count() == len(HandoverParty.values):
        _complete(locked, actor)
    return locked


def _complete(handover: Handover, actor) -> None:
    """Terminate the outgoing contract, file the incoming one: the estate changes hands."""
    official = handover.started_by
    reason = gettext(
        "Terminated on %(date)s by the owners' decision (vote %(vote)s); handed over."
    ) % {"date": handover.terminates_on.isoformat(), "vote": handover.vote_id}
    try:
        contracts.terminate_contract(handover.outgoing_contract, actor=official, reason=reason)
        contracts.file_contract(handover.incoming_contract, actor=official)
    except contracts.ContractError as error:
        raise HandoverRefused(str(error), "party") from error
    handover.status = HandoverStatus.COMPLETED
    handover.completed_at = timezone.now()
    handover.save(update_fields=["status", "completed_at"])
    _audit(
        actor,
        COMPLETED,
        handover,
        previous_company=handover.outgoing_contract.company_id,
        managing_company=handover.incoming_contract.company_id,
    )


def _district_officials(estate: Estate):
    return get_user_model().objects.filter(
        is_active=True,
        groups__name=Role.OFFICIAL.value,
        staff_profile__district_id=estate.district_id,
    )


def flag_overdue_handovers(today: datetime.date | None = None) -> int:
    """Daily: tell the district's officials of each handover past its due date, once (the
    row is re-checked under its lock; the notifications carry a dedup key)."""
    today = today or timezone.localdate()
    due = Handover.objects.filter(
        status=HandoverStatus.OPEN, due_on__lt=today, overdue_flagged_on__isnull=True
    )
    flagged = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            handover = (
                Handover.objects.select_for_update(of=("self",))
                .select_related("estate")
                .filter(pk=pk, status=HandoverStatus.OPEN, overdue_flagged_on__isnull=True)
                .first()
            )
            if handover is None:
                continue
            officials = list(_district_officials(handover.estate))
            with translation.override(settings.LANGUAGE_CODE):
                subject = gettext("Handover of %(estate)s is overdue") % {
                    "estate": handover.estate.name
                }
                body = gettext(
                    "The handover of %(estate)s was due on %(due)s and is not confirmed by "
                    "all sides. Follow it up in the portal."
                ) % {"estate": handover.estate.name, "due": handover.due_on.isoformat()}
            for official in officials:
                notify(
                    dedup_key=f"handover:{handover.pk}:overdue:{official.pk}",
                    subject=subject,
                    body=body,
                    email=official.email,
                )
            handover.overdue_flagged_on = today
            handover.save(update_fields=["overdue_flagged_on"])
            _audit(None, OVERDUE, handover, officials=[o.pk for o in officials])
            flagged += 1
    return flagged
