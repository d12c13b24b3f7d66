"""A merged complainant rates the primary's outcome on their own complaint: once, only after
the primary was resolved; unsatisfied reopens the primary once, later ones are flagged."""

import pytest

from cases import dispatch, merging, workflow
from cases.models import CaseStatus, Complaint, Satisfaction
from cases.workflow import TransitionNotAllowed
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def primary(estate_x):
    return make_complaint(estate=estate_x, phone="13900000001").complaint


@pytest.fixture
def follower(estate_x, primary, official):
    duplicate = make_complaint(estate=estate_x, phone="13900000002").complaint
    merging.merge_complaint(duplicate, into=primary, actor=official)
    duplicate.refresh_from_db()
    return duplicate


def resolve(primary, official, inspector):
    if primary.status in (CaseStatus.SUBMITTED,):
        workflow.accept_case(primary, actor=official)
    dispatch.dispatch_case(primary, actor=official, inspector=inspector)
    primary.refresh_from_db()
    dispatch.sign_dispatch(primary.dispatches.latest("id"), actor=inspector)
    workflow.resolve_case(primary, actor=official, reply="已修复。")
    primary.refresh_from_db()


def test_rating_before_the_primary_is_resolved_is_refused(follower, primary):
    assert not merging.can_rate_merged(follower)
    with pytest.raises(TransitionNotAllowed, match=primary.tracking_number):
        merging.record_merged_follow_up(follower, satisfaction=Satisfaction.SATISFIED)
    follower.refresh_from_db()
    assert follower.satisfaction == ""


def test_a_satisfied_rating_is_recorded_on_the_merged_complaint_only(
    follower, primary, official, inspector
):
    resolve(primary, official, inspector)
    assert merging.can_rate_merged(follower)
    merging.record_merged_follow_up(follower, satisfaction=Satisfaction.SATISFIED, comment="好")
    follower.refresh_from_db()
    primary.refresh_from_db()
    assert (follower.status, follower.satisfaction) == (CaseStatus.MERGED, Satisfaction.SATISFIED)
    assert (primary.status, primary.satisfaction) == (CaseStatus.RESOLVED, "")
    event = follower.events.get(action="cases.complaint.followed_up")
    assert event.is_public and event.data["comment"] == "好"
    assert not merging.can_rate_merged(follower)


def test_rating_twice_is_refused_and_the_same_rating_again_is_ignored(
    follower, primary, official, inspector
):
    resolve(primary, official, inspector)
    merging.record_merged_follow_up(follower, satisfaction=Satisfaction.BASICALLY)
    merging.record_merged_follow_up(follower, satisfaction=Satisfaction.BASICALLY)
    with pytest.raises(TransitionNotAllowed):
        merging.record_merged_follow_up(follower, satisfaction=Satisfaction.SATISFIED)
    follower.refresh_from_db()
    assert follower.satisfaction == Satisfaction.BASICALLY
    assert follower.events.filter(action="cases.complaint.followed_up").count() == 1


def test_an_unknown_rating_is_refused(follower, primary, official, inspector):
    resolve(primary, official, inspector)
    with pytest.raises(TransitionNotAllowed):
        merging.record_merged_follow_up(follower, satisfaction="delighted")
    follower.refresh_from_db()
    assert follower.satisfaction == ""


def test_a_case_that_is_not_merged_is_not_rated_here(primary, official, inspector):
    resolve(primary, official, inspector)
    with pytest.raises(TransitionNotAllowed):
        merging.record_merged_follow_up(primary, satisfaction=Satisfaction.SATISFIED)


def test_unsatisfied_reopens_the_primary_once_then_flags_it(
    follower, primary, estate_x, official, inspector
):
    resolve(primary, official, inspector)
    merging.record_merged_follow_up(
        follower, satisfaction=Satisfaction.UNSATISFIED, comment="没修好"
    )
    primary.refresh_from_db()
    assert (primary.status, primary.reopen_count) == (CaseStatus.REOPENED, 1)
    assert primary.events.filter(action="cases.complaint.unsatisfied_again").count() == 1

    second = make_complaint(estate=estate_x, phone="13900000003").complaint
    merging.merge_complaint(second, into=primary, actor=official)
    resolve(primary, official, inspector)
    second = Complaint.objects.get(pk=second.pk)
    merging.record_merged_follow_up(second, satisfaction=Satisfaction.UNSATISFIED)
    primary.refresh_from_db()
    assert (primary.status, primary.reopen_count) == (CaseStatus.RESOLVED, 1)  # not reopened twice
    assert primary.events.filter(action="cases.complaint.unsatisfied_again").count() == 2
