"""Merging a duplicate into a primary case: who may, which cases, what it changes, and what
the duplicate's complainant then sees and is told."""

import pytest

from cases import dispatch, merging, workflow
from cases.models import CaseEvent, CaseStatus, Complaint, Dispatch, DispatchStatus
from cases.workflow import TransitionNotAllowed
from foundation.models import Notification
from search.models import IndexOutbox
from tests.factories import make_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def primary(estate_x):
    return make_complaint(estate=estate_x, phone="13900000001").complaint


@pytest.fixture
def duplicate(estate_x):
    return make_complaint(estate=estate_x, phone="13900000002").complaint


def start(complaint, official, inspector):
    """Accepted, dispatched to the inspector, signed for: in progress."""
    workflow.accept_case(complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)


def resolve(complaint, official, inspector, reply="已修复电梯。"):
    start(complaint, official, inspector)
    workflow.resolve_case(complaint, actor=official, reply=reply)


def snapshot(*complaints):
    return [
        (c.status, c.merged_into_id, c.events.count())
        for c in Complaint.objects.filter(pk__in=[c.pk for c in complaints]).order_by("pk")
    ]


def test_an_inspector_merges_a_duplicate(primary, duplicate, inspector, official):
    workflow.accept_case(primary, actor=official)
    result = merging.merge_complaint(duplicate, into=primary, actor=inspector, note="同一部电梯")
    duplicate.refresh_from_db()
    assert result.pk == duplicate.pk
    assert (duplicate.status, duplicate.merged_into) == (CaseStatus.MERGED, primary)
    merged = duplicate.events.get(action=merging.MERGED)
    assert merged.is_public and merged.user == inspector
    assert (merged.from_status, merged.to_status) == (CaseStatus.SUBMITTED, CaseStatus.MERGED)
    assert merged.data == {"into": primary.tracking_number}
    flag = primary.events.get(action=merging.DUPLICATE_MERGED)
    assert flag.is_public is False
    assert flag.data == {"duplicate": duplicate.tracking_number, "note": "同一部电梯"}
    primary.refresh_from_db()
    assert primary.status == CaseStatus.ACCEPTED  # the primary goes on as it was


def test_merging_queues_both_cases_for_indexing(primary, duplicate, inspector):
    IndexOutbox.objects.all().delete()
    merging.merge_complaint(duplicate, into=primary, actor=inspector)
    assert set(IndexOutbox.objects.values_list("object_id", flat=True)) >= {
        primary.pk,
        duplicate.pk,
    }


def test_merging_again_into_the_same_primary_changes_nothing(primary, duplicate, official):
    merging.merge_complaint(duplicate, into=primary, actor=official)
    before = snapshot(primary, duplicate)
    merging.merge_complaint(duplicate, into=primary, actor=official)
    assert snapshot(primary, duplicate) == before


def test_the_duplicates_dispatches_are_withdrawn(
    primary, duplicate, official, inspector, company_a, company_a_staff
):
    workflow.accept_case(duplicate, actor=official)
    dispatch.dispatch_case(duplicate, actor=official, inspector=inspector, company=company_a)
    merging.merge_complaint(duplicate, into=primary, actor=official)
    assert set(Dispatch.objects.filter(complaint=duplicate).values_list("status", flat=True)) == {
        DispatchStatus.WITHDRAWN
    }
    duplicate.refresh_from_db()
    assert duplicate.dispatched_company is None
    from cases import permissions

    assert not permissions.can_view(company_a_staff, duplicate)


def test_a_duplicate_in_progress_can_be_merged(primary, duplicate, official, inspector):
    start(duplicate, official, inspector)
    merging.merge_complaint(duplicate, into=primary, actor=inspector)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED


@pytest.mark.parametrize(
    "who", ["company_a_staff", "committee_member", "citizen", "other_district_inspector"]
)
def test_outsiders_cannot_merge(who, primary, duplicate, request):
    before = snapshot(primary, duplicate)
    with pytest.raises(TransitionNotAllowed, match="both cases"):
        merging.merge_complaint(duplicate, into=primary, actor=request.getfixturevalue(who))
    assert snapshot(primary, duplicate) == before


