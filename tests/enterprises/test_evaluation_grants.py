"""One object permission, two sources: ``evaluate_estate`` is held by a seat on the estate's
owners' committee and by an evaluator's engagement on it; ending one leaves it while the
other still stands (``enterprises.access``)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from enterprises import access, evaluators, permissions
from enterprises.models import CommitteeMember, CommitteePosition, OwnersCommittee
from tests.enterprises.test_evaluators import DAY, TODAY, details
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_evaluator(admin):
    organisation = evaluators.register_organisation(actor=admin, **details())
    user = make_user("org_evaluator", None)
    access.grant_evaluator(user, organisation)
    return user


@pytest.fixture
def member_and_evaluator(staff_evaluator, official, admin, estate_x):
    """An evaluator engaged on estate X who also sits on X's current owners' committee."""
    engagement = evaluators.engage(
        actor=official, evaluator=staff_evaluator, estate=estate_x,
        starts_on=TODAY, ends_on=TODAY + 30 * DAY,
    )  # fmt: skip
    committee = OwnersCommittee.objects.create(
        estate=estate_x, term_starts_on=TODAY - DAY, term_ends_on=TODAY + 365 * DAY, filed_by=admin
    )
    seat = CommitteeMember.objects.create(
        committee=committee, user=staff_evaluator, name="王芳", position=CommitteePosition.MEMBER
    )
    access.grant_committee_member(staff_evaluator, estate_x)
    return engagement, seat


def evaluates(user, estate) -> bool:
    user = get_user_model().objects.get(pk=user.pk)
    return permissions.can_evaluate_estate(user, estate)


def test_leaving_the_committee_keeps_the_evaluation_an_engagement_holds(
    member_and_evaluator, staff_evaluator, estate_x
):
    _engagement, seat = member_and_evaluator
    seat.removed_at = timezone.now()
    seat.save(update_fields=["removed_at"])
    access.withdraw_committee_member(staff_evaluator, estate_x)
    assert evaluates(staff_evaluator, estate_x)


def test_ending_the_engagement_keeps_the_evaluation_a_committee_seat_holds(
    member_and_evaluator, staff_evaluator, official, estate_x
):
    engagement, seat = member_and_evaluator
    evaluators.end_engagement(engagement, actor=official, reason="合同提前终止")
    assert evaluates(staff_evaluator, estate_x)
    seat.removed_at = timezone.now()
    seat.save(update_fields=["removed_at"])
    access.withdraw_committee_member(staff_evaluator, estate_x)  # now neither holds it
    assert not evaluates(staff_evaluator, estate_x)
