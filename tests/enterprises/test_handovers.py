"""Replacement and handover (交接) after a passed dismissal: started by the district's official,
confirmed by the outgoing company, the incoming company and the committee; the third
confirmation changes the contracts and the estate's managing company. Overdue ones are flagged
to the district's officials once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from enterprises import contracts, handovers
from enterprises.handovers import HandoverNotAllowed, HandoverRefused
from enterprises.models import (
    ContractStatus,
    Estate,
    Handover,
    HandoverStatus,
    Matter,
    Vote,
    VoteStatus,
)
from enterprises.tasks import flag_overdue_handovers_task
from foundation.models import AuditEvent, Notification
from foundation.roles import Role
from tests.enterprises.pdfs import contract_pdf
from tests.enterprises.vote_helpers import seat_committee
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def submit(staff, company, estate):
    return contracts.submit_contract(
        actor=staff,
        company=company,
        estate=estate,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=3 * 365),
        service_level="2",
        fee_per_sqm_month=Decimal("2.50"),
        fee_items="",
        document=contract_pdf(),
    )


@pytest.fixture
def world(estate_x, company_a, company_a_staff, company_b, company_b_staff, official):
    """Estate X managed by company A under a filed contract, company B's contract submitted,
    the owners' filed vote dismissing A, and the committee's chair."""
    chair = seat_committee(estate_x, "chair_x")[0]
    outgoing = contracts.file_contract(submit(company_a_staff, company_a, estate_x), actor=official)
    incoming = submit(company_b_staff, company_b, estate_x)
    now = timezone.now()
    vote = Vote.objects.create(
        estate=estate_x,
        committee=chair.committee_seats.get().committee,
        matter=Matter.COMPANY,
        question="解聘甲物业",
        company=company_a,
        dismissal=True,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now - dt.timedelta(days=3),
        status=VoteStatus.FILED,
        passed=True,
        called_by=chair,
    )
    return {"vote": vote, "outgoing": outgoing, "incoming": incoming, "chair": chair}


def start(world, actor, **changes):
    fields = {
        "incoming_contract": world["incoming"],
        "terminates_on": TODAY + dt.timedelta(days=15),
        "due_on": TODAY + dt.timedelta(days=30),
    }
    fields.update(changes)
    return handovers.start_handover(world["vote"], actor=actor, **fields)


def test_the_third_confirmation_hands_the_estate_to_the_new_company(
    world, official, company_a_staff, company_b_staff, company_b, estate_x
):
    handover = start(world, official)
    assert handover.items.count() == 4
    handovers.confirm_handover(handover, actor=company_a_staff, party="outgoing")
    handovers.confirm_handover(handover, actor=company_a_staff, party="outgoing")  # quiet
    handovers.confirm_handover(handover, actor=company_b_staff, party="incoming")
    assert Estate.objects.get(pk=estate_x.pk).managing_company_id != company_b.pk
    handovers.confirm_handover(handover, actor=world["chair"], party="committee")
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.COMPLETED
    assert Estate.objects.get(pk=estate_x.pk).managing_company == company_b
    world["outgoing"].refresh_from_db()
    world["incoming"].refresh_from_db()
    assert (world["outgoing"].status, world["incoming"].status) == (
        ContractStatus.TERMINATED,
        ContractStatus.FILED,
    )
    assert str(handover.terminates_on) in world["outgoing"].decision_reason
    actions = AuditEvent.objects.filter(action__startswith="enterprises.handover.")
    assert list(actions.order_by("pk").values_list("action", flat=True)) == [
        handovers.STARTED,
        *[handovers.CONFIRMED] * 3,
        handovers.COMPLETED,
    ]
    with pytest.raises(HandoverRefused, match="already completed"):
        handovers.confirm_handover(handover, actor=company_a_staff, party="outgoing")


def test_only_the_districts_official_starts_a_handover(
    world, district_2, company_a_staff, inspector
):
    official_2 = make_user("official_2", Role.OFFICIAL, district=district_2)
    for outsider in (official_2, world["chair"], company_a_staff, inspector, None):
        with pytest.raises(HandoverNotAllowed):
            start(world, outsider)
    assert not Handover.objects.exists()


BAD_STARTS = [
    ({"passed": False}, {}, "vote"),
    ({"status": VoteStatus.TALLIED}, {}, "vote"),
    ({"dismissal": False}, {}, "vote"),
    ({}, {"incoming_contract": None}, "incoming_contract"),
    ({}, {"terminates_on": TODAY - dt.timedelta(days=1)}, "terminates_on"),
    ({}, {"due_on": TODAY}, "due_on"),
    ({}, {"items": [("keys", "钥匙")]}, "items"),
    (
        {},
        {"items": [("keys", " "), ("funds", "a"), ("documents", "b"), ("facilities", "c")]},
        "items",
    ),
]


def test_bad_starts_are_refused_naming_the_field(world, official):
    """One world for every case: a refusal writes nothing, so the next case starts clean."""
    original = {"passed": True, "status": VoteStatus.FILED, "dismissal": True}
    for vote_changes, start_changes, field in BAD_STARTS:
        Vote.objects.filter(pk=world["vote"].pk).update(**{**original, **vote_changes})
        world["vote"].refresh_from_db()
        with pytest.raises(HandoverRefused) as refusal:
            start(world, official, **start_changes)
        assert refusal.value.field == field, (vote_changes, start_changes)
        assert not Handover.objects.exists()


def test_the_dismissed_company_cannot_come_back_in_and_a_vote_starts_one_handover(
    world, official, company_a, company_a_staff, estate_x
):
    with pytest.raises(HandoverRefused, match="must not be the dismissed"):
        start(world, official, incoming_contract=submit(company_a_staff, company_a, estate_x))
    start(world, official)
    with pytest.raises(HandoverRefused, match="already been started"):
        start(world, official)


def test_each_side_confirms_only_for_itself(world, official, company_a_staff, company_b_staff):
    handover = start(world, official)
    refusals = [
        (company_a_staff, "incoming"),
        (company_b_staff, "outgoing"),
        (company_b_staff, "committee"),
        (official, "committee"),
        (world["chair"], "outgoing"),
    ]
    for actor, party in refusals:
        with pytest.raises(HandoverNotAllowed):
            handovers.confirm_handover(handover, actor=actor, party=party)
    with pytest.raises(HandoverRefused, match="side"):
        handovers.confirm_handover(handover, actor=world["chair"], party="owners")
    assert not handover.confirmations.exists()


def test_an_overdue_handover_is_flagged_to_the_districts_officials_once(
    world, official, district_2
):
    make_user("official_2", Role.OFFICIAL, district=district_2)
    handover = start(world, official)
    assert handovers.flag_overdue_handovers(handover.due_on) == 0
    assert handovers.flag_overdue_handovers(handover.due_on + dt.timedelta(days=1)) == 1
    assert handovers.flag_overdue_handovers(handover.due_on + dt.timedelta(days=2)) == 0
    sent = Notification.objects.filter(dedup_key__startswith=f"handover:{handover.pk}:")
    assert list(sent.values_list("recipient", flat=True)) == [official.email]
    assert AuditEvent.objects.filter(action=handovers.OVERDUE).count() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["enterprises-flag-overdue-handovers"]
    assert entry["task"] == flag_overdue_handovers_task.name
    assert flag_overdue_handovers_task() == 0  # flagged already


def test_the_handover_screens_let_each_side_confirm_its_own_part(
    client, world, official, company_a_staff, company_b_staff, django_assert_max_num_queries
):
    handover = start(world, official)
    client.force_login(company_b_staff)
    with django_assert_max_num_queries(30):  # the admin's menus take most of them
        listing = client.get(reverse("votes:handovers"))
    assert list(listing.context["object_list"]) == [handover]
    page = client.get(reverse("votes:handover", args=(handover.pk,)))
    assert page.status_code == 200 and page.context["parties"][1]["mine"]
    url = reverse("votes:confirm_handover", args=(handover.pk,))
    assert client.post(url, {"party": "outgoing"}).status_code == 403
    client.post(url, {"party": "incoming"})
    assert list(handover.confirmations.values_list("party", flat=True)) == ["incoming"]