def test_an_inspector_cannot_merge_into_a_case_of_another_district(duplicate, estate_y, inspector):
    elsewhere = make_complaint(estate=estate_y).complaint
    before = snapshot(elsewhere, duplicate)
    with pytest.raises(TransitionNotAllowed):
        merging.merge_complaint(duplicate, into=elsewhere, actor=inspector)
    assert snapshot(elsewhere, duplicate) == before


def test_an_administrator_merges_across_districts(duplicate, estate_y, admin):
    elsewhere = make_complaint(estate=estate_y).complaint
    merging.merge_complaint(duplicate, into=elsewhere, actor=admin)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == elsewhere


def test_a_case_cannot_be_merged_into_itself(primary, official):
    with pytest.raises(TransitionNotAllowed, match="itself"):
        merging.merge_complaint(primary, into=Complaint.objects.get(pk=primary.pk), actor=official)
    assert snapshot(primary) == [(CaseStatus.SUBMITTED, None, 1)]


@pytest.mark.parametrize("state", ["rejected", "resolved", "followed_up", "closed"])
def test_a_duplicate_with_an_outcome_cannot_be_merged(
    state, primary, duplicate, official, inspector
):
    if state == "rejected":
        workflow.reject_case(duplicate, actor=official, reason="重复投诉")
    else:
        resolve(duplicate, official, inspector)
        if state in ("followed_up", "closed"):
            workflow.record_follow_up(duplicate, actor=None, satisfaction="satisfied")
        if state == "closed":
            workflow.close_case(duplicate, actor=official)
    before = snapshot(primary, duplicate)
    with pytest.raises(TransitionNotAllowed, match=duplicate.tracking_number):
        merging.merge_complaint(duplicate, into=primary, actor=official)
    assert snapshot(primary, duplicate) == before


def test_a_duplicate_merged_elsewhere_cannot_be_merged_again(
    primary, duplicate, estate_x, official
):
    other = make_complaint(estate=estate_x).complaint
    merging.merge_complaint(duplicate, into=other, actor=official)
    before = snapshot(primary, duplicate, other)
    with pytest.raises(TransitionNotAllowed, match="only a case still being handled"):
        merging.merge_complaint(duplicate, into=primary, actor=official)
    assert snapshot(primary, duplicate, other) == before


def test_no_merge_into_a_rejected_case(primary, duplicate, official):
    workflow.reject_case(primary, actor=official, reason="不属于物业服务范围")
    before = snapshot(primary, duplicate)
    with pytest.raises(TransitionNotAllowed, match=primary.tracking_number):
        merging.merge_complaint(duplicate, into=primary, actor=official)
    assert snapshot(primary, duplicate) == before


def test_no_chain_into_a_merged_case(primary, duplicate, estate_x, official):
    third = make_complaint(estate=estate_x).complaint
    merging.merge_complaint(primary, into=third, actor=official)
    before = snapshot(primary, duplicate, third)
    with pytest.raises(TransitionNotAllowed, match="its own primary case"):
        merging.merge_complaint(duplicate, into=primary, actor=official)
    assert snapshot(primary, duplicate, third) == before


def test_a_primary_with_duplicates_cannot_itself_be_merged(primary, duplicate, estate_x, official):
    third = make_complaint(estate=estate_x).complaint
    merging.merge_complaint(duplicate, into=primary, actor=official)
    before = snapshot(primary, duplicate, third)
    with pytest.raises(TransitionNotAllowed, match="instead"):
        merging.merge_complaint(primary, into=third, actor=official)
    assert snapshot(primary, duplicate, third) == before


# What the duplicate's complainant sees and hears -----------------------------------------


def test_public_timeline_of_a_merged_complaint_follows_the_primary_from_the_merge_on(
    primary, duplicate, official, inspector
):
    workflow.accept_case(primary, actor=official)  # before the merge: not followed
    workflow.accept_case(duplicate, actor=official)
    merging.merge_complaint(duplicate, into=primary, actor=official)
    dispatch.dispatch_case(primary, actor=official, inspector=inspector)
    dispatch.sign_dispatch(primary.dispatches.get(), actor=inspector)
    workflow.resolve_case(primary, actor=official, reply="已修复电梯。")

    timeline = merging.public_timeline(duplicate)
    assert [(e.complaint_id, e.action) for e in timeline] == [
        (duplicate.pk, "cases.complaint.submitted"),
        (duplicate.pk, "cases.complaint.accepted"),
        (duplicate.pk, "cases.complaint.merged"),
        (primary.pk, "cases.complaint.assigned"),
        (primary.pk, "cases.complaint.started"),
        (primary.pk, "cases.complaint.resolved"),
    ]
    assert all(e.is_public for e in timeline)
    assert [e.timestamp for e in timeline] == sorted(e.timestamp for e in timeline)


