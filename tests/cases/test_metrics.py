"""The officials' figures, computed over a small, fully known set of cases; a complaint merged
into another is counted once, through its primary."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import dispatch, merging, metrics, workflow
from cases.models import CaseEvent, Complaint
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def work(complaint, actor, inspector):
    """Dispatched to the inspector, who signs for it: in progress."""
    dispatch.dispatch_case(complaint, actor=actor, inspector=inspector)
    new = complaint.dispatches.get(status="awaiting_signature")
    dispatch.sign_dispatch(new, actor=inspector)


def resolve(complaint, actor, inspector, *, late=False):
    workflow.accept_case(complaint, actor=actor)
    work(complaint, actor, inspector)
    workflow.resolve_case(complaint, actor=actor, reply="已处理")
    # Test data: put the due date before or after the resolution.
    due = NOW - dt.timedelta(days=1) if late else NOW + dt.timedelta(days=1)
    Complaint.objects.filter(pk=complaint.pk).update(resolve_due_at=due)


@pytest.fixture
def cases(estate_x, estate_y, admin, inspector):
    official = admin  # acts city-wide: the cases span both districts

    def new(estate=estate_x):
        return make_complaint(estate=estate).complaint

    on_time, late, reopened, rated_basic = new(), new(), new(), new(estate_y)
    resolve(on_time, official, inspector)
    workflow.record_follow_up(on_time, actor=None, satisfaction="satisfied")
    resolve(late, official, inspector, late=True)
    resolve(reopened, official, inspector)
    workflow.record_follow_up(reopened, actor=None, satisfaction="unsatisfied")
    resolve(rated_basic, official, inspector)
    workflow.record_follow_up(rated_basic, actor=None, satisfaction="basically")

    open_overdue, open_in_time = new(), new()
    workflow.accept_case(open_overdue, actor=official)
    Complaint.objects.filter(pk=open_overdue.pk).update(resolve_due_at=NOW - dt.timedelta(hours=1))
    workflow.accept_case(open_in_time, actor=official)
    Complaint.objects.filter(pk=open_in_time.pk).update(resolve_due_at=NOW + dt.timedelta(days=3))

    waiting, rejected = new(), new()
    workflow.reject_case(rejected, actor=official, reason="不属于物业服务范围")

    # Accepted, overdue and (as test data) rated, but merged: it must count nowhere.
    merged = new()
    workflow.accept_case(merged, actor=official)
    merging.merge_complaint(merged, into=open_in_time, actor=official)
    Complaint.objects.filter(pk=merged.pk).update(
        resolve_due_at=NOW - dt.timedelta(days=1), satisfaction="unsatisfied"
    )
    return locals()


def test_figures_follow_their_definitions(cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = metrics.figures(Complaint.objects.all(), now=NOW)
    assert figures.submitted == 8
    assert figures.handled == 6  # not the one waiting for intake, not the rejected one
    assert figures.resolved == 4  # the reopened case still counts as resolved once
    assert figures.resolution_rate == pytest.approx(4 / 6)
    # on time: on_time, reopened, rated_basic; late: late + the open overdue case
    assert (figures.resolved_on_time, figures.open_overdue) == (3, 1)
    assert figures.on_time_rate == pytest.approx(3 / 5)
    assert (figures.satisfied, figures.answered) == (2, 3)
    assert figures.reopen_rate == pytest.approx(1 / 4)


def test_rates_without_a_base_are_none_not_zero(db):
    figures = metrics.figures(Complaint.objects.none())
    assert figures.resolution_rate is None
    assert figures.on_time_rate is None
    assert figures.satisfaction_rate is None


def test_period_counts_by_submission_time(cases):
    late = cases["late"]
    Complaint.objects.filter(pk=late.pk).update(created_at=NOW - dt.timedelta(days=40))
    end = timezone.now() + dt.timedelta(minutes=1)
    recent = metrics.in_period(Complaint.objects.all(), NOW - dt.timedelta(days=30), end)
    assert metrics.figures(recent, now=NOW).submitted == 7


def test_repeat_complaints_per_estate(cases, estate_x, estate_y):
    assert metrics.repeat_complaints_by_estate(Complaint.objects.all()) == [
        (estate_x.pk, estate_x.name, 7)
    ]
    assert metrics.repeat_complaints_by_estate(Complaint.objects.all(), minimum=1)[-1] == (
        estate_y.pk,
        estate_y.name,
        1,
    )


def test_merged_complaints_count_nowhere(cases):
    everything = Complaint.objects.all()
    assert everything.count() == 9  # the merged one is there ...
    assert metrics.figures(everything, now=NOW).submitted == 8  # ... but not counted
    merged_only = metrics.figures(Complaint.objects.filter(pk=cases["merged"].pk), now=NOW)
    assert (merged_only.submitted, merged_only.handled, merged_only.open_overdue) == (0, 0, 0)
    assert (merged_only.answered, merged_only.satisfied) == (0, 0)
    assert metrics.repeat_complaints_by_estate(Complaint.objects.filter(status="merged")) == []


def test_on_time_is_judged_by_the_first_resolution(cases, admin, inspector):
    reopened = cases["reopened"]
    first = CaseEvent.objects.get(complaint=reopened, action=metrics.RESOLVED).timestamp
    work(reopened, admin, inspector)
    workflow.resolve_case(reopened, actor=admin, reply="再次处理")
    # Due between the two resolutions: the first one was on time.
    Complaint.objects.filter(pk=reopened.pk).update(
        resolve_due_at=first + dt.timedelta(microseconds=1)
    )
    figures = metrics.figures(Complaint.objects.filter(pk=reopened.pk), now=timezone.now())
    assert (figures.resolved, figures.resolved_on_time, figures.reopened) == (1, 1, 1)


def test_intake_on_time_counts_decisions_by_their_due_date(cases):
    """Eight counted complaints: seven decided at intake (six accepted, one rejected), one
    still waiting. Move two decisions past their intake due date and the waiting one too."""
    late = [cases["late"], cases["rejected"]]
    Complaint.objects.filter(pk__in=[c.pk for c in late]).update(
        accept_due_at=NOW - dt.timedelta(days=30)
    )
    decided = Complaint.objects.exclude(pk__in=[c.pk for c in late]).exclude(pk=cases["waiting"].pk)
    decided.update(accept_due_at=NOW + dt.timedelta(days=1))
    Complaint.objects.filter(pk=cases["waiting"].pk).update(
        accept_due_at=NOW - dt.timedelta(hours=1)
    )
    figures = metrics.figures(Complaint.objects.all(), now=NOW)
    assert (figures.intake_decided, figures.intake_on_time, figures.intake_overdue) == (7, 5, 1)
    assert figures.intake_on_time_rate == pytest.approx(5 / 8)