def test_the_primarys_own_complainant_exchanges_are_not_followed(
    primary, duplicate, official, inspector
):
    merging.merge_complaint(duplicate, into=primary, actor=official)
    resolve(primary, official, inspector)
    workflow.record_follow_up(
        primary, actor=None, satisfaction="unsatisfied", comment="我是张三 13900000001"
    )
    timeline = merging.public_timeline(duplicate)
    followed = [e for e in timeline if e.complaint_id == primary.pk]
    assert followed[-1].action == "cases.complaint.reopened"
    assert "comment" not in followed[-1].data
    assert all("13900000001" not in str(e.data) for e in timeline)
    # The stored event is untouched: staff still read the comment.
    stored = CaseEvent.objects.get(pk=followed[-1].pk)
    assert stored.data["comment"] == "我是张三 13900000001"


def test_public_timeline_of_a_primary_is_its_own_public_events(primary, duplicate, official):
    merging.merge_complaint(duplicate, into=primary, actor=official)
    timeline = merging.public_timeline(primary)
    assert [e.action for e in timeline] == ["cases.complaint.submitted"]  # the flag is internal


@pytest.mark.parametrize("rows", [1, 10])
def test_public_timeline_takes_one_query_however_long(
    rows, primary, duplicate, official, inspector, django_assert_max_num_queries
):
    merging.merge_complaint(duplicate, into=primary, actor=official)
    resolve(primary, official, inspector)
    for days in range(1, rows + 1):
        workflow.log_event(
            primary,
            "cases.complaint.extended",
            actor=official,
            public=True,
            data={"days": days, "due": "2030-01-10T18:00:00+08:00"},
        )
    duplicate.refresh_from_db()
    with django_assert_max_num_queries(1):
        timeline = merging.public_timeline(duplicate)
    assert len(timeline) >= rows + 5


def test_every_merged_complainant_is_told_of_the_resolution_once(
    primary, duplicate, estate_x, official, inspector, django_capture_on_commit_callbacks
):
    second = make_complaint(estate=estate_x, phone="13900000003").complaint
    Complaint.objects.filter(pk=second.pk).update(contact_email="second@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        merging.merge_complaint(duplicate, into=primary, actor=official)
        merging.merge_complaint(second, into=primary, actor=official)
        resolve(primary, official, inspector, reply="已修复电梯。")
        workflow.resolve_case(primary, actor=official, reply="已修复电梯。")  # a double click

    resolved = primary.events.get(action="cases.complaint.resolved")
    told = Notification.objects.filter(dedup_key__contains=f":event:{resolved.pk}:")
    assert sorted((n.channel, n.recipient) for n in told) == [
        ("email", "second@example.com"),
        ("sms", "13900000001"),
        ("sms", "13900000002"),
        ("sms", "13900000003"),
    ]
    [to_duplicate] = told.filter(recipient="13900000002")
    assert duplicate.tracking_number in to_duplicate.body  # they rate on their own page
    assert primary.tracking_number in to_duplicate.body
    assert all(n.sent_at is not None for n in told)


def test_the_merged_complainant_is_told_which_case_they_follow(
    primary, duplicate, official, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        merging.merge_complaint(duplicate, into=primary, actor=official)
    [message] = Notification.objects.filter(recipient="13900000002")
    assert duplicate.tracking_number in message.body and primary.tracking_number in message.body
    assert not Notification.objects.filter(recipient="13900000001").exists()


def test_merged_into_a_resolved_case_the_complainant_gets_its_reply(
    primary, duplicate, official, inspector
):
    resolve(primary, official, inspector, reply="已更换水泵。")
    merging.merge_complaint(duplicate, into=primary, actor=official)
    [message] = Notification.objects.filter(recipient="13900000002")
    assert "已更换水泵。" in message.body
